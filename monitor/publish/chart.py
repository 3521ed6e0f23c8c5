"""Draw a petition's signature curve as a small SVG image, for threshold entries.

Pure: points in, SVG text out. Only numbers and dates govwatch formats itself go
into the drawing, never scraped text.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.clock import human_date, parse_iso

WIDTH, HEIGHT, PAD = 480, 160, 28


def signature_svg(points: Sequence[tuple[str, int]], threshold: int | None = None) -> str | None:
    """Return an SVG of (ISO time, count) points, oldest first, with a threshold line; None if < 2 points."""
    if len(points) < 2:
        return None
    times = [parse_iso(at).timestamp() for at, _ in points]
    counts = [count for _, count in points]
    t0, span = times[0], (times[-1] - times[0]) or 1.0
    # Scale to the counts' own range (with the threshold), so a crossing from 9,990 to 10,050 shows.
    span_counts = counts + ([threshold] if threshold else [])
    low, rise = min(span_counts), (max(span_counts) - min(span_counts)) or 1

    def x(t: float) -> float:
        return PAD + (t - t0) / span * (WIDTH - 2 * PAD)

    def y(count: int) -> float:
        return HEIGHT - PAD - (count - low) / rise * (HEIGHT - 2 * PAD)

    def when(at: str) -> str:  # a curve within two days needs the hour to tell its ends apart
        return human_date(at) + (f" {parse_iso(at):%H:%M}" if span < 2 * 86400 else "")

    line = " ".join(f"{x(t):.1f},{y(c):.1f}" for t, c in zip(times, counts))
    shapes = [
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>',
        f'<polyline points="{line}" fill="none" stroke="#1d70b8" stroke-width="2"/>',
        f'<text x="{PAD}" y="{PAD - 10}" font-size="12" fill="#333">{counts[-1]:,} signatures</text>',
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11" fill="#666">{when(points[0][0])}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" fill="#666" text-anchor="end">'
        f"{when(points[-1][0])}</text>",
    ]
    if threshold:
        shapes.insert(2, f'<line x1="{PAD}" y1="{y(threshold):.1f}" x2="{WIDTH - PAD}" y2="{y(threshold):.1f}" '
                         f'stroke="#d4351c" stroke-dasharray="4 3"/>')  # fmt: skip
        shapes.append(f'<text x="{WIDTH - PAD}" y="{y(threshold) - 4:.1f}" font-size="11" fill="#d4351c" '
                      f'text-anchor="end">{threshold:,}</text>')  # fmt: skip
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">' + "".join(shapes) + "</svg>\n")  # fmt: skip
