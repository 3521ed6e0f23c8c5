"""Response deadlines in `govwatch run` against the replica, with `response_due` shortened to seconds.

The story: petition 41 crosses 10,000 and is left unanswered, 42 crosses and is
answered in time, 43 stays below 10,000. Nothing changes on the site while 41
waits: `govwatch run` itself notices its response falling due, once, across a
restart; the late response then says how late it was.
"""

from __future__ import annotations

import time

import pytest

from monitor.clock import later
from tests.test_run import run, stop, wait_for

pytestmark = pytest.mark.slow

DUE = 6.0  # seconds: response_due, shortened (more than govwatch run takes to start)


def _overdue(gw) -> list[dict]:
    return [e for e in gw.events() if e["kind"] == "response_overdue"]


def test_an_unanswered_petition_gets_one_overdue_event_across_a_restart_then_its_late_response(replica, gw):
    replica.add_petition(41, action="Left waiting", signature_count=10_500)
    replica.add_petition(42, action="Answered in time", signature_count=10_500)
    replica.add_petition(43, action="Below the threshold", signature_count=9_000)
    replica.respond(42, "We answer in time.", "Details.")
    crossed = replica.petition(41)["response_threshold_reached_at"]
    gw.settings = f'interval = "1h"\nresponse_due = "{DUE:g}s"\n'  # no regular poll while it waits
    for number in (41, 42, 43):
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
    proc = run(gw)
    try:
        wait_for(lambda: len(gw.event_keys()) >= 3, 10)  # the two crossings and 42's response, backfilled
        assert not _overdue(gw)
        # nothing changes on the site for 41 from here: the monitor looks when its response falls due
        wait_for(lambda: _overdue(gw), DUE + 10)
        time.sleep(0.5)
        [event] = _overdue(gw)
        assert event["petition_id"].endswith("/41")
        assert event["occurred_at"] == later(crossed, DUE)
        assert event["detected_at"] >= event["occurred_at"]
        assert "No response yet." in event["summary"]
    finally:
        assert stop(proc) < 5
    assert proc.returncode == 0
    [before] = gw.query("SELECT started_at FROM daemon")
    proc = run(gw)  # a restart in between: the event is not given again
    try:
        wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE started_at > ? AND heartbeat_at > started_at"
                                  " AND stopped_at IS NULL", (before["started_at"],)), 10)
        time.sleep(1)  # five ticks
    finally:
        stop(proc)
    assert len(_overdue(gw)) == 1
    replica.respond(41, "We answer late.", "Details.")
    gw.check()
    [response] = [e for e in gw.events() if e["kind"] == "response_published" and e["petition_id"].endswith("/41")]
    assert "late" in response["summary"] and response["data"]["late"] is True
    assert response["summary"].startswith("Answered after ")
    [in_time] = [e for e in gw.events() if e["kind"] == "response_published" and e["petition_id"].endswith("/42")]
    assert "in time" in in_time["summary"] and in_time["data"]["late"] is False
    assert [e["petition_id"].rsplit("/", 1)[1] for e in _overdue(gw)] == ["41"]  # none for 42 (in time), 43 (below)
    feed = (gw.folder / "feeds" / "kinds" / "response_overdue.atom").read_text()
    assert "Response overdue: Left waiting" in feed
