"""Signature ETA: when an open petition reaches its next threshold at its recent rate.

Pure functions over a petition's count points (the `signature_counts` rows of
the last `rate_window`). The rate is the lower median of the rates between
consecutive points, so one jump among slow steps (a batch of signatures
counted at once, a count corrected) never makes a petition look fast, and it
needs at least three points. A flat or falling count has no ETA. The
`threshold_approaching` event is given once per threshold, when the ETA first
falls within `approaching_within` of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from monitor.clock import human_date, iso, parse_iso
from monitor.watchlist.config import Watch
from monitor.items import Event, PetitionState

MIN_POINTS = 3
KINDS = {"threshold_approaching": ("An open petition will reach its next threshold within `approaching_within`"
                                   " (24 h) at its recent rate.")}  # fmt: skip

Point = tuple[str, int]  # (observed_at, signature_count)


@dataclass(frozen=True)
class Eta:
    """When a petition reaches `threshold` at `rate` signatures per hour, and whether that is before it closes."""

    threshold: int
    at: str
    rate: float  # signatures per hour
    closes_at: str | None

    @property
    def before_close(self) -> bool:
        """Tell whether the petition reaches the threshold before it closes (True when no closing date is known)."""
        return self.closes_at is None or self.at < self.closes_at

    def line(self) -> str:
        """Return "100,000 signatures around 2026-12-03 18:00 UTC at 1,200 an hour, before it closes"."""
        close = "before it closes" if self.before_close else f"after it closes on {human_date(self.closes_at)}"
        return (f"{self.threshold:,} signatures around {self.at[:16].replace('T', ' ')} UTC at "
                f"{self.rate:,.0f} an hour, {close}")  # fmt: skip


def recent_rate(points: list[Point]) -> float | None:
    """Return signatures per second from the count points (oldest first), or None without a steady climb."""
    if len(points) < MIN_POINTS or points[-1][1] <= points[0][1]:
        return None
    rates = []
    for (t0, c0), (t1, c1) in zip(points, points[1:]):
        seconds = (parse_iso(t1) - parse_iso(t0)).total_seconds()
        if seconds <= 0:
            return None
        rates.append((c1 - c0) / seconds)
    rate = sorted(rates)[(len(rates) - 1) // 2]  # the lower median: one jump is not a trend
    return rate if rate > 0 else None


def next_threshold(state: PetitionState, watch: Watch | None = None) -> int | None:
    """Return the smallest threshold (the site's two, the watch's own) the petition has not reached."""
    above = [t for t in {*state.thresholds, *(watch.thresholds if watch else ())} if t > state.signature_count]
    return min(above) if above else None


def projection(state: PetitionState, points: list[Point], watch: Watch | None = None) -> Eta | None:
    """Return when an open petition reaches its next threshold at its recent rate (None when it is not climbing)."""
    if state.state != "open" or state.archived or not points:
        return None
    threshold, rate = next_threshold(state, watch), recent_rate(points)
    if threshold is None or rate is None:
        return None
    last_at, last_count = points[-1]
    at = parse_iso(last_at) + timedelta(seconds=max(0, threshold - last_count) / rate)
    closes = f"{state.closing_date}T23:59:59.999Z" if state.closing_date and len(state.closing_date) == 10 else (
        state.closing_date)  # fmt: skip
    return Eta(threshold=threshold, at=iso(at), rate=rate * 3600, closes_at=closes)


def approaching_event(state: PetitionState, watch: Watch, eta: Eta | None, *, now: str,
                      within: float) -> Event | None:  # fmt: skip
    """Return the `threshold_approaching` event when `eta` falls within `within` seconds of `now` (0: never)."""
    if eta is None or within <= 0 or not eta.before_close:
        return None
    if (parse_iso(eta.at) - parse_iso(now)).total_seconds() > within:
        return None
    return Event(
        key=f"petition/{state.key}/approaching/{eta.threshold}",
        kind="threshold_approaching",
        watch_id=watch.id,
        petition_id=state.key,
        title=f"Approaching {eta.threshold:,} signatures: {state.action or f'petition {state.number}'}",
        summary=f"At its recent rate the petition ({state.signature_count:,} now) reaches {eta.line()}.",
        url=state.page_url,
        occurred_at="",
        detected_at="",
        data={"petition": state.number, "site": state.site, "signature_count": state.signature_count,
              "threshold": eta.threshold, "eta": eta.at, "rate_per_hour": round(eta.rate, 1),
              "closes_at": eta.closes_at},  # fmt: skip
    )
