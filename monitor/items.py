"""The values that travel between govwatch's rooms.

Spiders yield `Observation`s; the store persists them and asks the detectors
for `Event`s; the monitor plans `Poll`s and hands them to spiders. All of them
are plain dataclasses so every room can build and test them without I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

# ---------------------------------------------------------------- petitions


@dataclass(frozen=True, slots=True)
class GovernmentResponse:
    """The government's written response to a petition."""

    responded_on: str | None = None
    summary: str | None = None
    details: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class Debate:
    """A Parliament debate on a petition (or the committee's reasons not to hold one)."""

    debated_on: str | None = None
    transcript_url: str | None = None
    video_url: str | None = None
    debate_pack_url: str | None = None
    public_engagement_url: str | None = None
    debate_summary_url: str | None = None
    overview: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a petition was rejected."""

    code: str | None = None
    details: str | None = None


@dataclass(frozen=True, slots=True)
class Department:
    """A government department a petition is assigned to."""

    acronym: str | None = None
    name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Parliament:
    """The Parliament of an archived petition, with its thresholds."""

    period: str | None = None
    government: str | None = None
    dissolution_at: str | None = None
    response_threshold: int | None = None
    debate_threshold: int | None = None


@dataclass(frozen=True, slots=True)
class Business:
    """One entry of a petition's `other_parliamentary_business`."""

    subject: str | None = None
    body: str | None = None
    occurred_on: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


RESPONSE_THRESHOLD = 10_000
DEBATE_THRESHOLD = 100_000


@dataclass(frozen=True, slots=True)
class PetitionState:
    """The normalized core of one petition, as the detail or the index gives it.

    It holds no signature breakdowns (those are `PetitionDetails`), so the
    index and the detail document of the same petition compare equal.
    """

    site: str  # scheme://host[:port], e.g. "https://petition.parliament.uk"
    number: int
    archived: bool = False
    action: str | None = None
    background: str | None = None
    additional_details: str | None = None
    committee_note: str | None = None
    state: str | None = None
    signature_count: int = 0
    closing_date: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    opened_at: str | None = None
    closed_at: str | None = None
    rejected_at: str | None = None
    moderation_threshold_reached_at: str | None = None
    response_threshold_reached_at: str | None = None
    government_response_at: str | None = None
    debate_threshold_reached_at: str | None = None
    debate_scheduled_on: str | None = None
    scheduled_debate_date: str | None = None
    debate_outcome_at: str | None = None
    creator_name: str | None = None
    rejection: Rejection | None = None
    government_response: GovernmentResponse | None = None
    debate: Debate | None = None
    departments: tuple[Department, ...] = ()
    topics: tuple[str, ...] = ()
    parliament: Parliament | None = None

    @property
    def key(self) -> str:
        """Return the petition's id in govwatch: host and number."""
        return petition_key(self.site, self.number)

    @property
    def page_url(self) -> str:
        """Return the human page of the petition (not the .json)."""
        prefix = "/archived" if self.archived else ""
        return f"{self.site}{prefix}/petitions/{self.number}"

    @property
    def thresholds(self) -> tuple[int, int]:
        """Return the response and debate thresholds of the petition's Parliament."""
        p = self.parliament
        return (
            (p.response_threshold if p and p.response_threshold else RESPONSE_THRESHOLD),
            (p.debate_threshold if p and p.debate_threshold else DEBATE_THRESHOLD),
        )

    def content_hash(self) -> str:
        """Hash the fields whose change deserves a snapshot (not the count)."""
        return self.encoded()[0]

    def encoded(self) -> tuple[str, str]:
        """Return (content hash, JSON of the whole state), computing the JSON once."""
        data = to_jsonable(self)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        for name in VOLATILE_FIELDS:
            data.pop(name)
        # Field order is fixed by the dataclasses, so no sort_keys is needed for a stable hash.
        core = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha1(core.encode("utf-8")).hexdigest(), text


# Fields that change with every signature: kept in the count series, not in snapshots.
VOLATILE_FIELDS = frozenset({"signature_count", "updated_at"})


# A label for a breakdown code: (kind, code, name, MP), kind being "country",
# "constituency" or "region".
Place = tuple[str, str, str | None, str | None]


@dataclass(frozen=True, slots=True)
class PetitionDetails:
    """What only the detail document has: signature breakdowns and other business.

    `labels` keeps the document's own breakdown entries, (kind, code key,
    entries), so the ~860 names and MPs are only turned into `Place`s when the
    store needs them (`places()`), not for every fetch.
    """

    by_country: dict[str, int] = field(default_factory=dict)
    by_constituency: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    other_parliamentary_business: tuple[Business, ...] = ()
    labels: tuple[tuple[str, str, list[dict[str, Any]]], ...] = ()

    def codes(self) -> dict[str, set[str]]:
        """Return the codes of each kind of place."""
        return {"country": set(self.by_country), "constituency": set(self.by_constituency),
                "region": set(self.by_region)}  # fmt: skip

    def places(self, only: dict[str, set[str]] | None = None) -> list[Place]:
        """Return the labels of every place, or only of the codes in `only` (by kind)."""
        return [
            (kind, e[key], e.get("name"), e.get("mp"))
            for kind, key, entries in self.labels
            for e in entries
            if only is None or e[key] in only.get(kind, ())
        ]  # fmt: skip

    def encoded(self) -> tuple[str, tuple[str, str, str, str]]:
        """Return (hash, JSON of by_country, by_constituency, by_region, other business).

        The breakdowns keep the document's order (stable on a given site): sorting
        ~860 keys for every fetch would cost more than the rare extra row it saves.
        """
        texts = tuple(
            json.dumps(part, ensure_ascii=False, separators=(",", ":"))
            for part in (self.by_country, self.by_constituency, self.by_region,
                         to_jsonable(self.other_parliamentary_business))
        )  # fmt: skip
        return hashlib.sha1("\x1f".join(texts).encode("utf-8")).hexdigest(), texts

    def content_hash(self) -> str:
        """Hash the breakdowns and other business (labels excluded)."""
        return self.encoded()[0]


@dataclass(frozen=True, slots=True)
class CountState:
    """The tiny `count.json`: the count and the dates that say a full fetch is due."""

    signature_count: int = 0
    response_threshold_reached_at: str | None = None
    government_response_at: str | None = None
    debate_threshold_reached_at: str | None = None
    scheduled_debate_date: str | None = None
    debate_outcome_at: str | None = None
    debated: bool | None = None

    @classmethod
    def of(cls, petition: PetitionState) -> CountState:
        """Return what count.json would say about a known petition."""
        return cls(
            signature_count=petition.signature_count,
            response_threshold_reached_at=petition.response_threshold_reached_at,
            government_response_at=petition.government_response_at,
            debate_threshold_reached_at=petition.debate_threshold_reached_at,
            scheduled_debate_date=petition.scheduled_debate_date,
            debate_outcome_at=petition.debate_outcome_at,
            debated=None,
        )

    def differs_beyond_count(self, other: CountState) -> bool:
        """Tell whether anything but the count changed (then a full fetch is due)."""
        return any(
            getattr(self, f.name) != getattr(other, f.name)
            for f in fields(self)
            if f.name not in ("signature_count", "debated")
        )


# ---------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class PageContent:
    """What the pages spider extracts from an HTML page: its state, plus what the fetch learned.

    The state is the main content's lines (each with the element path it came
    from, so learned noise can be dropped by place), the list items, the count
    and the title. `encoding`, `noise` and `learned` describe the fetch and
    are part of neither the content hash nor a snapshot.
    """

    title: str | None = None
    lines: tuple[str, ...] = ()
    line_paths: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    item_paths: tuple[str, ...] = ()
    count: int | None = None
    count_text: str | None = None  # the count as written ("11,406"), left out of the hash
    encoding: str | None = None
    noise: tuple[str, ...] = ()  # lines that differed between two immediate fetches
    learned: tuple[str, ...] = ()  # noise rules learned from them (see monitor.page_noise)

    @property
    def text(self) -> str:
        """Return the normalized main text, one block (paragraph, item, heading) a line."""
        return "\n".join(self.lines)

    @property
    def empty(self) -> bool:
        """Tell whether nothing was extracted (the selector matched nothing, or no text)."""
        return not self.lines

    @property
    def numbers(self) -> tuple[int, ...]:
        """Return the whole numbers written in the text ("11,406" is 11406), in order."""
        return tuple(parse_number(m) for m in NUMBER.findall(self.text))[:MAX_NUMBERS]

    def content_hash(self) -> str:
        """Hash what deserves a snapshot: the lines and items, the count's digits left out."""
        lines = list(self.lines)
        if self.count_text:  # a moving count is a time series, not a content change
            lines = [line.replace(self.count_text, "#") for line in lines]
        return stable_hash({"lines": lines, "items": sorted(set(self.items))})

    def state(self) -> dict[str, Any]:
        """Return the part worth a snapshot, JSON-ready (paths stored once each)."""
        paths = sorted(set(self.line_paths) | set(self.item_paths))
        index = {p: i for i, p in enumerate(paths)}
        return {
            "title": self.title,
            "lines": [[t, index[p]] for t, p in zip(self.lines, self.line_paths, strict=True)],
            "items": [[t, index[p]] for t, p in zip(self.items, self.item_paths, strict=True)],
            "paths": paths,
            "count": self.count,
            "count_text": self.count_text,
        }

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> PageContent:
        """Rebuild a PageContent from `state()` output (a stored snapshot)."""
        paths = d.get("paths") or []
        lines, items = d.get("lines") or [], d.get("items") or []
        return cls(
            title=d.get("title"),
            lines=tuple(t for t, _ in lines), line_paths=tuple(paths[i] for _, i in lines),
            items=tuple(t for t, _ in items), item_paths=tuple(paths[i] for _, i in items),
            count=d.get("count"), count_text=d.get("count_text"),
        )  # fmt: skip


# A number as pages write them: "11,406", "2,000,000", "11\u202f406" or "42" (a decimal part is not kept).
NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?!\d)|(?<![\d.,])\d+(?!\d)")
MAX_NUMBERS = 500


def parse_number(text: str) -> int:
    """Turn "11,406" (or "11 406") into 11406."""
    return int(re.sub(r"\D", "", text))


# ---------------------------------------------------------------- polls


@dataclass(frozen=True, slots=True)
class Poll:
    """One planned fetch of one watch, handed by the monitor to a spider.

    `mode` is "full" (the petition's .json), "count" (its count.json, with a
    full fetch when the count document says more than the count changed),
    "sweep" (walk an index) or "page".
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


# ---------------------------------------------------------------- observations


@dataclass(slots=True)
class Observation:
    """The only item a spider yields: one fetch and what it found.

    A failed fetch is an Observation too, with `error` set and no content.
    """

    watch_id: str
    url: str
    kind: str  # "petition" | "count" | "index" | "page"
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
    count: CountState | None = None
    petitions: list[PetitionState] = field(default_factory=list)
    last_page: bool = False
    page: PageContent | None = None

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


# ---------------------------------------------------------------- helpers


def petition_key(site: str, number: int) -> str:
    """Return govwatch's id of a petition: "host[:port]/number"."""
    return f"{urlsplit(site).netloc}/{number}"


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_PLAIN = (str, int, float, bool, type(None))


def to_jsonable(value: Any) -> Any:
    """Turn nested dataclasses, tuples and dicts into JSON-ready values."""
    if isinstance(value, _PLAIN):
        return value
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None and hasattr(cls, "__dataclass_fields__"):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def stable_hash(value: Any) -> str:
    """Hash a JSON-ready value independently of key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def petition_from_jsonable(d: dict[str, Any]) -> PetitionState:
    """Rebuild a PetitionState from `to_jsonable` output (a stored snapshot)."""
    d = dict(d)
    for name, cls in (
        ("rejection", Rejection),
        ("government_response", GovernmentResponse),
        ("debate", Debate),
        ("parliament", Parliament),
    ):
        if d.get(name) is not None:
            d[name] = cls(**d[name])
    d["departments"] = tuple(Department(**x) for x in d.get("departments") or ())
    d["topics"] = tuple(d.get("topics") or ())
    known = {f.name for f in fields(PetitionState)}
    return PetitionState(**{k: v for k, v in d.items() if k in known})

