"""The ceiling of any Scrapy design: a bare spider that fetches and json.loads each body.

    python bench/bare.py URLS_FILE [--ims HTTP-DATE] [--follow] [--concurrency 16]

Prints one JSON line: fetched, ok (200), not_modified (304), petitions (sum of
the index pages' entries), seconds. `bench/sweep.py` runs it in a
subprocess and reads CPU time and peak RSS from the operating system.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import scrapy
from scrapy.crawler import AsyncCrawlerProcess


class BareSpider(scrapy.Spider):
    """Fetch every URL, decode the JSON, follow `links.next` when asked. Nothing else."""

    name = "bare"

    def __init__(self, urls: list[str], ims: str | None, follow: bool, **kwargs):
        super().__init__(**kwargs)
        self.urls, self.ims, self.follow = urls, ims, follow
        self.counts = {"fetched": 0, "ok": 0, "not_modified": 0, "petitions": 0}

    async def start(self):
        headers = {"If-Modified-Since": self.ims} if self.ims else {}
        for url in self.urls:
            yield scrapy.Request(url, headers=headers, dont_filter=True, meta={"handle_httpstatus_list": [304]})

    def parse(self, response):
        self.counts["fetched"] += 1
        if response.status == 304:
            self.counts["not_modified"] += 1
            return
        doc = json.loads(response.body)
        self.counts["ok"] += 1
        if isinstance(doc.get("data"), list):  # an index page
            self.counts["petitions"] += len(doc["data"])
        if self.follow:
            next_url = doc["links"].get("next")
            if next_url:
                yield scrapy.Request(next_url, dont_filter=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls")
    parser.add_argument("--ims")
    parser.add_argument("--follow", action="store_true")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    urls = Path(args.urls).read_text().split()
    process = AsyncCrawlerProcess({
        "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False, "RETRY_ENABLED": False,
        "LOG_LEVEL": "WARNING", "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024, "DOWNLOAD_WARNSIZE": 0,
    })  # fmt: skip
    crawler = process.create_crawler(BareSpider)
    started = time.monotonic()
    process.crawl(crawler, urls=urls, ims=args.ims, follow=args.follow)
    process.start()
    print(json.dumps(crawler.spider.counts | {"seconds": time.monotonic() - started}))


if __name__ == "__main__":
    main()
