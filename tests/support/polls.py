"""Poll a watchlist several times in one process, the way a long-running govwatch does.

Each `govwatch check` is a new process (about a second to start Scrapy); a
story of twenty polls runs here instead, every poll a full crawl (plan,
spiders, pipeline, store) on one reactor:

    python -m tests.support.polls WATCHLIST TIMES
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def poll(config: Path, times: int) -> subprocess.CompletedProcess:
    """Run `times` crawls of every watch of `config` in one subprocess; fail loudly if it fails."""
    proc = subprocess.run([sys.executable, "-m", "tests.support.polls", str(config), str(times)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"polling {config} {times} times failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def main(config_path: str, times: int) -> None:
    """Crawl every watch `times` times, one crawl after the other, and print one line per crawl."""
    from monitor.watchlist.config import load_config
    from monitor.run.crawl import crawl, run_on_reactor

    config = load_config(config_path)

    async def polls() -> None:
        for n in range(1, times + 1):
            report = await crawl(config, config.watches, force=True)
            print(f"poll {n}: {report.requests} requests, {report.errors} errors, {report.events} events")

    run_on_reactor(polls)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
