"""The `pages` spider: any HTML page, one Observation per poll.

It polls what it is given as `Poll`s (govwatch plans them from the database:
the stored content hash and the noise rules learned for the watch). Run by
hand, ``scrapy crawl pages -a config=watchlist.toml [-a only=WATCH]`` polls
every page of the watchlist without that knowledge.

A poll fetches the page, decodes it (`page_decode`), extracts the watch's
content (`page_extract`) and drops the noise the store learned. When the
content hash differs from the stored one (or there is none yet), the page is
fetched again at once: lines that differ between the two fetches are noise,
reported with the rules that drop them (`monitor.detect.page_noise`), and the
observation carries the second fetch without them. When the only guess is
that a line which came or went is noise (it may be a real change that landed
between the two fetches: a new signatory), a third fetch of a page already
known tells: a line that then stays is a change, not noise. (A first poll
has nothing to compare with: its two fetches only make a clean baseline.) A failed fetch, an HTTP
error, a page that is not HTML or an empty extraction is an error observation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.watchlist.config import Config, PageWatch
from monitor.items import Observation, PageContent, Poll
from monitor.detect.page_noise import confirm, drop, learn, needs_confirming
from spiders import fetch
from spiders.page_decode import decode_html
from spiders.page_extract import extract

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def default_polls(config: Config, only: str | None = None) -> list[Poll]:
    """Plan a poll of every page of the watchlist (for `scrapy crawl pages`)."""
    return [Poll(w.id, w.url, "page") for w in config.select(only) if isinstance(w, PageWatch)]


def empty_error(watch: PageWatch) -> str:
    """Describe an extraction that found nothing, with what to check."""
    if watch.selector:
        return f"the selector {watch.selector!r} matches nothing on the page (has the site changed its layout?)"
    return "no readable text found on the page (is it built by JavaScript, or is everything ignored?)"


class PagesSpider(fetch.PollSpider):
    """Fetch HTML pages and extract what their watches look for."""

    name = "pages"
    default_polls = staticmethod(default_polls)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for poll in self.polls:
            yield self._request(poll, None)

    def _request(self, poll: Poll, first: PageContent | None, second: PageContent | None = None) -> scrapy.Request:
        if_modified_since = poll.if_modified_since if first is None else None  # the next fetches are unconditional
        return fetch.request(self.config, poll.url, self.parse_page, self.failed, if_modified_since=if_modified_since,
                             poll=poll, first=first, second=second)  # fmt: skip

    # ------------------------------------------------------------ callbacks

    def parse_page(self, response: Response, poll: Poll, first: PageContent | None,
                   second: PageContent | None = None) -> Iterator[Any]:  # fmt: skip
        """Extract a page; fetch it again when it seems to have changed; yield the Observation."""
        obs = fetch.observation(response, poll, "page", url=poll.url)
        if response.status == 304 and first is None:
            obs.not_modified = True
            yield obs
            return
        content, obs.error = self._content(response, poll)
        if obs.error is None and first is None and content.content_hash() != poll.known_hash:
            self.crawler.stats.inc_value("govwatch/page_refetches")
            yield self._request(poll, content)  # changed, or noise? A second fetch tells.
            return
        if obs.error is None and first is not None:
            found = learn(first, content) if second is None else confirm(first, second, content)
            if second is None and poll.known_hash is not None and needs_confirming(found):
                yield self._request(poll, first, content)  # a line came or went: a real change, or noise?
                return
            if found.rules:
                content = replace(drop(content, found.rules), noise=found.lines, learned=found.rules)
                if content.empty:
                    content, obs.error = None, "every line of the page changed between two immediate fetches"
        obs.page = content
        yield obs

    def _content(self, response: Response, poll: Poll) -> tuple[PageContent | None, str | None]:
        if response.status != 200:
            return None, fetch.status_error(response)
        content_type = fetch.header(response, "Content-Type")
        media = fetch.media_type(content_type)
        if media not in HTML_TYPES:
            return None, f"not an HTML page (Content-Type: {media})"
        watch = self.config.watch(poll.watch_id)
        text, encoding = decode_html(response.body, content_type)
        content = replace(drop(extract(text, watch), poll.noise), encoding=encoding)
        if content.empty:
            return content, empty_error(watch)
        return content, None

    def failed(self, failure: Failure) -> Iterator[Observation]:
        """Record a download that failed (timeout, reset, DNS, robots.txt, size limit)."""
        yield fetch.failure_observation(failure, failure.request.cb_kwargs["poll"].url, "page")
