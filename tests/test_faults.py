"""Failed fetches are error observations, never events; the next good poll carries on."""

from __future__ import annotations

import time

import pytest

N = 700002
FAULTS = ["500", "503", "429", "timeout", "truncated", "dataloss", "html", "empty", "reset"]


@pytest.mark.slow
def test_each_fault_is_an_error_observation_and_no_event(replica, gw):
    """Every kind of failure at once, one petition each: the same checks cover all nine."""
    numbers = {kind: N + i for i, kind in enumerate(FAULTS)}
    for kind, n in numbers.items():
        replica.add_petition(n, action=f"Protect the hedgehogs ({kind})", signature_count=9990)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    gw.check()
    for kind, n in numbers.items():
        replica.sign(n, 10_020)
        replica.respond(n, "We agree.", "Hedgehogs will be protected.")
        replica.fault(kind, path=f"/petitions/{n}(/|\\.json|$)", delay=5.0, retry_after=1)
    out = gw.check().stdout
    assert gw.event_keys() == [], out
    for kind, n in numbers.items():
        [last] = gw.query("SELECT outcome, error FROM observations WHERE watch_id LIKE ? ORDER BY id DESC LIMIT 1",
                          (f"%/{n}",))  # fmt: skip
        assert last["outcome"] == "error" and last["error"], (kind, last)
        assert f"/{n}: " in out, (kind, out)  # listed under "Unreachable or failing"
    assert "Unreachable or failing" in out

    replica.clear_faults()
    time.sleep(1.2)  # the 503 and 429 asked for 1 s (Retry-After): govwatch does not poll those sooner
    gw.check()
    for kind, n in numbers.items():
        keys = sorted(k.rsplit(f"/{n}/", 1)[1] for k in gw.event_keys() if f"/{n}/" in k)
        assert keys == ["response/" + replica.petition(n)["government_response"]["responded_on"],
                        "threshold/10000"], (kind, keys)  # fmt: skip
    gw.check()
    assert len(gw.event_keys()) == 2 * len(FAULTS)


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
