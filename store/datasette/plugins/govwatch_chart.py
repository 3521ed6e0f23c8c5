"""govwatch's signature chart in Datasette: a readable SVG of the `signature_curve` query.

datasette-vega draws the curve at its default size (about 240×190 px) with a time
axis in milliseconds, and is unmaintained since 2018; the alternatives on PyPI
(datasette-chartjs 0.2.0, 2020; datasette-plot 0.1.0, 2023) are single early
releases. This plugin reuses the chart of govwatch's own petition pages
(`monitor.publish.curve_chart`):

- an ``.svg`` output renderer for any query or table with ``observed_at`` and
  ``signature_count`` columns, e.g. ``/govwatch/signature_curve.svg?petition=221342``
  (listed beside json and CSV under the results), with the 10,000 and 100,000
  thresholds and the petition's response threshold and government response marked;
- on the `signature_curve` page, that image above the results, 960 px wide at most
  and as wide as the window on a phone, with a text alternative.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.publish.curve_chart import Mark, curve_svg, curve_text

COLUMNS = {"observed_at", "signature_count"}
THRESHOLDS = (10_000, 100_000)
QUERY = "signature_curve"

# Put the chart above the results; its address is this page's with .svg (the same parameters).
SCRIPT = """
(function () {
  var results = document.querySelector('.table-wrapper') || document.querySelector('table.rows-and-columns');
  if (!results || !document.querySelector('table.rows-and-columns tbody tr')) { return; }
  var figure = document.createElement('figure');
  var img = document.createElement('img');
  img.src = location.pathname.replace(/\\/$/, '') + '.svg' + location.search;
  img.alt = 'Signature count over time; the table below lists every point.';
  img.style.cssText = 'width:100%;max-width:960px;height:auto;display:block;background:#fff';
  figure.style.margin = '1em 0';
  figure.appendChild(img);
  results.parentNode.insertBefore(figure, results);
})();
"""


def can_render_svg(columns: list[str]) -> bool:
    """Offer .svg where the rows are a signature curve."""
    return COLUMNS <= set(columns or ())


async def render_svg(datasette: Any, database: str, columns: list[str], rows: list[Any], request: Any) -> Response:
    """Draw the rows as the signature chart, marking the petition's response dates when the query names one."""
    if not can_render_svg(columns):
        return Response.text("This chart needs observed_at and signature_count columns", status=400)
    points = [(row["observed_at"], row["signature_count"]) for row in rows
              if row["observed_at"] and row["signature_count"] is not None]  # fmt: skip
    marks, petition = [], (request.args.get("petition") or "").strip()
    if petition:
        found = await datasette.get_database(database).execute(
            "select response_threshold_reached_at, government_response_at from petitions"
            " where id = :p or number = cast(:p as integer) limit 1", {"p": petition})  # fmt: skip
        for row in found.rows:
            if row["response_threshold_reached_at"]:
                marks.append(Mark(row["response_threshold_reached_at"], "Response threshold"))
            if row["government_response_at"]:
                marks.append(Mark(row["government_response_at"], "Government response"))
    title = f"Signatures of petition {petition} over time" if petition else "Signatures over time"
    svg = curve_svg(points, THRESHOLDS, marks, title=f"{title}. {curve_text(points)}")
    if svg is None:
        return Response.text("No signature count to draw", status=404)
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


@hookimpl
def register_output_renderer(datasette: Any) -> dict[str, Any]:
    """Register the .svg chart."""
    return {"extension": "svg", "render": render_svg, "can_render": can_render_svg}


@hookimpl
def extra_body_script(request: Any, database: str | None) -> str:
    """Show the chart on the signature_curve page."""
    if request is not None and database and request.path.rstrip("/").endswith(f"/{database}/{QUERY}"):
        return SCRIPT
    return ""
