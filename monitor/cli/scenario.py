"""The story `govwatch demo` plays on the replicas: steps as data, played on the clock.

A made-up petition races past 10,000 signatures, the government answers it,
and a real signatory of the seed open letter (left out at first) signs it.
Each step's time is in seconds of a 60-second demo; `play` stretches or
compresses them to the demo's length. `EXPECTED` says which events the story
must produce, so the demo (and its test) can tell whether they all arrived.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monitor.registry import Registry
from monitor.replica import AdvocacyReplica, EPetitionsReplica

LENGTH = 60.0  # seconds: the steps' time scale

# The petition of the story. It exists only on the replica; its response is invented too.
NUMBER = 700_001
ACTION = "Ban imports of goods made with Uyghur forced labour"
BACKGROUND = ("A petition govwatch's demo invents on its replica of the e-petitions site, to show a petition "
              "racing past 10,000 signatures and the government's response arriving.")  # fmt: skip
START_COUNT = 9_100
RESPONSE_SUMMARY = ("The Government is clear that UK businesses must not profit from forced labour, and will "
                    "keep the evidence on supply chains under review. (An invented response, for the demo.)")  # fmt: skip
RESPONSE_DETAILS = ("The Modern Slavery Act 2015 requires large businesses to report on the steps they take to "
                    "keep forced labour out of their supply chains.\n\nThis text is the demo's own: the real "
                    "site has never published it.")  # fmt: skip
# A real signatory of the real letter: the replica's letter starts without him and he signs during the demo.
SIGNATORY = "Ma Jian, writer"

# Watch ids in the demo's watchlist.
PETITION_WATCH = "racing-petition"
SEED_WATCH = "uyghur-petition"
LETTER_WATCH = "amnesty-open-letter"


@dataclass(frozen=True)
class Stage:
    """The replicas a scenario plays on."""

    petitions: EPetitionsReplica
    pages: AdvocacyReplica


@dataclass(frozen=True)
class Step:
    """One change on the replicas: at `at` seconds (of a 60-second demo), run `action` with `value`."""

    at: float
    action: str
    value: Any


@dataclass(frozen=True)
class Expected:
    """An event the story must produce: its kind, its watch and a text its title contains."""

    kind: str
    watch: str
    title_has: str


Action = Callable[[Stage, Any], str]
ACTIONS = Registry("scenario action")


def action(name: str) -> Callable[[Action], Action]:
    """Register a step action under `name` (it returns the line the demo prints)."""
    return ACTIONS.decorator(name)


@action("sign")
def _sign(stage: Stage, count: int) -> str:
    """The petition's signature count moves."""
    stage.petitions.sign(NUMBER, count)
    return f"petition {NUMBER} now has {count:,} signatures"


@action("respond")
def _respond(stage: Stage, summary: str) -> str:
    """The government publishes its response to the petition."""
    stage.petitions.respond(NUMBER, summary, RESPONSE_DETAILS)
    return f"the government responds to petition {NUMBER}"


@action("add_signatory")
def _add_signatory(stage: Stage, name: str) -> str:
    """Someone signs the open letter."""
    stage.pages.add_signatory(name)
    return f"{name!r} signs the open letter"


SCENARIO: tuple[Step, ...] = (
    Step(6, "sign", 9_350),
    Step(12, "sign", 9_600),
    Step(16, "add_signatory", SIGNATORY),
    Step(18, "sign", 9_820),
    Step(23, "sign", 9_960),
    Step(27, "sign", 10_140),
    Step(33, "sign", 10_390),
    Step(37, "respond", RESPONSE_SUMMARY),
    Step(42, "sign", 10_650),
)

EXPECTED: tuple[Expected, ...] = (
    Expected("threshold_crossed", PETITION_WATCH, "10,000 signatures"),
    Expected("response_published", PETITION_WATCH, ACTION),
    Expected("list_item_added", LETTER_WATCH, SIGNATORY),
)


def set_stage(stage: Stage) -> None:
    """Put the replicas in the story's first state: the seed petition, the racing one, the letter without him."""
    stage.petitions.seed()
    stage.petitions.add_petition(NUMBER, ACTION, signature_count=START_COUNT, background=BACKGROUND)
    stage.pages.remove_signatory(SIGNATORY)


def play(stage: Stage, length: float, say: Callable[[str], None], stop: threading.Event,
         steps: tuple[Step, ...] = SCENARIO) -> None:  # fmt: skip
    """Play `steps` on the replicas, scaled to a demo of `length` seconds, until done or `stop` is set."""
    started = time.monotonic()
    scale = length / LENGTH
    for step in steps:
        if stop.wait(max(0.0, started + step.at * scale - time.monotonic())):
            return
        say(ACTIONS[step.action](stage, step.value))


def last_step_at(length: float, steps: tuple[Step, ...] = SCENARIO) -> float:
    """Return when, in seconds of a demo of `length` seconds, the last step is played."""
    return max(step.at for step in steps) * length / LENGTH
