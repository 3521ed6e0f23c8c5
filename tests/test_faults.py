"""Failed fetches are error observations, never events; the next good poll carries on."""

from __future__ import annotations

import time

import pytest

N = 700002
FAULTS = ["500", "503", "429", "timeout", "truncated", "dataloss", "html", "empty", "reset"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", FAULTS)
def test_fault_is_an_error_observation_and_no_event(replica, gw, kind):
    replica.add_petition(N, action="Protect the hedgehogs", signature_count=9990)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    gw.check()
    replica.sign(N, 10_020)
    replica.respond(N, "We agree.", "Hedgehogs will be protected.")
    replica.fault(kind, path=f"/petitions/{N}", delay=5.0, retry_after=1)
    out = gw.check().stdout
    assert gw.event_keys() == [], out
    [last] = gw.query("SELECT outcome, error FROM observations ORDER BY id DESC LIMIT 1")
    assert last["outcome"] == "error" and last["error"], last
    assert "Unreachable or failing" in out

    replica.clear_faults()
    if kind in ("503", "429"):
        time.sleep(1.2)  # the site asked for 1 s (Retry-After): govwatch does not poll sooner
    gw.check()
    keys = sorted(k.rsplit(f"/{N}/", 1)[1] for k in gw.event_keys())
    assert keys == ["response/" + replica.petition(N)["government_response"]["responded_on"], "threshold/10000"]
    gw.check()
    assert len(gw.event_keys()) == 2


def test_retry_after_is_honoured_before_giving_up(replica, gw):
    replica.add_petition(N, signature_count=1)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    replica.fault("503", path=f"/petitions/{N}", retry_after=1, times=1)
    gw.check()
    hits = [r for r in replica.requests if r.path.startswith(f"/petitions/{N}")]
    assert [r.status for r in hits] == [503, 200]
    assert hits[1].started - hits[0].ended >= 0.9  # waited as asked
    assert gw.query("SELECT outcome FROM observations") == [{"outcome": "changed"}]


def test_retry_after_longer_than_allowed_defers_the_watch(replica, gw):
    replica.add_petition(N, signature_count=1)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    replica.fault("429", path=f"/petitions/{N}", retry_after=3600)
    out = gw.check().stdout
    assert "Retry-After 3600" in out
    replica.clear_log()
    out = gw.check().stdout
    assert "Retry-After" in out and "skipped" in out
    assert [r for r in replica.requests if r.path.startswith("/petitions/")] == []
