"""One monitor per database: `govwatch run` holds a lock beside the database while it runs.

The lock is `flock` on ``<database>.lock`` (which also records the holder's
pid). The kernel releases it when its process ends, however it ends (SIGKILL
included), so a stale file from a killed monitor is simply taken over: nothing
to clean up, no pid to guess about. The file itself stays; its presence means
nothing, only the lock does.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from monitor.errors import GovwatchError

MAX_PID_TEXT = 32  # the file holds a pid; never read more than that


class MonitorLock:
    """The exclusive right to monitor one database, held until `release()` or the process ends."""

    def __init__(self, database: Path):
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + ".lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Tell whether this process holds the lock."""
        return self._fd is not None

    def acquire(self) -> MonitorLock:
        """Take the lock, or raise GovwatchError naming the pid of the monitor that holds it."""
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise GovwatchError(f"{self.path}: cannot create the monitor's lock file: {e.strerror or e}",
                                hint="the database's folder must be writable") from None  # fmt: skip
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, MAX_PID_TEXT).decode(errors="replace").strip()
            os.close(fd)
            who = f"pid {holder}" if holder.isdigit() else "another process"
            raise GovwatchError(f"another govwatch run ({who}) is already monitoring {self.database}",
                                hint="only one monitor per database: stop that one first"
                                     + (f" (kill {holder})" if holder.isdigit() else ""))  # fmt: skip
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> MonitorLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()
