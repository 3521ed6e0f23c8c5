"""The replica's documents: pure functions from a petition's attributes to JSON and HTML.

Nothing here touches a socket or a lock, so a benchmark can pre-render the same
documents as static files. Times are handled here rather than borrowed from
`monitor.clock`: the replica stands for someone else's site, and sharing code
with the client under test would let one bug hide itself on both sides.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from monitor.replica.breakdowns import breakdowns

# Attribute order of the real site's petition partial (debate_scheduled_on as DESIGN's API doc names it).
ATTRIBUTES = (
    "action", "background", "additional_details", "committee_note", "state", "signature_count",
    "closing_date", "created_at", "updated_at", "rejected_at", "opened_at", "closed_at",
    "moderation_threshold_reached_at", "response_threshold_reached_at", "government_response_at",
    "debate_threshold_reached_at", "debate_scheduled_on", "scheduled_debate_date", "debate_outcome_at",
    "creator_name", "rejection", "government_response", "debate", "departments", "topics",
)
# The site's numbers of the Parliaments, as in /archived/petitions.json?parliament=N.
PARLIAMENT_NUMBERS = {"2010-2015": 1, "2015-2017": 2, "2017-2019": 3, "2019-2024": 4}
BREAKDOWNS = ("signatures_by_country", "signatures_by_constituency", "signatures_by_region")
OTHER_BUSINESS = "other_parliamentary_business"
DETAIL_ONLY = (*BREAKDOWNS, OTHER_BUSINESS)
# The archived partial has no creator and no closing date: the petition can no longer be signed.
NOT_ARCHIVED = ("creator_name", "closing_date")
# States whose detail document lists breakdowns and other business ("published" on the real site).
PUBLISHED = ("open", "closed")
COUNT_FIELDS = (
    "signature_count", "response_threshold_reached_at", "government_response_at",
    "debate_threshold_reached_at", "scheduled_debate_date", "debate_outcome_at",
)


def iso(moment: datetime) -> str:
    """Format a datetime as the API does: UTC with milliseconds, `2018-11-30T14:03:12.000Z`."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse an API time or date (a bare date is midnight UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_modified(updated_at: str | None) -> datetime | None:
    """Return `updated_at` rounded down to 10 seconds, as the site's Last-Modified is."""
    if not updated_at:
        return None
    moment = parse_iso(updated_at)
    return moment.replace(second=moment.second - moment.second % 10, microsecond=0)


def http_date(moment: datetime) -> str:
    """Format a datetime as an HTTP date (`Fri, 30 Nov 2018 14:03:10 GMT`)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def cache_control(max_age: int) -> str:
    """Return the site's Cache-Control value for a refresh interval of `max_age` seconds."""
    return f"public, max-age={max_age}, stale-while-revalidate={2 * max_age}, stale-if-error={5 * max_age}"


def petition_url(base_url: str, number: int, *, archived: bool = False, suffix: str = ".json") -> str:
    """Return the URL of a petition's document (`suffix=""` for its HTML page)."""
    prefix = "/archived" if archived else ""
    return f"{base_url}{prefix}/petitions/{number}{suffix}"


def core_attributes(attributes: Mapping[str, Any], *, archived: bool = False) -> dict[str, Any]:
    """Return the attributes an index entry shows, in the site's order, nulls included."""
    state = attributes.get("state")
    core = {name: attributes.get(name) for name in ATTRIBUTES}
    if state != "open":
        core["creator_name"] = None
        core["closing_date"] = None
    if archived:
        for name in NOT_ARCHIVED:
            del core[name]
    # Attributes a test sets that the site does not know yet ride along, to exercise clients.
    for name, value in attributes.items():
        if name not in core and name not in DETAIL_ONLY and name not in NOT_ARCHIVED:
            core[name] = value
    return core


def detail_attributes(number: int, attributes: Mapping[str, Any], *, archived: bool = False) -> dict[str, Any]:
    """Return the attributes of a detail document: the core plus breakdowns and other business."""
    detail = core_attributes(attributes, archived=archived)
    if attributes.get("state") not in PUBLISHED:
        return detail
    # A test may pin a breakdown by setting it; otherwise it is derived from the count.
    derived = breakdowns(number, int(attributes.get("signature_count") or 0))
    for name in BREAKDOWNS:
        detail[name] = attributes[name] if name in attributes else derived[name]
    detail[OTHER_BUSINESS] = list(attributes.get(OTHER_BUSINESS) or [])
    return detail


def resource(
    number: int,
    attributes: dict[str, Any],
    *,
    base_url: str,
    parliament: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Wrap attributes as one JSON:API resource, with links.self (and parliament when archived)."""
    archived = parliament is not None
    item: dict[str, Any] = {
        "type": "archived-petition" if archived else "petition",
        "id": number,
        "links": {"self": petition_url(base_url, number, archived=archived)},
    }
    if archived:
        item["parliament"] = dict(parliament)
    item["attributes"] = attributes
    return item


def detail_document(
    number: int, attributes: Mapping[str, Any], base_url: str, parliament: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the `/petitions/N.json` (or archived) document of one petition."""
    archived = parliament is not None
    return {
        "links": {"self": petition_url(base_url, number, archived=archived)},
        "data": resource(
            number, detail_attributes(number, attributes, archived=archived),
            base_url=base_url, parliament=parliament,
        ),
    }


def index_entry(
    number: int, attributes: Mapping[str, Any], base_url: str, parliament: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return one entry of an index page: the detail without breakdowns and other business."""
    core = core_attributes(attributes, archived=parliament is not None)
    return resource(number, core, base_url=base_url, parliament=parliament)


def count_document(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the `/petitions/N/count.json` document."""
    document = {name: attributes.get(name) for name in COUNT_FIELDS}
    debate = attributes.get("debate")
    document["debated"] = bool(debate and debate.get("debated_on"))
    return document


def page_links(
    base_url: str, path: str, params: Mapping[str, str], page: int, last_page: int, self_url: str
) -> dict[str, str | None]:
    """Return the links of an index page; `params` (state, q, count...) are kept in every link."""

    def url(number: int) -> str:
        return f"{base_url}{path}?{urlencode({'page': number, **params})}"

    return {
        "self": self_url,
        "first": url(1),
        "last": url(last_page),
        "next": url(page + 1) if page < last_page else None,
        "prev": url(min(page - 1, last_page)) if page > 1 else None,
    }


def index_body(links: Mapping[str, str | None], entries: Iterable[bytes]) -> bytes:
    """Join pre-encoded index entries into an index document (entries are cached per petition)."""
    return b'{"links":' + encode(links) + b',"data":[' + b",".join(entries) + b"]}"


def trending_document(base_url: str, rows: Iterable[tuple[int, Mapping[str, Any], int]]) -> dict[str, Any]:
    """Return `/trending.json`: (number, attributes, signatures in the last hour) per petition."""
    return {
        "links": {"self": f"{base_url}/trending.json"},
        "data": [
            {
                "type": "petition",
                "id": number,
                "links": {"self": petition_url(base_url, number)},
                "attributes": {
                    "action": attributes.get("action"),
                    "url": petition_url(base_url, number, suffix=""),
                    "signature_count": attributes.get("signature_count"),
                    "signatures_in_last_hour": gained,
                },
            }
            for number, attributes, gained in rows
        ],
    }


def encode(document: Any) -> bytes:
    """Encode a document as the site does: compact UTF-8 JSON."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)} - Petitions</title></head>\n<body><main id=\"content\">\n"
        f"{body}\n</main></body></html>\n"
    ).encode()


def _paragraphs(text: str | None) -> str:
    parts = (text or "").replace("\r\n", "\n").split("\n\n")
    return "".join(f"<p>{html.escape(part)}</p>" for part in parts if part.strip())


def petition_html(number: int, attributes: Mapping[str, Any], parliament: Mapping[str, Any] | None = None) -> bytes:
    """Return a petition's HTML page: action, background, count and government response."""
    action = attributes.get("action") or ""
    count = int(attributes.get("signature_count") or 0)
    parts = [
        f"<h1 class=\"petition-action\">{html.escape(action)}</h1>",
        f"<div class=\"background\">{_paragraphs(attributes.get('background'))}</div>",
        f"<details><summary>More details</summary>{_paragraphs(attributes.get('additional_details'))}</details>",
        f"<p class=\"signature-count\"><span class=\"count\" data-count=\"{count}\">{count:,}</span>"
        " signatures</p>",
    ]
    if parliament:
        parts.insert(0, f"<p class=\"parliament\">This petition was submitted during the "
                        f"{html.escape(str(parliament.get('period')))} {html.escape(str(parliament.get('government')))}"
                        " government</p>")
    response = attributes.get("government_response")
    if response:
        parts.append(
            "<section class=\"government-response\"><h2>Government responded</h2>"
            f"<p>This response was given on <time>{html.escape(str(response.get('responded_on')))}</time></p>"
            f"<blockquote class=\"summary\">{_paragraphs(response.get('summary'))}</blockquote>"
            f"<details><summary>Read the response in full</summary>{_paragraphs(response.get('details'))}</details>"
            "</section>"
        )
    return _page(action, "\n".join(parts))


def moderation_html(number: int, attributes: Mapping[str, Any]) -> bytes:
    """Return the page a petition still gathering sponsors or in moderation redirects to."""
    action = attributes.get("action") or ""
    return _page(action, f"<h1>{html.escape(action)}</h1><p>We're checking this petition</p>"
                         "<p>Petitions need to follow our standards before they're published.</p>")


def index_html(title: str, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> bytes:
    """Return an HTML list of petitions: (page URL, attributes) per row."""
    items = "".join(
        f"<li><a href=\"{html.escape(url)}\">{html.escape(attributes.get('action') or '')}</a> "
        f"<span class=\"count\">{int(attributes.get('signature_count') or 0):,}</span> signatures</li>"
        for url, attributes in rows
    )
    return _page(title, f"<h1>{html.escape(title)}</h1><ol class=\"search-results\">{items}</ol>")


def error_html(status: int, message: str) -> bytes:
    """Return a plain HTML error page."""
    return _page(message, f"<h1>{status} {html.escape(message)}</h1>")


def error_json(status: int, message: str) -> bytes:
    """Return a JSON error body for a `.json` URL."""
    return encode({"status": status, "error": message})
