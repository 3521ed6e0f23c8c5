"""Record what Scrapyd nodes did: a job's items through the recorder (each once, as the job runs), nodes' health.

A job's items (JSON lines of Observations) are recorded while it runs, whole
lines at a time, each batch in one transaction with the count of the file's
bytes recorded on the job's row; the last batch marks it ``ingested``. So each
item is recorded once, whatever happens after. A node that fails `failing_after` times in a row gets
one `node_failing` event (on a watch row of its own, ``scrapyd-node:URL``,
kept inactive so it is never polled); its first success marks it ``ok`` again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlite_utils import Database

from monitor.clock import now_iso
from monitor.watchlist.config import Config
from monitor.items import Event, Observation
from monitor.jsonable import JSONDecodeError, loads
from monitor.scrapyd.job import observation
from store.db import open_db, writing
from store.outbox import outbox_hook
from store.record import Recorder

logger = logging.getLogger(__name__)


@dataclass
class Ingested:
    """What one job's items gave."""

    observations: list[Observation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    record_errors: int = 0
    already: bool = False
    consumed: int = 0  # bytes of the job's items file recorded so far


def job_scheduled(config: Config, job_id: str, node: str, spider: str, polls: int) -> None:
    """Note a job the monitor scheduled (its items are ingested later, once)."""
    db = open_db(config.settings.database)
    try:
        with writing(db):
            db.execute("INSERT INTO scrapyd_jobs (id, node, spider, polls, scheduled_at) VALUES (?, ?, ?, ?, ?)",
                       [job_id, node, spider, polls, now_iso()])  # fmt: skip
    finally:
        db.close()


def job_lost(config: Config, job_id: str, error: str) -> None:
    """Mark a job whose items can no longer be had (its node went away)."""
    db = open_db(config.settings.database)
    try:
        with writing(db):
            db.execute("UPDATE scrapyd_jobs SET state = 'lost', error = ?, finished_at = ? WHERE id = ?"
                       " AND state = 'scheduled'", [error, now_iso(), job_id])  # fmt: skip
    finally:
        db.close()


class Ingester:
    """Record a crawl's job items through one connection and one recorder, however many reads the jobs take.

    A running job is read every `poll_interval`: opening the database, making a
    recorder (its caches empty, the place names loaded again) and closing it
    (the last connection checkpoints the whole WAL) for each read cost the
    monitor about a tenth of its CPU (a profile of 6,000 polls). Reads are made one at
    a time (the crawl awaits each), so one connection serves them all.
    """

    def __init__(self, config: Config):
        self.config = config
        self._db: Database | None = None
        self._recorder: Recorder | None = None
        self._lock = threading.Lock()  # a crawl cancelled mid-read closes only once the read is over

    def ingest(self, job_id: str, data: bytes, *, offset: int = 0, final: bool = True) -> Ingested:
        """Record a job's items from byte `offset` of its items file, with their events, in one transaction.

        While the job runs (`final` false) only whole lines are recorded, and the job's
        row keeps how many bytes of its file are recorded (`ingested_bytes`): the same
        bytes are never recorded twice, whoever asks. The last call (`final`) records
        the rest, a line cut short by a killed job counted as a record error, and marks
        the job ingested.
        """
        with self._lock:
            if self._db is None:
                self._db = open_db(self.config.settings.database)
                self._recorder = Recorder(self._db, self.config, hooks=[outbox_hook(self.config)])
            try:
                return _ingest(self._db, self._recorder, job_id, data, offset, final)
            except BaseException:
                self._recorder.forget()  # rolled back: the database is the truth again
                raise

    def close(self) -> None:
        """Close the connection (a later ingest opens another)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = self._recorder = None


def ingest(config: Config, job_id: str, data: bytes, *, offset: int = 0, final: bool = True) -> Ingested:
    """Record a job's items once, on a connection of its own (see `Ingester.ingest`)."""
    ingester = Ingester(config)
    try:
        return ingester.ingest(job_id, data, offset=offset, final=final)
    finally:
        ingester.close()


def _ingest(db: Database, recorder: Recorder, job_id: str, data: bytes, offset: int, final: bool) -> Ingested:
    result = Ingested()
    with writing(db):
        row = db.execute("SELECT state, ingested_bytes FROM scrapyd_jobs WHERE id = ?", [job_id]).fetchone()
        done = row[1] if row is not None else 0
        if row is not None and row[0] == "ingested" or done < offset:  # a gap: those bytes were never read
            result.already = True
            return result
        data = data[done - offset:]
        if not final:
            data = data[: data.rfind(b"\n") + 1]  # whole lines only: the job is still writing the last one
        for line in data.splitlines():
            _record_line(recorder, line, job_id, result)
        result.consumed = done + len(data)
        db.execute("UPDATE scrapyd_jobs SET items = coalesce(items, 0) + ?, ingested_bytes = ? WHERE id = ?",
                   [len(result.observations), result.consumed, job_id])  # fmt: skip
        if final:
            db.execute("UPDATE scrapyd_jobs SET state = 'ingested', finished_at = ? WHERE id = ?",
                       [now_iso(), job_id])  # fmt: skip
    return result


def _record_line(recorder: Recorder, line: bytes, job_id: str, result: Ingested) -> None:
    if not line.strip():
        return
    try:
        obs = observation(loads(line))
    except (JSONDecodeError, TypeError, ValueError) as e:  # a line cut short by a killed job, say
        logger.warning("scrapyd job %s: an item that is not an observation was skipped (%s)", job_id, e)
        result.record_errors += 1
        return
    if obs.watch_id not in recorder.watches:
        logger.warning("scrapyd job %s: an item of %s, a watch not in the watchlist, was skipped", job_id, obs.watch_id)
        return
    try:
        result.events.extend(recorder.record(obs))
    except Exception as e:  # that observation is rolled back (its savepoint); the others go on
        logger.error("could not record the poll of %s (%s): %s: %s", obs.watch_id, obs.url, type(e).__name__, e)
        result.record_errors += 1
        return
    result.observations.append(obs)


# ---------------------------------------------------------------- node health


def node_ok(config: Config, url: str, running: int | None = None, pending: int | None = None,
            deployed: str | None = None) -> None:  # fmt: skip
    """Note a node that answered."""
    db = open_db(config.settings.database)
    try:
        with writing(db):
            db.execute(
                "INSERT INTO scrapyd_nodes (url, state, failures, last_ok_at, checked_at, running, pending, deployed)"
                " VALUES (?, 'ok', 0, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET state = 'ok', failures = 0,"
                " last_ok_at = excluded.last_ok_at, checked_at = excluded.checked_at,"
                " running = coalesce(excluded.running, running), pending = coalesce(excluded.pending, pending),"
                " deployed = coalesce(excluded.deployed, deployed)",
                [url, now_iso(), now_iso(), running, pending, deployed],
            )
    finally:
        db.close()


def node_failed(config: Config, url: str, error: str) -> list[Event]:
    """Note a node problem (logged once, here); return the node_failing event when this failure makes it one."""
    logger.warning("scrapyd node %s: %s", url, error.removeprefix(f"{url}: "))
    at = now_iso()
    db = open_db(config.settings.database)
    recorder = Recorder(db, config, hooks=[outbox_hook(config)])
    try:
        with writing(db):
            row = db.execute("SELECT failures, last_ok_at FROM scrapyd_nodes WHERE url = ?", [url]).fetchone()
            failures, last_ok = (row[0], row[1]) if row else (0, None)
            db.execute(
                "INSERT INTO scrapyd_nodes (url, state, failures, last_error, checked_at) VALUES (?, 'failing', 1, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET state = 'failing', failures = failures + 1,"
                " last_error = excluded.last_error, checked_at = excluded.checked_at",
                [url, error, at],
            )
            if failures + 1 != config.settings.failing_after:
                return []
            watch_id = f"scrapyd-node:{url}"
            db.execute("INSERT OR IGNORE INTO watches (id, kind, url, configured_url, active, added_at)"
                       " VALUES (?, 'scrapyd_node', ?, ?, 0, ?)", [watch_id, url, url, at])  # fmt: skip
            event = Event(
                key=f"scrapyd-node/{url}/failing/{last_ok or 'never'}", kind="node_failing", watch_id=watch_id,
                title=f"Scrapyd node failing: {url}",
                summary=f"The last {failures + 1} requests to the Scrapyd node {url} failed. Latest error: {error}",
                url=url, occurred_at="", detected_at="", data={"failures": failures + 1, "error": error},
            )  # fmt: skip
            return recorder._store_events([event], at)
    finally:
        db.close()
