"""A petition as govwatch keeps it: the normalized core, the detail-only parts, count.json.

These values travel from the spider (which parses them) through the store (which
hashes and persists them) to the detectors (which compare two of them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from orjson import dumps as orjson_bytes

from monitor.jsonable import dumps


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
        # Field order is fixed by the dataclasses, so no sort_keys is needed for a stable hash;
        # the volatile fields are blanked rather than removed (same effect, one encoding). A dict in
        # field order encodes exactly as the dataclass does, and is made faster than a replace().
        return _stable_hash({name: getattr(self, name) for name in _STATE_FIELDS})

    def snapshot(self) -> tuple[str, str]:
        """Return the state as stored (`dumps(self)`) and its `content_hash()`, from one pass over the fields."""
        values = {name: getattr(self, name) for name in _STATE_FIELDS}
        return orjson_bytes(values).decode("utf-8"), _stable_hash(values)


def _stable_hash(values: dict[str, Any]) -> str:
    """Hash a state's fields in field order with the volatile ones blanked (changes `values`)."""
    values["signature_count"], values["updated_at"] = 0, None
    return hashlib.sha1(orjson_bytes(values)).hexdigest()


# Fields that change with every signature: kept in the count series, not in snapshots.
VOLATILE_FIELDS = frozenset({"signature_count", "updated_at"})
_STATE_FIELDS = tuple(f.name for f in fields(PetitionState))


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
            dumps(part)
            for part in (self.by_country, self.by_constituency, self.by_region, self.other_parliamentary_business)
        )
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


def petition_key(site: str, number: int) -> str:
    """Return govwatch's id of a petition: "host[:port]/number"."""
    return f"{urlsplit(site).netloc}/{number}"


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
