"""Render petition feeds while `govwatch check` crawls, in a process beside the crawl.

A first check of thousands of petitions finds thousands of events; rendering all
their feeds after the crawl would make the user wait for them at the end. A
child process instead reads the events table as the crawl commits them (WAL lets
it read beside the writer) and renders each touched petition's feed then, on
another core. When the crawl ends, `finish` has it render what is left
(everything, the kinds, the tags, the index) and write the state file; a feed
rendered early and not touched since is not rendered again. Where processes
cannot be forked, the feeds are simply updated after the crawl.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType

from monitor.publish.children import die_with_parent
from monitor.watchlist.config import Config
from monitor.errors import GovwatchError
from monitor.publish.feeds import EPOCH, FeedRenderer, catalog
from monitor.publish.file_batch import FileBatch
from monitor.publish.feeds_dir import FeedsReport, update_feeds
from store import queries
from store.db import open_db

INTERVAL = 1.0  # seconds between two looks at the events table


@dataclass
class EarlyFeeds:
    """Petition feeds rendered during a crawl: their signatures, and the last event they include."""

    seen_id: int | None = None
    fresh: dict[str, str] = field(default_factory=dict)  # feed path -> signature when rendered
    written: int = 0

    def step(self, config: Config) -> None:
        """Render the petition feeds that events committed since the last step touch, and put them in place."""
        if not config.settings.database.exists():  # the crawl has not created it yet
            return
        try:
            db = open_db(config.settings.database, migrate=False)
        except GovwatchError:
            return  # the final update, in the parent's own words, will tell
        try:
            if self.seen_id is None:
                self.seen_id = queries.last_event_id(db)  # what was there before the crawl: the final update's
                return
            new = queries.new_events(db, self.seen_id)
            if not new.kinds:
                return
            specs = [s for s in catalog(config, db) if s.petition is not None and s.touched_by(new)]
            renderer = FeedRenderer(db, config.settings, redraw=False)
            batch = FileBatch(config.settings.feeds_dir)
            try:
                quiet_since = queries.first_watch_added_at(db) or EPOCH
                for spec in specs:
                    for fmt, data in renderer.documents(spec, quiet_since).items():
                        batch.write(f"{spec.path}.{fmt}", data)
                    self.fresh[spec.path] = spec.signature()
                for name, svg in renderer.charts.items():
                    batch.write(name, svg)
                self.written += len(batch.commit())
            except BaseException:
                batch.abort()
                raise
            self.seen_id = new.last_id
        except sqlite3.OperationalError:  # no tables yet (the crawl is creating the database): look again later
            return
        finally:
            db.close()


class FeedsAlongside:
    """A child process that renders petition feeds during the crawl; `finish` completes the update."""

    def __init__(self, config: Config, interval: float = INTERVAL):
        self.config, self.interval = config, interval
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> FeedsAlongside:
        if "fork" in multiprocessing.get_all_start_methods():  # the child shares the loaded watchlist
            ctx = multiprocessing.get_context("fork")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_work, args=(self.config, child, self.interval, self._conn, os.getpid()),
                                     name="govwatch-feeds", daemon=True)  # fmt: skip
            self._proc.start()
            child.close()
        return self

    def finish(self) -> FeedsReport:
        """Have the feeds completed (by the child, or here without one) and return what was done."""
        if self._proc is None or self._conn is None:
            return update_feeds(self.config)
        self._conn.send("finish")
        try:
            outcome, value = self._conn.recv()
        except EOFError:  # the child died (killed, out of memory): do it here
            self._stop()
            return update_feeds(self.config)
        self._proc.join(timeout=30)  # it exits once it has sent its report
        self._stop()
        if outcome == "error":
            raise GovwatchError(*value)
        return value

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stop()

    def _stop(self) -> None:
        """End the child now (an interrupted check): it must not outlive govwatch."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None


def _work(config: Config, conn: Connection, interval: float, parents_end: Connection, parent: int) -> None:
    """The child: a step every `interval` until asked to finish, then the final update, sent back.

    It ends with govwatch however govwatch ends: killed with it (PR_SET_PDEATHSIG on Linux), and
    elsewhere at the end of the pipe, which only the parent holds open (the child closes its copy).
    """
    die_with_parent(parent)
    parents_end.close()
    early = EarlyFeeds()
    try:
        early.step(config)
        while not conn.poll(interval):
            early.step(config)
        conn.recv()
        early.step(config)  # what the last batch of the crawl committed
        report = update_feeds(config, early=early)
        conn.send(("ok", report))
    except GovwatchError as e:
        conn.send(("error", (e.args[0] if e.args else str(e), getattr(e, "hint", None))))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):  # Ctrl-C, or govwatch is gone: end with it
        pass
