"""`govwatch run` as a real subprocess against the replica: schedule, adaptivity, signals, reloads."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

import feedparser
import pytest

from monitor.clock import parse_iso
from monitor.run.schedule import Progress, next_due, next_look, seconds_to_threshold

pytestmark = pytest.mark.slow
# Seconds a freshly started `govwatch run` may take to make its first poll: a precondition, not what is
# tested, and the Python start-up (Scrapy's imports) takes 10 s on a loaded 2-core machine.
STARTUP = 60


def wait_for(predicate, timeout: float, every: float = 0.1):
    """Poll `predicate` until it returns something truthy (and return it) or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except sqlite3.OperationalError:  # the daemon has created the file but not yet its tables
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not true within {timeout} s: {predicate.__doc__ or predicate}")


def polls(replica, number: int) -> list:
    """The replica's log of one petition's polls (detail and count.json), in order."""
    return [r for r in replica.requests if r.path.startswith(f"/petitions/{number}")]


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30.0) -> float:
    started = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=timeout)
    return time.monotonic() - started


def run(gw, tick: str = "0.2s") -> subprocess.Popen:
    return gw.start("run", "--no-serve", "--tick", tick)


def test_run_detects_changes_within_three_intervals_without_overlap(replica, gw):
    replica.add_petition(11, action="Save the bees", signature_count=9_900)
    replica.add_petition(12, action="Plant more trees", signature_count=100)
    gw.settings = 'interval = "1.5s"\n'
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/11"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/12"\ninterval = "1s"')
    proc = run(gw)
    try:
        wait_for(lambda: len(polls(replica, 11)) >= 2, STARTUP)
        replica.sign(11, 10_100)
        changed_at = time.monotonic()
        wait_for(lambda: any(k.endswith("/11/threshold/10000") for k in gw.event_keys()), 3 * 1.5 + 2)
        assert time.monotonic() - changed_at <= 3 * 1.5 + 2
        def feed_has_it():
            feed = feedparser.parse(str(gw.folder / "feeds" / "all.atom"))
            return any("10,000 signatures: Save the bees" in e.title for e in feed.entries)

        wait_for(feed_has_it, 5)  # feeds are rebuilt after the crawl that stored the event
        time.sleep(3)
    finally:
        assert stop(proc) < 10  # SIGTERM stops it promptly (the bound leaves room for a loaded machine)
    assert proc.returncode == 0, proc.stderr.read()
    for number, interval in ((11, 1.5), (12, 1.0)):
        log = polls(replica, number)
        # requests of one watch never overlap (a count.json answered by a full fetch is one poll)
        assert all(b.started >= a.ended - 0.01 for a, b in zip(log, log[1:]))
        poll_starts = _poll_starts(log)
        assert len(poll_starts) >= 3
        assert all(b - a >= interval * 0.95 for a, b in zip(poll_starts, poll_starts[1:])), (number, poll_starts)


def _poll_starts(log) -> list[float]:
    """Group requests less than 0.3 s apart (count.json then the full document) into one poll."""
    starts = [r.started for r in log[:1]]
    starts += [b.started for a, b in zip(log, log[1:]) if b.started - a.started > 0.3]
    return starts


def test_a_page_whose_interval_is_shorter_than_the_tick_is_polled_on_time(gw):
    # Reported: with interval = "1s" and the default 5 s tick, a page was polled twice in 9 s (once a tick).
    from monitor.replica.pages import AdvocacyReplica

    gw.settings = 'interval = "1s"\n'
    with AdvocacyReplica() as site:
        gw.add(f'[[page]]\nname = "letter"\nurl = "{site.url}{site.letter_path}"')
        proc = run(gw, tick="5s")
        try:
            wait_for(lambda: gw.query("SELECT 1 FROM observations WHERE outcome = 'unchanged'"), STARTUP)
            time.sleep(3.5)  # less than a tick: every poll after the first is an early look
        finally:
            stop(proc)
        log = [r for r in site.requests if r.path == site.letter_path]
    starts = _poll_starts(log)  # the baseline's double fetch is one poll
    gaps = [round(b - a, 2) for a, b in zip(starts, starts[1:])]
    assert len(starts) >= 4 and all(0.95 <= gap < 2.5 for gap in gaps), gaps


def test_a_petition_near_a_threshold_is_polled_at_least_twice_as_often(replica, gw):
    """The planned gap to the next poll (what the scheduler decided), not a count of polls a loaded machine made."""
    replica.add_petition(21, action="Near", signature_count=9_800)
    replica.add_petition(22, action="Far", signature_count=500)
    gw.settings = 'interval = "3s"\n'
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/21"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/22"')
    proc = run(gw)
    plans: dict[str, dict[str, str]] = {}  # watch -> {polled at: the next poll's due time planned after it}
    try:
        wait_for(lambda: polls(replica, 21), STARTUP)
        started = time.monotonic()
        count = 9_800
        while time.monotonic() - started < 12 or len(plans.get("21", ())) < 3:  # 9,800 -> 9,990, never crossing
            assert time.monotonic() - started < 60, plans
            time.sleep(0.5)
            count = min(count + 30, 9_990)
            replica.sign(21, count)
            for row in gw.query("SELECT id, last_checked_at, next_due_at FROM watches WHERE next_due_at IS NOT NULL"):
                # a row read between recording a poll and planning the next one still holds the old due time:
                # the plan that follows a poll is the latest due time seen with its last_checked_at
                seen = plans.setdefault(row["id"].rsplit("/", 1)[1], {})
                seen[row["last_checked_at"]] = max(seen.get(row["last_checked_at"], ""), row["next_due_at"])
    finally:
        stop(proc)

    def gaps(number: str) -> list[float]:
        gaps = ((parse_iso(due) - parse_iso(at)).total_seconds() for at, due in plans[number].items())
        return sorted(gap for gap in gaps if gap > 0)  # a due time older than the poll is not a plan made after it

    near, far = gaps("21"), gaps("22")
    assert far and near[0] * 2 <= far[0], (near, far)  # once its rate is known, the near one is due twice as soon
    near_polls, far_polls = len(_poll_starts(polls(replica, 21))), len(_poll_starts(polls(replica, 22)))
    assert near_polls >= far_polls, (near_polls, far_polls)


def test_sigterm_mid_crawl_exits_cleanly_and_sigkill_resumes_the_schedule(replica, gw):
    replica.add_petition(31, action="Slow site", signature_count=9_990)
    gw.settings = 'interval = "4s"\n'
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/31"')
    gw.hosts = gw.hosts.replace('timeout = "2s"', 'timeout = "10s"')
    proc = run(gw)
    wait_for(lambda: gw.query("SELECT 1 FROM watches WHERE next_due_at IS NOT NULL"), STARTUP)
    replica.fault("timeout", path="/petitions/31", delay=3.0)
    wait_for(lambda: len(polls(replica, 31)) >= 2, 10)  # a slow poll is in flight
    # SIGTERM ends a crawl in flight: it is given 4 s, then the process exits (slower on a loaded machine)
    assert stop(proc) < 10 and proc.returncode == 0
    assert gw.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert gw.query("SELECT stopped_at FROM daemon")[0]["stopped_at"]
    replica.clear_faults()

    proc = run(gw)
    wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE stopped_at IS NULL AND crawls >= 1"), STARTUP)
    replica.sign(31, 10_020)
    wait_for(lambda: any(k.endswith("/31/threshold/10000") for k in gw.event_keys()), 12)
    due = gw.query("SELECT next_due_at FROM watches")[0]["next_due_at"]
    stop(proc, signal.SIGKILL)
    replica.clear_log()
    proc = run(gw)
    try:
        time.sleep(1.5)
        # the stored schedule holds: no poll before the watch is due again
        early = [r for r in polls(replica, 31) if r.started < _epoch(due) - 0.2]
        assert early == []
        wait_for(lambda: polls(replica, 31), STARTUP)
    finally:
        stop(proc)
    keys = gw.event_keys()
    assert len(keys) == len(set(keys)) and sum(k.endswith("/threshold/10000") for k in keys) == 1


def _epoch(iso_text: str) -> float:
    from monitor.clock import parse_iso

    return parse_iso(iso_text).timestamp()


def test_editing_the_watchlist_adds_and_removes_watches_while_running(replica, gw):
    replica.add_petition(41, signature_count=10)
    replica.add_petition(42, signature_count=20)
    gw.settings = 'interval = "1s"\n'
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/41"')
    proc = run(gw)
    try:
        wait_for(lambda: polls(replica, 41), STARTUP)
        gw.entries = [f'[[petition]]\nurl = "{replica.url}/petitions/42"']
        gw.write()
        edited = time.time()
        wait_for(lambda: polls(replica, 42), 3)
        time.sleep(2)
        assert [r for r in polls(replica, 41) if r.started > edited + 1.0] == []
    finally:
        stop(proc)
    status = gw.run("status").stdout
    assert "stopped at" in status and "/42" in status and "/41" not in status


def test_a_failing_watch_gives_one_failing_and_one_recovered_event(replica, gw):
    replica.add_petition(51, signature_count=10)
    gw.settings = "failing_after = 2\n"
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/51"')
    gw.check()
    replica.fault("500", path="/petitions/51")
    for _ in range(3):
        gw.check()
    assert [e["kind"] for e in gw.events()] == ["watch_failing"]
    replica.clear_faults()
    gw.check()
    gw.check()
    assert [e["kind"] for e in gw.events()] == ["watch_failing", "watch_recovered"]


def test_detectors_lists_every_kind_an_alert_may_name(gw):
    from monitor.alerts.channels import known_kinds

    listed = {line.split()[0] for line in gw.run("detectors").stdout.splitlines() if line and line[0].islower()}
    assert listed == known_kinds() and {"watch_failing", "watch_recovered", "sweep_started", "response_overdue",
                                        "threshold_approaching"} <= listed


# ---------------------------------------------------------------- the rules, without processes


def _watch(interval=600.0, thresholds=()):
    from monitor.watchlist.config import PetitionWatch

    return PetitionWatch(id="w", kind="petition", url="https://x/petitions/1.json", entry="t", site="https://x",
                         number=1, interval=interval, thresholds=thresholds)  # fmt: skip


def _settings():
    from pathlib import Path

    from monitor.watchlist.config import Settings

    return Settings(database=Path("x.db"), feeds_dir=Path("f"), interval=600.0)


@pytest.mark.parametrize(("progress", "failures", "low", "high"), [
    (None, 0, 600, 660),                                            # plain interval, jitter only later
    (Progress("open", False, 500, 0.01), 0, 600, 660),              # far from any threshold
    (Progress("open", False, 9_800, 1.0), 0, 1, 300),               # 200 to go at 1/s: well within 4 intervals
    (Progress("closed", False, 12_000, None), 0, 86_400, 95_100),   # closed: daily
    (Progress("open", True, 12_000, None), 0, 86_400, 95_100),      # archived: daily
    (None, 3, 2_400, 2_640),                                        # failing: 600 * 2**2
])  # fmt: skip
def test_next_due_rules(progress, failures, low, high):
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    due = next_due(_watch(), _settings(), now=now, failures=failures, progress=progress)
    seconds = (_epoch(due.at) - now.timestamp())
    assert low <= seconds <= high, (seconds, due.reason)


def test_never_sooner_than_the_site_allows():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    due = next_due(_watch(interval=10), _settings(), now=now, fresh_until="2026-01-01T01:00:00.000Z")
    assert due.at == "2026-01-01T01:00:00.000Z"


@pytest.mark.parametrize(("dues", "look"), [
    ([(1, 1.0)], 1),                     # "1s" due in 1 s: the 5 s tick would poll it 4 s late
    ([(1, 600.0)], None),                # "10m": 4 s late is within its jitter (60 s), stay batched
    ([(1, 0.0)], 1),                     # a cron time: on time
    ([(6, 1.0)], None),                  # due after the tick: the tick takes it
    ([(3, 1.0), (2, 600.0), (4, 0.0)], 3),  # the soonest of those the tick would make late
    ([(4.96, 1.0)], None),               # the tick is only 0.04 s later: within 10% of 1 s
])  # fmt: skip
def test_next_look_is_sooner_than_the_tick_only_for_watches_it_would_make_late(dues, look):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    found = next_look([(start + timedelta(seconds=at), interval) for at, interval in dues],
                      next_tick=start + timedelta(seconds=5))  # fmt: skip
    assert found == (None if look is None else start + timedelta(seconds=look))


def test_seconds_to_threshold_uses_user_thresholds():
    assert seconds_to_threshold(Progress("open", False, 4_900, 10.0), (5_000,)) == 10.0
    assert seconds_to_threshold(Progress("open", False, 4_900, 0.0)) is None


def test_cron_watches_follow_their_expression(tmp_path):
    from datetime import UTC, datetime

    from monitor.watchlist.config import load_config

    path = tmp_path / "w.toml"
    path.write_text('[[petition]]\nid = 1\ncron = "0 9 * * 1-5"\n')
    [watch] = load_config(path).watches
    due = next_due(watch, _settings(), now=datetime(2026, 1, 2, 10, tzinfo=UTC))  # a Friday, after 9
    assert due.at == "2026-01-05T09:00:00.000Z"
    path.write_text('[[petition]]\nid = 1\ncron = "every day"\n')
    with pytest.raises(Exception, match="key 'cron': expected a crontab expression"):
        load_config(path)


def test_run_sends_alerts_as_its_own_job(replica, gw):
    from tests.support.receivers import Webhook

    replica.add_petition(61, action="Ring the bells", signature_count=9_990)
    gw.settings = 'interval = "1s"\n'
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/61"')
    with Webhook() as hook:
        gw.add(f'[[alert]]\nname = "hook"\nurl = "{hook.url()}"')
        proc = run(gw)
        try:
            wait_for(lambda: polls(replica, 61), STARTUP)
            replica.sign(61, 10_001)
            wait_for(lambda: hook.keys(), 10)
        finally:
            stop(proc)
        assert [k.rsplit("/", 2)[-2:] for k in hook.keys()] == [["threshold", "10000"]]


def test_run_with_nothing_reachable_says_so_once_per_watch_and_stops(gw):
    import socket

    with socket.socket() as s:  # a port with nothing listening: connection refused, like no network
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    gw.add(f'[[petition]]\nurl = "http://127.0.0.1:{closed}/petitions/1"')
    gw.add(f'[[sweep]]\nsite = "http://127.0.0.1:{closed}"')
    for _ in range(2):  # the second time too: a restart retries at once when every watch was failing
        proc = gw.run("run", "--no-serve", "--tick", "0.2s", check=False, timeout=30)
        assert proc.returncode == 1
        lines = proc.stderr.strip().splitlines()
        assert "Traceback" not in proc.stderr
        refused = [line for line in lines if "refused the connection" in line]  # once per watch, not also logged
        assert len(refused) == 2 and all(line.startswith("govwatch: 127.0.0.1") for line in refused)
        assert "no watch answered the first pass" in lines[-1]
