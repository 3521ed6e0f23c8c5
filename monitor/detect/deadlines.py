"""The government's deadline: a response is due `response_due` after a petition passes its threshold.

The Government has agreed to respond within 21 days of a petition's 10,000th
signature (the chair of the Petitions Committee, House of Commons, 23 January
2024); `response_due` is that setting. Pure functions: when a response falls
due, how long one took and how late it was, and the `response_overdue` event,
dated the day the response became due. The detector (monitor.detect.overdue)
gives the event when a response arrives late (or a first look finds one that
did); while a petition waits, the scheduler gives it (store.deadlines), since
nothing on the site changes then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from monitor.clock import human_date, iso, parse_iso
from monitor.watchlist.config import Watch
from monitor.items import Event, PetitionState

DAY = 86_400.0


@dataclass(frozen=True)
class Timing:
    """How a response compares with its deadline (`responded_at` None while it is awaited)."""

    crossed_at: str
    due_at: str
    responded_at: str | None

    @property
    def late(self) -> bool:
        """Tell whether the response came after it was due (False while it is awaited)."""
        return self.responded_at is not None and parse_iso(self.responded_at) > parse_iso(self.due_at)

    def line(self, due: float) -> str:
        """Return "answered after 42 days, 21 days late" (or "…, in time (due within 21 days)")."""
        if self.responded_at is None:
            return ""
        took = span(self.crossed_at, self.responded_at)
        if self.late:
            return f"answered after {took}, {late_by(self)} late"
        return f"answered after {took}, in time (due within {duration_text(due)})"


def late_by(when: Timing) -> str:
    """Return how late a response came: "21 days" (at least one day once it is a day late), "3 h"."""
    return span(when.due_at, when.responded_at or when.due_at, at_least_one=True)


def response_due_at(crossed_at: str, due: float) -> str:
    """Return when a response is due: `due` seconds after the threshold was crossed."""
    return iso(parse_iso(crossed_at) + timedelta(seconds=due))


def timing(state: PetitionState, due: float) -> Timing | None:
    """Return the response's timing, or None for a petition that never passed its threshold."""
    crossed = state.response_threshold_reached_at
    if not crossed:
        return None
    return Timing(crossed, response_due_at(crossed, due), responded_at(state))


def responded_at(state: PetitionState) -> str | None:
    """Return when the government responded (the site's time, else the response's own dates)."""
    response = state.government_response
    if state.government_response_at:
        return state.government_response_at
    if response is not None:
        return response.created_at or response.responded_on
    return None


def span(start: str, end: str, *, at_least_one: bool = False) -> str:
    """Return the time from `start` to `end` as "10 days" (calendar days), or "3 h"/"40 s" under a day."""
    a, b = parse_iso(start), parse_iso(end)
    seconds = (b - a).total_seconds()
    if seconds >= DAY:
        days = (b.date() - a.date()).days
        return _days(max(days, 1) if at_least_one else days)
    return duration_text(seconds)


def duration_text(seconds: float) -> str:
    """Return a duration the way a reader says it: "21 days", "6 h", "90 s"."""
    if seconds >= DAY and seconds % DAY == 0:
        return _days(int(seconds // DAY))
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{max(0, math.ceil(seconds))} s"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def overdue_event(state: PetitionState, watch: Watch, when: Timing) -> Event:
    """Return the `response_overdue` event of a petition, dated the moment its response became due."""
    threshold = state.thresholds[0]
    if when.responded_at:
        waited = f"The response came on {human_date(when.responded_at)}, {late_by(when)} late."
    else:
        waited = "No response yet."
    return Event(
        key=f"petition/{state.key}/response_overdue",
        kind="response_overdue",
        watch_id=watch.id,
        petition_id=state.key,
        title=f"Response overdue: {state.action or f'petition {state.number}'}",
        summary=(f"The petition passed {threshold:,} signatures on {human_date(when.crossed_at)}; the government's"
                 f" response was due within {duration_text(watch.response_due)}, by {human_date(when.due_at)}."
                 f" {waited}"),  # fmt: skip
        url=state.page_url,
        occurred_at=when.due_at,
        detected_at="",
        data={"petition": state.number, "site": state.site, "signature_count": state.signature_count,
              "threshold": threshold, "response_threshold_reached_at": when.crossed_at, "due_at": when.due_at,
              "response_due": watch.response_due, "responded_at": when.responded_at},  # fmt: skip
    )
