"""What every govwatch spider needs around a fetch, whatever it parses.

The requests govwatch sends (with the host's politeness rules and the
statuses a spider handles itself) and one readable line for a failed
download. The headers that steer polling are read by `monitor.watchlist.politeness`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, exceptions
from scrapy.core import scraper
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.clock import now_iso
from monitor.scrapyd import job as scrapyd_job
from monitor.watchlist.config import Config, load_config
from monitor.items import Observation, Poll
from monitor.watchlist.politeness import header, last_modified, max_age, media_type, retry_after

__all__ = ["PollSpider", "header", "last_modified", "max_age", "media_type", "retry_after", "request", "observation",
           "failure_observation", "refusal_observation", "status_error", "failure_error"]  # fmt: skip

# Scrapy holds a response (with its request and item) until the item is processed, up to 5 MB
# of bodies, counting a body under 1 KB as 1 KB: 5,000 304s of an unchanged poll, 100 MB while
# they wait for the writer thread. Counted as 16 KB each they are at most ~300 (bench/sweep.py:
# 232 → 128 MB peak for 10,000 petitions unchanged); 72 KB detail documents are not affected.
scraper.Slot.MIN_RESPONSE_SIZE = 16 * 1024

REDIRECTS = {301, 302, 303, 307, 308}
# Every status but redirects reaches the spider, which records it; redirects are followed.
HANDLED_STATUSES = [s for s in range(300, 600) if s not in REDIRECTS]


class PollSpider(scrapy.Spider):
    """A spider of polls: given by govwatch, or planned from the watchlist by `default_polls` (`scrapy crawl`)."""

    def __init__(self, polls: list[Poll] | None = None, config: Config | str | None = None,
                 only: str | None = None, job: str | None = None, **kwargs: Any):  # fmt: skip
        super().__init__(**kwargs)
        if job is not None:  # a Scrapyd job: its polls and watchlist travel in the argument (monitor.scrapyd.job)
            self.config, self.polls = scrapyd_job.read(job)
            self.planned = True
            return
        self.config = config if isinstance(config, Config) else load_config(config or "watchlist.toml")
        self.planned = polls is not None  # by govwatch, which synced the watches to the database first
        self.polls = polls if polls is not None else self.default_polls(self.config, only)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PollSpider:
        """Make the spider; a Scrapyd job takes its watchlist's settings and writes no database."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if kwargs.get("job") is not None:
            from monitor.run.gc_tuning import tune_gc
            from monitor.run.settings import job_settings

            crawler.settings.setdict(job_settings(spider.config), priority="spider")
            tune_gc()  # a Scrapyd job is a crawling process of its own
        return spider

    @staticmethod
    def default_polls(config: Config, only: str | None) -> list[Poll]:
        """Plan the polls of a crawl started without them (each spider says which)."""
        raise NotImplementedError


def request(config: Config, url: str, callback: Any, errback: Any, *,
            if_modified_since: str | None = None, **cb_kwargs: Any) -> Request:
    """Build a request that follows the host's politeness rules (conditional when `if_modified_since` is given)."""
    host = urlsplit(url).hostname or ""
    meta = config.politeness(host).request_meta() | {"handle_httpstatus_list": HANDLED_STATUSES}
    headers = {"If-Modified-Since": if_modified_since} if if_modified_since else {}
    return Request(url, callback=callback, errback=errback, headers=headers, meta=meta,
                   cb_kwargs=cb_kwargs, dont_filter=True)  # fmt: skip


def observation(response: Response, poll: Poll, kind: str, url: str | None = None) -> Observation:
    """Start the Observation of a response: who asked, what came back, what the headers say.

    `url` is the URL the poll asked for; by default the first of the redirect chain.
    """
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    return Observation(
        watch_id=poll.watch_id,
        url=url or (redirects[0] if redirects else response.url),
        kind=kind,
        fetched_at=now_iso(),
        final_url=response.url,
        status=response.status,
        last_modified=last_modified(response),
        max_age=max_age(response),
        retry_after=retry_after(response) if response.status in (429, 503) else None,
    )


def failure_observation(failure: Failure, url: str, kind: str) -> Observation:
    """Record a download that failed (timeout, reset, DNS, robots.txt, size limit) as an error Observation."""
    poll = failure.request.cb_kwargs["poll"]
    return Observation(watch_id=poll.watch_id, url=url, kind=kind, fetched_at=now_iso(), error=failure_error(failure))


def refusal_observation(poll: Poll, url: str, kind: str, reason: str) -> Observation:
    """Record a link or page govwatch refused to follow (see spiders.links) as an error Observation."""
    return Observation(watch_id=poll.watch_id, url=url, kind=kind, fetched_at=now_iso(), error=reason)


def status_error(response: Response) -> str:
    """Describe an unexpected HTTP status in one line."""
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    wait = retry_after(response)
    extra = f" (Retry-After {wait} s)" if wait is not None else ""
    return f"HTTP {response.status} {phrase}{extra}".replace("  ", " ").strip()


_MAXSIZE = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def failure_error(failure: Failure) -> str:
    """Describe a failed download (timeout, DNS, reset, size limit, robots.txt) in one line."""
    value = failure.value
    request = getattr(failure, "request", None)
    host = urlsplit(request.url).netloc if request is not None else "the site"
    text = str(value).strip()
    if isinstance(value, exceptions.DownloadCancelledError) and (size := _MAXSIZE.search(text)):
        got, limit = (_megabytes(int(n)) for n in size.groups())
        return (f"{host} sent a response of {got}, more than max_size ({limit}); "
                f"raise max_size for this host to accept it")  # fmt: skip
    if isinstance(value, exceptions.DownloadCancelledError) and not text and request is not None:
        # Scrapy cancels a body that grows past max_size without a Content-Length, and says nothing.
        limit = request.meta.get("download_maxsize")
        if limit:
            return (f"download from {host} stopped: the response grew past max_size ({_megabytes(limit)})"
                    f" without announcing its size; raise max_size for this host to accept it")  # fmt: skip
        return f"download from {host} stopped before the end of the response"
    for kind, message in (
        (exceptions.CannotResolveHostError, f"cannot resolve {host} (no network, or a wrong host name)"),
        (exceptions.DownloadConnectionRefusedError, f"{host} refused the connection"),
        (exceptions.DownloadTimeoutError, f"{host} did not answer in time ({text})"),
        (exceptions.DownloadCancelledError, f"download from {host} stopped: {text}"),
        (exceptions.ResponseDataLossError, f"{host} sent an incomplete response ({text})"),
        (exceptions.DownloadFailedError, f"{host} closed the connection ({text})"),
    ):  # fmt: skip
        if isinstance(value, kind):
            return message
    if isinstance(value, exceptions.IgnoreRequest):
        if "robots.txt" in text:
            return f"robots.txt of {host} forbids this URL"
        return text or "request ignored"
    name = type(value).__name__
    return f"{name}: {text}" if text else name
