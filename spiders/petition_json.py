"""Parse e-petitions JSON documents (detail, index entry, count.json) into items.

Pure functions: a decoded document in, `PetitionState`/`PetitionDetails`/
`CountState` out, or `BadDocument` saying what was wrong with it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import partial
from typing import Any

import orjson

from monitor.items import (
    VOLATILE_FIELDS,
    Business,
    CountState,
    Debate,
    Department,
    GovernmentResponse,
    IndexEntry,
    Parliament,
    PetitionDetails,
    PetitionState,
    Rejection,
    TrendingEntry,
    petition_key,
)
from monitor.jsonable import loads
from monitor.watchlist.politeness import media_type


MAX_TRENDING = 100
# The attributes only a detail document has (shared/data/E-PETITIONS-API.md): outside an entry's hash,
# so that a detail document and the petition's index entry hash alike when they say the same.
DETAIL_FIELDS = ("signatures_by_country", "signatures_by_constituency", "signatures_by_region",
                 "other_parliamentary_business")  # fmt: skip
_UNHASHED = (*VOLATILE_FIELDS, *DETAIL_FIELDS)


class BadDocument(ValueError):
    """The body is not the e-petitions JSON document that was expected."""


_STRINGS = (
    "action", "background", "additional_details", "committee_note", "state", "closing_date",
    "created_at", "updated_at", "opened_at", "closed_at", "rejected_at",
    "moderation_threshold_reached_at", "response_threshold_reached_at", "government_response_at",
    "debate_threshold_reached_at", "debate_scheduled_on", "scheduled_debate_date",
    "debate_outcome_at", "creator_name",
)  # fmt: skip
_DATES = tuple(k for k in _STRINGS if k.endswith(("_at", "_on", "_date")))
_RESPONSE_DATES = ("responded_on", "created_at", "updated_at")
_fromisoformat = datetime.fromisoformat


def decode(body: bytes, content_type: str | None) -> Any:
    """Decode a JSON body, refusing HTML, empty and truncated bodies with a clear reason."""
    if not body.strip():
        raise BadDocument("empty body where a JSON document was expected")
    kind = media_type(content_type)
    if kind and "json" not in kind:
        raise BadDocument(f"expected JSON, got {kind or 'no content type'}")
    try:
        return loads(body)
    except ValueError as e:  # orjson's JSONDecodeError (invalid UTF-8 included) is a ValueError
        raise BadDocument(f"invalid JSON ({e}); the body may be truncated") from None


def _obj(value: Any, cls: type, keys: tuple[str, ...]) -> Any:
    if not isinstance(value, dict):
        return None
    return cls(**{k: value.get(k) for k in keys})


MAX_COUNT = 2**53  # the largest whole number every JSON reader keeps exactly; SQLite stops at 2**63


def _int(value: Any, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadDocument(f"{what} is not a whole number: {_show(value)}")
    if not 0 <= value <= MAX_COUNT:
        raise BadDocument(f"{what} is out of range: {_show(value)} (expected 0 to 2^53)")
    return value


def _optional_int(value: Any, what: str) -> Any:
    """Check a number that may be absent (or not a number at all: kept as the site sent it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _int(value, what)
    return value


def _dates(values: dict[str, Any], keys: tuple[str, ...], where: str = "") -> None:
    """Refuse a date or time that does not parse (BadDocument naming the field)."""
    for key in keys:
        value = values.get(key)
        if value.__class__ is not str or not value:
            continue
        try:  # what parse_iso accepts, without its call (a first sweep checks ~15 dates of 20,000 petitions)
            _fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadDocument(f"{where}{key} is not a date: {_show(value)}") from None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _checked(item: Any) -> tuple[str, int, dict[str, Any]]:
    """Return an entry's type, number and attributes, after every check that can refuse it."""
    if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
        raise BadDocument("no petition attributes in the document")
    kind = item.get("type")
    if kind not in ("petition", "archived-petition"):
        raise BadDocument(f"not a petition document (type {kind!r})")
    number = item.get("id")
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool):
        raise BadDocument(f"petition id is not a number: {_show(number)}")
    _int(number, "petition id")
    a = item["attributes"]
    _int(a.get("signature_count"), "signature_count")
    _dates(a, _DATES)
    for key, keys in (("government_response", _RESPONSE_DATES), ("debate", ("debated_on",))):
        if isinstance(a.get(key), dict):
            _dates(a[key], keys, f"{key}.")
    parliament = item.get("parliament") or a.get("parliament")
    if isinstance(parliament, dict):
        for key in ("response_threshold", "debate_threshold"):
            _optional_int(parliament.get(key), f"parliament.{key}")
    return kind, number, a


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _state(item: dict[str, Any], site: str, kind: str, number: int, a: dict[str, Any]) -> PetitionState:
    """Build the PetitionState of an entry that `_checked` passed (it returned kind, number, a)."""
    strings = {k: value if (value := a.get(k)).__class__ is str else None for k in _STRINGS}
    if strings["debate_scheduled_on"] is None and isinstance(a.get("debate_scheduled_at"), str):
        strings["debate_scheduled_on"] = a["debate_scheduled_at"]  # the name in the app's own source
    parliament = item.get("parliament") or a.get("parliament")  # beside or inside attributes
    return PetitionState(
        site=site,
        number=number,
        archived=kind == "archived-petition",
        signature_count=_int(a.get("signature_count"), "signature_count"),
        rejection=_obj(a.get("rejection"), Rejection, ("code", "details")),
        government_response=_obj(a.get("government_response"), GovernmentResponse,
                                 ("responded_on", "summary", "details", "created_at", "updated_at")),
        debate=_obj(a.get("debate"), Debate, (
            "debated_on", "transcript_url", "video_url", "debate_pack_url", "public_engagement_url",
            "debate_summary_url", "overview")),
        departments=tuple(_obj(d, Department, ("acronym", "name", "url")) for d in _list(a.get("departments"))
                          if isinstance(d, dict)),
        topics=tuple(str(t) for t in _list(a.get("topics"))),
        parliament=Parliament(
            period=parliament.get("period"), government=parliament.get("government"),
            dissolution_at=parliament.get("dissolution_at"),
            response_threshold=_optional_int(parliament.get("response_threshold"), "parliament.response_threshold"),
            debate_threshold=_optional_int(parliament.get("debate_threshold"), "parliament.debate_threshold"),
        ) if isinstance(parliament, dict) else None,
        **strings,
    )  # fmt: skip


def petition_document(doc: Any, site: str) -> tuple[PetitionState, PetitionDetails, str]:
    """Parse a detail document: the petition, its breakdowns and the hash its index entry has (`entry_hash`).

    The store keeps that hash, so the first sweep that finds the petition in an index
    knows an entry saying what the detail document said without decoding it.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise BadDocument("not an e-petitions detail document (no `data` object)")
    item = doc["data"]
    kind, number, a = _checked(item)
    return _state(item, site, kind, number, a), petition_details(a), entry_hash(item, kind, number, a)


def petition_details(a: dict[str, Any]) -> PetitionDetails:
    """Parse the detail-only parts: signatures by country/constituency/region, other business."""
    labels: list[tuple[str, str, list[dict[str, Any]]]] = []

    def breakdown(key: str, kind: str, code_key: str) -> dict[str, int]:
        entries = a.get(key) or []
        try:  # the fast path: ~860 well-formed entries a document
            counts = {e[code_key]: e["signature_count"] for e in entries}
            labels.append((kind, code_key, entries))
            if set(map(type, counts.values())) <= {int} and set(map(type, counts)) <= {str}:
                if counts and not 0 <= min(counts.values()) <= max(counts.values()) <= MAX_COUNT:
                    raise BadDocument(f"{key} has a signature_count out of range (expected 0 to 2^53)")
                return counts
        except (KeyError, TypeError, AttributeError):
            pass
        raise BadDocument(f"{key} has an entry without a {code_key} and a whole signature_count")

    return PetitionDetails(
        by_country=breakdown("signatures_by_country", "country", "code"),
        by_constituency=breakdown("signatures_by_constituency", "constituency", "ons_code"),
        by_region=breakdown("signatures_by_region", "region", "ons_code"),
        other_parliamentary_business=tuple(
            _obj(b, Business, ("subject", "body", "occurred_on", "created_at", "updated_at"))
            for b in a.get("other_parliamentary_business") or () if isinstance(b, dict)
        ),
        labels=tuple(labels),
    )  # fmt: skip


def index_document(doc: Any, site: str) -> tuple[list[IndexEntry], str | None, str | None]:
    """Parse an index page: its entries (checked, decoded when asked), the next page URL and the last page URL."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise BadDocument("not an e-petitions index document (no `data` list)")
    links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
    for key in ("next", "last"):
        if links.get(key) is not None and not isinstance(links[key], str):
            raise BadDocument(f"links.{key} is not a URL: {_show(links[key])}")
    return [index_entry(item, site) for item in doc["data"]], links.get("next"), links.get("last")


def index_entry(item: Any, site: str) -> IndexEntry:
    """Check one index entry and hash its content; the PetitionState is decoded only if the store asks.

    An unchanged entry of the next pass is then only hashed (bench/archive_sweep.py).
    Every check that can refuse an entry is made here, so the later decoding cannot fail.
    """
    kind, number, attributes = _checked(item)
    return IndexEntry(
        key=petition_key(site, number), signature_count=_int(attributes.get("signature_count"), "signature_count"),
        entry_hash=entry_hash(item, kind, number, attributes),
        decode=partial(_state, item, site, kind, number, attributes),
    )  # fmt: skip


def entry_hash(item: dict[str, Any], kind: str, number: int, attributes: dict[str, Any]) -> str:
    """Hash what an entry says of a petition (all that `_state` reads), without the volatile and detail-only fields.

    Equal hashes mean equal states but for the count and `updated_at`, so an index
    entry and a detail document of the same petition hash alike when they agree.
    """
    stable = attributes.copy()  # a copy and a few pops beat a comprehension
    for name in _UNHASHED:
        stable.pop(name, None)
    content = orjson.dumps([kind, number, item.get("parliament"), stable], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha1(content).hexdigest()


def count_document(doc: Any) -> CountState:
    """Parse a count.json document."""
    if not isinstance(doc, dict) or "signature_count" not in doc:
        raise BadDocument("not an e-petitions count document (no signature_count)")
    _dates(doc, ("response_threshold_reached_at", "government_response_at", "debate_threshold_reached_at",
                 "scheduled_debate_date", "debate_outcome_at"))  # fmt: skip
    return CountState(
        signature_count=_int(doc.get("signature_count"), "signature_count"),
        response_threshold_reached_at=doc.get("response_threshold_reached_at"),
        government_response_at=doc.get("government_response_at"),
        debate_threshold_reached_at=doc.get("debate_threshold_reached_at"),
        scheduled_debate_date=doc.get("scheduled_debate_date"),
        debate_outcome_at=doc.get("debate_outcome_at"),
        debated=doc.get("debated") if isinstance(doc.get("debated"), bool) else None,
    )


def trending_document(doc: Any) -> list[TrendingEntry]:
    """Parse /trending.json: each petition's number, action, total and last-hour signatures."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise BadDocument("not an e-petitions trending document (no `data` list)")
    entries = []
    for item in doc["data"][:MAX_TRENDING]:  # the site lists ten; a hostile one is cut short
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise BadDocument("a trending entry has no attributes")
        number, a = item.get("id"), item["attributes"]
        if isinstance(number, str) and number.isdigit():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise BadDocument(f"trending petition id is not a number: {number!r}")
        action = a.get("action") if isinstance(a.get("action"), str) else None
        entries.append(TrendingEntry(number, action, _int(a.get("signature_count"), "signature_count"),
                                     _int(a.get("signatures_in_last_hour"), "signatures_in_last_hour")))
    return entries
