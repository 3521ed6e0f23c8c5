"""The outbox in process: rows written with their events, claimed once, retried with backoff, given up."""

from __future__ import annotations

import random
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.dispatch import LEASE, dispatch, outbox_text, retry_delay
from monitor.clock import iso, parse_iso
from monitor.watchlist.config import load_config
from monitor.items import Observation, PetitionState
from monitor.publish.serve import free_port
from store import outbox
from store.db import open_db
from store.record import Recorder
from store.watches import sync_watches
from tests.support.receivers import Webhook

SITE = "https://petition.parliament.uk"
T0 = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def make_config(tmp_path, alerts: str, petitions=range(700001, 700004)):
    watches = "".join(f"[[petition]]\nid = {n}\ntags = [\"t{n % 2}\"]\n" for n in petitions)
    path = tmp_path / "watchlist.toml"
    path.write_text('[govwatch]\ndatabase = "govwatch.db"\n' + watches + alerts)
    return load_config(path)


def record(config, numbers, at: datetime, hooks=None):
    """Record a first sight of each petition past 10,000 signatures: one event each, through the Recorder."""
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config, hooks=[outbox.outbox_hook(config)] if hooks is None else hooks)
    try:
        for n in numbers:
            state = PetitionState(site=SITE, number=n, action=f"Petition {n}", state="open",
                                  signature_count=12_000, response_threshold_reached_at=iso(at))  # fmt: skip
            recorder.record(Observation(watch_id=f"petition.parliament.uk/{n}", url=f"{SITE}/petitions/{n}.json",
                                        kind="petition", fetched_at=iso(at), status=200, petition=state))  # fmt: skip
    finally:
        db.close()


def rows(config, sql="SELECT d.*, e.key FROM deliveries d JOIN events e ON e.id = d.event_id ORDER BY d.id"):
    db = open_db(config.settings.database)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def test_delivery_rows_commit_with_their_event_or_not_at_all(tmp_path):
    config = make_config(tmp_path, """
[[alert]]
name = "all"
url = "json://127.0.0.1:9/x"
[[alert]]
name = "odd"
url = "json://127.0.0.1:9/x"
tags = ["t1"]
[[alert]]
name = "responses"
url = "json://127.0.0.1:9/x"
kinds = ["response_published"]
""")

    def boom(db, event_id, event):
        if event.petition_id.endswith("/700002"):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        record(config, [700001, 700002, 700003], T0, hooks=[outbox.outbox_hook(config), boom])
    found = [(r["key"].split("/")[2], r["channel"], r["status"]) for r in rows(config)]
    assert found == [("700001", "all", "pending"), ("700001", "odd", "pending")]  # 700002 rolled back whole
    events = rows(config, "SELECT key FROM events")
    assert [e["key"].split("/")[2] for e in events] == ["700001"]
    record(config, [700002, 700003], T0)
    assert [(r["key"].split("/")[2], r["channel"]) for r in rows(config)][2:] == [
        ("700002", "all"), ("700003", "all"), ("700003", "odd")]  # fmt: skip
    record(config, [700002, 700003], T0 + timedelta(minutes=5))  # detected again: stored once, queued once
    assert len(rows(config)) == 5


def test_retry_delay_doubles_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempts in range(1, 12):
        step = min(3600, 30 * 2 ** (attempts - 1))
        delays = {retry_delay(attempts, 30, rng) for _ in range(20)}
        assert all(step / 2 <= d <= step for d in delays) and len(delays) == 20


def test_a_failing_channel_backs_off_then_gives_up_at_its_deadline_keeping_the_error(tmp_path):
    config = make_config(tmp_path, f"""
[[alert]]
name = "dead"
url = "json://127.0.0.1:{free_port()}/x?cto=0.3"
backoff = "10s"
deadline = "2m"
""")
    record(config, [700001, 700002, 700003], T0)
    rng = random.Random(3)
    report = dispatch(config, now=T0, rng=rng)
    assert (report.messages, report.retrying, report.failed) == (0, 1, 0)
    [head, *rest] = rows(config)
    assert head["attempts"] == 1 and [r["attempts"] for r in rest] == [0, 0]  # the order holds: no overtaking
    assert T0 + timedelta(seconds=5) <= parse_iso(head["due_at"]) <= T0 + timedelta(seconds=10)
    assert "Connection" in head["last_error"] or "connect" in head["last_error"].lower()

    assert dispatch(config, now=T0 + timedelta(seconds=1), rng=rng).retrying == 0  # not due yet
    waits, now = [], T0
    while rows(config)[0]["status"] == "pending":
        due = parse_iso(rows(config)[0]["due_at"])
        waits.append((due - now).total_seconds())
        now = due
        dispatch(config, now=now, rng=rng)
    assert waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40  # doubling, with jitter
    assert now == T0 + timedelta(minutes=2)  # the last try is at the deadline itself
    final = rows(config)
    assert [r["status"] for r in final] == ["failed"] * 3 and final[0]["attempts"] == len(waits) + 1
    assert final[1]["last_error"].startswith("not sent before the deadline; last error: ")
    listing = outbox_text(config)
    assert listing.count("failed ") == 3 and "dead: json://127.0.0.1:" in listing and "3 failed" in listing


def test_a_claim_is_held_by_one_dispatcher_until_its_lease_ends_or_its_process_dies(tmp_path):
    config = make_config(tmp_path, '[[alert]]\nname = "hook"\nurl = "json://127.0.0.1:9/x"\n')
    record(config, [700001, 700002], T0)
    [channel] = config.alerts
    db = open_db(config.settings.database)
    try:
        mine, other = outbox.new_owner(), outbox.new_owner()
        [taken] = outbox.claim(db, channel, T0, mine, LEASE)
        assert taken.event.key.endswith("/700001/threshold/10000")
        assert outbox.claim(db, channel, T0, other, LEASE) == []  # its owner (this process) is alive
        assert outbox.claim(db, channel, T0 + timedelta(seconds=LEASE - 1), other, LEASE) == []
        [again] = outbox.claim(db, channel, T0 + timedelta(seconds=LEASE + 1), other, LEASE)
        assert again.id == taken.id
        assert outbox.mark_delivered(db, mine, T0) == 0  # the first owner lost it: it cannot mark it

        finished = subprocess.Popen(["true"])
        finished.wait()
        dead = f"{outbox.new_owner().split(':')[0]}:{finished.pid}:gone"
        outbox.release(db, other)
        outbox.claim(db, channel, T0, dead, LEASE)
        [rescued] = outbox.claim(db, channel, T0, other, LEASE)  # at once: its owner is dead
        assert rescued.id == taken.id
    finally:
        db.close()


def test_dispatchers_running_at_once_send_each_event_once_in_order(tmp_path):
    with Webhook(delay=0.01) as hook:
        config = make_config(tmp_path, f'[[alert]]\nname = "hook"\nurl = "{hook.url()}"\n', range(700001, 700021))
        record(config, range(700001, 700021), T0)
        reports = []
        threads = [threading.Thread(target=lambda: reports.append(dispatch(config, now=T0))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r.messages for r in reports) == 20
        assert [k.split("/")[2] for k in hook.keys()] == [str(n) for n in range(700001, 700021)]


def test_a_digest_channel_sends_one_message_per_period(tmp_path):
    with Webhook() as hook:
        config = make_config(tmp_path, f'[[alert]]\nname = "daily"\nurl = "{hook.url()}"\ndigest = "1d"\n')
        record(config, [700001, 700002], T0)
        record(config, [700003], T0 + timedelta(days=1))
        assert dispatch(config, now=T0 + timedelta(hours=12)).messages == 0
        report = dispatch(config, now=T0 + timedelta(days=3))
        assert (report.messages, report.delivered) == (2, 3)
        first, second = (p.body for p in hook.posts)
        assert [e["key"].split("/")[2] for e in first["events"]] == ["700001", "700002"]
        assert first["digest"] == {"key": "digest/daily/2026-03-03T00:00:00.000Z", "channel": "daily",
                                   "from": "2026-03-02T00:00:00.000Z", "until": "2026-03-03T00:00:00.000Z"}
        assert [e["key"].split("/")[2] for e in second["events"]] == ["700003"]
