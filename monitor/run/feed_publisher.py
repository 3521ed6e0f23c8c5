"""`govwatch run` updates the feeds on a worker thread after each crawl: the next crawl never waits for them."""

from __future__ import annotations

import asyncio
import logging

from monitor.errors import GovwatchError
from monitor.publish.feeds_dir import update_feeds
from monitor.run.troubles import Troubles
from monitor.watchlist.config import Config

logger = logging.getLogger("govwatch.feeds")


class FeedPublisher:
    """Update the feeds on a worker thread after each crawl of `govwatch run`, never holding a crawl.

    One update at a time: a crawl that ends while one runs asks for another, which starts
    when that one ends (requests coalesce). `wait` lets the monitor finish it before exiting.
    """

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._config: Config | None = None
        self._again = False
        self._troubles = Troubles()  # a full disk under feeds_dir is said once, then retried quietly

    def after_crawl(self, config: Config, _report: object = None) -> None:
        """Ask for an update of the feeds (the monitor's after-crawl hook); return at once."""
        self._config = config
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                report = await asyncio.to_thread(update_feeds, self._config)
                logger.debug("%s", report.line())
            except GovwatchError as e:
                self._troubles.say_once("feeds", str(e))
            except Exception:  # a failing update must not stop the monitor; the traceback is logged
                logger.exception("updating the feeds failed")
            if not self._again:
                return

    async def wait(self) -> None:
        """Wait for the update in progress (and the one asked for during it)."""
        if self._task is not None:
            await self._task
