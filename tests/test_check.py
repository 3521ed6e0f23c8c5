"""`govwatch check` tells cron how it went (exit 3: some watch failed, 4: all did) and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import pytest

from tests.test_run import wait_for

pytestmark = pytest.mark.slow


def closed_port() -> int:
    with socket.socket() as s:  # nothing listens there afterwards: connection refused, like no network
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_check_exits_3_when_some_watch_failed_and_4_when_all_did(replica, gw):
    replica.add_petition(41, action="Answering", signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/41"')
    assert gw.run("check", check=False).returncode == 0
    gw.add(f'[[petition]]\nurl = "http://127.0.0.1:{closed_port()}/petitions/42"')
    some = gw.run("check", "--force", check=False)
    assert some.returncode == 3, some.stderr
    assert "Unreachable or failing" in some.stdout
    none = gw.run("check", "--force", "--only", "42", check=False)
    assert none.returncode == 4, none.stderr


def test_ctrl_c_during_check_keeps_what_was_recorded_and_says_so(replica, gw):
    replica.add_petition(51, action="Quick", signature_count=10_500)
    replica.add_petition(52, action="Slow", signature_count=10)
    gw.hosts = gw.hosts.replace('timeout = "2s"', 'timeout = "30s"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/51"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/52"')
    replica.fault("timeout", path="/petitions/52", delay=20.0)
    proc = gw.start("check")
    wait_for(lambda: gw.query("SELECT 1 FROM events WHERE key LIKE '%/51/threshold/10000'"), 20)
    assert proc.poll() is None  # petition 52 answers only after 20 s: its poll is in flight
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyError" not in err
    assert "interrupted; what was recorded is kept" in err
    assert any(k.endswith("/51/threshold/10000") for k in gw.event_keys())
    assert gw.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
