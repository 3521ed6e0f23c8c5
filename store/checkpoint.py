"""Copy the write-ahead log into the database on a thread of its own, not on the writer's.

In WAL mode SQLite appends each commit to `govwatch.db-wal` and, once the log
holds 1,000 pages, the committing connection copies them into the database and
syncs both files before its commit returns (the automatic checkpoint). During a
crawl that connection is the writer thread's, the crawl's critical path: a
first archive sweep writes ~100 MB and waited for dozens of those copies and
syncs. A `Checkpointer` turns the writer's automatic checkpoints off and runs
passive ones (which never block a writer or a reader) on its own connection
after commits, at most every `every` seconds (bench/archive_sweep.py). Nothing
is less durable: a checkpoint only copies pages that are already committed.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)
EVERY = 0.1  # seconds between two checkpoints at most: each one syncs the database file
AUTOCHECKPOINT = 1000  # SQLite's default, given back to the writer's connection at stop


class Checkpointer:
    """Run passive WAL checkpoints of the database of `conn` on a thread, after the commits it is told of."""

    def __init__(self, conn: sqlite3.Connection, every: float = EVERY):
        self._writer = conn
        self._every = every
        self._path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
        self._wake = threading.Event()
        self._stopping = threading.Event()
        conn.execute("PRAGMA wal_autocheckpoint=0")  # the thread does it instead
        self._thread = threading.Thread(target=self._run, name="govwatch-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Say that the writer committed: a checkpoint follows soon (several commits, one checkpoint)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the checkpoint in progress, stop the thread and give the writer its automatic checkpoints back."""
        self._stopping.set()
        self._wake.set()
        self._thread.join()
        self._writer.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT}")

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:  # the writer then never checkpoints: its stop() gives that back
            logger.warning("%s: cannot open a connection for checkpoints (%s); the WAL grows until the crawl"
                           " ends", self._path, e)  # fmt: skip
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping.is_set():
                    break
                self._checkpoint(conn)
                self._stopping.wait(self._every)  # the commits meanwhile are covered by the next checkpoint
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as e:  # a full disk, another process's checkpoint: the next one catches up
            logger.debug("%s: checkpoint not done (%s)", self._path, e)
