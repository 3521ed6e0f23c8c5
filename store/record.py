"""Record one Observation and the events it implies, in one transaction.

`Recorder.record` is what the Scrapy pipeline calls for every item. A failed
fetch is recorded as an error observation and never reaches a detector.
Identical consecutive polls of a URL collapse into one observation row whose
`polls` and `last_at` grow, so storage follows changes, not polls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlite_utils import Database

from monitor.clock import later
from monitor.watchlist.config import Config, TrendingWatch, Watch
from monitor.detect.petitions import detect
from monitor.detect.health import health_events
from monitor.items import Event, Observation, PetitionState, petition_key
from monitor.jsonable import dumps
from store.db import writing
from store.deadlines import overdue_on_sight, watches_before
from store.eta import approaching
from store.pages import PageStore
from store.petitions import PetitionStore, insert_rows
from store.record_lists import TRENDING_HELP, TRENDING_KIND, record_responses, record_trending

# Kinds the recorder makes itself (not a detector's), with the line `govwatch detectors` prints.
SWEEP_KINDS = {"sweep_started": "A sweep's first complete pass: one summary event, not one per petition it found.",
               TRENDING_KIND: TRENDING_HELP}

# Called inside the transaction for every newly stored event (the alert outbox hooks in here).
EventHook = Callable[[Database, int, Event], None]


@dataclass(slots=True)
class _Run:
    id: int
    signature: tuple[int | None, str, str | None]


class Recorder:
    """Persist observations of the configured watches and store their events."""

    def __init__(self, db: Database, config: Config, hooks: Iterable[EventHook] = ()):
        self.db = db
        self.config = config
        self.watches = {w.id: w for w in config.watches}
        self._before = watches_before(config)  # for overdue_on_sight
        self.petitions = PetitionStore(db)
        self.pages = PageStore(db)
        self.hooks = list(hooks)
        self._runs: dict[tuple[str, str], _Run | None] = {}
        self._members: dict[str, set[str]] = {}
        self.events_stored = 0

    # ------------------------------------------------------------ entry point

    def record(self, obs: Observation) -> list[Event]:
        """Store an observation and return the events it produced that are new."""
        watch = self.watches[obs.watch_id]
        try:
            with writing(self.db):
                events = self._record(watch, obs)
                self.petitions.flush()
                return self._store_events(events, obs.fetched_at)
        except BaseException:
            self.forget()
            raise

    def forget(self) -> None:
        """Drop every cache (after a rollback, the database is the truth again)."""
        self._runs.clear()
        self._members.clear()
        self.petitions.forget()
        self.pages.forget()

    def _record(self, watch: Watch, obs: Observation) -> list[Event]:
        if obs.kind == "responses":  # rides along another watch's poll: that watch's health is not at stake
            if obs.error is not None:
                self._observe(obs, "error")
                return []
            return record_responses(self, obs, self._detect)[1]
        if obs.error is not None:
            self._observe(obs, "error")
            return self._update_watch(watch, obs, "error")
        if isinstance(watch, TrendingWatch):
            outcome, events = record_trending(self, watch, obs)
            return events + self._update_watch(watch, obs, outcome)
        handler = {"petition": self._petition, "count": self._count, "index": self._index,
                   "page": self._page}[obs.kind]  # fmt: skip
        outcome, events = handler(watch, obs)
        return events + self._update_watch(watch, obs, outcome)

    # ------------------------------------------------------------ kinds

    def _petition(self, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
        pid = obs.petition.key if obs.petition else _petition_id_of(watch)
        if obs.gone:
            return self._gone(watch, obs, pid)
        if obs.not_modified:
            self._observe(obs, "not_modified", pid)
            return "not_modified", []
        new = obs.petition
        previous, content_hash = self._previous(new)
        changed, count_changed = self.petitions.write(new, obs.fetched_at, content_hash, obs.entry_hash)
        if obs.details is not None:
            self.petitions.write_details(pid, obs.details, obs.fetched_at)
        events = self._detect(watch, previous, new, changed or count_changed, obs.fetched_at)
        if changed:  # a petition first seen (or changed) past its response deadline: overdue now, not after the crawl
            events += overdue_on_sight(self.db, self._before.get(watch.id, ()), watch, new,
                                       obs.fetched_at)
        outcome = "changed" if changed or count_changed else "unchanged"
        self._observe(obs, outcome, pid)
        return outcome, events

    def _count(self, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
        pid = _petition_id_of(watch)
        if obs.not_modified:
            self._observe(obs, "not_modified", pid)
            return "not_modified", []
        known, count = self.petitions.known(pid), obs.count.signature_count
        # the stored state is decoded only when the count moved: most count polls change nothing
        previous = self.petitions.state(pid) if known is not None and known.signature_count != count else None
        if previous is None or not self.petitions.write_count(pid, count, obs.fetched_at):
            self._observe(obs, "unchanged", pid if known is not None and known.snapshot_id is not None else None)
            return "unchanged", []
        new = replace(previous, signature_count=count)
        events = self._detect(watch, previous, new, True, obs.fetched_at)
        self._observe(obs, "changed", pid)
        return "changed", events

    def _index(self, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
        initial = self._sweeps_completed(watch) == 0
        events: list[Event] = []
        any_changed = False
        members = self._member_set(watch)
        self.petitions.preload([entry.key for entry in obs.entries])
        fresh: dict[str, tuple[PetitionState, str | None]] = {}  # never seen: stored together, with entry hashes
        joining: list[str] = []  # stored petitions the first pass finds: members, in one statement
        for entry in obs.entries:
            known = self.petitions.known(entry.key)
            if (known is not None and known.entry_hash == entry.entry_hash
                    and known.signature_count == entry.signature_count and (initial or entry.key in members)):
                if initial:  # the entry is what is stored: nothing to decode, compare or write
                    joining.append(entry.key)
                continue  # fmt: skip
            new = entry.state()
            if initial and known is None:  # nothing to compare with and no event: stored with the page's others
                fresh[entry.key] = (new, entry.entry_hash)
                any_changed = True
                continue
            previous, content_hash = self._previous(new)
            changed, count_changed = self.petitions.write(new, obs.fetched_at, content_hash, entry.entry_hash)
            any_changed |= changed or count_changed
            if initial:
                joining.append(new.key)
                if previous is not None and (changed or count_changed):
                    events += detect(previous, new, watch)
            else:
                events += self._detect(watch, previous, new, changed or count_changed, obs.fetched_at)
        self._insert_fresh(watch, fresh, obs.fetched_at)
        self._join(watch, joining, obs.fetched_at)
        if obs.page_hash and not obs.same_page:  # recorded with its entries: the same body next pass is skipped
            self.db.execute(
                "INSERT INTO index_pages (watch_id, url, hash, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT"
                " (watch_id, url) DO UPDATE SET hash = excluded.hash, recorded_at = excluded.recorded_at",
                [watch.id, obs.url, obs.page_hash, obs.fetched_at],
            )  # fmt: skip
        outcome = "changed" if any_changed else "unchanged"
        self._observe(obs, outcome)
        if obs.last_page:
            self.db.execute("UPDATE watches SET sweeps_completed = sweeps_completed + 1 WHERE id = ?", [watch.id])
            if initial:
                events.append(self._sweep_ready(watch, obs))
        return outcome, events

    def _insert_fresh(self, watch: Watch, fresh: dict[str, tuple[PetitionState, str | None]], at: str) -> None:
        """Store the never-seen petitions gathered from an index page, as members of `watch`; empty `fresh`."""
        if not fresh:
            return
        self.petitions.insert_new(list(fresh.values()), at)
        self._join(watch, list(fresh), at)
        fresh.clear()

    def _join(self, watch: Watch, pids: list[str], at: str) -> None:
        """Make stored petitions members of `watch` (those not yet), in one statement."""
        members = self._member_set(watch)
        joining = list(dict.fromkeys(pid for pid in pids if pid not in members))
        insert_rows(self.db.conn, "INSERT OR IGNORE INTO watch_petitions (watch_id, petition_id, first_seen_at)",
                    [(watch.id, pid, at) for pid in joining])  # fmt: skip
        members.update(joining)

    def _page(self, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
        outcome, events = self.pages.record(watch, obs)
        self._observe(obs, outcome)
        return outcome, events

    def _previous(self, new: PetitionState) -> tuple[PetitionState | None, str]:
        """Return the stored state to compare `new` with, and `new.content_hash()`."""
        content_hash = new.content_hash()
        known = self.petitions.known(new.key)
        if known is None:
            return None, content_hash
        if known.content_hash == content_hash:  # only the count can differ: no need to load
            if known.signature_count == new.signature_count:
                return new, content_hash  # the stored state is this one (a frozen value: no copy needed)
            return replace(new, signature_count=known.signature_count), content_hash
        return self.petitions.state(new.key), content_hash

    def _gone(self, watch: Watch, obs: Observation, pid: str) -> tuple[str, list[Event]]:
        previous = self.petitions.state(pid)
        if previous is None:  # never seen: a mistyped number, not a removal; keep polling it, as a failing watch
            obs.gone = False
            obs.error = (f"no petition {getattr(watch, 'number', '?')} on {getattr(watch, 'site', '?')}"
                         f" (HTTP {obs.status}): check its number in the watchlist")  # fmt: skip
            self._observe(obs, "error")
            return "error", []
        self.db.execute("UPDATE watches SET gone = 1 WHERE id = ?", [watch.id])
        self._observe(obs, "gone", pid if previous else None)
        if previous is None or previous.state == "removed":
            return "gone", []
        new = replace(previous, state="removed")
        self.petitions.write(new, obs.fetched_at)
        return "gone", detect(previous, new, watch)

    # ------------------------------------------------------------ detection

    def _detect(self, watch: Watch, previous: PetitionState | None, new: PetitionState,
                changed: bool, at: str) -> list[Event]:
        """Diff against the stored state; backfill when this watch sees the petition first."""
        events: list[Event] = []
        if new.key not in self._member_set(watch):
            self._add_member(watch, new.key, at)
            events += detect(None, new, watch)
        if previous is not None and changed:
            events += detect(previous, new, watch)
            if previous.signature_count != new.signature_count:
                events += approaching(self.db, self.config, watch, new, at, events)
        return events

    def _member_set(self, watch: Watch) -> set[str]:
        if watch.id not in self._members:
            self._members[watch.id] = {
                r["petition_id"] for r in self.db.query(
                    "SELECT petition_id FROM watch_petitions WHERE watch_id = ?", [watch.id])
            }  # fmt: skip
        return self._members[watch.id]

    def _add_member(self, watch: Watch, pid: str, at: str) -> None:
        members = self._member_set(watch)
        if pid not in members:
            self.db.execute(
                "INSERT OR IGNORE INTO watch_petitions (watch_id, petition_id, first_seen_at) VALUES (?, ?, ?)",
                [watch.id, pid, at],
            )
            members.add(pid)

    def _sweep_ready(self, watch: Watch, obs: Observation) -> Event:
        found = len(self._member_set(watch))
        query = f" matching {watch.query!r}" if getattr(watch, "query", None) else ""
        state = getattr(watch, "state", "")
        data: dict[str, object] = {"petitions": found}
        if getattr(watch, "archived", False):
            parliament = getattr(watch, "parliament", None)
            where = f"Parliament {parliament}" if parliament is not None else "the latest archived Parliament"
            title = f"Recorded {found:,} petitions of {where}" + (f" ({state})" if state != "all" else "") + query
            data |= {"archived": True, "parliament": parliament}
        else:
            title = f"Now watching {found:,} {state} petitions{query}"
        return Event(
            key=f"sweep/{watch.id}/initial", kind="sweep_started", watch_id=watch.id, title=title,
            summary=(f"The first sweep of {watch.id} recorded {found:,} petitions as they are now, with their "
                     "responses and debates (the history tables and Datasette hold them); from here on, every new "
                     "petition and every change is an event."),
            url=obs.url, occurred_at="", detected_at="", data=data,
        )  # fmt: skip

    def store_events(self, events: list[Event], at: str) -> list[Event]:
        """Store events found outside a poll (e.g. a response falling due) in one transaction; return the new ones."""
        with writing(self.db):
            return self._store_events(events, at)

    def _store_events(self, events: list[Event], at: str) -> list[Event]:
        stored = []
        for event in events:
            event.detected_at = at
            event.occurred_at = event.occurred_at or at
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO events (key, kind, watch_id, petition_id, occurred_at, detected_at,"
                " title, summary, url, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [event.key, event.kind, event.watch_id, event.petition_id, event.occurred_at,
                 event.detected_at, event.title, event.summary, event.url,
                 dumps(event.data)],
            )  # fmt: skip
            if cursor.rowcount == 1:
                for hook in self.hooks:
                    hook(self.db, cursor.lastrowid, event)
                stored.append(event)
        self.events_stored += len(stored)
        return stored

    # ------------------------------------------------------------ bookkeeping

    def _observe(self, obs: Observation, outcome: str, petition_id: str | None = None) -> None:
        key = (obs.watch_id, obs.url)
        if key not in self._runs:
            row = self.db.conn.execute(
                "SELECT id, status, outcome, error FROM observations WHERE watch_id = ? AND url = ?"
                " ORDER BY id DESC LIMIT 1", list(key)).fetchone()  # fmt: skip
            self._runs[key] = _Run(row[0], tuple(row[1:])) if row else None
        run, signature = self._runs[key], (obs.status, outcome, obs.error)
        if run is not None and run.signature == signature:
            self.db.execute(
                "UPDATE observations SET last_at = ?, polls = polls + 1 WHERE id = ?", [obs.fetched_at, run.id]
            )
            return
        row_id = self.db.execute(
            "INSERT INTO observations (watch_id, url, kind, first_at, last_at, status, outcome, error, petition_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [obs.watch_id, obs.url, obs.kind, obs.fetched_at, obs.fetched_at, obs.status, outcome, obs.error,
             petition_id],
        ).lastrowid  # fmt: skip
        self._runs[key] = _Run(row_id, signature)

    def _update_watch(self, watch: Watch, obs: Observation, outcome: str) -> list[Event]:
        """Record the poll's outcome on the watch; return a health event when it starts or stops failing."""
        failures, last_success_at = self.db.conn.execute(
            "SELECT failures, last_success_at FROM watches WHERE id = ?", [watch.id]).fetchone()  # fmt: skip
        events = health_events(
            watch, failures_before=failures, failed=obs.error is not None, error=obs.error,
            last_success_at=last_success_at, failing_after=self.config.settings.failing_after,
        )  # fmt: skip
        polite = self.config.politeness(watch.host)
        sets = {"last_checked_at": obs.fetched_at, "last_outcome": outcome, "last_error": obs.error}
        wait = obs.retry_after if obs.error else (obs.max_age if polite.respect_max_age else None)
        if wait:
            sets["fresh_until"] = later(obs.fetched_at, wait)
        if obs.error is None:
            sets |= {"last_success_at": obs.fetched_at, "failures": 0}
            if obs.last_modified and not obs.not_modified:
                prefix = "count_" if obs.kind == "count" else ""
                sets |= {f"{prefix}last_modified": obs.last_modified,
                         f"{prefix}last_modified_fetched_at": obs.fetched_at}  # fmt: skip
            if obs.kind == "petition":
                sets["last_full_at"] = obs.fetched_at
                if obs.final_url and obs.final_url != obs.url:
                    sets["url"] = obs.final_url
        assignments = ", ".join(f"{c} = ?" for c in sets)
        failures = ", failures = failures + 1" if obs.error is not None else ""
        self.db.execute(f"UPDATE watches SET {assignments}{failures} WHERE id = ?", [*sets.values(), watch.id])
        return events

    def _sweeps_completed(self, watch: Watch) -> int:
        return self.db.conn.execute("SELECT sweeps_completed FROM watches WHERE id = ?", [watch.id]).fetchone()[0]


def _petition_id_of(watch: Watch) -> str:
    return petition_key(watch.site, getattr(watch, "number", 0))
