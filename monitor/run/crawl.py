"""Run crawls on Scrapy's asyncio reactor: one-shot (`check`) or from a long-running loop.

`install_reactor()` must run before anything imports ``twisted.internet.reactor``;
the CLI calls it first. A reactor cannot restart and a Crawler is single-use,
so a process runs one reactor and makes a new Crawler per crawl through
`AsyncCrawlerRunner`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from monitor.clock import now_iso
from monitor.watchlist.config import Config, Watch
from monitor.errors import Interrupted
from monitor.run.gc_tuning import tune_gc
from monitor.run.crawl_report import CrawlReport, failures  # CrawlReport is imported from here too
from monitor.run.plan import plan
from monitor.run.settings import TWISTED_REACTOR, crawl_settings
from store.db import open_db
from store.watches import sync_watches

ASYNCIO_REACTOR = TWISTED_REACTOR  # installed first, and the one the settings name
T = TypeVar("T")


def install_reactor() -> None:
    """Install Scrapy's asyncio reactor and tune the garbage collector for crawling (once per process)."""
    from scrapy.utils.reactor import install_reactor as scrapy_install
    from scrapy.utils.reactor import is_reactor_installed

    if not is_reactor_installed():
        scrapy_install(ASYNCIO_REACTOR)
        tune_gc()


def run_on_reactor(main: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on the asyncio reactor, stop the reactor, return its result."""
    install_reactor()
    from twisted.internet import reactor

    outcome: dict[str, Any] = {}

    async def wrapper() -> None:
        try:
            outcome["value"] = await main()
        except BaseException as e:  # handed back to the caller below, not swallowed
            outcome["error"] = e
        finally:
            reactor.callLater(0, reactor.stop)

    reactor.callWhenRunning(lambda: asyncio.ensure_future(wrapper()))
    reactor.run(installSignalHandlers=True)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:  # a signal stopped the reactor before `main` ended
        raise Interrupted("interrupted before the end: what was recorded is kept; the rest is polled next time")
    return outcome["value"]


async def crawl(config: Config, watches: tuple[Watch, ...], *, force: bool = False, sync: bool = True,
                on_observation: Callable[[], None] | None = None, runner: Any = None) -> CrawlReport:  # fmt: skip
    """Poll `watches` once (skipping fresh and gone ones) and record what was found.

    A long-running caller passes its own `runner` (an AsyncCrawlerRunner) so that
    it can stop a crawl in progress, and `sync=False` once the watches are synced.
    """
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerRunner

    from spiders.pages import PagesSpider
    from spiders.petitions import PetitionsSpider
    from store.deadlines import record_overdue

    if config.scrapyd is not None:  # the spiders run on Scrapyd nodes; this process plans and records
        from monitor.scrapyd.crawl import crawl_on_nodes

        return await crawl_on_nodes(config, watches, force=force, sync=sync, on_observation=on_observation)
    report = CrawlReport(started_at=now_iso())
    clock = time.monotonic()
    # Open until the crawl's end: closed before the crawl's own connections open, this one, the last,
    # would first copy what the sync wrote into the database file (a checkpoint: 0.09 s after a sync
    # that retired 10,000 watches), holding up the first request.
    db = open_db(config.settings.database, lock_wait=config.settings.lock_wait)
    try:
        if sync:
            sync_watches(db, config)
        polls, report.skipped = plan(db, config, watches, at=report.started_at, force=force)
        report.polled = tuple(p.watch_id for p in polls if p.mode != "responses")  # a pass rides along a watch
        report.watches = len(report.polled)
        if polls:
            # A crawler per spider on one runner, awaited together: pages and petitions are polled side by side.
            runner = runner or AsyncCrawlerRunner(crawl_settings(config))
            crawlers, tasks = [], []
            for spider in (PetitionsSpider, PagesSpider):
                batch = [p for p in polls if (p.mode == "page") == (spider is PagesSpider)]
                if not batch:
                    continue
                crawler = runner.create_crawler(spider)
                if on_observation is not None:
                    # weak=False: the dispatcher holds receivers weakly, and nothing else holds this lambda.
                    crawler.signals.connect(lambda **_: on_observation(), signal=signals.item_scraped, weak=False)
                crawlers.append(crawler)
                tasks.append(runner.crawl(crawler, polls=batch, config=config))
            await asyncio.gather(*tasks)
            for crawler in crawlers:
                _read_stats(report, crawler.stats.get_stats())
            report.failed = failures(config, report.started_at, {p.watch_id for p in polls}, db)
        report.events += len(record_overdue(config, db=db))  # responses that fell due, whatever the site says now
    finally:
        db.close()
    report.duration = time.monotonic() - clock
    return report


def _read_stats(report: CrawlReport, stats: dict[str, Any]) -> None:
    """Add one crawler's figures to the report (a crawl may run several crawlers)."""
    report.requests += stats.get("downloader/request_count", 0)
    report.responses += stats.get("downloader/response_count", 0)
    report.not_modified += stats.get("govwatch/not_modified", 0)
    report.errors += stats.get("govwatch/outcome/error", 0)
    report.events += stats.get("govwatch/events", 0)
    report.record_errors += stats.get("govwatch/record_errors", 0)
