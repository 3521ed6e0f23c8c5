"""The Scrapy item pipeline: every Observation is recorded, with its events, in one transaction.

The alert outbox rides in the same transaction: each new event is queued for
the channels that want it (store.outbox), and delivered later by monitor.alerts.dispatch.

Records are written by one writer thread (store.writer), in the order they
arrive and committed in small batches, beside the crawl instead of inside it.
Closing the spider waits for the last commit.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler

from monitor.watchlist.config import Config, load_config
from monitor.items import Observation
from store import locking
from store.db import open_db
from store.outbox import outbox_hook
from store.record import Recorder
from store.watches import sync_watches
from store.writer import BatchWriter

logger = logging.getLogger(__name__)


class StorePipeline:
    """Persist observations and their events in the watchlist's database."""

    def __init__(self, crawler: Crawler, config: Config | str | None):
        self.crawler = crawler
        self._config = config
        self.config: Config | None = config if isinstance(config, Config) else None
        self.recorder: Recorder | None = None
        self.writer: BatchWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawler.settings.get("GOVWATCH_CONFIG"))

    def open_spider(self, spider: Any = None) -> None:
        # The spider's watchlist wins: `scrapy crawl petitions -a config=OTHER.toml` records into OTHER's
        # database, whatever GOVWATCH_CONFIG (the settings' default, ./watchlist.toml) names.
        spider = spider or getattr(self.crawler, "spider", None)
        spider_config = getattr(spider, "config", None)
        if isinstance(spider_config, Config):
            self.config = spider_config
        elif self.config is None:
            self.config = load_config(self._config or "watchlist.toml")
        db = open_db(self.config.settings.database, lock_wait=self.config.settings.lock_wait)
        try:
            if not getattr(spider, "planned", False):  # govwatch synced the watches before it planned the polls
                sync_watches(db, self.config)
        except Exception as e:  # `govwatch run` synced at start; locked or full, the polls are retried later
            if not (locking.is_locked(e) or locking.is_full(e)):
                raise
        self.recorder = Recorder(db, self.config, hooks=[outbox_hook(self.config)])
        self.writer = BatchWriter(self.recorder)

    def close_spider(self, spider: Any = None) -> None:
        if self.writer is not None:
            self.writer.close()  # the writes in flight are finished, never dropped
        if self.recorder is not None:
            self.recorder.db.close()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Observation):
            return item
        try:
            events = await asyncio.wrap_future(self.writer.submit(item))
        except Exception as e:  # the database refused: say so, count it, and let the crawl go on
            self.crawler.stats.inc_value("govwatch/record_errors")
            if locking.is_locked(e) or locking.is_full(e):  # said once (store.locking); the poll is due again
                return item
            logger.error("could not record the poll of %s (%s): %s: %s", item.watch_id, item.url, type(e).__name__, e)
            return item
        stats = self.crawler.stats
        stats.inc_value("govwatch/observations")
        stats.inc_value(f"govwatch/outcome/{'error' if item.error else 'ok'}")
        if item.not_modified:
            stats.inc_value("govwatch/not_modified")
        if events:
            stats.inc_value("govwatch/events", len(events))
        for event in events:
            logger.info("event %s: %s", event.kind, event.title)
        return item
