"""A progress line on a terminal while a long check or sweep runs: polls done / planned, rate, ETA.

Written to stderr over itself (carriage return), at most five times a second,
and erased at the end; nothing at all when stderr is not a terminal or with
`--quiet`, so logs and pipes get only the summary.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import TextIO

from monitor.watchlist.config import Config, SweepWatch, Watch
from store.db import open_db


def planned_polls(config: Config, watches: tuple[Watch, ...]) -> int | None:
    """Estimate the polls a check of `watches` makes: one per watch, a sweep's petitions as it last saw them.

    None when a sweep has never run (its size is unknown until it has read the index).
    """
    sweeps = [w.id for w in watches if isinstance(w, SweepWatch)]
    if not sweeps:
        return len(watches)
    if not config.settings.database.exists():
        return None
    db = open_db(config.settings.database)
    try:
        rows = {r["watch_id"]: r["n"] for r in db.query(
            "SELECT watch_id, count(*) AS n FROM watch_petitions WHERE watch_id IN (SELECT value FROM json_each(?))"
            " GROUP BY watch_id", [json.dumps(sweeps)])}  # fmt: skip
    finally:
        db.close()
    if set(rows) != set(sweeps):
        return None
    return len(watches) - len(sweeps) + sum(rows.values()) + len(sweeps)  # a sweep also reads its index


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Count polls as they are recorded and show how far along the crawl is."""

    def __init__(self, planned: int | None, *, enabled: bool, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, every: float = 0.2):  # fmt: skip
        self.planned, self.enabled, self.count = planned, enabled, 0
        self.stream = stream if stream is not None else sys.stderr
        self.clock, self.every = clock, every
        self.started = clock()
        self._shown_at: float | None = None
        self._width = 0

    def line(self) -> str:
        """Return the progress text: "  120/2,000 polls · 35.2/s · ETA 53s"."""
        elapsed = self.clock() - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        if self.planned and self.count <= self.planned:
            eta = f" · ETA {_duration((self.planned - self.count) / rate)}" if rate > 0 else ""
            return f"  {self.count:,}/{self.planned:,} polls · {rate:.1f}/s{eta}"
        return f"  {self.count:,} polls · {rate:.1f}/s"

    def tick(self) -> None:
        """Count one recorded poll; redraw the line if it is time."""
        self.count += 1
        if not self.enabled:
            return
        at = self.clock()
        if self._shown_at is None or at - self._shown_at >= self.every:
            self._shown_at = at
            text = self.line()
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = len(text)

    def done(self) -> None:
        """Erase the line (the summary follows it)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
