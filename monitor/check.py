"""`govwatch check`: poll once, stop cleanly on Ctrl-C, and tell cron how it went by the exit status.

Exit statuses (README, "Exit statuses"): 0 every polled watch answered;
3 some watch failed; 4 every polled watch failed (no network?); 130 Ctrl-C or
SIGTERM stopped the check (what was recorded before is kept). 1 and 2 stay
the CLI's: an error, a configuration or database error.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from monitor.config import Config, Watch
from monitor.crawl import CrawlReport

EXIT_OK = 0
EXIT_SOME_FAILED = 3
EXIT_ALL_FAILED = 4
EXIT_INTERRUPTED = 130


def exit_status(report: CrawlReport, interrupted: bool = False) -> int:
    """Return the exit status of a check that produced `report`."""
    if interrupted:
        return EXIT_INTERRUPTED
    if report.failed and len(report.failed) >= report.watches:
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if report.failed else EXIT_OK


def interrupted_line(report: CrawlReport) -> str:
    """Return what `check` says when Ctrl-C cut it short."""
    return (f"govwatch check: interrupted; what was recorded is kept ({report.events} new events),"
            " the watches not polled are polled next time")


async def check_crawl(config: Config, watches: tuple[Watch, ...], *, force: bool,
                      on_observation: Callable[[], None] | None = None) -> tuple[CrawlReport, bool]:  # fmt: skip
    """Crawl once; SIGINT/SIGTERM stop the crawl gracefully. Return the report and whether it was interrupted."""
    from scrapy.crawler import AsyncCrawlerRunner

    from monitor.crawl import crawl
    from monitor.settings import crawl_settings

    loop = asyncio.get_running_loop()
    runner = AsyncCrawlerRunner(crawl_settings(config))
    stopping: list[asyncio.Future] = []

    def stop() -> None:
        if not stopping:  # a second Ctrl-C while the spiders close changes nothing
            stopping.append(asyncio.ensure_future(runner.stop()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    try:
        report = await crawl(config, watches, force=force, on_observation=on_observation, runner=runner)
        if stopping:
            await stopping[0]
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return report, bool(stopping)
