"""Render RSS 2.0 and Atom feeds of the events table, with feedgen.

Feeds: everything, one per event kind, per tag, per watch and per petition
(`catalog`). A ``[[petition]]`` watch has no feed of its own: its feed is its
petition's, one document (the watch's old address is an alias, see
`monitor.publish.feeds_dir`). An entry's id is a ``tag:`` URI made of its event key, so
rebuilding changes no identity, and its `updated` is when govwatch stored the
event, so it moves only if the event does. Writing them is `monitor.publish.feeds_dir`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree
from sqlite_utils import Database

from monitor.publish.chart import signature_svg
from monitor.clock import parse_iso
from monitor.watchlist.config import Config, PetitionWatch, Settings
from monitor.items import Event, petition_key
from monitor.publish.render import RENDERERS, Context, kind_label, plain, render
from store import queries

TAG_PREFIX = "tag:govwatch,2026:"  # never change: it is part of every entry id readers remember
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
SECTIONS = ("Everything", "Event kinds", "Tags", "Watches", "Petitions")
EPOCH = "1970-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its path in feeds_dir (no extension), its title, and which events it holds."""

    path: str
    title: str
    section: str
    description: str
    kind: str | None = None
    petition: str | None = None
    watches: tuple[str, ...] | None = None
    page: str | None = None  # the web page the feed is about, if not govwatch's index
    aliases: tuple[str, ...] = ()  # paths of the [[petition]] watches' feeds that are this very document

    def signature(self) -> str:
        """Hash what the feed's rendering depends on besides its events."""
        return hashlib.sha1(repr(self).encode()).hexdigest()[:16]

    def touched_by(self, new: queries.NewEvents) -> bool:
        """Tell whether any of the new events belongs in this feed."""
        if self.kind is not None:
            return self.kind in new.kinds
        if self.petition is not None:  # with `watches`: the petition's [[petition]] watches (health events)
            return self.petition in new.petitions or not new.watches.isdisjoint(self.watches or ())
        if self.watches is not None:
            return not new.watches.isdisjoint(self.watches)
        return bool(new.kinds)


# ---------------------------------------------------------------- which feeds


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str) -> str:
    """Return a safe relative path for a name: ':' becomes '_', anything odder adds a short hash."""
    clean = "/".join(_UNSAFE.sub("_", part.replace(":", "_")).strip("._") or "_" for part in text.split("/"))
    return clean if clean == text.replace(":", "_") else f"{clean}-{_hash(text)}"


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def catalog(config: Config, db: Database) -> list[FeedSpec]:
    """Return every feed: everything, each kind, tag, watch, and petition with events or a watch.

    A [[petition]] watch's feed is its petition's feed: it holds the watch's own events too
    (watch_failing...), and the watch's path is one of its `aliases`.
    """
    specs = [FeedSpec("all", "govwatch: everything", "Everything", "Every event govwatch detected.")]
    for kind in sorted(set(RENDERERS) | set(queries.event_kinds(db))):
        label = kind_label(kind)
        specs.append(FeedSpec(f"kinds/{slug(kind)}", f"govwatch: {label}", "Event kinds",
                              f"{label}: every {kind} event.", kind=kind))  # fmt: skip
    tags: dict[str, list[str]] = {}
    for watch in config.watches:
        for tag in watch.tags:
            tags.setdefault(tag, []).append(watch.id)
    for tag, ids in sorted(tags.items()):
        specs.append(FeedSpec(f"tags/{slug(tag)}", f"govwatch: tagged “{tag}”", "Tags",
                              f"Events of the watches tagged “{tag}”.", watches=tuple(ids)))  # fmt: skip
    followers: dict[str, list[str]] = {}  # petition id -> its [[petition]] watches
    for watch in config.watches:
        if isinstance(watch, PetitionWatch):
            followers.setdefault(petition_key(watch.site, watch.number), []).append(watch.id)
            continue
        specs.append(FeedSpec(f"watches/{slug(watch.id)}", f"govwatch: {watch.id}", "Watches",
                              f"Events of the watch {watch.id}.", watches=(watch.id,)))  # fmt: skip
    stored = {p.id: p for p in queries.feed_petitions(db)}
    for pid in sorted(stored.keys() | followers.keys()):
        petition, watches = stored.get(pid), tuple(followers.get(pid, ()))
        title = (plain(petition.action) if petition else "") or f"petition {pid}"
        specs.append(FeedSpec(f"petitions/{slug(pid)}", f"govwatch: {title}", "Petitions",
                              f"Events of the petition {pid}.", petition=pid, watches=watches or None,
                              page=petition.url if petition else None,
                              aliases=tuple(f"watches/{slug(w)}" for w in watches)))  # fmt: skip
    return _unique_aliases(_unique_paths(specs))


def _unique_paths(specs: list[FeedSpec]) -> list[FeedSpec]:
    seen: set[str] = set()
    out = []
    for spec in specs:
        if spec.path in seen:  # two odd names slugged alike: the later one gets its own hash
            spec = FeedSpec(**(vars(spec) | {"path": f"{spec.path}-{_hash(spec.title + spec.description)}"}))
        seen.add(spec.path)
        out.append(spec)
    return out


def _unique_aliases(specs: list[FeedSpec]) -> list[FeedSpec]:
    """Drop an alias that another feed's path (or an earlier alias) already takes."""
    taken = {spec.path for spec in specs}
    out = []
    for spec in specs:
        if spec.aliases:
            aliases = tuple(a for a in dict.fromkeys(spec.aliases) if a not in taken)
            taken.update(aliases)
            spec = FeedSpec(**(vars(spec) | {"aliases": aliases}))
        out.append(spec)
    return out


# ---------------------------------------------------------------- one feed


def tag_uri(key: str) -> str:
    """Return the stable ``tag:`` URI of an event key or a feed path."""
    return TAG_PREFIX + quote(key, safe="/:@!$&'()*+,;=-._~")


def feed_url(settings: Settings, spec: FeedSpec, fmt: str) -> str:
    """Return where subscribers fetch a feed."""
    return f"{settings.feeds_url}{spec.path}.{fmt}"


def _moment(text: str | None, fallback: str) -> datetime:
    try:
        return parse_iso(text or fallback)
    except ValueError:
        return parse_iso(fallback)


class FeedRenderer:
    """Render the feeds of one database; an event in several feeds is rendered once.

    An entry's Atom and RSS elements are built once too and moved into each feed that holds
    it (a feed is serialized before the next one takes them). Threshold charts are drawn
    once, and kept in `charts` for the publisher to write; without `redraw`, a chart
    already in feeds_dir is reused (it shows the curve up to its event, which never changes).
    """

    def __init__(self, db: Database, settings: Settings, *, redraw: bool = True):
        self.db, self.settings, self.redraw = db, settings, redraw
        self.charts: dict[str, bytes] = {}  # path in feeds_dir -> SVG
        self._chart_urls: dict[str, str | None] = {}
        self._entries: dict[str, _Entry] = {}

    def documents(self, spec: FeedSpec, quiet_since: str) -> dict[str, bytes]:
        """Return the feed's Atom and RSS documents, by format."""
        events = queries.feed_events(self.db, kind=spec.kind, petition=spec.petition, watches=spec.watches,
                                     limit=self.settings.feed_entries)  # fmt: skip
        fg = FeedGenerator()
        fg.id(tag_uri(f"feed/{spec.path}"))
        fg.title(plain(spec.title))
        fg.subtitle(plain(spec.description))
        fg.author(name="govwatch")
        fg.generator("govwatch")
        fg.language("en")
        updated = _moment(events[0].detected_at if events else quiet_since, EPOCH)
        fg.updated(updated)
        fg.lastBuildDate(updated)
        for event in events:
            fg.add_entry(self._entry(event), order="append")
        page = spec.page or f"{self.settings.feeds_url}index.html"
        out = {}
        for fmt, media_type in FORMATS.items():
            # RSS takes its <link> from the last link: the page; the self link becomes <atom:link rel="self">.
            fg.link([{"href": feed_url(self.settings, spec, fmt), "rel": "self", "type": media_type},
                     {"href": page, "rel": "alternate", "type": "text/html"}], replace=True)  # fmt: skip
            out[fmt] = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
        return out

    def _entry(self, event: Event) -> _Entry:
        entry = self._entries.get(event.key)
        if entry is not None:
            return entry
        rendered = render(event, Context(chart_url=self._chart(event)))
        entry = self._entries[event.key] = _Entry()
        entry.id(tag_uri(event.key))
        entry.guid(tag_uri(event.key), permalink=False)
        entry.title(rendered.title)
        entry.content(rendered.html, type="html")
        if rendered.link:
            entry.link(href=rendered.link, rel="alternate", type="text/html")
        entry.category(term=event.kind, label=kind_label(event.kind))
        entry.updated(_moment(event.detected_at, EPOCH))
        entry.published(_moment(event.occurred_at, event.detected_at or EPOCH))
        return entry

    def _chart(self, event: Event) -> str | None:
        """Draw (once) the curve up to a threshold event; return its URL."""
        if event.kind not in ("threshold_crossed", "threshold_approaching") or not event.petition_id:
            return None
        name = f"charts/{hashlib.sha1(event.key.encode()).hexdigest()[:16]}.svg"
        if event.key not in self._chart_urls and not self.redraw and (self.settings.feeds_dir / name).exists():
            self._chart_urls[event.key] = f"{self.settings.feeds_url}{name}"
        if event.key not in self._chart_urls:
            points = [
                (p["observed_at"], p["signature_count"])
                for p in queries.signature_curve(self.db, event.petition_id, until=event.detected_at)
            ]
            threshold = event.data.get("threshold")
            svg = signature_svg(points, threshold if isinstance(threshold, int) else None)
            if svg is not None:
                self.charts[name] = svg.encode()
            self._chart_urls[event.key] = f"{self.settings.feeds_url}{name}" if svg is not None else None
        return self._chart_urls[event.key]


class _Entry(FeedEntry):
    """A feed entry whose Atom and RSS elements are built once, however many feeds hold it."""

    def __init__(self) -> None:
        super().__init__()
        self._atom: etree._Element | None = None
        self._rss: etree._Element | None = None

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        """Return the entry's Atom element (the same one each time)."""
        if self._atom is None:
            self._atom = super().atom_entry(extensions)
        return self._atom

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        """Return the entry's RSS item (the same one each time)."""
        if self._rss is None:
            self._rss = super().rss_entry(extensions)
        return self._rss
