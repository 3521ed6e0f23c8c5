"""The registry of petition detectors: `DETECTORS`, filled by `@detector`, and how detectors are run.

Below every detector module: monitor.detect.petitions and the detectors kept in their own
modules (monitor.detect.overdue) register here, so none of them imports another to register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monitor.items import Event, PetitionState
from monitor.registry import Registry
from monitor.watchlist.config import Watch

Detector = Callable[[PetitionState | None, PetitionState, Watch], list[Event]]


@dataclass(frozen=True)
class Registered:
    """A detector and the line `govwatch` prints about it (its docstring's first line)."""

    kind: str
    fn: Detector

    @property
    def help(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0] if self.fn.__doc__ else ""


DETECTORS = Registry("detector")


def detector(kind: str) -> Callable[[Detector], Detector]:
    """Register a detector of petition events under its event kind."""
    return DETECTORS.decorator(kind, lambda fn: Registered(kind, fn))


def run_detectors(registry: Registry, previous: Any, new: Any, watch: Any) -> list[Event]:
    """Run every detector of `registry` on one change; return their events, the first of each key."""
    events: dict[str, Event] = {}
    for registered in registry.values():
        for event in registered.fn(previous, new, watch):
            events.setdefault(event.key, event)
    return list(events.values())
