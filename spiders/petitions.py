"""The `petitions` spider: the e-petitions JSON API, one Observation per fetch.

It polls what it is given as `Poll`s (govwatch plans them from the database:
conditional headers, count.json or full document, sweeps). Run by hand,
``scrapy crawl petitions -a config=watchlist.toml [-a only=WATCH]`` polls every
petition and sweep of the watchlist with full, unconditional fetches.

- full: ``/petitions/ID.json``; archived petitions redirect to
  ``/archived/petitions/ID.json`` and the final URL is reported; 304 is
  "not modified"; 404/410 says the petition is gone.
- count: ``/petitions/ID/count.json``; when it shows more than a new count
  (a response, a debate) or answers 404 (archived), the full document follows.
- sweep: the index pages; once the first page names ``links.last`` (on the
  same host, within the host's ``max_pages``), the other pages are fetched
  concurrently (`spiders.index_pages`), else ``links.next`` is followed, never
  past ``links.last``; the index entries are the observations. A pass never
  asks for a page twice, stops at its page cap (`spiders.links.SweepPass`) and
  never leaves its site: each refusal is an error observation. Pages 2…last
  identical to the last pass's are not decoded (their body hash says so). "responses"
  walks the ``with_response`` index the same way, for edits of the government
  responses of watched petitions.
- trending: ``/trending.json``; a petition it lists that govwatch has not
  stored yet is fetched once (its detail document), to have its state.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.watchlist.config import Config, PetitionWatch, SweepWatch, TrendingWatch
from monitor.items import Observation, Poll, TrendingEntry
from spiders import fetch
from spiders.index_pages import IndexPasses, other_pages
from spiders.links import SAME_SITE, SweepPass, refusal
from spiders.petition_json import (
    BadDocument,
    count_document,
    decode,
    index_document,
    petition_document,
    trending_document,
)


def count_url(detail_url: str) -> str:
    """Return the count.json URL of a petition's detail .json URL."""
    return detail_url.removesuffix(".json") + "/count.json"


def site_of(url: str) -> str:
    """Return scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def default_polls(config: Config, only: str | None = None) -> list[Poll]:
    """Plan full, unconditional polls of every petition and sweep (for `scrapy crawl`)."""
    polls = []
    for watch in config.select(only):
        if isinstance(watch, PetitionWatch):
            polls.append(Poll(watch.id, watch.url, "full"))
        elif isinstance(watch, SweepWatch):
            polls.append(Poll(watch.id, watch.url, "sweep"))
        elif isinstance(watch, TrendingWatch):
            polls.append(Poll(watch.id, watch.url, "trending"))
    return polls


class PetitionsSpider(fetch.PollSpider):
    """Fetch petitions, their counts and index sweeps from e-petitions sites."""

    name = "petitions"
    default_polls = staticmethod(default_polls)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sweeps: dict[str, SweepPass] = {}  # this crawl's pass of each sweep, by watch id
        self.passes = IndexPasses()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for poll in self.polls:
            yield self._first_request(poll)

    def _first_request(self, poll: Poll) -> scrapy.Request:
        if poll.mode == "count":
            return self._request(count_url(poll.url), self.parse_count, poll, "count", poll.count_if_modified_since)
        if poll.mode in ("sweep", "responses"):
            return self._request(poll.url, self.parse_index, poll, "index" if poll.mode == "sweep" else "responses")
        if poll.mode == "trending":
            return self._request(poll.url, self.parse_trending, poll, "trending")
        return self._full_request(poll)

    def _full_request(self, poll: Poll) -> scrapy.Request:
        return self._request(poll.url, self.parse_petition, poll, "petition", poll.if_modified_since)

    def _request(self, url: str, callback: Any, poll: Poll, kind: str,
                 if_modified_since: str | None = None, **cb_kwargs: Any) -> scrapy.Request:
        request = fetch.request(self.config, url, callback, self.failed, if_modified_since=if_modified_since,
                                poll=poll, kind=kind, **cb_kwargs)  # fmt: skip
        request.meta[SAME_SITE] = site_of(poll.url)  # redirects to another site are refused (spiders.links)
        return request

    # ------------------------------------------------------------ callbacks

    def parse_petition(self, response: Response, poll: Poll, kind: str) -> Iterator[Observation]:
        obs = fetch.observation(response, poll, kind)
        if response.status in (404, 410):
            obs.gone = True
        elif response.status == 304:
            obs.not_modified = True
        elif response.status != 200:
            obs.error = fetch.status_error(response)
        elif "/petitions/" not in urlsplit(response.url).path or not response.url.endswith(".json"):
            obs.error = f"redirected to {response.url}: the petition is not published (yet)"
        else:
            try:
                obs.petition, obs.details, obs.entry_hash = petition_document(_document(response),
                                                                              site_of(response.url))
            except BadDocument as e:
                obs.error = str(e)
        yield obs

    def parse_count(self, response: Response, poll: Poll, kind: str) -> Iterator[Observation | scrapy.Request]:
        if response.status in (404, 410):  # archived (no count.json) or removed: the full document tells
            yield self._full_request(poll)
            return
        obs = fetch.observation(response, poll, kind)
        if response.status == 304:
            obs.not_modified = True
        elif response.status != 200:
            obs.error = fetch.status_error(response)
        else:
            try:
                obs.count = count_document(_document(response))
            except BadDocument as e:
                obs.error = str(e)
            else:
                if _needs_full(poll, obs):
                    yield self._full_request(poll)
                    return
        yield obs

    def parse_index(self, response: Response, poll: Poll, kind: str) -> Iterator[Observation | scrapy.Request]:
        obs = fetch.observation(response, poll, kind, url=response.url)
        if response.status != 200:
            obs.error = fetch.status_error(response)
            yield obs
            return
        try:
            obs.entries, next_url, last_url = index_document(_document(response), site_of(response.url))
        except BadDocument as e:
            obs.error = str(e)
            yield obs
            return
        if pages := other_pages(response.url, last_url, self._max_pages(poll)) if obs.entries else []:
            yield from self._fan_out(obs, poll, kind, pages)
            return
        at_last = not next_url or response.url == last_url or not obs.entries
        obs.last_page = at_last
        stop = None if at_last else self._stop_sweep(poll, response.url, urljoin(response.url, next_url), last_url)
        yield obs
        if stop:
            yield fetch.refusal_observation(poll, response.url, kind, stop)
        elif not at_last:
            yield self._request(urljoin(response.url, next_url), self.parse_index, poll, kind)

    def _stop_sweep(self, poll: Poll, page_url: str, next_url: str, last_url: str | None) -> str | None:
        """Return why this pass of the sweep does not follow `next_url` (None: follow it)."""
        site = site_of(poll.url)
        sweep = self.sweeps.get(poll.watch_id)
        if sweep is None:
            sweep = self.sweeps[poll.watch_id] = SweepPass(self._max_pages(poll))
            sweep.seen.update({poll.url, page_url})
        return refusal(next_url, site) or sweep.stop_reason(next_url, last_url, site)

    def _max_pages(self, poll: Poll) -> int:
        """Return the most index pages one pass of this sweep may read (the host's `max_pages`)."""
        return self.config.politeness(urlsplit(site_of(poll.url)).hostname or "").max_pages

    def _fan_out(self, first: Observation, poll: Poll, kind: str,
                 pages: list[str]) -> Iterator[Observation | scrapy.Request]:  # fmt: skip
        """Ask for every other page of the pass at once (the host's concurrency still applies)."""
        self.passes.begin(poll, len(pages))
        yield first
        known = dict(poll.page_hashes) if kind == "index" else {}
        for url in pages:
            yield self._request(url, self.parse_other_page, poll, kind, known_hash=known.get(url))

    def parse_other_page(self, response: Response, poll: Poll, kind: str,
                         known_hash: str | None = None) -> Iterator[Observation]:  # fmt: skip
        """Record a page fetched side by side; the pass ends with the last of them to arrive, if none failed.

        A sweep's page whose body is the one recorded last pass (`known_hash`) is not decoded:
        its entries are stored as they are (an archived Parliament's pages never change).
        """
        obs = fetch.observation(response, poll, kind, url=response.url)
        if response.status != 200:
            obs.error = fetch.status_error(response)
        else:
            if kind == "index":
                obs.page_hash = hashlib.sha1(response.body).hexdigest()
                obs.same_page = obs.page_hash == known_hash
            try:
                if not obs.same_page:
                    obs.entries, _, _ = index_document(_document(response), site_of(response.url))
            except BadDocument as e:
                obs.error = str(e)
        obs.last_page = self.passes.arrived(poll, failed=obs.error is not None)
        yield obs

    def parse_trending(self, response: Response, poll: Poll, kind: str) -> Iterator[Observation | scrapy.Request]:
        obs = fetch.observation(response, poll, kind)
        if response.status != 200:
            obs.error = fetch.status_error(response)
            yield obs
            return
        try:
            entries = trending_document(_document(response))
        except BadDocument as e:
            obs.error = str(e)
            yield obs
            return
        watch = self.config.watch(poll.watch_id)
        wanted = [e for e in entries if e.signature_count >= getattr(watch, "min_signatures", 0)]
        obs.trending = [e for e in wanted if e.number in poll.known_numbers]
        yield obs
        site = site_of(poll.url)  # the watchlist's site, never a host the document names
        for entry in wanted:
            if entry.number not in poll.known_numbers:  # first sight: its state comes from its own document
                yield self._request(f"{site}/petitions/{entry.number}.json", self.parse_trending_petition, poll,
                                    "petition", entry=entry)  # fmt: skip

    def parse_trending_petition(self, response: Response, poll: Poll, kind: str,
                                entry: TrendingEntry) -> Iterator[Observation]:
        for obs in self.parse_petition(response, poll, kind):
            obs.trending = [entry]
            yield obs

    def failed(self, failure: Failure) -> Iterator[Observation]:
        """Record a download that failed (timeout, reset, DNS, robots.txt, size limit)."""
        cb_kwargs = failure.request.cb_kwargs
        obs = fetch.failure_observation(failure, failure.request.url, cb_kwargs["kind"])
        if failure.request.callback == self.parse_other_page:
            self.passes.arrived(cb_kwargs["poll"], failed=True)  # the pass cannot complete
        yield obs


def _needs_full(poll: Poll, obs: Observation) -> bool:
    """Tell whether count.json shows (or hints at) more than a new count."""
    if poll.known is None or obs.count.differs_beyond_count(poll.known):
        return True
    # Modified, yet the count is the same: a response edit, a state change... only the full document says.
    newer = bool(obs.last_modified and poll.known_last_modified and obs.last_modified > poll.known_last_modified)
    return newer and obs.count.signature_count == poll.known.signature_count


def _document(response: Response) -> Any:
    """Decode a response's JSON document (BadDocument when it is not one)."""
    return decode(response.body, fetch.header(response, "Content-Type"))
