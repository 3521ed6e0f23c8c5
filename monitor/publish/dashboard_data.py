"""What the dashboard and its pages show, read from the database as values.

The response state (answered after N days / waiting N days / overdue by N
days), the next threshold and its estimated date, the failing watches and the
latest events. Bounded: the dashboard lists every petition a ``[[petition]]``
watches and the sweeps' most recently moving ones, up to `MAX_PETITIONS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.clock import iso, parse_iso
from monitor.watchlist.config import Config, PetitionWatch, Settings
from monitor.publish.feeds import slug
from monitor.items import Event
from monitor.petition_state import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from store import queries

MAX_PETITIONS = 100  # petitions on the dashboard (and pages written): a sweep may follow thousands
MAX_EVENTS = 30
MAX_CURVE_POINTS = 1000  # a chart 960 px wide shows no more; a longer curve is thinned
SPARK_POINTS = 60
RATE_WINDOW = timedelta(days=7)
DEFAULT_RESPONSE_DUE = timedelta(days=21)


def response_due(settings: Settings) -> timedelta:
    """Return how long after the response threshold the government's answer is due.

    `[govwatch] response_due` when the watchlist has it (seconds, as every duration
    setting), else 21 days.
    """
    value = getattr(settings, "response_due", None)
    if value is None:
        return DEFAULT_RESPONSE_DUE
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


@dataclass(frozen=True)
class ResponseState:
    """Where a petition stands with the government's response."""

    state: str  # "answered", "waiting", "overdue" or "not_due"
    days: int | None = None
    due_at: str | None = None

    def text(self) -> str:
        """Return the phrase shown: "answered after 12 days", "waiting 3 days", "overdue by 4 days"."""
        days = f"{self.days} day{'s' if self.days != 1 else ''}" if self.days is not None else ""
        return {
            "answered": f"answered after {days}" if days else "answered",
            "waiting": f"waiting {days}",
            "overdue": f"overdue by {days}",
        }.get(self.state, "not due")


def response_state(threshold_at: str | None, response_at: str | None, now: datetime,
                   due: timedelta) -> ResponseState:  # fmt: skip
    """Tell whether a petition was answered (and how fast), waits for an answer, or is overdue."""
    if response_at:
        if not threshold_at:
            return ResponseState("answered")
        return ResponseState("answered", max(0, (parse_iso(response_at) - parse_iso(threshold_at)).days))
    if not threshold_at:
        return ResponseState("not_due")
    reached, due_at = parse_iso(threshold_at), parse_iso(threshold_at) + due
    if now > due_at:
        return ResponseState("overdue", (now - due_at).days, iso(due_at))
    return ResponseState("waiting", (now - reached).days, iso(due_at))


@dataclass(frozen=True)
class PetitionView:
    """One petition as the dashboard and its page show it."""

    id: str
    number: int
    url: str  # its page on the site
    action: str
    state: str
    count: int
    thresholds: tuple[int, ...]
    response: ResponseState
    next_threshold: int | None
    estimated_at: str | None  # when the next threshold is reached at the recent rate
    rate_per_day: float | None
    threshold_at: str | None
    response_at: str | None
    closing_date: str | None
    points: tuple[tuple[str, int], ...] = ()  # thinned for a sparkline
    fingerprint: str = ""  # what its page shows changes when this does
    page: str = ""  # its page in feeds_dir, e.g. "petitions/petition.parliament.uk/221342.html"
    feed: str = ""  # its feed path without extension


@dataclass(frozen=True)
class FailingWatch:
    """A watch whose last poll failed (or whose petition is gone)."""

    id: str
    kind: str
    url: str
    failures: int
    last_error: str
    last_checked_at: str | None
    gone: bool


@dataclass
class Dashboard:
    """Everything the dashboard shows."""

    generated_for: str  # the day it speaks of ("waiting N days" moves daily)
    failing: list[FailingWatch] = field(default_factory=list)
    petitions: list[PetitionView] = field(default_factory=list)
    more_petitions: int = 0
    pages: list[dict] = field(default_factory=list)
    events: list[tuple[int, Event]] = field(default_factory=list)


def petition_page(petition_id: str) -> str:
    """Return a petition's page path in feeds_dir (beside its feed)."""
    return f"petitions/{slug(petition_id)}.html"


def watch_page(watch_id: str) -> str:
    """Return a page watch's page path in feeds_dir (beside its feed)."""
    return f"watches/{slug(watch_id)}.html"


def failing_watches(config: Config, db: Database) -> list[FailingWatch]:
    """Return the watchlist's watches whose last poll failed, the longest failing first."""
    statuses = queries.watch_statuses(db)
    out = []
    for watch in config.watches:
        s = statuses.get(watch.id)
        if s is not None and (s.failures > 0 or s.gone):
            out.append(FailingWatch(watch.id, watch.kind, watch.url, s.failures,
                                    s.last_error or ("the petition is gone (404/410)" if s.gone else "unknown error"),
                                    s.last_checked_at, s.gone))  # fmt: skip
    return sorted(out, key=lambda f: (-f.failures, f.id))


def _chosen_petitions(config: Config, db: Database) -> tuple[list[str], int]:
    """Return the ids of petitions to show (petition watches first) and how many more the sweeps follow."""
    ids = [w.id for w in config.watches]
    watched = [r["petition_id"] for r in db.query(
        "SELECT wp.petition_id FROM watch_petitions wp JOIN watches w ON w.id = wp.watch_id"
        " WHERE w.kind = 'petition' AND w.id IN (SELECT value FROM json_each(?)) ORDER BY wp.first_seen_at",
        [json.dumps(ids)])]  # fmt: skip
    room = max(0, MAX_PETITIONS - len(watched))
    swept = [r["petition_id"] for r in db.query(
        "SELECT DISTINCT wp.petition_id FROM watch_petitions wp JOIN petitions p ON p.id = wp.petition_id"
        " WHERE wp.watch_id IN (SELECT value FROM json_each(?)) AND wp.petition_id NOT IN"
        " (SELECT value FROM json_each(?)) ORDER BY p.count_changed_at DESC, p.id LIMIT ?",
        [json.dumps(ids), json.dumps(watched), room + 1])]  # fmt: skip
    total = next(db.query("SELECT count(DISTINCT petition_id) AS n FROM watch_petitions"
                          " WHERE watch_id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]))["n"]  # fmt: skip
    chosen = list(dict.fromkeys(watched + swept[:room]))[:MAX_PETITIONS]
    return chosen, max(0, total - len(chosen))


def curve(db: Database, petition_id: str, limit: int = MAX_CURVE_POINTS) -> tuple[tuple[str, int], ...]:
    """Return a petition's (time, count) points, oldest first: all of them, or `limit` samples evenly in time.

    A sample is the count in force at its moment, found through the primary key, so a
    curve of 100,000 counts costs `limit` index lookups, not a read of every row.
    """
    first, last, total = db.conn.execute(
        "SELECT min(observed_at), max(observed_at), count(*) FROM signature_counts WHERE petition_id = ?",
        [petition_id]).fetchone()  # fmt: skip
    if total <= limit:
        rows = db.conn.execute("SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ?"
                               " ORDER BY observed_at", [petition_id])  # fmt: skip
        return tuple((at, count) for at, count in rows)
    start, end = parse_iso(first), parse_iso(last)
    moments = [iso(start + (end - start) * i / (limit - 1)) for i in range(limit - 1)] + [last]
    rows = db.conn.execute(
        "SELECT j.value, (SELECT c.signature_count FROM signature_counts c WHERE c.petition_id = ?"
        " AND c.observed_at <= j.value ORDER BY c.observed_at DESC LIMIT 1) FROM json_each(?) j ORDER BY j.key",
        [petition_id, json.dumps(moments)])  # fmt: skip
    return tuple((at, count) for at, count in rows if count is not None)


# The sparklines of the last dashboard, by petition and the time its count last moved: `govwatch run`
# rewrites the dashboard after every crawl, and most curves have not moved since the last one.
_SPARKS: dict[tuple[str, str, str], tuple[tuple[str, int], ...]] = {}
_SPARKS_KEPT = 1000


def _spark(db: Database, petition_id: str, count_changed_at: str) -> tuple[tuple[str, int], ...]:
    key = (str(db.conn.execute("PRAGMA database_list").fetchone()[2]), petition_id, count_changed_at)
    points = _SPARKS.get(key)
    if points is None:
        if len(_SPARKS) >= _SPARKS_KEPT:
            _SPARKS.clear()
        points = _SPARKS[key] = curve(db, petition_id, SPARK_POINTS)
    return points


def _thresholds(row: dict, extra: tuple[int, ...]) -> tuple[int, ...]:
    response_at, debate_at = RESPONSE_THRESHOLD, DEBATE_THRESHOLD
    try:
        parliament = json.loads(row["parliament"]) if row["parliament"] else None
    except ValueError:
        parliament = None
    if isinstance(parliament, dict):
        response_at = parliament.get("response_threshold") or response_at
        debate_at = parliament.get("debate_threshold") or debate_at
    return tuple(sorted({response_at, debate_at, *extra}))


def petition_views(config: Config, db: Database, ids: list[str], now: datetime) -> list[PetitionView]:
    """Return the petitions with `ids` as views (missing ones left out), in the order given."""
    extra: dict[str, tuple[int, ...]] = {}
    for w in config.watches:
        if isinstance(w, PetitionWatch):
            extra[f"{urlsplit(w.site).netloc}/{w.number}"] = w.thresholds
    rows = {r["id"]: r for r in db.query("SELECT * FROM petitions WHERE id IN (SELECT value FROM json_each(?))",
                                         [json.dumps(ids)])}  # fmt: skip
    rates = queries.recent_rates(db, list(rows), since=iso(now - RATE_WINDOW), now=iso(now))
    due = response_due(config.settings)
    last_events = {r[0]: r[1] for r in db.conn.execute(
        "SELECT petition_id, max(id) FROM events WHERE petition_id IN (SELECT value FROM json_each(?))"
        " GROUP BY petition_id", [json.dumps(ids)])}  # fmt: skip
    views = []
    for pid in ids:
        row = rows.get(pid)
        if row is None:
            continue
        thresholds = _thresholds(row, extra.get(pid, ()))
        count = row["signature_count"]
        upcoming = next((t for t in thresholds if t > count), None)
        rate = rates.get(pid)
        estimated = None
        if upcoming and rate and rate > 0 and row["state"] == "open":
            estimated = iso(now + timedelta(seconds=(upcoming - count) / rate))
        views.append(PetitionView(
            id=pid, number=row["number"], url=_site_page(row), action=row["action"] or f"Petition {pid}",
            state=row["state"] or "unknown", count=count, thresholds=thresholds,
            response=response_state(row["response_threshold_reached_at"], row["government_response_at"], now, due),
            next_threshold=upcoming, estimated_at=estimated, rate_per_day=rate * 86400 if rate else None,
            threshold_at=row["response_threshold_reached_at"], response_at=row["government_response_at"],
            closing_date=row["closing_date"], points=_spark(db, pid, row["count_changed_at"]), page=petition_page(pid),
            feed=f"petitions/{slug(pid)}",
            fingerprint="|".join(str(v) for v in (row["changed_at"], row["count_changed_at"], count,
                                                  last_events.get(pid), now.date(), (estimated or "")[:10])),
        ))  # fmt: skip
    return views


def _site_page(row: dict) -> str:
    return row["url"].removesuffix(".json")


_URGENCY = {"overdue": 0, "waiting": 1, "not_due": 2, "answered": 3}


def gather(config: Config, db: Database, now: datetime) -> Dashboard:
    """Read everything the dashboard shows."""
    chosen, more = _chosen_petitions(config, db)
    petitions = sorted(petition_views(config, db, chosen, now),
                       key=lambda p: (_URGENCY[p.response.state], -p.count))  # fmt: skip
    page_ids = [w.id for w in config.watches if w.kind == "page"]
    pages = list(db.query("SELECT watch_id, url, title, count, changed_at FROM pages"
                          " WHERE watch_id IN (SELECT value FROM json_each(?)) ORDER BY watch_id",
                          [json.dumps(page_ids)]))  # fmt: skip
    rows = db.query(f"SELECT * FROM events ORDER BY detected_at DESC, id DESC LIMIT {MAX_EVENTS}")
    events = [(r["id"], queries.event_from_row(r)) for r in rows]
    return Dashboard(generated_for=now.date().isoformat(), failing=failing_watches(config, db),
                     petitions=petitions, more_petitions=more, pages=pages, events=events)  # fmt: skip
