"""Draw signature curves as SVG for people: a large chart with axes, and a sparkline.

Pure: points in, SVG text out. The large chart marks thresholds (dashed lines)
and dated moments such as the government response (vertical lines), and labels
its time axis with ticks a reader expects (minutes, hours, days, months or
years, depending on the span). Only numbers and dates govwatch formats itself
go into the drawing, never scraped text. The dashboard, the petition pages and
govwatch's Datasette plugin share it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.clock import human_date, parse_iso

# Candidate tick steps of the time axis, in seconds, with the label format each uses.
_TIME_STEPS = (
    (10, "%H:%M:%S"), (30, "%H:%M:%S"), (60, "%H:%M"), (300, "%H:%M"), (900, "%H:%M"), (3600, "%H:%M"), (3 * 3600, "%H:%M"),
    (6 * 3600, "%d %b %H:%M"), (86400, "%d %b"), (2 * 86400, "%d %b"), (7 * 86400, "%d %b"),
    (30 * 86400, "%b %Y"), (91 * 86400, "%b %Y"), (365 * 86400, "%Y"),
)  # fmt: skip


_END = ' text-anchor="end"'


@dataclass(frozen=True)
class Mark:
    """A dated moment to mark on the time axis, e.g. ("2018-11-30T…", "Government response")."""

    at: str
    label: str


def nice_step(span: float, ticks: int = 5) -> int:
    """Return a round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`."""
    raw = max(span / ticks, 1)
    power = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def time_ticks(start: float, end: float, most: int = 8) -> tuple[list[float], str]:
    """Return tick times (epoch seconds) between start and end, and the strftime format of their labels."""
    span = max(end - start, 1.0)
    step, fmt = next(((s, f) for s, f in _TIME_STEPS if span / s < most), _TIME_STEPS[-1])
    if step >= 365 * 86400:
        step = 365 * 86400 * nice_step(span / (365 * 86400), most)
    if step >= 30 * 86400:  # months: ticks on the first of a month, every step/30 months
        months = max(1, round(step / (30 * 86400)))
        moment = datetime.fromtimestamp(start, UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if months >= 12:  # years: ticks on the first of January
            moment = moment.replace(month=1)
        ticks = []
        while moment.timestamp() <= end and len(ticks) < 100:
            if moment.timestamp() >= start:
                ticks.append(moment.timestamp())
            total = moment.month - 1 + months
            moment = moment.replace(year=moment.year + total // 12, month=total % 12 + 1)
        return ticks, fmt
    first = (int(start) // step + (1 if int(start) % step else 0)) * step
    return [float(t) for t in range(first, int(end) + 1, step)][:100], fmt


def _label(moment: float, fmt: str) -> str:
    text = datetime.fromtimestamp(moment, UTC).strftime(fmt)
    return text[1:] if text[:1] == "0" and text[1:2].isdigit() else text  # "3 Dec", "9:00", "0:00"


def curve_svg(points: Sequence[tuple[str, int]], thresholds: Sequence[int] = (), marks: Sequence[Mark] = (),
              *, width: int = 960, height: int = 380, title: str = "Signatures over time",
              text: float = 1.0, css_class: str = "curve") -> str | None:  # fmt: skip
    """Return a large SVG line chart of (ISO time, count) points with axes, thresholds and marks; None if empty.

    `text` scales the lettering (and margins), for a narrow chart shown on a phone.
    """
    if not points:
        return None
    left, right, top, bottom = round(78 * text), 24, round(30 * text), round(48 * text)

    def size(n: int) -> str:
        return f'font-size="{round(n * text)}"'

    times = [parse_iso(at).timestamp() for at, _ in points]
    counts = [count for _, count in points]
    mark_times = [(parse_iso(m.at).timestamp(), m) for m in marks]
    t0 = min([*times, *(t for t, _ in mark_times)])
    t1 = max([*times, *(t for t, _ in mark_times)])
    if t1 - t0 < 60:
        t0, t1 = t0 - 30, t1 + 30
    # Show the thresholds near the curve (up to twice the highest count), not 100,000 above a curve of 50.
    shown = [t for t in thresholds if t <= max(counts) * 2]
    high = max([*counts, *shown])
    step = nice_step(high or 1)
    y_top = (high // step + 1) * step
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * plot_w

    def y(count: float) -> float:
        return top + plot_h - count / y_top * plot_h

    esc = html.escape
    out = [f'<rect width="{width}" height="{height}" fill="#fff"/>']
    for value in range(0, y_top + 1, step):
        out.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 8}" y="{y(value) + 4 * text:.1f}" {size(13)} text-anchor="end" fill="#444">'
                   f"{value:,}</text>")  # fmt: skip
    ticks, fmt = time_ticks(t0, t1, most=max(3, round(8 / text * width / 960)))
    for tick in ticks:
        out.append(f'<line x1="{x(tick):.1f}" y1="{top + plot_h}" x2="{x(tick):.1f}" y2="{top + plot_h + 5}" '
                   f'stroke="#444"/><text x="{x(tick):.1f}" y="{top + plot_h + round(20 * text)}" {size(13)} '
                   f'text-anchor="middle" fill="#444">{esc(_label(tick, fmt))}</text>')  # fmt: skip
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#444"/>')
    out.append(f'<text x="{left}" y="{height - 6}" {size(12)} fill="#666">'
               f"{esc(_span_text(points))} (UTC)</text>")  # fmt: skip
    for value in shown:
        out.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
                   f'stroke="#d4351c" stroke-dasharray="6 4"/><text x="{width - right - 4}" y="{y(value) - 5:.1f}" '
                   f'{size(13)} text-anchor="end" fill="#d4351c">{value:,}</text>')  # fmt: skip
    for t, mark in mark_times:
        right_half = x(t) + len(mark.label) * 7.5 * text > width - right  # label on the left, not cut off
        out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{top + plot_h}" stroke="#00703c" '
                   f'stroke-width="2"/><text x="{x(t) + (-4 if right_half else 4):.1f}" y="{top + round(14 * text)}" '
                   f'{size(13)} fill="#00703c"{_END if right_half else ""}>'
                   f"{esc(mark.label)}</text>")  # fmt: skip
    line = " ".join(f"{x(t):.1f},{y(c):.1f}" for t, c in zip(times, counts))
    out.append(f'<polyline points="{line}" fill="none" stroke="#1d70b8" stroke-width="2.5"/>')
    if len(points) == 1:
        out.append(f'<circle cx="{x(times[0]):.1f}" cy="{y(counts[0]):.1f}" r="4" fill="#1d70b8"/>')
    out.append(f'<text x="{left}" y="{top - 10}" {size(14)} fill="#222">{counts[-1]:,} signatures</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{esc(title)}" font-family="sans-serif" class="{css_class}">'
            f"<title>{esc(title)}</title>" + "".join(out) + "</svg>")  # fmt: skip


def _span_text(points: Sequence[tuple[str, int]]) -> str:
    first, last = human_date(points[0][0]), human_date(points[-1][0])
    return first if first == last else f"{first} to {last}"


def sparkline_svg(points: Sequence[tuple[str, int]], *, width: int = 120, height: int = 32) -> str | None:
    """Return a small SVG of the curve's shape (no text); None with fewer than two points."""
    if len(points) < 2:
        return None
    times = [parse_iso(at).timestamp() for at, _ in points]
    counts = [c for _, c in points]
    span, low = (times[-1] - times[0]) or 1.0, min(counts)
    rise = (max(counts) - low) or 1
    line = " ".join(f"{2 + (t - times[0]) / span * (width - 4):.1f},{height - 2 - (c - low) / rise * (height - 4):.1f}"
                    for t, c in zip(times, counts))  # fmt: skip
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" aria-hidden="true" class="spark"><polyline points="{line}" fill="none" '
            f'stroke="#1d70b8" stroke-width="1.5"/></svg>')  # fmt: skip


def curve_text(points: Sequence[tuple[str, int]]) -> str:
    """Return the text alternative of a curve: where it started, where it is, and when."""
    if not points:
        return "No signature count recorded yet."
    (first_at, first), (last_at, last) = points[0], points[-1]
    if len(points) == 1:
        return f"{last:,} signatures on {human_date(last_at)}; one count recorded."
    return (f"From {first:,} signatures on {human_date(first_at)} to {last:,} on {human_date(last_at)}, "
            f"{len(points):,} counts recorded.")  # fmt: skip


def days_between(start: str, end: str) -> int:
    """Return whole days from one ISO time to another."""
    return (parse_iso(end) - parse_iso(start)) // timedelta(days=1)
