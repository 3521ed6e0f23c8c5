"""Plan the polls of a crawl: which watches, full document or count, which conditional headers.

Rules that keep govwatch polite and cheap:
- a watch whose last answer is still fresh (Cache-Control max-age, or a
  Retry-After the site sent) is skipped, as is a petition that answered 404/410;
- an open petition is polled through its tiny count.json; the full document
  is fetched the first time, when count.json says more than the count changed
  (or it was modified while the count stayed the same), once the closing date
  has passed, and at least every `full_every`;
- an answered petition polled through count.json brings its site a pass
  through the with_response index, for response edits (monitor.run.response_pass);
- a sweep carries the body hashes of the index pages it recorded, so the
  spider does not decode a page that is the same as last pass;
- a page carries its stored content hash and learned noise rules, so the
  pages spider can fetch it again when it seems to have changed;
- If-Modified-Since is sent only when our copy is at least one Last-Modified
  granule (10 s on e-petitions) newer than Last-Modified, because a change in
  the same granule would otherwise be answered 304 and missed.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.clock import http_date, later, now_iso
from monitor.watchlist.config import Config, PageWatch, PetitionWatch, SweepWatch, TrendingWatch, Watch
from monitor.items import Poll, petition_key
from monitor.run.response_pass import response_passes
from store.pages import PageBrief, page_briefs
from store.queries import PetitionBrief, WatchStatus, index_page_hashes, petition_briefs, watch_statuses

LAST_MODIFIED_GRANULE = 10.0  # seconds: e-petitions rounds Last-Modified down to 10 s


@dataclass(frozen=True, slots=True)
class Skipped:
    """A watch left out of a crawl, and why."""

    watch: Watch
    reason: str


def plan(db, config: Config, watches: tuple[Watch, ...], *, at: str | None = None,
         force: bool = False) -> tuple[list[Poll], list[Skipped]]:  # fmt: skip
    """Return the polls for `watches` and the watches skipped with their reason."""
    at = at or now_iso()
    statuses = watch_statuses(db, [w.id for w in watches])  # not the thousands of other watches a database may hold
    briefs = petition_briefs(db, {petition_key(w.site, w.number) for w in watches if isinstance(w, PetitionWatch)})
    pages = page_briefs(db)
    polls, skipped = [], []
    for watch in watches:
        status = statuses.get(watch.id)
        reason = _skip_reason(status, config, watch, at) if status and not force else None
        if reason:
            skipped.append(Skipped(watch, reason))
        elif isinstance(watch, PetitionWatch):
            polls.append(_petition_poll(watch, status, briefs, config, at))
        elif isinstance(watch, SweepWatch):
            polls.append(Poll(watch.id, watch.url, "sweep", page_hashes=index_page_hashes(db, watch.id)))
        elif isinstance(watch, PageWatch):
            polls.append(_page_poll(watch, status, pages.get(watch.id)))
        elif isinstance(watch, TrendingWatch):
            polls.append(Poll(watch.id, watch.url, "trending", known_numbers=_stored_numbers(db, watch.site)))
        else:
            polls.append(Poll(watch.id, watch.url, watch.kind))
    return polls + response_passes(db, config, polls, at), skipped


def _stored_numbers(db, site: str) -> frozenset[int]:
    """Return the numbers of the petitions of `site` the database holds."""
    return frozenset(r[0] for r in db.conn.execute("SELECT number FROM petitions WHERE site = ?", [site]))


def _skip_reason(status: WatchStatus, config: Config, watch: Watch, at: str) -> str | None:
    if status.gone:
        return f"gone since {status.last_checked_at} ({status.last_error or 'HTTP 404/410'})"
    if status.fresh_until and status.fresh_until > at:
        why = "Retry-After" if status.last_outcome == "error" else "Cache-Control max-age"
        return f"fresh until {status.fresh_until} ({why})"
    return None


def _petition_poll(watch: PetitionWatch, status: WatchStatus | None, briefs: dict[str, PetitionBrief],
                   config: Config, at: str) -> Poll:  # fmt: skip
    url = status.url if status else watch.url
    brief = briefs.get(petition_key(watch.site, watch.number))
    full_ims = _ims((status.last_modified, status.last_modified_fetched_at)) if status else None
    if brief is None or not _count_is_enough(brief, status, config, at):
        return Poll(watch.id, url, "full", if_modified_since=full_ims)
    # count.json changes whenever the petition does, so the full document's Last-Modified serves it too
    # (the reverse is not true: a count.json Last-Modified says nothing of changes we did not fetch).
    count_ims = _ims((status.count_last_modified, status.count_last_modified_fetched_at),
                     (status.last_modified, status.last_modified_fetched_at))  # fmt: skip
    newest = max(filter(None, (status.last_modified, status.count_last_modified)), default=None)
    return Poll(watch.id, url, "count", if_modified_since=full_ims, count_if_modified_since=count_ims,
                known=brief.count, known_last_modified=newest)  # fmt: skip


def _page_poll(watch: PageWatch, status: WatchStatus | None, brief: PageBrief | None) -> Poll:
    """Poll a page with what the spider needs to tell a change from noise."""
    if brief is None:
        return Poll(watch.id, watch.url, "page")
    ims = _ims((status.last_modified, status.last_modified_fetched_at)) if status and brief.content_hash else None
    return Poll(watch.id, watch.url, "page", if_modified_since=ims, known_hash=brief.content_hash,
                noise=brief.noise)  # fmt: skip


def _count_is_enough(brief: PetitionBrief, status: WatchStatus | None, config: Config, at: str) -> bool:
    if status is None or status.last_full_at is None:
        return False
    if brief.archived or brief.state != "open" or "/archived/" in status.url:
        return False  # no count.json for archived petitions; closed ones change rarely: a 304 is as cheap
    if brief.closing_date and brief.closing_date < at[:10]:
        return False  # it has closed since: the state is only in the full document
    return later(status.last_full_at, config.settings.full_every) > at


def _ims(*seen: tuple[str | None, str | None]) -> str | None:
    """Return If-Modified-Since from (Last-Modified, fetched at) pairs, or None when none is safe."""
    safe = [
        modified for modified, fetched_at in seen
        # fetched inside the granule: a later change could share our Last-Modified
        if modified and fetched_at and fetched_at >= later(modified, LAST_MODIFIED_GRANULE)
    ]  # fmt: skip
    return http_date(max(safe)) if safe else None
