"""Watch health: one event when a watch starts failing, one when it recovers.

A watch that fails `failing_after` polls in a row (default 5) gets one
`watch_failing` event; its first success after that, one `watch_recovered`.
Both carry the same episode in their key (the last success before the
failures), so a restart never repeats them.
"""

from __future__ import annotations

from monitor.watchlist.config import Watch
from monitor.items import Event

KINDS = {
    "watch_failing": "A watch failed several polls in a row (the site is down or its layout changed).",
    "watch_recovered": "A failing watch succeeded again.",
    # made by monitor.scrapyd.ingest, on a watch row of the node's own
    "node_failing": "A Scrapyd node failed several times in a row (down, refusing, or its jobs lost).",
}


def health_events(watch: Watch, *, failures_before: int, failed: bool, error: str | None,
                  last_success_at: str | None, failing_after: int) -> list[Event]:  # fmt: skip
    """Return the health event this poll causes: failing at the Nth failure, recovered after."""
    episode = last_success_at or "never"
    if failed and failures_before + 1 == failing_after:
        return [Event(
            key=f"watch/{watch.id}/failing/{episode}", kind="watch_failing", watch_id=watch.id,
            title=f"Watch failing: {watch.id}",
            summary=f"The last {failing_after} polls of {watch.url} failed. Latest error: {error}",
            url=watch.url, occurred_at="", detected_at="",
            data={"failures": failing_after, "error": error, "last_success_at": last_success_at},
        )]  # fmt: skip
    if not failed and failures_before >= failing_after:
        return [Event(
            key=f"watch/{watch.id}/recovered/{episode}", kind="watch_recovered", watch_id=watch.id,
            title=f"Watch recovered: {watch.id}",
            summary=f"{watch.url} answers again after {failures_before} failed polls.",
            url=watch.url, occurred_at="", detected_at="",
            data={"failures": failures_before, "last_success_at": last_success_at},
        )]  # fmt: skip
    return []
