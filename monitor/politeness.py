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

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.exceptions import CannotResolveHostError

from monitor.clock import from_http_date, now, parse_iso
from monitor.config import Config, load_config

logger = logging.getLogger(__name__)


def header(response: Response, name: str) -> str | None:
    """Return a response header as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


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
        if request.meta.get("dont_retry") or response.status not in RETRY_STATUSES:
            return response
        wait = retry_after(response) if response.status in (429, 503) else None
        retry = await self._wait_and_retry(request, f"HTTP {response.status}", wait)
        return retry or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        if request.meta.get("dont_retry") or isinstance(exception, CannotResolveHostError):
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


class HostRulesMiddleware:
    """Give every request the rules of its host, including those govwatch did not build (robots.txt).

    Without them, AutoThrottle adjusts a host's delay after its robots.txt
    answer as if the host had no rules of its own (a host's `delay` would be
    replaced by the default one).
    """

    def __init__(self, config: Config):
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostRulesMiddleware:
        value = crawler.settings.get("GOVWATCH_CONFIG")
        return cls(value if isinstance(value, Config) else load_config(value))

    def process_request(self, request: Request) -> None:
        """Fill in the host's rules where the request does not say otherwise."""
        host = urlparse_cached(request).hostname or ""
        for key, value in self.config.politeness(host).request_meta().items():
            request.meta.setdefault(key, value)
