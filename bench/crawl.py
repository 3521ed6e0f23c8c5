"""Run one govwatch crawl of a watchlist, exactly as `govwatch check` does, without the feeds.

    python bench/crawl.py WATCHLIST

`bench/sweep.py` measures this in a subprocess: the crawl (fetch, parse, store,
detect) is what is compared with a bare Scrapy spider; feeds are measured by
bench/feeds.py. Prints the crawl report as one JSON line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.watchlist.config import load_config  # noqa: E402
from monitor.run.crawl import crawl, install_reactor, run_on_reactor  # noqa: E402


def main() -> None:
    install_reactor()
    config = load_config(sys.argv[1])
    report = run_on_reactor(lambda: crawl(config, config.watches))
    print(json.dumps(asdict(report) | {"skipped": len(report.skipped), "failed": report.failed}, default=str))


if __name__ == "__main__":
    main()
