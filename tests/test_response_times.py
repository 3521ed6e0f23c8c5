"""The response-time canned queries in a real Datasette, against medians this test computes itself.

The history: petitions of two archived Parliaments and of the current one, written
through the store (PetitionStore), with responses after a spread of delays, some
never answered, some below the threshold; Datasette serves it read-only.
"""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from monitor.clock import iso, parse_iso
from monitor.publish.datasette import DatasetteOptions, start_datasette
from monitor.items import GovernmentResponse, Parliament, PetitionState
from monitor.publish.serve import free_port
from store.db import open_db, writing
from store.petitions import PetitionStore
from tests.support.datasette import rows

pytestmark = pytest.mark.slow

SITE = "https://petition.test"
PARLIAMENTS = {  # the e-petitions site's own periods, with the moment each was dissolved
    "2017-2019": Parliament(period="2017-2019", dissolution_at="2019-11-06T00:01:00.000Z",
                            response_threshold=10_000, debate_threshold=100_000),
    "2019-2024": Parliament(period="2019-2024", dissolution_at="2024-05-30T00:01:00.000Z",
                            response_threshold=10_000, debate_threshold=100_000),
}  # fmt: skip
YEARS = {"2017-2019": (2018, 2019), "2019-2024": (2021, 2022), "current": (2025,)}
DAY = timedelta(days=1)


def _petitions(rng: random.Random) -> list[PetitionState]:
    out, number = [], 1
    for period, years in YEARS.items():
        for year in years:
            for _ in range(rng.randint(7, 14)):
                number += 1
                crossed = datetime(year, rng.randint(1, 10), rng.randint(1, 28), rng.randint(0, 23), tzinfo=UTC)
                answered = None if rng.random() < 0.2 else crossed + timedelta(hours=rng.randint(24, 24 * 90))
                out.append(PetitionState(
                    site=SITE, number=number, archived=period != "current", state="closed",
                    action=f"Petition {number}", signature_count=rng.randint(10_000, 90_000),
                    response_threshold_reached_at=iso(crossed),
                    government_response_at=iso(answered) if answered else None,
                    government_response=GovernmentResponse(summary="S") if answered else None,
                    parliament=PARLIAMENTS.get(period),
                ))  # fmt: skip
    out.append(PetitionState(site=SITE, number=number + 1, state="open", signature_count=900))  # below: no row
    return out


def _days(p: PetitionState) -> float:
    return (parse_iso(p.government_response_at) - parse_iso(p.response_threshold_reached_at)) / DAY


def near(value: float) -> object:
    """Datasette rounds SQLite's float days to 0.1; Python's round() of the same days can differ by one step."""
    return pytest.approx(value, abs=0.0501)


def _nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    petitions = _petitions(random.Random(12))
    path = tmp_path_factory.mktemp("times") / "govwatch.db"
    db = open_db(path)
    with writing(db):
        store = PetitionStore(db)
        for p in petitions:
            store.write(p, "2026-01-01T00:00:00.000Z")
    db.close()
    with start_datasette(path, DatasetteOptions(port=free_port())) as datasette:
        yield datasette.url, petitions


def _group(p: PetitionState) -> tuple[str, str]:
    return (p.parliament.period if p.parliament else "current", p.response_threshold_reached_at[:4])


def test_response_times_gives_the_medians_percentiles_and_shares_computed_here(served):
    url, petitions = served
    crossed = [p for p in petitions if p.response_threshold_reached_at]
    got = {(r["parliament"], r["year"]): r for r in rows(url, "/govwatch/response_times")}
    expected_groups = {_group(p) for p in crossed}
    assert set(got) == expected_groups and len(got) == 5
    for group in expected_groups:
        members = [p for p in crossed if _group(p) == group]
        days = [_days(p) for p in members if p.government_response_at]
        row = got[group]
        assert row["past_threshold"] == len(members) and row["answered"] == len(days)
        assert row["median_days"] == near(statistics.median(days))
        assert row["p90_days"] == near(_nearest_rank(days, 0.9))
        assert row["percent_answered_within_due"] == near(100 * sum(d <= 21 for d in days) / len(members))
        if group[0] != "current":
            ends = [parse_iso(p.government_response_at or p.parliament.dissolution_at) for p in members]
            longest = max((e - parse_iso(p.response_threshold_reached_at)) / DAY for e, p in zip(ends, members))
            assert row["longest_wait_days"] == near(longest)
    shorter = {(r["parliament"], r["year"]): r for r in rows(url, "/govwatch/response_times", due_days="7")}
    some = next(iter(expected_groups))
    members = [p for p in crossed if _group(p) == some]
    assert shorter[some]["percent_answered_within_due"] == near(
        100 * sum(_days(p) <= 7 for p in members if p.government_response_at) / len(members))


def test_awaiting_response_lists_the_unanswered_longest_first_and_says_which_are_overdue(served):
    url, petitions = served
    waiting = [p for p in petitions if p.response_threshold_reached_at and not p.government_response_at]
    got = rows(url, "/govwatch/awaiting_response")
    assert sorted(r["number"] for r in got) == sorted(p.number for p in waiting) and waiting
    assert [r["days_waiting"] for r in got] == sorted((r["days_waiting"] for r in got), reverse=True)
    for r in got:
        p = next(p for p in waiting if p.number == r["number"])
        assert r["due_at"] == iso(parse_iso(p.response_threshold_reached_at) + 21 * DAY)
        assert r["overdue"] == (r["days_waiting"] > 21)


def test_days_to_response_shows_days_past_due(served):
    url, petitions = served
    got = {r["number"]: r for r in rows(url, "/govwatch/days_to_response")}
    for p in petitions:
        if p.government_response_at:
            assert got[p.number]["days_past_due"] == near(max(0.0, _days(p) - 21))
    assert any(r["days_past_due"] > 0 for r in got.values()) and any(r["days_past_due"] == 0 for r in got.values())
