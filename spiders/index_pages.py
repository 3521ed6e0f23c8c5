"""The pages of an index pass, fetched side by side once the first page names the last.

An e-petitions index page links to its last page (``links.last``, e.g.
``…/petitions.json?page=40&state=open&count=50``). Walking ``links.next`` one
page after another leaves the crawl idle between pages; knowing the last page,
a sweep asks for pages 2…last at once (the host's politeness rules still set
how many are in flight). Only a last link on the host of the first page, with
a page number within `MAX_PAGES`, is trusted: a hostile site cannot send
govwatch elsewhere or make it walk without end. Each page is asked for once.

`IndexPasses` counts the pages of each pass still to arrive, so the spider can
tell which observation closes the pass (and whether every page arrived).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.items import Poll

MAX_PAGES = 5000  # 250,000 petitions at 50 a page: more than any Parliament's record


def _page(url: str) -> tuple[tuple[str, str, str], list[tuple[str, str]], int | None]:
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    pages = [value for name, value in params if name == "page"]
    number = int(pages[-1]) if pages and pages[-1].isdigit() else None
    return (parts.scheme, parts.netloc, parts.path), params, number


def other_pages(first_url: str, last_url: object, max_pages: int = MAX_PAGES) -> list[str]:
    """Return the URLs of pages 2…last when `first_url` is page 1 and `last_url` is trustworthy, else [].

    A last page above `max_pages` (the host's setting) is not trusted: the pass then
    follows ``links.next`` and stops at its cap with an error (`spiders.links.SweepPass`).
    """
    if not isinstance(last_url, str):
        return []
    where, _, first = _page(first_url)
    last_where, params, last = _page(last_url)
    if first not in (None, 1) or last_where != where or where[0] not in ("http", "https"):
        return []
    if last is None or not 2 <= last <= min(max_pages, MAX_PAGES):
        return []
    kept = [(name, value) for name, value in params if name != "page"]
    return [urlunsplit((*where, urlencode([("page", str(n)), *kept]), "")) for n in range(2, last + 1)]


@dataclass
class _Pass:
    remaining: int
    failed: bool = False


class IndexPasses:
    """The index passes in flight in one crawl: how many pages each still waits for."""

    def __init__(self) -> None:
        self._passes: dict[tuple[str, str], _Pass] = {}

    def begin(self, poll: Poll, pages: int) -> None:
        """Start counting a pass whose first page arrived and `pages` more were asked for."""
        self._passes[(poll.watch_id, poll.url)] = _Pass(pages)

    def arrived(self, poll: Poll, *, failed: bool) -> bool:
        """Count one page in; return True when it completes a pass in which every page arrived."""
        key = (poll.watch_id, poll.url)
        state = self._passes[key]
        state.remaining -= 1
        state.failed |= failed
        if state.remaining > 0:
            return False
        del self._passes[key]
        return not state.failed
