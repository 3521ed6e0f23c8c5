"""Signature ETA: the rate of the last points, the projection, `threshold_approaching` (pure, then the replica)."""

from __future__ import annotations

import pytest

from monitor.watchlist.config import PetitionWatch
from monitor.detect.eta import approaching_event, projection, recent_rate
from monitor.items import PetitionState

T = "2026-03-01T10:{:02d}:00.000Z"


def points(*counts: int) -> list[tuple[str, int]]:
    """One point a minute."""
    return [(T.format(i), c) for i, c in enumerate(counts)]


@pytest.mark.parametrize(("counts", "per_minute"), [
    ((99_000, 99_100, 99_200, 99_300), 100),        # a steady climb
    ((99_000, 99_100, 99_250), 100),                # three points: the lower median of 100 and 150
    ((99_000, 99_100), None),                       # two points are not a trend
    ((99_000, 99_000, 99_000), None),               # flat
    ((99_500, 99_400, 99_300), None),               # falling
    ((90_000, 90_001, 90_002, 95_000), 1),          # one jump among slow steps is not a rate
    ((90_000, 95_000, 95_001, 95_002), 1),          # nor when it comes first
])  # fmt: skip
def test_recent_rate(counts, per_minute):
    rate = recent_rate(points(*counts))
    assert (rate is None) if per_minute is None else rate == pytest.approx(per_minute / 60)


def _petition(count: int, **kw) -> PetitionState:
    fields = {"state": "open", "closing_date": "2026-06-01T23:59:59.999Z"} | kw
    return PetitionState(site="https://site.test", number=7, action="Climb", signature_count=count, **fields)


WATCH = PetitionWatch(id="w", kind="petition", url="https://site.test/petitions/7.json", entry="t",
                      site="https://site.test", number=7)  # fmt: skip


def test_projection_of_a_steady_climb_reaches_the_next_threshold_before_it_closes():
    eta = projection(_petition(99_300), points(99_000, 99_100, 99_200, 99_300), WATCH)
    assert eta.threshold == 100_000 and eta.at == "2026-03-01T10:10:00.000Z"  # 700 more at 100 a minute
    assert eta.before_close and eta.rate == pytest.approx(6000)
    assert eta.line() == "100,000 signatures around 2026-03-01 10:10 UTC at 6,000 an hour, before it closes"


def test_projection_after_the_closing_date_says_so_and_gives_no_event():
    closing = _petition(99_300, closing_date="2026-03-01T10:05:00.000Z")
    eta = projection(closing, points(99_000, 99_100, 99_200, 99_300), WATCH)
    assert not eta.before_close and "after it closes on 1 March 2026" in eta.line()
    assert approaching_event(closing, WATCH, eta, now=T.format(3), within=86_400) is None


@pytest.mark.parametrize(("within", "expected"), [(86_400, True), (420, True), (419, False), (0, False)])
def test_approaching_event_only_when_the_eta_is_within_the_setting(within, expected):
    state = _petition(99_300)
    eta = projection(state, points(99_000, 99_100, 99_200, 99_300), WATCH)
    event = approaching_event(state, WATCH, eta, now=T.format(3), within=within)
    assert (event is not None) == expected
    if event:
        assert event.key == "petition/site.test/7/approaching/100000" and event.kind == "threshold_approaching"
        assert event.data["eta"] == "2026-03-01T10:10:00.000Z"


def test_no_projection_for_closed_archived_or_past_every_threshold():
    climb = points(99_000, 99_100, 99_200, 99_300)
    assert projection(_petition(99_300, state="closed"), climb) is None
    assert projection(_petition(99_300, archived=True), climb) is None
    assert projection(_petition(150_000), points(149_000, 149_500, 150_000)) is None
    assert projection(_petition(99_300), climb).threshold == 100_000


# ---------------------------------------------------------------- against the replica


@pytest.mark.slow
def test_threshold_approaching_once_for_a_steady_climb_none_for_flat_falling_or_one_jump(replica, gw):
    replica.add_petition(51, action="Climbing", signature_count=99_000)
    replica.add_petition(52, action="Flat", signature_count=99_000)
    replica.add_petition(53, action="Falling", signature_count=99_900)
    replica.add_petition(54, action="One jump", signature_count=50_000)
    gw.settings = 'rate_window = "10m"\napproaching_within = "1h"\n'
    for number in (51, 52, 53, 54):
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
    gw.check()
    for step in range(1, 5):
        replica.sign(51, 99_000 + 100 * step)  # 100 a check: reaches 100,000 within the hour
        replica.sign(53, 99_900 - 50 * step)
        # one signature a check, then one jump: its slow rate (at most 1 / the seconds between two checks,
        # whatever the machine's speed) leaves 100,000 hours away; the jump alone would make it minutes
        replica.sign(54, 60_000 if step == 3 else 50_000 + step)
        gw.check()
    approaching = [e for e in gw.events() if e["kind"] == "threshold_approaching"]
    assert [(e["petition_id"].rsplit("/", 1)[1], e["data"]["threshold"]) for e in approaching] == [("51", 100_000)]
    assert "before it closes" in approaching[0]["summary"]
    status = gw.run("status").stdout
    etas = [line.split("next: ")[1] for line in status.splitlines() if "next: " in line]
    # 51 in under an hour; 54 at its slow rate (the jump does not count), hours away; none for 52, 53
    assert len(etas) == 2 and etas[0].startswith("100,000 signatures around")
    history = gw.run("history", "51").stdout
    assert "Next threshold at the recent rate: 100,000 signatures around" in history
    feed = (gw.folder / "feeds" / "kinds" / "threshold_approaching.atom").read_text()
    assert "Approaching 100,000 signatures: Climbing" in feed
