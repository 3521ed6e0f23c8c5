"""What the sites ask of us: Last-Modified, Cache-Control max-age, Retry-After, and
retries that back off (honouring Retry-After on 429/503, exponential otherwise).

Replaces Scrapy's RetryMiddleware, which retries at once. The wait for a
retry is `Retry-After` when the site sends it, else ``backoff * 2**n`` with
jitter. When the site asks for a longer wait than the host's
``max_retry_after`` (or retries are used up), the response goes to the
spider, which records an error observation carrying Retry-After; the
scheduler then leaves the watch alone until that time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from functools import cached_property
from typing import Any, ClassVar

from scrapy import Request
from scrapy.core.downloader import Downloader, _schedule_coro
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import CannotResolveHostError
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from monitor.clock import from_http_date, now, parse_iso
from monitor.scrapy_http import HTTP11DownloadHandler

logger = logging.getLogger(__name__)


def header(response: Response, name: str) -> str | None:
    """Return a response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


def media_type(content_type: str | None) -> str:
    """Return the media type of a Content-Type value, lower case ("text/html; charset=…" is "text/html")."""
    return (content_type or "").split(";")[0].strip().lower()


def last_modified(response: Response) -> str | None:
    """Return Last-Modified as ISO text, or None."""
    value = header(response, "Last-Modified")
    return from_http_date(value) if value else None


def max_age(response: Response) -> int | None:
    """Return Cache-Control's max-age in seconds, or None (no-store/no-cache give 0)."""
    value = header(response, "Cache-Control")
    if not value:
        return None
    if re.search(r"\b(no-store|no-cache)\b", value):
        return 0
    m = re.search(r"\bmax-age\s*=\s*(\d+)", value)
    return int(m.group(1)) if m else None


def retry_after(response: Response) -> int | None:
    """Return Retry-After in seconds (from seconds or an HTTP date), or None."""
    value = header(response, "Retry-After")
    if not value:
        return None
    if value.isdigit():
        return int(value)
    when = from_http_date(value)
    if when is None:
        return None
    return max(0, int((parse_iso(when) - now()).total_seconds()))


RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


class PoliteRetryMiddleware(RetryMiddleware):
    """Retry failed requests after a polite, growing delay."""

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if _no_retry(request) or response.status not in RETRY_STATUSES:
            return response
        wait = retry_after(response) if response.status in (429, 503) else None
        retry = await self._wait_and_retry(request, f"HTTP {response.status}", wait)
        return retry or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if _no_retry(request) or isinstance(exception, CannotResolveHostError):
            return None  # a host that does not resolve will not resolve in five seconds either
        if not isinstance(exception, self.exceptions_to_retry):
            return None
        return await self._wait_and_retry(request, type(exception).__name__, None)

    async def _wait_and_retry(self, request: Request, reason: str, wait: float | None) -> Request | None:
        tries = request.meta.get("retry_times", 0)
        if tries >= request.meta.get("max_retry_times", self.max_retry_times):
            return None
        if wait is None:
            base = request.meta.get("govwatch_backoff", 5.0)
            wait = base * (2**tries) * random.uniform(0.8, 1.2)
        if wait > request.meta.get("govwatch_max_retry_after", 600.0):
            logger.info("Not retrying %s now: the site asks to wait %.0f s", request.url, wait)
            return None
        logger.debug("Retrying %s in %.1f s (%s)", request.url, wait, reason)
        await asyncio.sleep(wait)
        return get_retry_request(request, spider=self.crawler.spider, reason=reason,
                                 max_retry_times=request.meta.get("max_retry_times", self.max_retry_times))


def _no_retry(request: Request) -> bool:
    # robots.txt is asked once: when it fails, Scrapy allows the crawl, and retrying it
    # would only send more requests to a host that is already failing.
    return bool(request.meta.get("dont_retry")) or (
        request.meta.get("dont_obey_robotstxt") is True and request.url.endswith("/robots.txt")
    )


class PoliteAutoThrottle(AutoThrottle):
    """AutoThrottle for the hosts whose rules ask for it, and only those.

    Scrapy's AutoThrottle is all or nothing; robots.txt requests carry no
    per-request meta, so a host with ``autothrottle = false`` would still be
    slowed down by its robots.txt response without this check.
    """

    @cached_property
    def _off(self) -> frozenset[str]:
        """The hosts that asked for no AutoThrottle (read once per crawl, not per response)."""
        return frozenset(self.crawler.settings.getlist("GOVWATCH_AUTOTHROTTLE_OFF"))

    def _response_downloaded(self, response: Response, request: Request, spider: object) -> None:
        if urlparse_cached(request).hostname in self._off:
            return
        super()._response_downloaded(response, request, spider)


class PoliteHTTPHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, keeping as many connections alive as a host may use.

    Scrapy sizes its keep-alive pool by the default per-domain concurrency, so
    a host whose own rules allow more would reconnect for most requests.
    """

    def __init__(self, crawler: object):
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = crawler.settings.getint("GOVWATCH_MAX_HOST_CONCURRENCY", 2)


class CachedRobotsTxt(RobotsTxtMiddleware):
    """Obey robots.txt, fetching it once an hour per host rather than once per crawl.

    `govwatch run` makes a new Crawler for every crawl; without this cache each
    tick would begin with a robots.txt request to every host.
    """

    TTL = 3600.0
    _cache: ClassVar[dict[str, tuple[float, Any]]] = {}

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        hit = self._cache.get(netloc)
        if hit and time.monotonic() - hit[0] < self.TTL and netloc not in self._parsers:
            self._parsers[netloc] = hit[1]
        parser = await super().robot_parser(request)
        if parser is not None and (hit is None or hit[1] is not parser):
            self._cache[netloc] = (time.monotonic(), parser)
        return parser


class PoliteDownloader(Downloader):
    """Scrapy's downloader, holding a host's `concurrency` when its `delay` is 0.

    Scrapy 2.19 starts each request as a coroutine and counts it as transferring only
    when that coroutine runs; with no delay, its queue loop pops the host's whole queue
    before any request has started, past the host's concurrency (a host with
    ``concurrency = 1`` and ``delay = 0`` got six requests at once). Here each request is
    counted the moment it leaves the queue (Scrapy's download counts it again, a set, and
    uncounts it when done). With a delay Scrapy starts one request a turn: unchanged.
    """

    def _process_queue(self, slot: Any) -> None:
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = time.monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
