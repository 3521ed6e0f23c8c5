"""Load and validate the watchlist (a TOML file) before any network traffic.

Every problem is reported as a `ConfigError` that names the file, the entry
(e.g. ``[[petition]] #2``), the key and what was expected. Each kind of entry
(``[[petition]]``, ``[[sweep]]``, ...) is parsed by a function registered with
`@entry_kind`, so adding a kind is adding a function.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.alerts.channels import Channel, parse_channel
from monitor.errors import ConfigError
from monitor.watchlist.scrapyd import ScrapydSettings, parse_scrapyd
from monitor.watchlist.validation import Entry

DEFAULT_SITE = "https://petition.parliament.uk"
DEFAULT_FEEDS_URL = "http://127.0.0.1:8080/"
# The Government responds within 21 days of a petition's 10,000th signature: the chair of the
# Petitions Committee, House of Commons, 23 January 2024 (Hansard, point of order on late Defra responses).
RESPONSE_DUE = 21 * 86_400.0
INDEX_STATES = (
    "all", "open", "closed", "rejected", "awaiting_response", "with_response",
    "awaiting_debate", "debated", "not_debated", "recent", "published",
)  # fmt: skip


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Politeness:
    """How govwatch treats one host. Every field is a watchlist setting."""

    robots_txt: bool = True
    concurrency: int = 2
    delay: float = 1.0
    autothrottle: bool = True
    retries: int = 2
    backoff: float = 5.0
    max_retry_after: float = 600.0
    timeout: float = 30.0
    max_size: int = 10 * 1024 * 1024
    respect_max_age: bool = True
    max_pages: int = 2000  # index pages one sweep pass may request (100,000 petitions at 50 a page)

    def request_meta(self) -> dict[str, Any]:
        """Return the Scrapy request meta that applies these rules to one request."""
        return {
            "download_timeout": self.timeout,
            "download_maxsize": self.max_size,
            "max_retry_times": self.retries,
            "dont_obey_robotstxt": not self.robots_txt,
            "autothrottle_dont_adjust_delay": not self.autothrottle,
            "govwatch_backoff": self.backoff,
            "govwatch_max_retry_after": self.max_retry_after,
        }


@dataclass(frozen=True)
class Settings:
    """The ``[govwatch]`` table, paths resolved against the watchlist's folder."""

    database: Path
    feeds_dir: Path
    interval: float = 600.0
    full_every: float = 3600.0
    contact: str | None = None
    feed_entries: int = 100
    failing_after: int = 5
    feeds_url: str = DEFAULT_FEEDS_URL  # where subscribers reach feeds_dir (for rel="self" and the OPML)
    lock_wait: float = 30.0  # seconds a write waits for another process's lock on the database
    keep: float | None = None  # seconds of observations and page snapshots to keep (None: everything)
    response_due: float = RESPONSE_DUE  # the government's time to respond once a petition passes its threshold
    approaching_within: float = 86_400.0  # a threshold_approaching event when the ETA is this near (0: off)
    rate_window: float = 21_600.0  # the count history behind a petition's recent rate


@dataclass(frozen=True)
class Watch:
    """Something to poll. `id` is unique in a watchlist and names it everywhere."""

    id: str
    kind: str
    url: str
    entry: str  # where it is written, e.g. "[[petition]] #1"
    site: str = ""
    tags: tuple[str, ...] = ()
    thresholds: tuple[int, ...] = ()
    interval: float | None = None
    cron: str | None = None
    response_due: float = RESPONSE_DUE  # the watch's own, else the [govwatch] setting

    @property
    def host(self) -> str:
        """Return the host (without port) this watch polls."""
        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class PetitionWatch(Watch):
    """One petition on an e-petitions site."""

    number: int = 0


@dataclass(frozen=True)
class SweepWatch(Watch):
    """Every petition an index query returns."""

    state: str = "open"
    query: str | None = None
    archived: bool = False  # the archived index of an earlier Parliament
    parliament: int | None = None  # the site's Parliament number (None: its latest archived one)


@dataclass(frozen=True)
class TrendingWatch(Watch):
    """The site's trending petitions (/trending.json): the most signed in the last hour."""

    min_signatures: int = 0


@dataclass(frozen=True)
class CountRule:
    """Where a page's count is: an element (`selector`), a `pattern` with one group, or both."""

    selector: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class PageWatch(Watch):
    """Any HTML page: its main content (or `selector`'s), list items, keywords and a count.

    Selectors are CSS, or XPath when prefixed with "xpath:"; `thresholds`
    (from ``count``) are the counts worth an event.
    """

    selector: str | None = None
    ignore: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    list: str | None = None
    count: CountRule | None = None


@dataclass(frozen=True)
class Config:
    """A validated watchlist."""

    path: Path
    settings: Settings
    polite: Politeness
    hosts: dict[str, Politeness] = field(default_factory=dict)
    watches: tuple[Watch, ...] = ()
    alerts: tuple[Channel, ...] = ()
    scrapyd: ScrapydSettings | None = None  # [scrapyd]: crawl on these Scrapyd nodes (monitor.watchlist.scrapyd)

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        """Return this watchlist itself: it is never changed, and Scrapy deep-copies its settings
        (which carry it) twice a crawl, 0.3 s for 3,000 watches."""
        return self

    def politeness(self, host: str) -> Politeness:
        """Return the rules for a host: its own table, else the defaults."""
        return self.hosts.get(host, self.polite)

    def watch(self, watch_id: str) -> Watch:
        """Return the watch with this id (ConfigError if there is none)."""
        for w in self.watches:
            if w.id == watch_id:
                return w
        raise ConfigError(f"{self.path}: no watch named {watch_id!r}")

    def channel(self, name: str) -> Channel:
        """Return the alert channel with this name (ConfigError if there is none)."""
        for c in self.alerts:
            if c.name == name:
                return c
        names = ", ".join(c.name for c in self.alerts) or "(none: add an [[alert]] table)"
        raise ConfigError(f"{self.path}: no alert channel named {name!r}", hint=f"channels are: {names}")

    def select(self, only: str | None) -> tuple[Watch, ...]:
        """Return the watches matching `--only` (an id, a petition number or a tag)."""
        if not only:
            return self.watches
        chosen = tuple(
            w for w in self.watches
            if only == w.id or only in w.tags
            or (isinstance(w, PetitionWatch) and only == str(w.number))
        )  # fmt: skip
        if not chosen:
            ids = ", ".join(w.id for w in self.watches) or "(none)"
            raise ConfigError(
                f"{self.path}: no watch matches --only {only!r}",
                hint=f"watches are: {ids}",
            )
        return chosen


# ---------------------------------------------------------------- the file


def _politeness(entry: Entry, base: Politeness) -> Politeness:
    entry.check_keys(set(Politeness.__dataclass_fields__))
    concurrency = entry.get("concurrency", int, base.concurrency)
    retries = entry.get("retries", int, base.retries)
    max_pages = entry.get("max_pages", int, base.max_pages)
    if concurrency < 1:
        raise entry.fail("expected at least 1", "concurrency")
    if max_pages < 1:
        raise entry.fail("expected at least 1", "max_pages")
    if retries < 0:
        raise entry.fail("expected 0 or more", "retries")
    return replace(
        base,
        robots_txt=entry.get("robots_txt", bool, base.robots_txt),
        concurrency=concurrency,
        delay=entry.duration("delay", base.delay),
        autothrottle=entry.get("autothrottle", bool, base.autothrottle),
        retries=retries,
        backoff=entry.duration("backoff", base.backoff),
        max_retry_after=entry.duration("max_retry_after", base.max_retry_after),
        timeout=entry.duration("timeout", base.timeout),
        max_size=entry.size("max_size", base.max_size),
        respect_max_age=entry.get("respect_max_age", bool, base.respect_max_age),
        max_pages=max_pages,
    )


def _settings(entry: Entry, folder: Path) -> Settings:
    entry.check_keys({"database", "feeds_dir", "interval", "full_every", "contact", "feed_entries", "feeds_url",
                      "failing_after", "lock_wait", "keep", "response_due", "approaching_within",
                      "rate_window"})  # fmt: skip
    entries = entry.get("feed_entries", int, 100)
    failing_after = entry.get("failing_after", int, 5)
    for key, value in (("feed_entries", entries), ("failing_after", failing_after)):
        if value < 1:
            raise entry.fail("expected at least 1", key)
    feeds_url = entry.get("feeds_url", str, DEFAULT_FEEDS_URL)
    parts = urlsplit(feeds_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise entry.fail(f"expected the http(s) URL feeds_dir is served at, such as {DEFAULT_FEEDS_URL!r}, "
                         f"got {feeds_url!r}", "feeds_url")  # fmt: skip
    return Settings(
        database=folder / entry.get("database", str, "govwatch.db"),
        feeds_dir=folder / entry.get("feeds_dir", str, "feeds"),
        interval=entry.interval("interval", 600.0),
        full_every=entry.interval("full_every", 3600.0),
        contact=entry.get("contact", str),
        feed_entries=entries,
        feeds_url=feeds_url.rstrip("/") + "/",
        failing_after=failing_after,
        lock_wait=_positive(entry, "lock_wait", 30.0),
        keep=_positive(entry, "keep", None),
        response_due=entry.duration("response_due", RESPONSE_DUE),
        approaching_within=0.0 if entry.table.get("approaching_within") in ("0", 0) else entry.duration(
            "approaching_within", 86_400.0),  # "0" turns threshold_approaching off
        rate_window=_positive(entry, "rate_window", 21_600.0),
    )


def _positive(entry: Entry, key: str, default: float | None) -> float | None:
    value = entry.duration(key, default)
    if value is not None and value <= 0:
        raise entry.fail("expected a duration above zero, such as \"30s\" or \"400d\"", key)
    return value


def _tables(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{path}: {key!r} must be written as [[{key}]] tables")
    return value


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate parsed TOML and return a Config; raise ConfigError naming the problem."""
    from monitor.watchlist.kinds import (
        ENTRY_KINDS,  # the parsers need the values defined here
    )

    known = {"govwatch", "polite", "hosts", "alert", "scrapyd"} | set(ENTRY_KINDS)
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}: unknown top-level key {key!r} (expected one of: {', '.join(sorted(known))})")
    for key in ("govwatch", "polite", "hosts", "scrapyd"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{path}: [{key}] must be a table")
    settings = _settings(Entry(path, "[govwatch]", data.get("govwatch", {})), path.parent)
    polite = _politeness(Entry(path, "[polite]", data.get("polite", {})), Politeness())
    hosts = {}
    for host, table in data.get("hosts", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f'{path}: [hosts."{host}"] must be a table')
        hosts[host] = _politeness(Entry(path, f'[hosts."{host}"]', table), polite)
    watches: list[Watch] = []
    seen: dict[str, str] = {}
    for kind, parse in ENTRY_KINDS.items():
        for i, table in enumerate(_tables(path, data, kind), start=1):
            watch = parse(Entry(path, f"[[{kind}]] #{i}", table), settings)
            if watch.id in seen:
                raise ConfigError(
                    f"{path}: {watch.entry}: duplicate watch {watch.id!r}, already defined by {seen[watch.id]}",
                    hint="remove one of them, or give them different `name`s",
                )
            seen[watch.id] = watch.entry
            watches.append(watch)
    alerts = _alerts(path, data, {w.id for w in watches})
    scrapyd = parse_scrapyd(Entry(path, "[scrapyd]", data["scrapyd"])) if "scrapyd" in data else None
    return Config(path=path, settings=settings, polite=polite, hosts=hosts, watches=tuple(watches), alerts=alerts,
                  scrapyd=scrapyd)  # fmt: skip


def _alerts(path: Path, data: dict[str, Any], watch_ids: set[str]) -> tuple[Channel, ...]:
    """Parse the [[alert]] tables: channels, not watches (see monitor.alerts.channels)."""
    channels: dict[str, Channel] = {}
    for i, table in enumerate(_tables(path, data, "alert"), start=1):
        entry = Entry(path, f"[[alert]] #{i}", table)
        channel = parse_channel(entry)
        if channel.name in channels:
            raise entry.fail(f"duplicate channel {channel.name!r}, already defined by "
                             f"{channels[channel.name].entry}", "name")  # fmt: skip
        for watch_id in channel.watches:
            if watch_id not in watch_ids:
                raise entry.fail(f"no watch named {watch_id!r} (watches are: {', '.join(sorted(watch_ids))})",
                                 "watches")  # fmt: skip
        channels[channel.name] = channel
    return tuple(channels.values())


def load_config(path: str | Path) -> Config:
    """Read and validate a watchlist file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such watchlist file", hint="pass --config FILE") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the watchlist: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return parse_config(data, path.resolve())
