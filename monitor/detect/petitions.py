"""Detectors: pure functions that turn two states of a petition into events.

Each detector is ``(previous, new, watch) -> [Event]`` and is registered in
`DETECTORS` (monitor.detect.detectors) with `@detector`. ``previous`` is None the first time a watch sees
a petition: detectors then backfill what the site's own timestamps say
happened (a threshold reached, a response given, a debate), and invent no
state change. The store fills `detected_at`, and `occurred_at` where a
detector leaves it empty, with the time of the observation.
"""

from __future__ import annotations

from monitor.clock import human_date, parse_iso
from monitor.watchlist.config import Watch
from monitor.detect.deadlines import timing
from monitor.detect.diff import diff_text
from monitor.items import Event, PetitionState, stable_hash, to_jsonable
# Detector, Registered and run_detectors are re-exported: callers import them from here too.
from monitor.detect.detectors import DETECTORS, Detector, Registered, detector, run_detectors  # noqa: F401


def detect(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """Run every registered detector; return their events, each key once."""
    return run_detectors(DETECTORS, previous, new, watch)


def _event(new: PetitionState, watch: Watch, kind: str, slug: str, title: str,
           summary: str, occurred_at: str | None = None, **data: object) -> Event:
    return Event(
        key=f"petition/{new.key}/{slug}",
        kind=kind,
        watch_id=watch.id,
        petition_id=new.key,
        title=f"{title}: {new.action or f'petition {new.number}'}",
        summary=summary,
        url=new.page_url,
        occurred_at=occurred_at or "",
        detected_at="",
        data={"petition": new.number, "site": new.site, "signature_count": new.signature_count} | data,
    )


# ---------------------------------------------------------------- thresholds


@detector("threshold_crossed")
def threshold_crossed(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """A petition's signature count reached a threshold (10,000, 100,000 or one you set)."""
    response_at, debate_at = new.thresholds
    events = []
    for threshold in sorted({response_at, debate_at, *watch.thresholds}):
        if new.signature_count < threshold:
            continue
        if previous is not None and previous.signature_count >= threshold:
            continue
        occurred = {response_at: new.response_threshold_reached_at,
                    debate_at: new.debate_threshold_reached_at}.get(threshold)  # fmt: skip
        meaning = {
            response_at: "the government must respond",
            debate_at: "Parliament will consider it for a debate",
        }.get(threshold, "a threshold you set")
        when = f" on {human_date(occurred)}" if occurred else ""
        events.append(_event(
            new, watch, "threshold_crossed", f"threshold/{threshold}",
            f"{threshold:,} signatures",
            f"The petition passed {threshold:,} signatures{when} ({new.signature_count:,} now): {meaning}.",
            occurred, threshold=threshold, backfilled=previous is None,
        ))  # fmt: skip
    return events


# ---------------------------------------------------------------- government response


def _response_slug(new: PetitionState) -> str:
    response = new.government_response
    day = (response.responded_on if response else None) or (new.government_response_at or "")[:10]
    return f"response/{day or 'undated'}"


@detector("response_published")
def response_published(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """The government published its response to a petition."""
    response = new.government_response
    if response is None or (previous is not None and previous.government_response is not None):
        return []
    when = response.responded_on or new.government_response_at
    delay = timing(new, watch.response_due)
    line = delay.line(watch.response_due) if delay else ""
    summary = response.summary or "The government responded."
    extra = {"due_at": delay.due_at, "late": delay.late, "response_threshold_reached_at": delay.crossed_at,
             "response_due": watch.response_due, "delay": line} if delay else {}  # fmt: skip
    return [_event(
        new, watch, "response_published", _response_slug(new), "Government responded",
        f"{line[0].upper()}{line[1:]}. {summary}" if line else summary,
        new.government_response_at or response.created_at or response.responded_on,
        response=to_jsonable(response), responded_on=when, backfilled=previous is None, **extra,
    )]  # fmt: skip


@detector("response_updated")
def response_updated(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """The government edited the summary or the text of its response."""
    if previous is None or previous.government_response is None or new.government_response is None:
        return []
    old, cur = previous.government_response, new.government_response
    if (old.summary, old.details) == (cur.summary, cur.details):
        return []
    if _older(cur.updated_at, old.updated_at):  # a view fetched before the edit, recorded after it: not an edit back
        return []
    diffs = (("Summary", diff_text(old.summary, cur.summary)), ("Response", diff_text(old.details, cur.details)))
    diff = "\n".join(f"{label}:\n{text}" for label, text in diffs if text)
    version = cur.updated_at or _short_hash(cur.summary, cur.details)
    return [_event(
        new, watch, "response_updated", f"response-updated/{version}", "Government response updated",
        f"The government edited its response of {human_date(cur.responded_on or new.government_response_at)}.",
        cur.updated_at, response=to_jsonable(cur), previous_response=to_jsonable(old), diff=diff,
    )]  # fmt: skip


def _older(when: str | None, than: str | None) -> bool:
    """Tell whether the site's time `when` is before `than` (False when either is missing or unreadable)."""
    if not when or not than:
        return False
    try:
        return parse_iso(when) < parse_iso(than)
    except ValueError:
        return False


def _short_hash(*parts: str | None) -> str:
    return stable_hash(list(parts))[:12]


# ---------------------------------------------------------------- debates


@detector("debate_scheduled")
def debate_scheduled(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """Parliament scheduled a debate on a petition (or moved it to a new date)."""
    date = new.scheduled_debate_date
    if not date or (previous is not None and previous.scheduled_debate_date == date):
        return []
    return [_event(
        new, watch, "debate_scheduled", f"debate-scheduled/{date}", f"Debate scheduled for {human_date(date)}",
        f"Parliament will debate this petition on {human_date(date)}.",
        new.debate_scheduled_on, scheduled_debate_date=date, backfilled=previous is None,
    )]  # fmt: skip


@detector("debated")
def debated(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """Parliament debated a petition (with the transcript and video links)."""
    debate = new.debate
    if debate is None or not debate.debated_on:
        return []
    if previous is not None and previous.debate is not None and previous.debate.debated_on == debate.debated_on:
        return []
    links = [f"{label}: {url}" for label, url in (
        ("Transcript", debate.transcript_url), ("Video", debate.video_url),
        ("Debate pack", debate.debate_pack_url),
    ) if url]  # fmt: skip
    summary = f"Parliament debated this petition on {human_date(debate.debated_on)}."
    if debate.overview:
        summary += f" {debate.overview}"
    if links:
        summary += " " + " · ".join(links)
    return [_event(
        new, watch, "debated", f"debated/{debate.debated_on}", f"Debated on {human_date(debate.debated_on)}",
        summary, new.debate_outcome_at or debate.debated_on, debate=to_jsonable(debate),
        backfilled=previous is None,
    )]  # fmt: skip


# ---------------------------------------------------------------- state


_STATE_TITLES = {
    "open": "Opened", "closed": "Closed", "rejected": "Rejected", "hidden": "Hidden",
    "removed": "Removed",
}  # fmt: skip


@detector("state_changed")
def state_changed(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """A petition opened, closed, was rejected, archived or removed."""
    if previous is None:
        return []
    events = []
    if previous.state != new.state and new.state:
        summary = f"The petition is now {new.state} (was {previous.state})."
        extra: dict[str, object] = {}
        if new.state == "rejected" and new.rejection:
            summary = f"The petition was rejected ({new.rejection.code}): {new.rejection.details or ''}".strip()
            extra["rejection"] = to_jsonable(new.rejection)
        when = {"closed": new.closed_at, "rejected": new.rejected_at, "open": new.opened_at}.get(new.state)
        events.append(_event(
            new, watch, "state_changed", f"state/{new.state}",
            _STATE_TITLES.get(new.state, new.state.capitalize()), summary, when,
            state=new.state, previous_state=previous.state, **extra,
        ))  # fmt: skip
    if new.archived and not previous.archived:
        period = new.parliament.period if new.parliament else None
        events.append(_event(
            new, watch, "state_changed", "state/archived", "Archived",
            f"The petition was archived with the {period or 'previous'} Parliament.",
            new.parliament.dissolution_at if new.parliament else None,
            state="archived", previous_state=previous.state, parliament=to_jsonable(new.parliament),
        ))  # fmt: skip
    return events


@detector("petition_discovered")
def petition_discovered(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """A sweep found a petition it had not seen before."""
    if previous is not None or watch.kind != "sweep":
        return []
    return [_event(
        new, watch, "petition_discovered", "discovered", "New petition",
        f"{new.background or ''} ({new.signature_count:,} signatures, {new.state}).".strip(),
        new.opened_at or new.created_at, state=new.state,
    )]  # fmt: skip


# Detectors kept in their own modules register on import, after those above (the registry keeps their order).
from monitor.detect import overdue as _deadlines  # noqa: E402,F401
