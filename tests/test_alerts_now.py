"""`govwatch alerts send --now FUTURE` closes a digest period early; it never gives a pending delivery up."""

from __future__ import annotations

import time
from datetime import timedelta

from monitor.clock import iso, parse_iso
from tests.test_alerts import channel, hook, watch_petitions  # noqa: F401  (hook is a fixture)


def test_a_future_now_never_fails_pending_deliveries_for_good(replica, gw, hook):  # noqa: F811
    watch_petitions(replica, gw, [730001, 730002])
    channel(gw, "digest-hook", hook.url(), digest='"1h"', backoff='"0.1s"', deadline='"1h"')
    hook.mode = "error"
    gw.check()
    [row] = gw.query("SELECT DISTINCT digest_until FROM deliveries")
    end = row["digest_until"]

    far = iso(parse_iso(end) + timedelta(days=2))  # far past the channel's 1 h deadline
    out = gw.run("alerts", "send", "--now", far).stdout
    assert "failed" not in out.replace("failed: 0", "")
    statuses = gw.query("SELECT status, last_error FROM deliveries")
    assert [r["status"] for r in statuses] == ["pending", "pending"], statuses

    hook.mode = "ok"
    time.sleep(0.3)  # the retry was booked 0.1 s after the real time of the failure
    assert "Alerts: 1 sent (2 deliveries)" in gw.run("alerts", "send", "--now", end).stdout
    assert [r["status"] for r in gw.query("SELECT status FROM deliveries")] == ["delivered", "delivered"]
