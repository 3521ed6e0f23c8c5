"""Responses falling due while nothing changes: one `response_overdue` event per petition, from the store.

The scheduler calls `record_overdue` on every tick (and each crawl at its end):
it finds the watched petitions past their response threshold with no response
whose `response_due` has passed, and stores their event through the recorder
(so alerts are queued in the same transaction). The event's key is unique, so
a restart or a second process never stores it twice. An event is given only
once govwatch has looked at the petition after it fell due (the watch's last
successful poll), so a response published in time but not yet polled is never
called late. A sweep's petitions that were overdue before the sweep first saw
them are history (Datasette's `awaiting_response`), not news.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace

from sqlite_utils import Database

from monitor.clock import now_iso
from monitor.watchlist.config import Config, Watch
from monitor.detect.deadlines import overdue_event, response_due_at, timing
from monitor.items import Event, PetitionState, petition_from_jsonable, petition_key
from monitor.jsonable import dumps, loads
from store.db import open_db

# States in which no response is awaited (also in Datasette's awaiting_response query).
NOT_AWAITED = ("rejected", "hidden", "removed")

_AWAITING = f"""
SELECT p.id, p.signature_count, s.content, wp.watch_id, wp.first_seen_at, w.last_success_at
FROM petitions p
JOIN petition_snapshots s ON s.id = p.snapshot_id
JOIN watch_petitions wp ON wp.petition_id = p.id
JOIN watches w ON w.id = wp.watch_id
WHERE wp.watch_id IN (SELECT value FROM json_each(:watches))
  AND p.response_threshold_reached_at IS NOT NULL AND p.government_response_at IS NULL
  AND p.response_summary IS NULL AND coalesce(p.state, '') NOT IN {NOT_AWAITED!r}
  AND julianday(p.response_threshold_reached_at) + :min_due <= julianday(:at)
  AND NOT (w.kind = 'sweep' AND julianday(wp.first_seen_at) > julianday(p.response_threshold_reached_at) + :max_due)
  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.key = 'petition/' || p.id || '/response_overdue')
ORDER BY p.id
"""


def overdue_events(db: Database, config: Config, at: str) -> list[Event]:
    """Return the `response_overdue` events due by `at` that are not stored yet (at most one per petition)."""
    watches = {w.id: (i, w) for i, w in enumerate(config.watches)}
    found: dict[str, tuple[int, Event]] = {}
    dues = [w.response_due / 86_400 for w in config.watches] or [config.settings.response_due / 86_400]
    # in SQL, what no watch's response_due can make news (not due yet, or history before a sweep saw it)
    # only the watchlist's watches: a database keeps the petitions of watches no longer listed
    params = {"at": at, "min_due": min(dues), "max_due": max(dues), "watches": dumps(list(watches))}
    for row in db.query(_AWAITING, params):
        order, watch = watches[row["watch_id"]]
        state = replace(petition_from_jsonable(loads(row["content"])), signature_count=row["signature_count"])
        when = timing(state, watch.response_due)
        if when is None or when.due_at > at or not row["last_success_at"] or row["last_success_at"] < when.due_at:
            continue  # not due yet, or not looked at since it fell due
        if watch.kind == "sweep" and when.due_at < row["first_seen_at"]:
            continue  # overdue before this sweep first saw it: history, not news
        if row["id"] not in found or order < found[row["id"]][0]:
            found[row["id"]] = (order, overdue_event(state, watch, when))  # the first watch in the watchlist wins
    return [event for _, event in found.values()]


def overdue_on_sight(db: Database, earlier: tuple[str, ...], watch: Watch, state: PetitionState,
                     at: str) -> list[Event]:  # fmt: skip
    """Return the `response_overdue` event of a petition a poll at `at` finds awaiting a response past due.

    The scheduler's pass (`overdue_events`) would store the same event after the crawl; given here,
    it joins the poll's own events (one feed update, not two, for a first check of thousands of
    petitions). Only for a `[[petition]]` watch, and only when no watch listed before it
    (`earlier`, see `watches_before`) holds the petition, as the pass decides; the event's key
    keeps it unique.
    """
    if watch.kind != "petition" or state.government_response is not None or state.government_response_at:
        return []
    if state.state in NOT_AWAITED:
        return []
    when = timing(state, watch.response_due)
    if when is None or when.due_at > at:
        return []
    if earlier and db.conn.execute(
        "SELECT 1 FROM watch_petitions WHERE petition_id = ? AND watch_id IN (SELECT value FROM json_each(?))",
        [state.key, dumps(earlier)],
    ).fetchone():  # fmt: skip
        return []
    return [overdue_event(state, watch, when)]


def watches_before(config: Config) -> dict[str, tuple[str, ...]]:
    """Return, for each `[[petition]]` watch, the watches listed before it that may hold its petition."""
    before: dict[str, tuple[str, ...]] = {}
    lists: tuple[str, ...] = ()  # sweeps and trending watches so far: they may hold any petition
    same: dict[str, tuple[str, ...]] = {}  # petition id -> its [[petition]] watches so far
    for watch in config.watches:
        if watch.kind == "petition":
            key = petition_key(watch.site, watch.number)
            before[watch.id] = lists + same.get(key, ())
            same[key] = same.get(key, ()) + (watch.id,)
        elif watch.kind in ("sweep", "trending"):
            lists += (watch.id,)
    return before


def record_overdue(config: Config, at: str | None = None, *, db: Database | None = None) -> list[Event]:
    """Store the `response_overdue` events that fell due by `at` (now); return the new ones.

    On the caller's connection `db` if given, else on one of its own.
    """
    if db is None:
        with closing(open_db(config.settings.database)) as own:
            return record_overdue(config, at, db=own)
    from store.outbox import outbox_hook
    from store.record import Recorder

    at = at or now_iso()
    events = overdue_events(db, config, at)
    if not events:
        return []
    return Recorder(db, config, hooks=[outbox_hook(config)]).store_events(events, at)


def responses_falling_due(db: Database, config: Config, petition_ids: list[str]) -> dict[str, str]:
    """Return when each of these petitions' awaited response falls due (for a look right then), by petition id."""
    if not petition_ids:
        return {}
    due = {w.id: w.response_due for w in config.watches}
    rows = db.query(
        "SELECT p.id, p.response_threshold_reached_at AS crossed, min(wp.watch_id) AS watch_id FROM petitions p"
        " JOIN watch_petitions wp ON wp.petition_id = p.id"
        " WHERE p.id IN (SELECT value FROM json_each(?)) AND p.response_threshold_reached_at IS NOT NULL"
        " AND p.government_response_at IS NULL AND p.response_summary IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.key = 'petition/' || p.id || '/response_overdue')"
        " GROUP BY p.id", [dumps(petition_ids)],
    )  # fmt: skip
    return {r["id"]: response_due_at(r["crossed"], due.get(r["watch_id"], config.settings.response_due)) for r in rows}
