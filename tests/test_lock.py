"""One monitor per database: a second `govwatch run` refuses, naming the first; a SIGKILLed one's lock is taken over."""

from __future__ import annotations

import signal

import pytest

from monitor.errors import GovwatchError
from monitor.run.lock import MonitorLock
from tests.test_run import stop, wait_for


def test_the_lock_names_its_holder_and_is_free_again_once_released(tmp_path):
    first = MonitorLock(tmp_path / "govwatch.db").acquire()
    with pytest.raises(GovwatchError, match=r"already monitoring .*govwatch.db") as refused:
        MonitorLock(tmp_path / "govwatch.db").acquire()
    assert "pid " in str(refused.value)
    first.release()
    with MonitorLock(tmp_path / "govwatch.db") as again:
        assert again.held


@pytest.mark.slow
def test_a_second_run_refuses_and_a_killed_runs_lock_is_taken_over(replica, gw):
    replica.add_petition(61, action="Owned once", signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/61"')
    first = gw.start("run", "--no-serve", "--tick", "0.2s")
    try:
        wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE pid = ? AND crawls >= 1", (first.pid,)), 15)
        second = gw.run("run", "--no-serve", "--tick", "0.2s", check=False, timeout=30)
        assert second.returncode == 1
        assert f"another govwatch run (pid {first.pid}) is already monitoring" in second.stderr
        assert "Traceback" not in second.stderr
        assert gw.query("SELECT pid, stopped_at FROM daemon") == [{"pid": first.pid, "stopped_at": None}]
    finally:
        stop(first, signal.SIGKILL)
    third = gw.start("run", "--no-serve", "--tick", "0.2s")  # the killed run's lock file is still there
    try:
        wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE pid = ? AND stopped_at IS NULL", (third.pid,)), 15)
    finally:
        stop(third)
    assert third.returncode == 0, third.stderr.read()
