"""`govwatch run`: one long-running process that polls what is due, and tells.

Scrapy's asyncio reactor runs the event loop; APScheduler 3's AsyncIOScheduler,
started from inside that loop, drives one serialized job: every tick it finds
the watches that are due (``watches.next_due_at``, stored so that a restart
resumes the schedule), batches them into one crawl (a new Crawler each time),
stores when each is due next (monitor/run/schedule.py), rebuilds the feeds and
logs one line. When a watch with a short interval (or a cron time) is due
before the next tick, the job runs then instead (`schedule.next_look`).
`max_instances=1` and `coalesce` make a slow crawl delay the next tick instead
of overlapping it, so a watch never has two polls in flight.
Alert delivery, when configured, is its own job, so a slow mail server never
delays polling.

SIGTERM/SIGINT stop the scheduler and the crawl in progress (whatever is
recorded is committed; an unrecorded poll is simply due again). SIGHUP, or a
change of the watchlist file, reloads the watchlist at the next tick.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from monitor.clock import iso, now, now_iso, parse_iso
from monitor.watchlist.config import Config, PetitionWatch, Watch, load_config
from monitor.run.crawl import CrawlReport, crawl
from monitor.errors import GovwatchError
from monitor.items import petition_key
from monitor.run.lock import MonitorLock
from monitor.run.schedule import Progress, at_deadline, next_due, next_look
from monitor.run.settings import crawl_settings
from monitor.run.troubles import Troubles
from store import locking, queries
from store.db import open_db, writing
from store.deadlines import record_overdue, responses_falling_due
from store.watches import sync_watches

logger = logging.getLogger("govwatch.run")
RATE_WINDOW = 3600.0  # seconds of count history behind a petition's signature rate
# Seconds from the end of a tick to an early look at the soonest: the tick's own run must have ended.
LOOK_AFTER = 0.05
PRUNE_EVERY = 86400.0  # seconds between two prunes of history older than [govwatch] keep

# Called after each crawl with the config and its report (feeds, alerts...); errors are logged.
AfterCrawl = Callable[[Config, CrawlReport], Awaitable[None] | None]


class Monitor:
    """The scheduled monitor: ticks, crawls what is due, reloads, stops cleanly."""

    def __init__(self, config_path: str | Path, *, tick: float = 5.0,
                 after_crawl: list[AfterCrawl] | None = None,
                 jobs: list[tuple[Callable[[Config], Awaitable[None]], float]] | None = None,
                 keep_going: bool = False, config: Config | None = None,
                 finish: list[Callable[[], Awaitable[None]]] | None = None):  # fmt: skip
        self.path = Path(config_path)
        self.keep_going = keep_going
        self.unreachable: list[tuple[str, str]] = []  # set when the first pass reached nothing
        self._first = True
        self.tick_seconds = tick
        self.after_crawl = after_crawl or []
        self.extra_jobs = jobs or []
        self.finish = finish or []  # awaited when the monitor stops (the last feed update)
        self.config: Config = config or load_config(self.path)  # the caller's, when it has just loaded it
        self._mtime = self.path.stat().st_mtime
        self._stop = asyncio.Event()
        self._reload = False
        self._runner = None
        self._lock: locking.LockWatch | None = None
        self.troubles = Troubles()  # a locked database, a full disk: said once, retried
        self.rng = random.Random()
        # One monitor per database: taken by `run()` (or earlier by `claim()`), released when it ends.
        self.lock = MonitorLock(self.config.settings.database)

    def claim(self) -> None:
        """Take the database's monitor lock now (GovwatchError naming the pid of the monitor that holds it)."""
        self.lock.acquire()

    # ------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (or `stop()`); GovwatchError if another monitor holds the database."""
        loop = asyncio.get_running_loop()
        self.claim()
        try:
            await self._run(loop)
        finally:
            self.lock.release()

    async def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._start()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.request_reload)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
        self._job = scheduler.add_job(self.tick, "interval", seconds=self.tick_seconds, id="crawl", max_instances=1,
                                      coalesce=True, next_run_time=now(), misfire_grace_time=None)  # fmt: skip
        for job, every in self.extra_jobs:
            scheduler.add_job(self._guarded(lambda job=job: job(self.config)), "interval", seconds=every,
                              max_instances=1, coalesce=True, next_run_time=now(), misfire_grace_time=None)  # fmt: skip
        logging.getLogger("apscheduler.scheduler").addFilter(_skipped_is_by_design)
        scheduler.start()
        logger.info("govwatch run: %d watch(es) in %s, tick %.1f s", len(self.config.watches), self.path,
                    self.tick_seconds)  # fmt: skip
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await self._stop_crawl()
            for finish in self.finish:
                await self._guarded(finish)()
            self._stopped()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            logger.info("govwatch run: stopped")

    def stop(self) -> None:
        """Ask the monitor to stop after the current writes."""
        logger.info("govwatch run: stopping")
        self._stop.set()

    def request_reload(self) -> None:
        """Reload the watchlist at the next tick (SIGHUP)."""
        self._reload = True

    async def _stop_crawl(self) -> None:
        if self._runner is not None:
            try:
                await asyncio.wait_for(self._runner.stop(), timeout=4)
            except TimeoutError:
                logger.warning("the crawl in progress did not stop within 4 s")

    # ------------------------------------------------------------ the tick

    async def tick(self) -> None:
        """Crawl the watches that are due, then schedule them, rebuild feeds and log one line."""
        if self._stop.is_set():
            return
        try:
            await self._tick()
        except asyncio.CancelledError:
            if not self._stop.is_set():
                raise
            return  # stopped mid-crawl: what was recorded is committed, the rest is due again (no error)
        except GovwatchError as e:  # e.g. the database cannot be opened: said once, the next tick retries
            self.troubles.say_once("tick", str(e))
        except Exception as e:
            if not self.troubles.store(e, self.config.settings):
                raise
        finally:
            if self._job.next_run_time is None and not self._stop.is_set():
                self._job.resume()  # only now: a tick's feeds and hooks must not overlap the next tick
            if not self._stop.is_set():
                self._look_early()

    async def _tick(self) -> None:
        self._maybe_reload()
        settings = self.config.settings
        if self._lock is None or self._lock.path != settings.database:
            self._lock = locking.LockWatch(settings.database, settings.lock_wait)
        if not self._lock.free():  # another process writes: never block the loop waiting for it
            return
        due = self.due(now_iso())
        self._heartbeat()
        if not due:
            await self._deadlines()  # a petition waiting for its response changes nothing on the site
            return
        from scrapy.crawler import AsyncCrawlerRunner

        self._runner = AsyncCrawlerRunner(crawl_settings(self.config))
        self._job.pause()  # a slow crawl delays the next tick (resuming counts the interval from now)
        try:
            report = await crawl(self.config, due, sync=False, runner=self._runner)
        finally:
            self._runner = None
        self.schedule(due, report)
        logger.info(report.line())
        if self._first and not self.keep_going and report.watches and len(report.failed) == report.watches:
            self.unreachable = report.failed  # nothing answered at all: no network, most likely (the CLI says so)
            self.stop()
        else:
            for watch_id, error in report.failed:
                logger.warning("%s: %s", watch_id, error)
        self._first = False
        self._heartbeat(report.line())
        for hook in self.after_crawl:
            await self._guarded(hook)(self.config, report)

    async def _deadlines(self) -> None:
        """Store the responses that fell due since the last look; publish them like a crawl's events."""
        if stored := record_overdue(self.config):
            logger.info("%d responses fell due: %s", len(stored), "; ".join(e.title for e in stored))
            for hook in self.after_crawl:
                await self._guarded(hook)(self.config, CrawlReport(started_at=now_iso(), events=len(stored)))

    def due(self, at: str) -> tuple[Watch, ...]:
        """Return the configured watches whose next poll is due at `at`."""
        with self._db() as db:
            statuses = queries.watch_statuses(db)
        return tuple(
            w for w in self.config.watches
            if (s := statuses.get(w.id)) is None
            or (not s.gone and (s.next_due_at is None or s.next_due_at <= at))
        )  # fmt: skip

    def _look_early(self) -> None:
        """Run the next tick sooner when a watch is due that the regular tick would poll too late."""
        next_tick = self._job.next_run_time
        if next_tick is None:
            return
        with self._db() as db:
            statuses = queries.watch_statuses(db)
        dues = [
            (parse_iso(s.next_due_at), 0.0 if w.cron else w.interval or self.config.settings.interval)
            for w in self.config.watches
            if (s := statuses.get(w.id)) is not None and s.next_due_at and not s.gone
        ]  # fmt: skip
        look = next_look(dues, next_tick)
        if look is not None:
            look = max(look, now() + timedelta(seconds=LOOK_AFTER))
            if look < next_tick:
                self._job.modify(next_run_time=look)

    def schedule(self, watches: tuple[Watch, ...], report: CrawlReport) -> None:
        """Store when each crawled (or skipped) watch is due next."""
        at = now()
        with self._db() as db:
            statuses = queries.watch_statuses(db)
            ids = [petition_key(w.site, w.number) for w in watches if isinstance(w, PetitionWatch)]
            briefs = queries.petition_briefs(db, ids)
            rates = queries.recent_rates(db, ids, since=iso(at - timedelta(seconds=RATE_WINDOW)), now=iso(at))
            falling_due = responses_falling_due(db, self.config, ids)
            with writing(db):
                for watch in watches:
                    status = statuses.get(watch.id)
                    if status is None or status.gone:
                        continue
                    due = next_due(watch, self.config.settings, now=at, failures=status.failures,
                                   fresh_until=status.fresh_until, max_age=_max_age(status),
                                   progress=_progress(watch, briefs, rates), rng=self.rng)  # fmt: skip
                    due = at_deadline(due, falling_due.get(petition_key(watch.site, getattr(watch, "number", 0))),
                                      now=iso(at), fresh_until=status.fresh_until)  # fmt: skip
                    db.execute("UPDATE watches SET next_due_at = ? WHERE id = ?", [due.at, watch.id])
                    logger.debug("%s due %s (%s)", watch.id, due.at, due.reason)

    # ------------------------------------------------------------ reload and heartbeat

    def _maybe_reload(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except OSError as e:
            logger.error("cannot read %s (%s); keeping the watchlist loaded before", self.path, e)
            return
        if not self._reload and mtime == self._mtime:
            return
        self._reload, self._mtime = False, mtime
        try:
            config = load_config(self.path)
        except GovwatchError as e:
            logger.error("watchlist not reloaded, keeping the previous one: %s", e)
            return
        before, after = {w.id: w for w in self.config.watches}, {w.id: w for w in config.watches}
        self.config = config
        self._sync()
        changed = sum(1 for k in before.keys() & after.keys() if before[k] != after[k])
        logger.info("watchlist reloaded: %d added, %d removed, %d changed", len(after.keys() - before.keys()),
                    len(before.keys() - after.keys()), changed)  # fmt: skip

    def _sync(self) -> None:
        with self._db() as db:
            sync_watches(db, self.config)

    def _start(self) -> None:
        self._sync()
        self._retry_when_all_failing()
        self._write_daemon(
            "INSERT INTO daemon (id, pid, started_at, heartbeat_at, watchlist, crawls) VALUES (1, ?, ?, ?, ?, 0)"
            " ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,"
            " heartbeat_at = excluded.heartbeat_at, watchlist = excluded.watchlist, stopped_at = NULL, crawls = 0",
            [os.getpid(), now_iso(), now_iso(), str(self.path.resolve())],
        )  # fmt: skip

    def _retry_when_all_failing(self) -> None:
        """When every watch's last poll failed (no network last time?), poll them all at once, not after backoff.

        A restart is what a user tries once the network is back; otherwise the stored schedule holds.
        """
        with self._db() as db:
            known = queries.watch_statuses(db)
            statuses = [s for w in self.config.watches if (s := known.get(w.id))]
            if statuses and all(s.last_outcome == "error" for s in statuses):
                with db.atomic():
                    for status in statuses:
                        db.execute("UPDATE watches SET next_due_at = NULL WHERE id = ?", [status.id])

    def _heartbeat(self, crawl_line: str | None = None) -> None:
        if crawl_line:
            self._write_daemon("UPDATE daemon SET heartbeat_at = ?, crawls = crawls + 1, last_crawl = ? WHERE id = 1",
                               [now_iso(), crawl_line])  # fmt: skip
        else:
            self._write_daemon("UPDATE daemon SET heartbeat_at = ? WHERE id = 1", [now_iso()])

    def _stopped(self) -> None:
        self._write_daemon("UPDATE daemon SET stopped_at = ?, heartbeat_at = ? WHERE id = 1", [now_iso(), now_iso()])

    def _db(self) -> closing[Database]:
        """Open the database for one step; closed when the `with` ends."""
        return closing(open_db(self.config.settings.database, lock_wait=self.config.settings.lock_wait))

    def _write_daemon(self, sql: str, params: list) -> None:
        with self._db() as db:
            db.execute(sql, params)

    def _guarded(self, fn: Callable) -> Callable:
        async def guarded(*args: object) -> None:
            name = getattr(fn, "__name__", str(fn))
            try:
                result = fn(*args)
                if asyncio.iscoroutine(result):
                    await result
            except GovwatchError as e:  # e.g. feeds_dir on a full disk: said once, not at every crawl
                self.troubles.say_once(name, str(e))
            except Exception as e:  # a failing job must not stop the monitor; the traceback is logged
                if not self.troubles.store(e, self.config.settings):  # locked or full: the job runs again later
                    logger.exception("job %s failed", name)

        return guarded


def standard_monitor(config_path: str | Path, *, tick: float, keep_going: bool = False,
                     after_crawl: list[AfterCrawl] | None = None, config: Config | None = None) -> Monitor:  # fmt: skip
    """Return the monitor `govwatch run` runs: feeds rebuilt after each crawl, alerts sent in their own job.

    The feeds are updated on a worker thread (`FeedPublisher`): the next crawl never waits for them.
    """
    from monitor.alerts.dispatch import dispatch_async
    from monitor.run.prune import prune_job
    from monitor.run.feed_publisher import FeedPublisher

    async def send_alerts(config: Config) -> None:
        if config.alerts:
            await dispatch_async(config)

    # Alerts are their own job: a slow mail server never delays polling.
    feeds = FeedPublisher()
    return Monitor(config_path, tick=max(tick, 0.1), after_crawl=[feeds.after_crawl, *(after_crawl or [])],
                   jobs=[(send_alerts, max(tick, 1.0)), (prune_job, PRUNE_EVERY)], keep_going=keep_going,
                   config=config, finish=[feeds.wait])  # fmt: skip


def _skipped_is_by_design(record: logging.LogRecord) -> bool:
    """Drop APScheduler's "skipped: maximum number of running instances" warning: one run at a time is the design."""
    return "maximum number of running instances" not in record.getMessage()


def _max_age(status: queries.WatchStatus) -> float | None:
    if status.fresh_until and status.last_checked_at and status.last_outcome != "error":
        return max(0.0, (parse_iso(status.fresh_until) - parse_iso(status.last_checked_at)).total_seconds())
    return None


def _progress(watch: Watch, briefs: dict, rates: dict[str, float]) -> Progress | None:
    if not isinstance(watch, PetitionWatch):
        return None
    key = petition_key(watch.site, watch.number)
    brief = briefs.get(key)
    if brief is None:
        return None
    return Progress(state=brief.state, archived=brief.archived, signature_count=brief.count.signature_count,
                    rate=rates.get(key))  # fmt: skip
