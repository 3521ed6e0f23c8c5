"""Bounded history: prune the database by [govwatch] keep, on `govwatch prune` and daily in `govwatch run`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from monitor.watchlist.config import Config

if TYPE_CHECKING:
    from store.retention import PruneReport

logger = logging.getLogger("govwatch.run")


def prune_now(config: Config) -> PruneReport:
    """Prune the configured database by its `keep` setting; return the report."""
    from store.db import open_db
    from store.retention import prune

    db = open_db(config.settings.database, lock_wait=config.settings.lock_wait)
    try:
        return prune(db, config.settings.keep)
    finally:
        db.close()


def prune_job(config: Config) -> None:
    """`govwatch run`'s daily job: prune by [govwatch] keep when it is set (at start, then once a day)."""
    if config.settings.keep is not None:
        logger.info(prune_now(config).line())
