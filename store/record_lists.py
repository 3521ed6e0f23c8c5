"""Record what the site's lists say of petitions: trending petitions and the with_response index.

- A ``[[trending]]`` watch stores each listed petition's count (its curve goes
  on) and makes one `petition_trending` event per petition per day. A petition
  govwatch had not stored arrives with its own detail document first: its state
  is stored silently (a trending list is not a reason to backfill its history).
- A "responses" pass walks the ``with_response`` index; an entry of a watched
  petition whose content differs from the stored one (a response edited while
  the count also moved, which count.json cannot tell) is recorded under that
  petition's own watch, with its events, as a full fetch would have been.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from monitor.clock import parse_iso
from monitor.watchlist.config import PetitionWatch, Watch
from monitor.items import Event, Observation, TrendingEntry, petition_key

if TYPE_CHECKING:
    from store.record import Recorder

TRENDING_KIND = "petition_trending"
TRENDING_HELP = "A petition entered the site's trending list (once a petition a day), with its last-hour signatures."


def record_trending(recorder: Recorder, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
    """Store the counts of /trending.json's petitions (or a first-seen one's state) and their events."""
    if obs.kind == "petition":  # a trending petition seen for the first time
        if obs.petition is None:  # gone, redirected...: nothing to store; the next list tries again
            recorder._observe(obs, "unchanged")
            return "unchanged", []
        new = obs.petition
        _, content_hash = recorder._previous(new)
        recorder.petitions.write(new, obs.fetched_at, content_hash, obs.entry_hash)
        if obs.details is not None:
            recorder.petitions.write_details(new.key, obs.details, obs.fetched_at)
    events = [e for entry in obs.trending if (e := _trending(recorder, watch, entry, obs.fetched_at))]
    outcome = "changed" if events else "unchanged"
    recorder._observe(obs, outcome)
    return outcome, events


def _trending(recorder: Recorder, watch: Watch, entry: TrendingEntry, at: str) -> Event | None:
    pid = petition_key(watch.site, entry.number)
    if recorder.petitions.known(pid) is None:
        return None
    recorder.petitions.write_count(pid, entry.signature_count, at)
    recorder._add_member(watch, pid, at)
    name = entry.action or f"Petition {entry.number}"
    return Event(
        key=f"petition/{pid}/trending/{at[:10]}", kind=TRENDING_KIND, watch_id=watch.id, petition_id=pid,
        title=f"Trending: {name} ({entry.signatures_in_last_hour:,} signatures in the last hour)",
        summary=(f"{name!r} is on the site's trending list: {entry.signatures_in_last_hour:,} signatures "
                 f"in the last hour, {entry.signature_count:,} in all."),
        url=f"{watch.site}/petitions/{entry.number}", occurred_at=at, detected_at="",
        data={"number": entry.number, "signatures_in_last_hour": entry.signatures_in_last_hour,
              "signature_count": entry.signature_count},
    )  # fmt: skip


def record_responses(recorder: Recorder, obs: Observation,
                     detect: Callable[..., list[Event]]) -> tuple[str, list[Event]]:  # fmt: skip
    """Record the with_response entries of watched petitions whose content changed, under their watches."""
    watches = _petition_watches(recorder)
    wanted = [entry for entry in obs.entries if entry.key in watches]
    recorder.petitions.preload([entry.key for entry in wanted])
    events: list[Event] = []
    for entry in wanted:
        known = recorder.petitions.known(entry.key)
        if known is None or known.entry_hash == entry.entry_hash:
            continue  # not stored yet (its own poll fetches it), or as stored
        new = entry.state()
        if _older_than_stored(recorder, new.key, new.updated_at):
            continue  # the page was fetched before the petition's own poll recorded a newer view: stale news
        previous, content_hash = recorder._previous(new)
        if known.content_hash == content_hash:  # only the count moved (count.json tells that)
            recorder.petitions.write(replace(new, signature_count=known.signature_count), obs.fetched_at,
                                     content_hash, entry.entry_hash)  # remember the entry, keep the count
            continue
        recorder.petitions.write(new, obs.fetched_at, content_hash, entry.entry_hash)
        events += detect(watches[entry.key], previous, new, True, obs.fetched_at)
    outcome = "changed" if events else "unchanged"
    recorder._observe(obs, outcome)
    return outcome, events


def _older_than_stored(recorder: Recorder, pid: str, updated_at: str | None) -> bool:
    """Tell whether the site's `updated_at` of an entry is before the one of the petition's stored view.

    The site stamps a petition's `updated_at` with every change, signatures included, so a
    smaller one is a view from before what is stored (and an unreadable one is not trusted).
    """
    row = recorder.db.execute("SELECT site_updated_at FROM petitions WHERE id = ?", [pid]).fetchone()
    if not updated_at or row is None or not row[0]:
        return False
    try:
        return parse_iso(updated_at) < parse_iso(row[0])
    except ValueError:
        return False


def _petition_watches(recorder: Recorder) -> dict[str, PetitionWatch]:
    return {petition_key(w.site, w.number): w for w in recorder.config.watches if isinstance(w, PetitionWatch)}
