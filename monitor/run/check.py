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

from monitor.watchlist.config import Config, Watch
from monitor.run.crawl import CrawlReport

EXIT_OK = 0
EXIT_SOME_FAILED = 3
EXIT_ALL_FAILED = 4
EXIT_INTERRUPTED = 130
STOP_GRACE = 3.0  # seconds a crawl has to wind down after Ctrl-C (a slow answer is not awaited)


def exit_status(report: CrawlReport, interrupted: bool = False) -> int:
    """Return the exit status of a check that produced `report`."""
    if interrupted:
        return EXIT_INTERRUPTED
    if report.failed and len(report.failed) >= report.watches:
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if report.failed else EXIT_OK


def interrupted_line(report: CrawlReport | None) -> str:
    """Return what `check` says when Ctrl-C cut it short."""
    new = f" ({report.events} new events)" if report is not None else ""
    return (f"govwatch check: interrupted; what was recorded is kept{new},"
            " the watches not polled are polled next time")


async def check_crawl(config: Config, watches: tuple[Watch, ...], *, force: bool,
                      on_observation: Callable[[], None] | None = None) -> tuple[CrawlReport | None, bool]:  # fmt: skip
    """Crawl once; SIGINT/SIGTERM stop the crawl (within STOP_GRACE s). Return the report and whether interrupted.

    The report is None when the crawl did not wind down in time after the signal: what the
    pipeline committed stays committed; an unrecorded poll is simply due again.
    """
    from scrapy.crawler import AsyncCrawlerRunner

    from monitor.run.crawl import crawl
    from monitor.run.settings import crawl_settings

    loop = asyncio.get_running_loop()
    runner = AsyncCrawlerRunner(crawl_settings(config))
    interrupted = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupted.set)
    task = asyncio.ensure_future(crawl(config, watches, force=force, on_observation=on_observation, runner=runner))
    waiter = asyncio.ensure_future(interrupted.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        if not interrupted.is_set():
            return task.result(), False
        stopping = asyncio.ensure_future(runner.stop())
        await asyncio.wait([task, stopping], timeout=STOP_GRACE, return_when=asyncio.ALL_COMPLETED)
        return (task.result() if task.done() and not task.cancelled() and task.exception() is None else None), True
    finally:
        waiter.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
