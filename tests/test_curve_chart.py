"""The charts of the dashboard and the petition pages: axes a reader can read, marks, text alternatives."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from monitor.clock import iso
from monitor.publish.curve_chart import Mark, curve_svg, curve_text, nice_step, sparkline_svg, time_ticks

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def points(days: float, counts: list[int]) -> list[tuple[str, int]]:
    step = timedelta(days=days) / (len(counts) - 1)
    return [(iso(START + i * step), c) for i, c in enumerate(counts)]


def test_ten_days_are_labelled_by_day_with_thresholds_and_the_due_date():
    curve = points(10, [2_000, 6_000, 9_000, 10_500, 12_000])
    svg = curve_svg(curve, (10_000, 100_000), [Mark(iso(START + timedelta(days=12)), "Response due")])
    labels = texts(svg)
    assert "Response due" in labels and "10,000" in labels and "100,000" not in labels
    assert "12,000 signatures" in labels
    assert any(label.endswith("Nov") for label in labels)  # "5 Nov": days, not milliseconds
    assert "0" in labels and "15,000" in labels  # the count axis starts at 0 and ends on a round number


def test_a_crossing_within_two_hours_is_labelled_in_minutes():
    ticks, fmt = time_ticks(START.timestamp(), (START + timedelta(hours=2)).timestamp())
    assert fmt == "%H:%M" and 3 <= len(ticks) <= 8
    assert all(t % 900 == 0 for t in ticks)  # on the quarter hour


def test_eight_years_are_labelled_by_year_on_the_first_of_january():
    start = datetime(2018, 10, 18, tzinfo=UTC)
    ticks, fmt = time_ticks(start.timestamp(), datetime(2026, 12, 2, tzinfo=UTC).timestamp())
    moments = [datetime.fromtimestamp(t, UTC) for t in ticks]
    assert fmt == "%Y" and all((m.month, m.day) == (1, 1) for m in moments) and moments[0].year in (2019, 2020)


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert [nice_step(v) for v in (10, 12_000, 100_000, 3)] == [2, 5_000, 20_000, 1]


def test_text_alternatives_and_the_sparkline():
    curve = points(3, [9_000, 9_600, 10_050])
    assert curve_text(curve) == "From 9,000 signatures on 1 November 2026 to 10,050 on 4 November 2026, 3 counts recorded."
    assert curve_text([]) == "No signature count recorded yet."
    assert sparkline_svg(curve[:1]) is None
    spark = ET.fromstring(sparkline_svg(curve))
    assert spark.get("aria-hidden") == "true" and len(spark.find(f"{SVG}polyline").get("points").split()) == 3
    assert curve_svg([]) is None


def test_midnight_and_morning_hours_keep_their_digits():
    day = datetime(2026, 12, 2, tzinfo=UTC)
    svg = curve_svg([(iso(day - timedelta(hours=2)), 10), (iso(day + timedelta(hours=10)), 20)])
    labels = texts(svg)
    assert "0:00" in labels and ":00" not in labels
