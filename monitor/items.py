"""The values that travel between govwatch's rooms.

Spiders yield `Observation`s; the store persists them and asks the detectors
for `Event`s; the monitor plans `Poll`s and hands them to spiders. All of them
are plain dataclasses so every room can build and test them without I/O. The
petition and page states they carry are defined in `petition_state` and
`page_state`, and importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from monitor.jsonable import stable_hash, to_jsonable
from monitor.page_state import MAX_NUMBERS, NUMBER, PageContent, parse_number
from monitor.petition_state import (
    DEBATE_THRESHOLD,
    RESPONSE_THRESHOLD,
    VOLATILE_FIELDS,
    Business,
    CountState,
    Debate,
    Department,
    GovernmentResponse,
    Parliament,
    PetitionDetails,
    PetitionState,
    Place,
    Rejection,
    petition_from_jsonable,
    petition_key,
)

__all__ = [
    "DEBATE_THRESHOLD", "MAX_NUMBERS", "NUMBER", "RESPONSE_THRESHOLD", "VOLATILE_FIELDS", "Business", "CountState",
    "Debate", "Department", "Event", "GovernmentResponse", "IndexEntry", "Observation", "PageContent", "Parliament",
    "PetitionDetails", "PetitionState", "Place", "Poll", "Rejection", "TrendingEntry", "parse_number",
    "petition_from_jsonable",
    "petition_key", "stable_hash", "to_jsonable",
]  # fmt: skip


# ---------------------------------------------------------------- polls


@dataclass(frozen=True, slots=True)
class Poll:
    """One planned fetch of one watch, handed by the monitor to a spider.

    `mode` is "full" (the petition's .json), "count" (its count.json, with a
    full fetch when the count document says more than the count changed),
    "sweep" (walk an index), "responses" (walk the with_response index for
    response edits of the watched petitions), "trending" or "page".
    """

    watch_id: str
    url: str
    mode: str = "full"
    if_modified_since: str | None = None  # HTTP date of the last Last-Modified
    count_if_modified_since: str | None = None
    known: CountState | None = None
    known_last_modified: str | None = None  # newest Last-Modified seen (ISO), to spot non-count changes
    known_hash: str | None = None  # page: the stored content hash (a different one is fetched twice)
    noise: tuple[str, ...] = ()  # page: the noise rules learned for this watch
    known_numbers: frozenset[int] = frozenset()  # trending: petitions of the site already stored
    page_hashes: tuple[tuple[str, str], ...] = ()  # sweep: (URL, body hash) of the pages 2…last recorded last


@dataclass(slots=True)
class IndexEntry:
    """One petition of an index page: what tells whether it changed, and its state, decoded when asked."""

    key: str
    signature_count: int
    entry_hash: str  # of the entry's content without the volatile fields
    decode: Callable[[], PetitionState]
    _state: PetitionState | None = None

    def state(self) -> PetitionState:
        """Return the entry's PetitionState (decoded once)."""
        if self._state is None:
            self._state = self.decode()
        return self._state


@dataclass(frozen=True, slots=True)
class TrendingEntry:
    """One petition of /trending.json: its number, action, total and last-hour signatures."""

    number: int
    action: str | None
    signature_count: int
    signatures_in_last_hour: int


# ---------------------------------------------------------------- observations


@dataclass(slots=True)
class Observation:
    """The only item a spider yields: one fetch and what it found.

    A failed fetch is an Observation too, with `error` set and no content.
    """

    watch_id: str
    url: str
    kind: str  # "petition" | "count" | "index" | "responses" | "trending" | "page"
    fetched_at: str
    final_url: str | None = None
    status: int | None = None
    not_modified: bool = False
    error: str | None = None
    gone: bool = False  # 404/410 for a petition that should exist
    last_modified: str | None = None
    max_age: int | None = None
    retry_after: int | None = None
    petition: PetitionState | None = None
    details: PetitionDetails | None = None
    entry_hash: str | None = None  # a detail document: the hash its petition's index entry has when they agree
    count: CountState | None = None
    entries: list[IndexEntry] = field(default_factory=list)  # an index page's petitions
    last_page: bool = False
    page_hash: str | None = None  # an index page 2…last: the hash of its body
    same_page: bool = False  # …the hash of the page recorded last: its entries were not decoded
    page: PageContent | None = None
    trending: list[TrendingEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the fetch succeeded (content, 304, or a definite 404/410)."""
        return self.error is None


# ---------------------------------------------------------------- events


@dataclass(slots=True)
class Event:
    """Something that happened, detected once and keyed for idempotency."""

    key: str
    kind: str
    watch_id: str
    title: str
    summary: str
    url: str
    occurred_at: str
    detected_at: str
    petition_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
