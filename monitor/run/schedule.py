"""When is a watch due again? Pure rules, so they are easy to test and to explain.

- its `interval` (or the watchlist's), or its `cron` expression when it has one;
- adaptive for open petitions: when the recent signature rate puts the next
  threshold within four intervals, at least twice as often, down to the
  site's max-age (a threshold crossed is news by the hour);
- closed, rejected and archived petitions: at most daily;
- a failing watch backs off: the interval doubles with each failure, up to a day;
- never sooner than the site allows (Cache-Control max-age, Retry-After);
- with jitter (0 to +10%: never sooner than asked), so that many watches do
  not fire in the same second.

`govwatch run` looks for due watches every tick and batches them into one
crawl, so a watch is polled up to a tick late. `next_look` says when to look
sooner: when the next tick would make a watch later than its jitter allows
(an interval under ten ticks, such as "1s" with the default 5 s tick).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.clock import iso, parse_iso
from monitor.watchlist.config import Settings, Watch
from monitor.items import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from monitor.watchlist.validation import cron_trigger

DAY = 86400.0
JITTER = 0.10
MIN_INTERVAL = 1.0  # seconds; the floor when a site sends no max-age


@dataclass(frozen=True, slots=True)
class Progress:
    """What the schedule needs to know of a petition: its state, count and recent rate."""

    state: str | None
    archived: bool
    signature_count: int
    rate: float | None  # signatures per second over the recent past, None when unknown


@dataclass(frozen=True, slots=True)
class Due:
    """The next poll of a watch and why then."""

    at: str
    reason: str


def at_deadline(due: Due, deadline: str | None, *, now: str, fresh_until: str | None = None) -> Due:
    """Return `due`, or the moment a petition's response falls due when that comes first: that moment is news."""
    if deadline and now < deadline < due.at:
        return Due(max(deadline, fresh_until or deadline), "response falls due")
    return due


def next_due(watch: Watch, settings: Settings, *, now: datetime, failures: int = 0,
             fresh_until: str | None = None, max_age: float | None = None,
             progress: Progress | None = None, rng: random.Random | None = None) -> Due:  # fmt: skip
    """Return when `watch` should be polled next, after a poll that ended at `now`."""
    rng = rng or random.Random()
    base = watch.interval or settings.interval
    cron = getattr(watch, "cron", None)
    if cron:
        at, reason = _cron_next(cron, now), f"cron {cron}"
    else:
        seconds, reason = _interval(base, watch, failures, max_age, progress)
        seconds *= 1 + rng.uniform(0, JITTER)
        at = now + timedelta(seconds=max(seconds, MIN_INTERVAL))
    if fresh_until and parse_iso(fresh_until) > at:
        return Due(fresh_until, "the site asks us to wait (max-age or Retry-After)")
    return Due(iso(at), reason)


def _interval(base: float, watch: Watch, failures: int, max_age: float | None,
              progress: Progress | None) -> tuple[float, str]:  # fmt: skip
    if failures > 0:
        return min(max(base, DAY), base * 2 ** (failures - 1)), f"backing off after {failures} failures"
    if progress is None:
        return base, "interval"
    if progress.archived or progress.state in ("closed", "rejected", "hidden", "removed"):
        return max(base, DAY), f"{'archived' if progress.archived else progress.state}: daily"
    eta = seconds_to_threshold(progress, watch.thresholds)
    if eta is not None and eta < 4 * base:
        floor = max(max_age or 0.0, MIN_INTERVAL)
        return max(floor, min(base / 2, eta / 4)), f"next threshold in ~{eta:.0f} s"
    return base, "interval"


def seconds_to_threshold(progress: Progress, extra: tuple[int, ...] = ()) -> float | None:
    """Estimate the seconds until the next threshold at the current rate (None if not rising)."""
    if not progress.rate or progress.rate <= 0:
        return None
    ahead = [t for t in (RESPONSE_THRESHOLD, DEBATE_THRESHOLD, *extra) if t > progress.signature_count]
    if not ahead:
        return None
    return (min(ahead) - progress.signature_count) / progress.rate


def _cron_next(expression: str, now: datetime) -> datetime:
    return cron_trigger(expression).get_next_fire_time(None, now)


def next_look(dues: Iterable[tuple[datetime, float]], next_tick: datetime) -> datetime | None:
    """Return when to look for due watches before `next_tick`, or None when the tick is soon enough.

    `dues` are (due at, interval in seconds; 0 for a cron watch) pairs. Waiting for the
    tick delays a watch by up to a tick: within its jitter for a long interval (and those
    polls stay batched), too late for a short one or a cron time.
    """
    early = [at for at, interval in dues if at + timedelta(seconds=JITTER * interval) < next_tick]
    return min(early, default=None)
