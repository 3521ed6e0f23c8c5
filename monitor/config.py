"""Load and validate the watchlist (a TOML file) before any network traffic.

Every problem is reported as a `ConfigError` that names the file, the entry
(e.g. ``[[petition]] #2``), the key and what was expected. Each kind of entry
(``[[petition]]``, ``[[sweep]]``, ...) is parsed by a function registered with
`@entry_kind`, so adding a kind is adding a function.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from monitor.channels import Channel, parse_channel
from monitor.errors import ConfigError

DEFAULT_SITE = "https://petition.parliament.uk"
DEFAULT_FEEDS_URL = "http://127.0.0.1:8080/"
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


# ---------------------------------------------------------------- parsing helpers


class _Entry:
    """One table of the file being validated, to report errors precisely."""

    def __init__(self, path: Path, where: str, table: dict[str, Any]):
        self.path, self.where, self.table = path, where, table

    def fail(self, message: str, key: str | None = None) -> ConfigError:
        at = f"{self.where}, key {key!r}" if key else self.where
        return ConfigError(f"{self.path}: {at}: {message}")

    def check_keys(self, allowed: set[str], required: set[str] = frozenset()) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(f"unknown key (expected one of: {', '.join(sorted(allowed))})", key)
        for key in required:
            if key not in self.table:
                raise self.fail("missing (it is required)", key)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.fail(f"expected {_type_name(kind)}, got a boolean", key)
        if not isinstance(value, kind):
            raise self.fail(f"expected {_type_name(kind)}, got {type(value).__name__} {value!r}", key)
        return value

    def duration(self, key: str, default: float | None) -> float | None:
        value = self.get(key, (str, int, float))
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as e:
            raise self.fail(str(e), key) from None

    def size(self, key: str, default: int) -> int:
        value = self.get(key, (str, int))
        if value is None:
            return default
        try:
            return parse_size(value)
        except ValueError as e:
            raise self.fail(str(e), key) from None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) and v for v in value):
            raise self.fail("expected a list of non-empty strings", key)
        return tuple(value)

    def ints(self, key: str) -> tuple[int, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            raise self.fail("expected a list of positive whole numbers", key)
        return tuple(sorted(set(value)))


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}  # fmt: skip
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float) -> float:
    """Parse "90s", "10m", "1h30m", "2d" (or a number of seconds) into seconds."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"expected a duration >= 0, got {value}")
        return float(value)
    text = value.strip().lower()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos and text[pos:m.start()].strip():
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not text or text[pos:].strip():
        raise ValueError(f'expected a duration such as "30s", "10m", "1h30m" or "2d", got {value!r}')
    return total


def parse_size(value: str | int) -> int:
    """Parse "5MB", "512KB", "1GB" (or a number of bytes) into bytes."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*", value.lower())
    if not m:
        raise ValueError(f'expected a size such as "512KB" or "5MB", got {value!r}')
    scale = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}[m.group(2) or "b"]
    return int(float(m.group(1)) * scale)


def _site(entry: _Entry, key: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise entry.fail(f"expected an http(s) URL such as {DEFAULT_SITE!r}, got {value!r}", key)
    return f"{parts.scheme}://{parts.netloc}"


# ---------------------------------------------------------------- entry kinds

EntryParser = Callable[[_Entry, Settings], Watch]
ENTRY_KINDS: dict[str, EntryParser] = {}


def entry_kind(name: str) -> Callable[[EntryParser], EntryParser]:
    """Register the parser of one kind of watchlist entry (``[[name]]``)."""

    def register(fn: EntryParser) -> EntryParser:
        if name in ENTRY_KINDS:
            raise ValueError(f"entry kind {name!r} is already registered")
        ENTRY_KINDS[name] = fn
        return fn

    return register


_COMMON = {"name", "tags", "thresholds", "interval", "cron"}


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str) -> Any:
    """Return an APScheduler trigger for a standard crontab expression (UTC).

    APScheduler 3 numbers weekdays from Monday = 0, crontab from Sunday = 0 (or 7):
    numeric weekdays are turned into names so that "1-5" means Monday to Friday.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    fields[4] = re.sub(r"\d+", lambda m: _CRON_DAYS[int(m.group())] if int(m.group()) < 8 else m.group(), fields[4])
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone="UTC")


def _cron(entry: _Entry) -> str | None:
    """Validate an optional crontab expression (five fields, UTC)."""
    expression = entry.get("cron", str)
    if expression is None:
        return None
    try:
        cron_trigger(expression)
    except ValueError as e:
        raise entry.fail(f'expected a crontab expression such as "0 9 * * 1-5" (UTC): {e}', "cron") from None
    return expression
_PETITION_URL = re.compile(r"^/(?:archived/)?petitions/(\d+)(?:\.json)?/?$")


@entry_kind("petition")
def parse_petition(entry: _Entry, settings: Settings) -> Watch:
    """One petition, by URL or by id on any e-petitions site."""
    entry.check_keys(_COMMON | {"url", "id", "site"})
    url = entry.get("url", str)
    number = entry.get("id", int)
    if (url is None) == (number is None):
        raise entry.fail('give either url = "https://…/petitions/ID" or id = ID (with an optional site)')
    if url is not None:
        if "site" in entry.table:
            raise entry.fail("site is implied by url; give one or the other", "site")
        site = _site(entry, "url", url)
        m = _PETITION_URL.match(urlsplit(url).path)
        if not m:
            raise entry.fail(f"not a petition URL (expected {DEFAULT_SITE}/petitions/ID), got {url!r}", "url")
        number = int(m.group(1))
    else:
        site = _site(entry, "site", entry.get("site", str, DEFAULT_SITE))
        if number <= 0:
            raise entry.fail(f"expected a positive petition number, got {number}", "id")
    archived = url is not None and urlsplit(url).path.startswith("/archived/")
    prefix = "/archived" if archived else ""
    netloc = urlsplit(site).netloc
    return PetitionWatch(
        id=entry.get("name", str) or f"{netloc}/{number}",
        kind="petition",
        url=f"{site}{prefix}/petitions/{number}.json",
        entry=entry.where,
        site=site,
        number=number,
        tags=entry.strings("tags"),
        thresholds=entry.ints("thresholds"),
        interval=entry.duration("interval", None),
        cron=_cron(entry),
    )


@entry_kind("sweep")
def parse_sweep(entry: _Entry, settings: Settings) -> Watch:
    """Every petition an index query returns (state filter and search text)."""
    entry.check_keys(_COMMON | {"site", "state", "query"})
    site = _site(entry, "site", entry.get("site", str, DEFAULT_SITE))
    state = entry.get("state", str, "open")
    if state not in INDEX_STATES:
        raise entry.fail(f"unknown index state {state!r} (expected one of: {', '.join(INDEX_STATES)})", "state")
    query = entry.get("query", str) or None
    params = {"state": state, "count": 50} | ({"q": query} if query else {})
    netloc = urlsplit(site).netloc
    default_id = f"{netloc}/sweep/{state}" + (f"/{query}" if query else "")
    return SweepWatch(
        id=entry.get("name", str) or default_id,
        kind="sweep",
        url=f"{site}/petitions.json?{urlencode(params)}",
        entry=entry.where,
        site=site,
        state=state,
        query=query,
        tags=entry.strings("tags"),
        thresholds=entry.ints("thresholds"),
        interval=entry.duration("interval", None),
        cron=_cron(entry),
    )


def check_selector(value: str) -> str | None:
    """Return why a CSS or "xpath:" selector is invalid, or None when it compiles."""
    from cssselect import SelectorError
    from lxml import etree
    from parsel.csstranslator import css2xpath

    try:
        if value.startswith("xpath:"):
            etree.XPath(value.removeprefix("xpath:").strip())
        else:
            etree.XPath(css2xpath(value))
    except (SelectorError, etree.XPathError) as e:
        kind = "XPath" if value.startswith("xpath:") else "CSS selector"
        return f"not a valid {kind} ({e}): {value!r}"
    return None


def _selector(entry: _Entry, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise entry.fail(f'expected a CSS selector such as "article", or "xpath:…", got {value!r}', key)
    problem = check_selector(value.strip())
    if problem:
        raise entry.fail(problem + ' (CSS such as "article .signatories li", or XPath prefixed with "xpath:")', key)
    return value.strip()


def _count_rule(entry: _Entry) -> tuple[CountRule | None, tuple[int, ...]]:
    table = entry.get("count", dict)
    if table is None:
        return None, ()
    inner = _Entry(entry.path, f"{entry.where}, count", table)
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
def parse_page(entry: _Entry, settings: Settings) -> Watch:
    """Any HTML page: what changed in its main content, list items, keywords, a count."""
    entry.check_keys({"name", "tags", "interval", "cron", "url", "selector", "ignore", "keywords", "list", "count"},
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
        id=entry.get("name", str) or f"{parts.netloc}{parts.path.rstrip('/')}{query}",
        kind="page",
        url=url,
        entry=entry.where,
        site=f"{parts.scheme}://{parts.netloc}",
        tags=entry.strings("tags"),
        thresholds=thresholds,
        interval=entry.duration("interval", None),
        cron=_cron(entry),
        selector=selector,
        ignore=ignore,
        keywords=entry.strings("keywords"),
        list=items,
        count=count,
    )


# ---------------------------------------------------------------- the file


def _politeness(entry: _Entry, base: Politeness) -> Politeness:
    entry.check_keys(set(Politeness.__dataclass_fields__))
    concurrency = entry.get("concurrency", int, base.concurrency)
    retries = entry.get("retries", int, base.retries)
    if concurrency < 1:
        raise entry.fail("expected at least 1", "concurrency")
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
    )


def _settings(entry: _Entry, folder: Path) -> Settings:
    entry.check_keys({"database", "feeds_dir", "interval", "full_every", "contact", "feed_entries", "feeds_url",
                      "failing_after"})  # fmt: skip
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
        interval=entry.duration("interval", 600.0),
        full_every=entry.duration("full_every", 3600.0),
        contact=entry.get("contact", str),
        feed_entries=entries,
        feeds_url=feeds_url.rstrip("/") + "/",
        failing_after=failing_after,
    )


def _tables(path: Path, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{path}: {key!r} must be written as [[{key}]] tables")
    return value


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate parsed TOML and return a Config; raise ConfigError naming the problem."""
    known = {"govwatch", "polite", "hosts", "alert"} | set(ENTRY_KINDS)
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}: unknown top-level key {key!r} (expected one of: {', '.join(sorted(known))})")
    for key in ("govwatch", "polite", "hosts"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{path}: [{key}] must be a table")
    settings = _settings(_Entry(path, "[govwatch]", data.get("govwatch", {})), path.parent)
    polite = _politeness(_Entry(path, "[polite]", data.get("polite", {})), Politeness())
    hosts = {}
    for host, table in data.get("hosts", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f'{path}: [hosts."{host}"] must be a table')
        hosts[host] = _politeness(_Entry(path, f'[hosts."{host}"]', table), polite)
    watches: list[Watch] = []
    seen: dict[str, str] = {}
    for kind, parse in ENTRY_KINDS.items():
        for i, table in enumerate(_tables(path, data, kind), start=1):
            watch = parse(_Entry(path, f"[[{kind}]] #{i}", table), settings)
            if watch.id in seen:
                raise ConfigError(
                    f"{path}: {watch.entry}: duplicate watch {watch.id!r}, already defined by {seen[watch.id]}",
                    hint="remove one of them, or give them different `name`s",
                )
            seen[watch.id] = watch.entry
            watches.append(watch)
    alerts = _alerts(path, data, {w.id for w in watches})
    return Config(path=path, settings=settings, polite=polite, hosts=hosts, watches=tuple(watches), alerts=alerts)


def _alerts(path: Path, data: dict[str, Any], watch_ids: set[str]) -> tuple[Channel, ...]:
    """Parse the [[alert]] tables: channels, not watches (see monitor.channels)."""
    channels: dict[str, Channel] = {}
    for i, table in enumerate(_tables(path, data, "alert"), start=1):
        entry = _Entry(path, f"[[alert]] #{i}", table)
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
