"""The replica's URL routes: from a request to a `Reply`, reading the replica's petitions.

    /petitions.json?state=S&page=N&q=TEXT&count=C    index (25 a page, count up to 50)
    /petitions/N.json, /petitions/N                  one petition (archived ones redirect)
    /petitions/N/count.json                          the counts (404 for archived petitions)
    /petitions/N/moderation-info                     where unpublished petitions redirect
    /archived/petitions.json?parliament=N&state=S    index of an earlier Parliament's petitions (N: the
                                                     site's number of it, or its period; none: the latest;
                                                     each entry carries its parliament object, as on the site)
    /archived/petitions/N.json, /archived/petitions/N
    /trending.json                                   top 10 by signatures in the last hour
    /robots.txt

Index states (`state=`; an unknown one redirects to `state=all`, as the site does):
    all                every visible petition: open, closed or rejected (and stopped)
    open, closed, rejected    petitions in that state
    published          open or closed
    recent             open petitions, the most recently opened first
    awaiting_response  published, past the response threshold, no response yet
    with_response      published, with a government response
    awaiting_debate    published, past the debate threshold or scheduled, no debate outcome yet
    debated            published, with a debate outcome that has a debate date
    not_debated        published, with a debate outcome without one (the Committee decided not to)
Entries are ordered by signature count, highest first, then by number (recent: by opened_at).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from math import ceil
from time import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from monitor.replica import documents as doc
from monitor.replica.server import HTML, JSON, Reply

if TYPE_CHECKING:
    from monitor.replica.epetitions import EPetitionsReplica, PetitionRecord

VISIBLE = ("open", "closed", "rejected", "stopped")
MODERATION = ("pending", "validated", "sponsored", "flagged")
PAGE_SIZE, MAX_PAGE_SIZE, TRENDING = 25, 50, 10


def _published(a: Mapping[str, Any]) -> bool:
    return a.get("state") in doc.PUBLISHED


def _debated(a: Mapping[str, Any]) -> bool:
    return bool(a.get("debate_outcome_at") and (a.get("debate") or {}).get("debated_on"))


STATES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "all": lambda a: a.get("state") in VISIBLE,
    "open": lambda a: a.get("state") == "open",
    "closed": lambda a: a.get("state") == "closed",
    "rejected": lambda a: a.get("state") == "rejected",
    "published": _published,
    "recent": lambda a: a.get("state") == "open",
    "awaiting_response": lambda a: _published(a) and bool(a.get("response_threshold_reached_at"))
    and not a.get("government_response_at"),
    "with_response": lambda a: _published(a) and bool(a.get("government_response_at")),
    "awaiting_debate": lambda a: _published(a) and bool(
        a.get("debate_threshold_reached_at") or a.get("scheduled_debate_date")) and not a.get("debate_outcome_at"),
    "debated": lambda a: _published(a) and _debated(a),
    "not_debated": lambda a: _published(a) and bool(a.get("debate_outcome_at")) and not _debated(a),
}

_DETAIL = re.compile(r"^/(archived/)?petitions/([^/]+?)(\.json)?$")
_COUNT = re.compile(r"^/petitions/([^/]+)/count\.json$")
_MODERATION_INFO = re.compile(r"^/petitions/([^/]+)/moderation-info$")


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _matches(a: Mapping[str, Any], terms: list[str]) -> bool:
    text = " ".join(str(a.get(name) or "") for name in ("action", "background", "additional_details")).lower()
    return all(term in text for term in terms)


class Routes:
    """The site's request handling, called by the server for every request not broken by a fault."""

    def __init__(self, site: EPetitionsReplica):
        self.site = site

    def __call__(self, method: str, path: str, query: str, headers: dict[str, str]) -> Reply:
        """Answer one GET or HEAD request."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        if path == "/robots.txt":
            return Reply(200, (("Content-Type", "text/plain; charset=utf-8"),), self.site.robots_txt.encode())
        if path in ("/petitions.json", "/petitions", "/archived/petitions.json", "/archived/petitions"):
            return self.index(path, query, params)
        if path == "/trending.json":
            return self.trending()
        if match := _COUNT.match(path):
            return self.count(match[1], headers)
        if match := _MODERATION_INFO.match(path):
            return self.moderation_info(match[1])
        if match := _DETAIL.match(path):
            return self.detail(match[2], archived=bool(match[1]), json=bool(match[3]), headers=headers)
        return _error(404, "Page not found", json=path.endswith(".json"))

    # -- one petition ----------------------------------------------------------------------

    def _find(self, raw: str, json: bool) -> PetitionRecord | Reply:
        if not raw.isdigit():
            return _error(400, "Bad request", json=json)
        record = self.site._petitions.get(int(raw))
        if record is None:
            return _error(404, "Petition not found", json=json)
        if record.removed:
            return _error(410, "Petition removed", json=json)
        return record

    def detail(self, raw: str, *, archived: bool, json: bool, headers: dict[str, str]) -> Reply:
        """Answer a petition's document or page, redirecting archived and unpublished ones."""
        suffix = ".json" if json else ""
        with self.site._lock:
            record = self._find(raw, json)
            if isinstance(record, Reply):
                return record
            number = record.number
            if archived != (record.parliament is not None):
                if archived:
                    return _error(404, "Petition not found", json=json)
                return _redirect(doc.petition_url(self.site.url, number, archived=True, suffix=suffix))
            if record.state in MODERATION:
                return _redirect(f"{self.site.url}/petitions/{number}/moderation-info")
            if record.state not in VISIBLE:
                return _error(404, "Petition not found", json=json)
            kind = "detail" if json else "page"
            if kind not in record.rendered:
                record.rendered[kind] = (
                    doc.encode(doc.detail_document(number, record.attributes, self.site.url, record.parliament))
                    if json else doc.petition_html(number, record.attributes, record.parliament)
                )
            return self._cacheable(record, record.rendered[kind], JSON if json else HTML, headers)

    def count(self, raw: str, headers: dict[str, str]) -> Reply:
        """Answer count.json; archived petitions have no count route, so they are a 404."""
        with self.site._lock:
            record = self._find(raw, True)
            if isinstance(record, Reply):
                return record
            if record.state in MODERATION:
                return _redirect(f"{self.site.url}/petitions/{record.number}/moderation-info")
            if record.parliament is not None or record.state not in VISIBLE:
                return _error(404, "Petition not found", json=True)
            if "count" not in record.rendered:
                record.rendered["count"] = doc.encode(doc.count_document(record.attributes))
            return self._cacheable(record, record.rendered["count"], JSON, headers)

    def moderation_info(self, raw: str) -> Reply:
        """Answer the page petitions in moderation redirect to."""
        with self.site._lock:
            record = self._find(raw, False)
            if isinstance(record, Reply):
                return record
            return Reply(200, (("Content-Type", HTML),), doc.moderation_html(record.number, record.attributes))

    def _cacheable(self, record: PetitionRecord, body: bytes, content_type: str, headers: dict[str, str]) -> Reply:
        """Add Cache-Control and Last-Modified; answer 304 when If-Modified-Since is not older."""
        max_age = self.site.archived_max_age if record.parliament is not None else self.site.max_age
        out = [("Content-Type", content_type), ("Cache-Control", doc.cache_control(max_age))]
        modified = doc.last_modified(record.attributes.get("updated_at"))
        if modified is None:
            return Reply(200, tuple(out), body)
        out.append(("Last-Modified", doc.http_date(modified)))
        since = _http_date(headers.get("if-modified-since"))
        if since is not None and since >= modified:
            return Reply(304, tuple(out[1:]))
        return Reply(200, tuple(out), body)

    # -- lists -----------------------------------------------------------------------------

    def index(self, path: str, query: str, params: dict[str, str]) -> Reply:
        """Answer a page of the (archived) index: filter, order, page, link."""
        archived = path.startswith("/archived")
        json = path.endswith(".json")
        state = params.get("state", "all")
        if state not in STATES:
            return _redirect(f"{self.site.url}{path}?{urlencode({**params, 'state': 'all'})}")
        page = max(1, _int(params.get("page"), 1))
        size = min(MAX_PAGE_SIZE, max(1, _int(params.get("count"), PAGE_SIZE)))
        terms = params.get("q", "").lower().split()
        parliament = params.get("parliament") if archived else None
        test = STATES[state]
        with self.site._lock:
            period = self._period(parliament) if archived else None
            if archived and period is None:
                return _error(404, "Parliament not found", json=json)
            rows = [
                record for record in self.site._petitions.values()
                if not record.removed and (record.parliament is not None) == archived
                and test(record.attributes) and _matches(record.attributes, terms)
                and (not archived or record.parliament.get("period") == period)
            ]
            rows.sort(key=lambda r: (-int(r.attributes.get("signature_count") or 0), r.number))
            if state == "recent":
                rows.sort(key=lambda r: r.attributes.get("opened_at") or "", reverse=True)
            last_page = max(1, ceil(len(rows) / size))
            chunk = rows[(page - 1) * size: page * size]
            entries = [self._entry(record) for record in chunk]
            listed = [(doc.petition_url(self.site.url, r.number, archived=archived, suffix=""), dict(r.attributes))
                      for r in chunk]
        if not json:
            return Reply(200, (("Content-Type", HTML),), doc.index_html("Petitions", listed))
        kept = {"state": state, **({"q": params["q"]} if terms else {}),
                **({"count": str(size)} if "count" in params else {}),
                **({"parliament": parliament} if parliament else {})}
        self_url = f"{self.site.url}{path}" + (f"?{query}" if query else "")
        links = doc.page_links(self.site.url, path, kept, page, last_page, self_url)
        return Reply(200, (("Content-Type", JSON),), doc.index_body(links, entries))

    def _entry(self, record: PetitionRecord) -> bytes:
        if "entry" not in record.rendered:
            entry = doc.index_entry(record.number, record.attributes, self.site.url, record.parliament)
            record.rendered["entry"] = doc.encode(entry)
        return record.rendered["entry"]

    def _period(self, parliament: str | None) -> str | None:
        """Return the period an archived index asks for: by number, by period, or the latest (None: unknown)."""
        periods = {r.parliament.get("period") for r in self.site._petitions.values() if r.parliament}
        if not parliament:
            return max(periods, key=lambda p: (doc.PARLIAMENT_NUMBERS.get(p, 0), p), default="")
        if parliament.isdigit():
            numbered = {n: p for p, n in doc.PARLIAMENT_NUMBERS.items()}
            return numbered.get(int(parliament))
        return parliament if parliament in doc.PARLIAMENT_NUMBERS or parliament in periods else None

    def trending(self) -> Reply:
        """Answer the open petitions that gained the most signatures in the last hour."""
        cutoff = time() - 3600
        with self.site._lock:
            gains = []
            for record in self.site._petitions.values():
                if record.removed or record.parliament is not None or record.state != "open":
                    continue
                before = [count for moment, count in record.history if moment <= cutoff]
                baseline = before[-1] if before else record.history[0][1] if record.history else 0
                gained = int(record.attributes.get("signature_count") or 0) - baseline
                if gained > 0:
                    gains.append((record.number, dict(record.attributes), gained))
        gains.sort(key=lambda row: (-row[2], row[0]))
        return Reply(200, (("Content-Type", JSON),), doc.encode(doc.trending_document(self.site.url, gains[:TRENDING])))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # an unreadable If-Modified-Since is ignored, as HTTP says
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _redirect(location: str) -> Reply:
    return Reply(302, (("Location", location), ("Content-Type", HTML)),
                 f'<html><body>You are being <a href="{location}">redirected</a>.</body></html>'.encode())


def _error(status: int, message: str, *, json: bool) -> Reply:
    if json:
        return Reply(status, (("Content-Type", JSON),), doc.error_json(status, message))
    return Reply(status, (("Content-Type", HTML),), doc.error_html(status, message))
