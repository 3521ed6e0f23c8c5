"""Another process holds the database's write lock: wait, retry, and say so once.

SQLite makes a writer wait for the lock up to the busy timeout
(`[govwatch] lock_wait`), then fails with "database is locked". govwatch
keeps what it was writing and tries again; one warning names the file when
a wait first runs out, and one info line says when the lock is released.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger("govwatch.store")
_waiting: set[str] = set()
_guard = threading.Lock()


def is_locked(error: BaseException) -> bool:
    """Tell whether `error` is SQLite giving up on another process's lock."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def waiting(path: str | Path, waited: float) -> None:
    """Log, once per episode and file, that another process holds the write lock."""
    name = str(path)
    with _guard:
        if name in _waiting:
            return
        _waiting.add(name)
    logger.warning("%s: another process has held the write lock for more than %g s; govwatch keeps its polls"
                   " and retries until the lock is released", name, waited)  # fmt: skip


def released(path: str | Path) -> None:
    """Log that a write went through after a wait `waiting` reported."""
    name = str(path)
    with _guard:
        if name not in _waiting:
            return
        _waiting.discard(name)
    logger.info("%s: the write lock is released; writing again", name)


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
