"""Read a petition's recent count points for its ETA (monitor.detect.eta) and store the `threshold_approaching` event.

The recorder calls `approaching` whenever a petition's count moves; `status`,
`history` and the feeds call `petition_eta` to show the ETA of an open petition.
"""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from monitor.clock import iso, parse_iso
from monitor.watchlist.config import Config, Watch
from monitor.detect.eta import Eta, Point, approaching_event, projection
from monitor.items import Event, PetitionState


def count_points(db: Database, petition_id: str, *, since: str) -> list[Point]:
    """Return a petition's count points since `since`, oldest first."""
    rows = db.conn.execute(
        "SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ? AND observed_at >= ?"
        " ORDER BY observed_at", [petition_id, since])  # fmt: skip
    return [(at, count) for at, count in rows]


def petition_eta(db: Database, config: Config, state: PetitionState, *, at: str,
                 watch: Watch | None = None) -> Eta | None:  # fmt: skip
    """Return the ETA of a petition's next threshold from its count points of the last `rate_window` before `at`."""
    if state.state != "open" or state.archived:
        return None
    since = iso(parse_iso(at) - timedelta(seconds=config.settings.rate_window))
    return projection(state, count_points(db, state.key, since=since), watch)


def approaching(db: Database, config: Config, watch: Watch, state: PetitionState, at: str,
                events: list[Event]) -> list[Event]:  # fmt: skip
    """Return the `threshold_approaching` event a count change at `at` causes, if any (the store keeps one per key).

    The petition's other `events` of this change get the ETA too (`data["eta"]`), so its feed entries show it.
    """
    if state.state != "open" or state.archived:
        return []
    eta = petition_eta(db, config, state, at=at, watch=watch)
    if eta is None:
        return []
    for event in events:
        if event.petition_id == state.key:
            event.data["eta"] = eta_data(eta)
    event = approaching_event(state, watch, eta, now=at, within=config.settings.approaching_within)
    return [event] if event else []


def eta_data(eta: Eta) -> dict[str, object]:
    """Return an ETA as event data (and JSON for `govwatch history --json`)."""
    return {"threshold": eta.threshold, "at": eta.at, "rate_per_hour": round(eta.rate, 1),
            "before_close": eta.before_close, "closes_at": eta.closes_at, "line": eta.line()}  # fmt: skip


def petition_etas(db: Database, config: Config, petition_ids: list[str], *, at: str) -> dict[str, Eta]:
    """Return the ETA of each of these petitions that is open and climbing, by petition id."""
    from store.petitions import PetitionStore

    petitions, etas = PetitionStore(db), {}
    for pid in petition_ids:
        state = petitions.state(pid)
        if state is not None and (eta := petition_eta(db, config, state, at=at)) is not None:
            etas[pid] = eta
    return etas
