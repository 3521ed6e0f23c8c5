"""Read queries used by the planner, the CLI, feeds and alerts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from monitor.errors import NotFound
from monitor.items import CountState, Event


@dataclass(frozen=True, slots=True)
class WatchStatus:
    """A watch as the database knows it: where it points and how its polls went."""

    id: str
    kind: str
    url: str
    active: bool
    gone: bool
    last_checked_at: str | None
    last_outcome: str | None
    last_error: str | None
    last_success_at: str | None
    failures: int
    next_due_at: str | None
    fresh_until: str | None
    last_modified: str | None
    last_modified_fetched_at: str | None
    count_last_modified: str | None
    count_last_modified_fetched_at: str | None
    last_full_at: str | None
    sweeps_completed: int


def watch_statuses(db: Database, ids: Iterable[str] | None = None) -> dict[str, WatchStatus]:
    """Return the status of the watches `ids` (default: every watch), by id."""
    names = WatchStatus.__dataclass_fields__
    sql = f"SELECT {', '.join(names)} FROM watches"
    if ids is None:
        rows = db.query(sql + " ORDER BY id")
    else:
        rows = db.query(sql + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", [json.dumps(list(ids))])
    return {r["id"]: WatchStatus(**(r | {"active": bool(r["active"]), "gone": bool(r["gone"])})) for r in rows}


@dataclass(frozen=True, slots=True)
class PetitionBrief:
    """What the planner needs of a stored petition."""

    state: str | None
    archived: bool
    closing_date: str | None
    count: CountState


def index_page_hashes(db: Database, watch_id: str) -> tuple[tuple[str, str], ...]:
    """Return (URL, body hash) of the index pages a sweep recorded (`store.record`), for its next pass."""
    return tuple(db.conn.execute("SELECT url, hash FROM index_pages WHERE watch_id = ?", [watch_id]).fetchall())


def petition_briefs(db: Database, ids: Iterable[str] | None = None) -> dict[str, PetitionBrief]:
    """Return the state, closing date and count document of the petitions `ids` (default: every one stored)."""
    sql = ("SELECT id, state, archived, closing_date, signature_count, response_threshold_reached_at,"
           " government_response_at, debate_threshold_reached_at, scheduled_debate_date, debate_outcome_at"
           " FROM petitions")  # fmt: skip
    if ids is None:
        rows = db.query(sql)
    else:
        rows = db.query(sql + " WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))])
    return {
        r["id"]: PetitionBrief(
            state=r["state"], archived=bool(r["archived"]), closing_date=r["closing_date"],
            count=CountState(
                signature_count=r["signature_count"],
                response_threshold_reached_at=r["response_threshold_reached_at"],
                government_response_at=r["government_response_at"],
                debate_threshold_reached_at=r["debate_threshold_reached_at"],
                scheduled_debate_date=r["scheduled_debate_date"],
                debate_outcome_at=r["debate_outcome_at"],
            ),
        )  # fmt: skip
        for r in rows
    }


def event_from_row(row: dict[str, Any]) -> Event:
    """Build an Event from a row of the events table."""
    return Event(
        key=row["key"], kind=row["kind"], watch_id=row["watch_id"], title=row["title"],
        summary=row["summary"], url=row["url"], occurred_at=row["occurred_at"],
        detected_at=row["detected_at"], petition_id=row["petition_id"], data=json.loads(row["data"]),
    )  # fmt: skip


def events(db: Database, *, since: str | None = None, kind: str | None = None,
           watch: str | None = None, petition: str | None = None, limit: int | None = None) -> list[Event]:
    """Return events, newest detection first, filtered by time, kind, watch or petition."""
    where, args = [], []
    for column, op, value in (("detected_at", ">=", since), ("kind", "=", kind),
                              ("watch_id", "=", watch), ("petition_id", "=", petition)):  # fmt: skip
        if value is not None:
            where.append(f"{column} {op} ?")
            args.append(value)
    sql = "SELECT * FROM events" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY detected_at DESC, id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [event_from_row(r) for r in db.query(sql, args)]


def resolve_petition(db: Database, name: str) -> dict[str, Any]:
    """Find a stored petition by id ("host/number"), number or URL; raise NotFound."""
    text = name.strip().rstrip("/").removesuffix(".json")
    number = text.rsplit("/", 1)[-1]
    candidates = list(db.query("SELECT * FROM petitions WHERE id = ? OR url = ?", [text, text]))
    if not candidates and number.isdigit():
        candidates = list(db.query("SELECT * FROM petitions WHERE number = ?", [int(number)]))
    if not candidates:
        raise NotFound(f"no stored petition matches {name!r}",
                       hint="run `govwatch check` first, or see `govwatch watches`")  # fmt: skip
    if len(candidates) > 1:
        ids = ", ".join(c["id"] for c in candidates)
        raise NotFound(f"{name!r} matches several petitions: {ids}", hint="give the full id")
    return candidates[0]


def signature_curve(db: Database, petition_id: str, until: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield (observed_at, signature_count) points of a petition, oldest first (up to `until`)."""
    yield from db.query(
        "SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ?"
        + (" AND observed_at <= ?" if until else "") + " ORDER BY observed_at",
        [petition_id] + ([until] if until else []),
    )


def snapshots(db: Database, petition_id: str) -> list[dict[str, Any]]:
    """Return a petition's snapshots (observed_at, hash, content as a dict), oldest first."""
    rows = db.query(
        "SELECT id, observed_at, hash, content FROM petition_snapshots WHERE petition_id = ? ORDER BY id",
        [petition_id],
    )
    return [r | {"content": json.loads(r["content"])} for r in rows]


# ---------------------------------------------------------------- feeds


def feed_events(db: Database, *, kind: str | None = None, petition: str | None = None,
                watches: Sequence[str] | None = None, limit: int = 100) -> list[Event]:
    """Return a feed's newest events: all, one kind, one petition, or those of some watches.

    With both `petition` and `watches`: the petition's events and the watches' own ones.
    A watch's events are its own and those of every petition it follows (a petition
    watched twice has its events stored once, under the first watch that saw them).
    """
    where, args = [], []
    if kind is not None:
        where.append("kind = ?")
        args.append(kind)
    if petition is not None and watches:  # a petition's feed, which is its [[petition]] watches' feed too
        marks = ", ".join("?" * len(watches))
        where.append(f"(petition_id = ? OR watch_id IN ({marks}))")
        args += [petition, *watches]
    elif petition is not None:
        where.append("petition_id = ?")
        args.append(petition)
    elif watches is not None:
        marks = ", ".join("?" * len(watches))
        where.append(f"(watch_id IN ({marks}) OR petition_id IN"
                     f" (SELECT petition_id FROM watch_petitions WHERE watch_id IN ({marks})))")  # fmt: skip
        args += [*watches, *watches]
    sql = "SELECT * FROM events" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY detected_at DESC, id DESC LIMIT ?"
    return [event_from_row(r) for r in db.query(sql, [*args, int(limit)])]


@dataclass(frozen=True, slots=True)
class NewEvents:
    """What events stored after a given id touch: to rewrite only the feeds that changed."""

    last_id: int
    kinds: frozenset[str]
    petitions: frozenset[str]
    watches: frozenset[str]  # the events' watches and every watch following their petitions


def new_events(db: Database, after_id: int) -> NewEvents:
    """Return the kinds, petitions and watches of the events stored after `after_id`."""
    rows = list(db.query("SELECT id, kind, watch_id, petition_id FROM events WHERE id > ?", [after_id]))
    petitions = frozenset(r["petition_id"] for r in rows if r["petition_id"])
    followers = set()
    if petitions:
        marks = ", ".join("?" * len(petitions))
        followers = {r["watch_id"] for r in db.query(
            f"SELECT watch_id FROM watch_petitions WHERE petition_id IN ({marks})", list(petitions))}  # fmt: skip
    return NewEvents(
        last_id=max((r["id"] for r in rows), default=after_id),
        kinds=frozenset(r["kind"] for r in rows),
        petitions=petitions,
        watches=frozenset({r["watch_id"] for r in rows} | followers),
    )


def last_event_id(db: Database) -> int:
    """Return the id of the newest stored event (0 when there is none)."""
    return next(db.query("SELECT coalesce(max(id), 0) AS id FROM events"))["id"]


def event_kinds(db: Database) -> list[str]:
    """Return the kinds of the stored events."""
    return [r["kind"] for r in db.query("SELECT DISTINCT kind FROM events ORDER BY kind")]


@dataclass(frozen=True, slots=True)
class FeedPetition:
    """A petition that has its own feed: it has events, or a [[petition]] watch follows it."""

    id: str
    action: str | None
    url: str


def feed_petitions(db: Database) -> list[FeedPetition]:
    """Return the petitions that have events or are followed by a petition watch."""
    rows = db.query(
        "SELECT id, action, url FROM petitions WHERE id IN (SELECT petition_id FROM events)"
        " OR id IN (SELECT wp.petition_id FROM watch_petitions wp JOIN watches w ON w.id = wp.watch_id"
        " WHERE w.kind = 'petition') ORDER BY id"
    )
    return [FeedPetition(**r) for r in rows]


def first_watch_added_at(db: Database) -> str | None:
    """Return when the first watch was added (the date of a feed without entries)."""
    return next(db.query("SELECT min(added_at) AS at FROM watches"))["at"]


def recent_rates(db: Database, petition_ids: list[str], *, since: str, now: str) -> dict[str, float]:
    """Return signatures per second since `since` (to `now`, so a stalled petition slows down)."""
    from monitor.clock import parse_iso

    rows = db.conn.execute(
        "SELECT petition_id, observed_at, signature_count FROM signature_counts"
        " WHERE petition_id IN (SELECT value FROM json_each(?)) AND observed_at >= ?"
        " ORDER BY petition_id, observed_at", [json.dumps(list(petition_ids)), since])  # fmt: skip
    rates: dict[str, float] = {}
    for pid, group in groupby(rows, key=itemgetter(0)):
        points = list(group)
        if len(points) < 2:
            continue
        seconds = (parse_iso(now) - parse_iso(points[0][1])).total_seconds()
        if seconds > 0:
            rates[pid] = (points[-1][2] - points[0][2]) / seconds
    return rates


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The last sign of life of `govwatch run`."""

    pid: int
    started_at: str
    heartbeat_at: str
    stopped_at: str | None
    watchlist: str
    crawls: int
    last_crawl: str | None


def heartbeat(db: Database) -> Heartbeat | None:
    """Return the daemon's heartbeat row, or None if `govwatch run` never ran on this database."""
    row = next(db.query("SELECT * FROM daemon WHERE id = 1"), None)
    return Heartbeat(**{k: v for k, v in row.items() if k != "id"}) if row else None
