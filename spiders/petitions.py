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
- sweep: the index pages, following ``links.next`` and never past
  ``links.last``; the index entries are the observations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.clock import now_iso
from monitor.config import Config, PetitionWatch, SweepWatch, load_config
from monitor.items import Observation, Poll
from spiders import fetch
from spiders.petition_json import (
    BadDocument,
    count_document,
    decode,
    index_document,
    petition_document,
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
    return polls


class PetitionsSpider(scrapy.Spider):
    """Fetch petitions, their counts and index sweeps from e-petitions sites."""

    name = "petitions"

    def __init__(self, polls: list[Poll] | None = None, config: Config | str | None = None,
                 only: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, Config) else load_config(config or "watchlist.toml")
        self.polls = polls if polls is not None else default_polls(self.config, only)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for poll in self.polls:
            yield self._first_request(poll)

    def _first_request(self, poll: Poll) -> scrapy.Request:
        if poll.mode == "count":
            headers = _ims(poll.count_if_modified_since)
            return self._request(count_url(poll.url), self.parse_count, poll, "count", headers)
        if poll.mode == "sweep":
            return self._request(poll.url, self.parse_index, poll, "index")
        return self._full_request(poll)

    def _full_request(self, poll: Poll) -> scrapy.Request:
        return self._request(poll.url, self.parse_petition, poll, "petition", _ims(poll.if_modified_since))

    def _request(self, url: str, callback: Any, poll: Poll, kind: str,
                 headers: dict[str, str] | None = None) -> scrapy.Request:
        return fetch.request(self.config, url, callback, self.failed, headers=headers, poll=poll, kind=kind)

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
                doc = decode(response.body, fetch.header(response, "Content-Type"))
                obs.petition, obs.details = petition_document(doc, site_of(response.url))
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
                obs.count = count_document(decode(response.body, fetch.header(response, "Content-Type")))
            except BadDocument as e:
                obs.error = str(e)
            else:
                if _needs_full(poll, obs):
                    yield self._full_request(poll)
                    return
        yield obs

    def parse_index(self, response: Response, poll: Poll, kind: str) -> Iterator[Observation | scrapy.Request]:
        obs = fetch.observation(response, poll, kind)
        obs.url = response.url
        if response.status != 200:
            obs.error = fetch.status_error(response)
            yield obs
            return
        try:
            doc = decode(response.body, fetch.header(response, "Content-Type"))
            obs.petitions, next_url, last_url = index_document(doc, site_of(response.url))
        except BadDocument as e:
            obs.error = str(e)
            yield obs
            return
        at_last = not next_url or response.url == last_url or not obs.petitions
        obs.last_page = at_last
        yield obs
        if not at_last:
            yield self._request(next_url, self.parse_index, poll, "index")

    def failed(self, failure: Failure) -> Iterator[Observation]:
        """Record a download that failed (timeout, reset, DNS, robots.txt, size limit)."""
        request = failure.request
        poll, kind = request.cb_kwargs["poll"], request.cb_kwargs["kind"]
        yield Observation(
            watch_id=poll.watch_id, url=request.url, kind=kind, fetched_at=now_iso(),
            error=fetch.failure_error(failure),
        )


def _needs_full(poll: Poll, obs: Observation) -> bool:
    """Tell whether count.json shows (or hints at) more than a new count."""
    if poll.known is None or obs.count.differs_beyond_count(poll.known):
        return True
    # Modified, yet the count is the same: a response edit, a state change... only the full document says.
    newer = bool(obs.last_modified and poll.known_last_modified and obs.last_modified > poll.known_last_modified)
    return newer and obs.count.signature_count == poll.known.signature_count


def _ims(value: str | None) -> dict[str, str]:
    return {"If-Modified-Since": value} if value else {}
