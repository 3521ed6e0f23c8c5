"""The detectors, case by case (cases in tests/data/detector_cases.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.watchlist.config import PetitionWatch, SweepWatch
from monitor.detect.petitions import DETECTORS, detect
from monitor.items import (
    Debate,
    GovernmentResponse,
    Parliament,
    PetitionState,
    Rejection,
)

CASES = tomllib.loads((Path(__file__).parent / "data" / "detector_cases.toml").read_text())["case"]
NESTED = {"government_response": GovernmentResponse, "debate": Debate, "rejection": Rejection,
          "parliament": Parliament}


def petition(fields: dict) -> PetitionState:
    values = {k: NESTED[k](**v) if k in NESTED else v for k, v in fields.items()}
    return PetitionState(**({"site": "https://site.test", "number": 1, "action": "Do a thing",
                             "state": "open"} | values))


def watch(case: dict):
    cls = SweepWatch if case.get("watch_kind") == "sweep" else PetitionWatch
    return cls(id="w", kind=case.get("watch_kind", "petition"), url="https://site.test/petitions/1.json",
               entry="test", site="https://site.test", thresholds=tuple(case.get("watch_thresholds", ())),
               **({"response_due": case["watch_response_due"]} if "watch_response_due" in case else {}))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_detector_case(case):
    previous = petition(case["previous"]) if "previous" in case else None
    events = detect(previous, petition(case["new"]), watch(case))
    assert sorted(e.key.removeprefix("petition/site.test/1/") for e in events) == sorted(case["expect"])
    page = "https://site.test" + ("/archived" if case["new"].get("archived") else "") + "/petitions/1"
    for e in events:
        assert e.title and e.summary and e.url == page


def test_backfilled_events_are_dated_from_the_site():
    p = petition(next(c for c in CASES if c["name"].startswith("first sight backfills"))["new"])
    by_key = {e.key.rsplit("/", 2)[-2] + "/" + e.key.rsplit("/", 1)[-1]: e for e in detect(None, p, watch({}))}
    assert by_key["threshold/10000"].occurred_at == "2018-07-01T00:00:00.000Z"
    assert by_key["threshold/100000"].occurred_at == "2018-09-01T00:00:00.000Z"
    assert by_key["response/2018-11-30"].occurred_at == "2018-11-30T10:00:00.000Z"


def test_response_update_carries_a_readable_diff():
    case = next(c for c in CASES if c["name"].startswith("response edited"))
    [event] = detect(petition(case["previous"]), petition(case["new"]), watch(case))
    assert "- Old text." in event.data["diff"] and "+ New text." in event.data["diff"]


def test_every_detector_has_a_help_line():
    for kind, registered in DETECTORS.items():
        assert registered.help, f"detector {kind} has no docstring"


def test_a_kind_cannot_be_registered_twice():
    from monitor.detect.petitions import detector

    with pytest.raises(ValueError):
        detector("threshold_crossed")(lambda p, n, w: [])
