"""One writer thread that records observations in small batches of transactions.

SQLite releases the GIL while it works, so a writer thread lets the writes run
beside the crawl. Observations that arrive within 50 ms of each other are
recorded together and committed once: each still goes in with its events and
outbox rows (a savepoint of the batch's transaction), but the commit, by far
the dearest statement, is paid once a batch (bench/sweep.py). A caller learns
its observation's events only once they are committed; a crash loses at most
an uncommitted batch, whose polls are simply due again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future

from monitor.items import Event, Observation
from store import locking
from store.db import writing
from store.record import Recorder

logger = logging.getLogger(__name__)
MAX_BATCH = 100
LINGER = 0.05  # seconds a batch waits for company: a commit costs more than most observations
_CLOSE = object()


class BatchWriter:
    """Record observations on a thread of its own, committing them in batches."""

    def __init__(self, recorder: Recorder, max_batch: int = MAX_BATCH, linger: float = LINGER):
        self.recorder = recorder
        self.max_batch = max_batch
        self.linger = linger
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="govwatch-store", daemon=True)
        self._thread.start()

    def submit(self, obs: Observation) -> Future[list[Event]]:
        """Queue an observation; the future gives its new events once they are committed."""
        future: Future[list[Event]] = Future()
        self._queue.put((obs, future))
        return future

    def close(self) -> None:
        """Finish every queued write, then stop the thread."""
        self._queue.put(_CLOSE)
        self._thread.join()

    def _run(self) -> None:
        closing = False
        while not closing:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self.linger
            while len(batch) < self.max_batch and batch[-1] is not _CLOSE:
                try:  # gather what arrives within the linger: one commit for all of it
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            if batch[-1] is _CLOSE:
                closing = True
                batch.pop()
            if batch:
                self._write(batch)

    def _write(self, batch: list[tuple[Observation, Future]]) -> None:
        settings = self.recorder.config.settings
        done: list[tuple[Future, list[Event], Exception | None]] = []
        try:
            self._record(batch, done)
        except Exception as e:  # the commit itself failed: nothing of the batch is stored, its polls are due again
            self.recorder.forget()
            if locking.is_locked(e):  # BEGIN IMMEDIATE waited lock_wait for another process's lock
                locking.waiting(settings.database, settings.lock_wait)
            elif locking.is_full(e):  # SQLite rolled the batch back
                locking.disk_full(settings.database)
            for future in (f for _, f in batch if not f.done()):
                future.set_exception(e)
            return
        locking.written(settings.database)
        for future, events, error in done:
            if future.done():
                continue
            if error is not None:  # stored as an error observation, and still reported as unrecorded
                future.set_exception(error)
            else:
                future.set_result(events)

    def _record(self, batch: list[tuple[Observation, Future]],
                done: list[tuple[Future, list[Event], Exception | None]]) -> None:  # fmt: skip
        with writing(self.recorder.db):  # BEGIN IMMEDIATE: the lock is taken (or waited for) here
            for obs, future in batch:
                try:
                    done.append((future, self.recorder.record(obs), None))  # its own savepoint
                except Exception as e:  # that observation is rolled back; the others go on
                    done.append(self._record_failure(obs, future, e))

    def _record_failure(self, obs: Observation, future: Future,
                        error: Exception) -> tuple[Future, list[Event], Exception | None]:  # fmt: skip
        """Record a poll that could not be stored as an error observation of its watch: never silent."""
        failed = Observation(watch_id=obs.watch_id, url=obs.url, kind=obs.kind, fetched_at=obs.fetched_at,
                             status=obs.status, error=f"could not record this poll ({type(error).__name__}: {error})")
        try:
            return future, self.recorder.record(failed), error
        except Exception:  # not even that: the pipeline logs it and `check` counts it
            future.set_exception(error)
            return future, [], error
