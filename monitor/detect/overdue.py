"""The `response_overdue` detector: a response that came after it was due (see monitor.detect.deadlines)."""

from __future__ import annotations

from monitor.watchlist.config import Watch
from monitor.detect.deadlines import overdue_event, timing
from monitor.detect.detectors import detector
from monitor.items import Event, PetitionState


@detector("response_overdue")
def response_overdue(previous: PetitionState | None, new: PetitionState, watch: Watch) -> list[Event]:
    """The government's response was not given within `response_due` (21 days) of the threshold."""
    if new.government_response is None and not new.government_response_at:
        return []  # awaited: the scheduler tells when it falls due (store.deadlines)
    if previous is not None and (previous.government_response is not None or previous.government_response_at):
        return []
    when = timing(new, watch.response_due)
    if when is None or not when.late:
        return []
    return [overdue_event(new, watch, when)]
