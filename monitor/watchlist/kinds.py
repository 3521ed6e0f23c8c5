"""What can be watched: one parser per kind of watchlist entry, in a registry.

``[[petition]]``, ``[[sweep]]``, ``[[trending]]`` and ``[[page]]`` tables are each turned into a
Watch by a function registered with `@entry_kind`; adding a kind is adding a
function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from monitor.watchlist.config import (
    DEFAULT_SITE,
    INDEX_STATES,
    CountRule,
    PageWatch,
    PetitionWatch,
    Settings,
    SweepWatch,
    TrendingWatch,
    Watch,
)
from monitor.registry import Registry
from monitor.watchlist.validation import Entry, check_selector, cron_trigger, site_url

EntryParser = Callable[[Entry, Settings], Watch]
ENTRY_KINDS = Registry("entry kind")


def entry_kind(name: str) -> Callable[[EntryParser], EntryParser]:
    """Register the parser of one kind of watchlist entry (``[[name]]``)."""
    return ENTRY_KINDS.decorator(name)


_COMMON = {"name", "tags", "thresholds", "interval", "cron"}
_PETITIONS = {"response_due"}  # what only the watches of petitions take (petition, sweep)
ARCHIVE_INTERVAL = 86400.0  # seconds: an archive sweep's default interval


def _cron(entry: Entry) -> str | None:
    """Validate an optional crontab expression (five fields, UTC)."""
    expression = entry.get("cron", str)
    if expression is None:
        return None
    try:
        cron_trigger(expression)
    except ValueError as e:
        raise entry.fail(f'expected a crontab expression such as "0 9 * * 1-5" (UTC): {e}', "cron") from None
    return expression


def _common(entry: Entry, default_id: str) -> dict[str, Any]:
    """Return the fields every kind of watch takes from its entry: id (its name or `default_id`), tags, timing."""
    return {
        "id": entry.get("name", str) or default_id,
        "entry": entry.where,
        "tags": entry.strings("tags"),
        "interval": entry.interval("interval", None),
        "cron": _cron(entry),
    }


_PETITION_URL = re.compile(r"^/(?:archived/)?petitions/(\d+)(?:\.json)?/?$")


@entry_kind("petition")
def parse_petition(entry: Entry, settings: Settings) -> Watch:
    """One petition, by URL or by id on any e-petitions site."""
    entry.check_keys(_COMMON | _PETITIONS | {"url", "id", "site"})
    url = entry.get("url", str)
    number = entry.get("id", int)
    if (url is None) == (number is None):
        raise entry.fail('give either url = "https://…/petitions/ID" or id = ID (with an optional site)')
    if url is not None:
        if "site" in entry.table:
            raise entry.fail("site is implied by url; give one or the other", "site")
        site = site_url(entry, "url", url)
        m = _PETITION_URL.match(urlsplit(url).path)
        if not m:
            raise entry.fail(f"not a petition URL (expected {DEFAULT_SITE}/petitions/ID), got {url!r}", "url")
        number = int(m.group(1))
    else:
        site = site_url(entry, "site", entry.get("site", str, DEFAULT_SITE))
        if number <= 0:
            raise entry.fail(f"expected a positive petition number, got {number}", "id")
    archived = url is not None and urlsplit(url).path.startswith("/archived/")
    prefix = "/archived" if archived else ""
    netloc = urlsplit(site).netloc
    return PetitionWatch(
        **_common(entry, f"{netloc}/{number}"),
        kind="petition",
        url=f"{site}{prefix}/petitions/{number}.json",
        site=site,
        number=number,
        thresholds=entry.ints("thresholds"),
        response_due=entry.duration("response_due", settings.response_due),
    )


@entry_kind("sweep")
def parse_sweep(entry: Entry, settings: Settings) -> Watch:
    """Every petition an index query returns (state filter and search text), or a whole archived Parliament."""
    entry.check_keys(_COMMON | _PETITIONS | {"site", "state", "query", "archived", "parliament"})
    site = site_url(entry, "site", entry.get("site", str, DEFAULT_SITE))
    archived = entry.get("archived", bool, False)
    parliament = entry.get("parliament", int)
    if parliament is not None and not archived:
        raise entry.fail("parliament chooses an archived Parliament: add archived = true", "parliament")
    if parliament is not None and parliament < 1:
        raise entry.fail(f"expected the site's Parliament number (1 or more, as in "
                         f"/archived/petitions?parliament=N), got {parliament}", "parliament")  # fmt: skip
    state = entry.get("state", str, "all" if archived else "open")
    if state not in INDEX_STATES:
        raise entry.fail(f"unknown index state {state!r} (expected one of: {', '.join(INDEX_STATES)})", "state")
    query = entry.get("query", str) or None
    params = ({"parliament": parliament} if parliament is not None else {}) | {"state": state, "count": 50}
    params |= {"q": query} if query else {}
    netloc = urlsplit(site).netloc
    path = "/archived/petitions.json" if archived else "/petitions.json"
    scope = f"/archived/{parliament if parliament is not None else 'latest'}" if archived else ""
    default_id = f"{netloc}{scope}/sweep/{state}" + (f"/{query}" if query else "")
    common = _common(entry, default_id)
    if archived and common["interval"] is None and common["cron"] is None:
        common["interval"] = ARCHIVE_INTERVAL  # an earlier Parliament's record hardly moves
    return SweepWatch(
        **common,
        kind="sweep",
        url=f"{site}{path}?{urlencode(params)}",
        site=site,
        state=state,
        query=query,
        thresholds=entry.ints("thresholds"),
        response_due=entry.duration("response_due", settings.response_due),
        archived=archived,
        parliament=parliament,
    )


@entry_kind("trending")
def parse_trending(entry: Entry, settings: Settings) -> Watch:
    """The site's trending petitions: the most signatures in the last hour (/trending.json)."""
    entry.check_keys(_COMMON - {"thresholds"} | {"site", "min_signatures"})
    site = site_url(entry, "site", entry.get("site", str, DEFAULT_SITE))
    least = entry.get("min_signatures", int, 0)
    if least < 0:
        raise entry.fail(f"expected 0 or more signatures, got {least}", "min_signatures")
    return TrendingWatch(
        **_common(entry, f"{urlsplit(site).netloc}/trending"),
        kind="trending",
        url=f"{site}/trending.json",
        site=site,
        min_signatures=least,
    )


def _selector(entry: Entry, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise entry.fail(f'expected a CSS selector such as "article", or "xpath:…", got {value!r}', key)
    problem = check_selector(value.strip())
    if problem:
        raise entry.fail(problem + ' (CSS such as "article .signatories li", or XPath prefixed with "xpath:")', key)
    return value.strip()


def _count_rule(entry: Entry) -> tuple[CountRule | None, tuple[int, ...]]:
    table = entry.get("count", dict)
    if table is None:
        return None, ()
    inner = Entry(entry.path, f"{entry.where}, count", table)
    inner.check_keys({"selector", "pattern", "thresholds"})
    selector = _selector(inner, "selector", table["selector"]) if "selector" in table else None
    pattern = inner.get("pattern", str)
    if selector is None and not pattern:
        raise entry.fail('give selector = "…" (the element showing the count) and/or pattern = "([\\d,]+) signatures"',
                         "count")
    if pattern:
        try:
            groups = re.compile(pattern).groups
        except re.error as e:
            raise inner.fail(f"not a valid regular expression ({e}): {pattern!r}", "pattern") from None
        if groups > 1:
            raise inner.fail(f"expected at most one group (the number), got {groups}: {pattern!r}", "pattern")
    return CountRule(selector, pattern or None), inner.ints("thresholds")


@entry_kind("page")
def parse_page(entry: Entry, settings: Settings) -> Watch:
    """Any HTML page: what changed in its main content, list items, keywords, a count."""
    entry.check_keys(_COMMON - {"thresholds"} | {"url", "selector", "ignore", "keywords", "list", "count"},
                     required={"url"})  # fmt: skip
    url = entry.get("url", str)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise entry.fail(f"expected an http(s) URL of a page, got {url!r}", "url")
    selector = _selector(entry, "selector", entry.table["selector"]) if "selector" in entry.table else None
    ignore = tuple(_selector(entry, "ignore", v) for v in entry.strings("ignore"))
    items = _selector(entry, "list", entry.table["list"]) if "list" in entry.table else None
    count, thresholds = _count_rule(entry)
    query = f"?{parts.query}" if parts.query else ""
    return PageWatch(
        **_common(entry, f"{parts.netloc}{parts.path.rstrip('/')}{query}"),
        kind="page",
        url=url,
        site=f"{parts.scheme}://{parts.netloc}",
        thresholds=thresholds,
        selector=selector,
        ignore=ignore,
        keywords=entry.strings("keywords"),
        list=items,
        count=count,
    )
