"""A clean stop is clean: SIGTERM mid-crawl and a slow feeds rebuild log nothing (the README promises silence)."""

from __future__ import annotations

import pytest

from tests.test_run import polls, stop, wait_for

pytestmark = pytest.mark.slow


def test_sigterm_mid_crawl_logs_no_error_nor_warning(replica, gw):
    replica.add_petition(71, action="Slow to answer", signature_count=10)
    gw.settings = 'interval = "1s"\n'
    gw.hosts = gw.hosts.replace('timeout = "2s"', 'timeout = "10s"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/71"')
    proc = gw.start("run", "--no-serve", "--tick", "0.2s")
    wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE crawls >= 2"), 15)
    replica.fault("timeout", path="/petitions/71", delay=3.0)
    wait_for(lambda: len(polls(replica, 71)) >= 3, 10)
    assert stop(proc) < 5 and proc.returncode == 0
    err = proc.stderr.read()
    assert "apscheduler" not in err and "CancelledError" not in err and "ERROR" not in err, err
    assert "WARNING" not in err, err
