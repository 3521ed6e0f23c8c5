"""The database cannot be written for a while: another process's lock, or a full disk. Wait, retry, say so once.

SQLite makes a writer wait for the lock up to the busy timeout
(`[govwatch] lock_wait`), then fails with "database is locked"; on a full disk
it fails with "database or disk is full" and rolls the transaction back.
Either way nothing half-written stays: the polls of that batch are simply due
again, and the next tick retries. One warning names the file when a trouble
starts, one info line says when it is over.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger("govwatch.store")
_troubles: set[tuple[str, str]] = set()  # (kind, file) being reported
_guard = threading.Lock()


def is_locked(error: BaseException) -> bool:
    """Tell whether `error` is SQLite giving up on another process's lock."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def is_full(error: BaseException) -> bool:
    """Tell whether `error` is a full disk (SQLite's SQLITE_FULL, or ENOSPC/EDQUOT from the system)."""
    if isinstance(error, sqlite3.OperationalError):
        return "full" in str(error).lower()
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def _start(kind: str, path: str | Path) -> bool:
    with _guard:
        if (kind, str(path)) in _troubles:
            return False
        _troubles.add((kind, str(path)))
        return True


def _end(kind: str, path: str | Path) -> bool:
    with _guard:
        if (kind, str(path)) not in _troubles:
            return False
        _troubles.discard((kind, str(path)))
        return True


def waiting(path: str | Path, waited: float) -> None:
    """Log, once per episode and file, that another process holds the write lock."""
    if _start("lock", path):
        logger.warning("%s: another process has held the write lock for more than %g s; govwatch keeps its polls"
                       " and retries until the lock is released", path, waited)  # fmt: skip


def released(path: str | Path) -> None:
    """Log that a write went through after a wait `waiting` reported."""
    if _end("lock", path):
        logger.info("%s: the write lock is released; writing again", path)


def disk_full(path: str | Path) -> None:
    """Log, once per episode and file, that the disk holding `path` is full."""
    if _start("full", path):
        logger.error("%s: the disk is full; nothing is written there (nothing half-written either) and govwatch"
                     " retries by itself once there is space: free some", path)  # fmt: skip


def space_back(path: str | Path) -> None:
    """Log that writing to `path` works again after `disk_full`."""
    if _end("full", path):
        logger.warning("%s: there is space again; writing again", path)


def written(path: str | Path) -> None:
    """A write to `path` went through: end any trouble reported for it."""
    released(path)
    space_back(path)


def write_lock_free(path: str | Path) -> bool:
    """Tell, without waiting, whether a write could start now (no other process holds the write lock)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as e:
        if is_locked(e):
            return False
        raise
    finally:
        conn.close()


class LockWatch:
    """Skip work while another process holds the write lock; say so once it has lasted `wait` seconds."""

    def __init__(self, path: str | Path, wait: float):
        self.path, self.wait = path, wait
        self._since: float | None = None

    def free(self) -> bool:
        """Tell whether the write lock is free now (never waits)."""
        if not Path(self.path).exists() or write_lock_free(self.path):
            self._since = None
            released(self.path)
            return True
        self._since = self._since if self._since is not None else time.monotonic()
        if time.monotonic() - self._since >= self.wait:
            waiting(self.path, self.wait)
        return False
