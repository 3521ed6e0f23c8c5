"""What `govwatch run` says when a step fails for a reason outside it: once, then it retries.

A locked database or a full disk (store.locking) and the domain errors of a
job (feeds_dir not writable...) would otherwise be logged at every tick.
"""

from __future__ import annotations

import logging
import time

from monitor.watchlist.config import Settings
from store import locking

logger = logging.getLogger("govwatch.run")
REPEAT_AFTER = 600.0  # seconds before a job's unchanged error (a full disk...) is logged again


class Troubles:
    """Report each trouble once; the monitor's next tick or job run retries."""

    def __init__(self) -> None:
        self._said: dict[str, tuple[str, float]] = {}  # the error each job last logged, and when

    def store(self, error: BaseException, settings: Settings) -> bool:
        """Report a locked database or a full disk once (store.locking); tell whether `error` was one."""
        if locking.is_locked(error):
            locking.waiting(settings.database, settings.lock_wait)
        elif locking.is_full(error):
            locking.disk_full(settings.database)
        else:
            return False
        return True

    def say_once(self, job: str, message: str) -> None:
        """Log a job's error, unless the job logged the same one less than REPEAT_AFTER seconds ago."""
        said = self._said.get(job)
        if said is None or said[0] != message or time.monotonic() - said[1] > REPEAT_AFTER:
            self._said[job] = (message, time.monotonic())
            logger.error("%s", message)
