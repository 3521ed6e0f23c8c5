"""A page per petition and per watched page, beside their feeds in feeds_dir.

A petition's page: its count, the full signature curve (thresholds and the
response marked), the government response and its edits, its events, and
links to the site, its feeds and Datasette. A page watch's page: its versions
and the diffs between them, its count curve and events.
"""

from __future__ import annotations

import html
from typing import Any

from monitor.clock import parse_iso

from monitor.publish.curve_chart import Mark, curve_svg, curve_text
from monitor.publish.dashboard_data import PetitionView
from monitor.publish.dashboard_html import Links, _day, _when, events_html, layout, next_threshold, response_badge
from monitor.detect.diff import diff_text
from monitor.publish.feeds import slug
from monitor.items import Event
from monitor.publish.render import diff_html, plain, text_html

esc = html.escape
MAX_DIFFS = 10  # diffs shown on a page watch's page (the newest); Datasette has them all


def _chart(points: Any, thresholds: Any, marks: Any, title: str) -> str | None:
    """Return the chart twice: 960 px wide for a desktop, and narrow with larger lettering for a phone (CSS picks)."""
    wide = curve_svg(points, thresholds, marks, title=title, css_class="curve wide")
    narrow = curve_svg(points, thresholds, marks, title=title, width=480, height=360, text=1.6,
                       css_class="curve narrow")  # fmt: skip
    return None if wide is None else wide + (narrow or "")


def _figure(svg: str | None, alternative: str) -> str:
    if svg is None:
        return f"<p>{esc(alternative)}</p>"
    return f'<figure>{svg}<figcaption class="meta">{esc(alternative)}</figcaption></figure>'


def petition_html(p: PetitionView, row: dict[str, Any], events: list[Event], links: Links) -> str:
    """Return a petition's page."""
    links = links.at(p.page)
    marks = []
    if p.threshold_at:
        marks.append(Mark(p.threshold_at, "Response threshold"))
    if p.response_at:
        marks.append(Mark(p.response_at, "Government response"))
    elif p.response.due_at and _near(p.points, p.response.due_at):
        marks.append(Mark(p.response.due_at, "Response due"))
    chart = _chart(p.points, p.thresholds, marks, f"Signatures of petition {p.number} over time")
    alternative = curve_text(p.points) + "".join(f" {m.label}: {_plain_day(m.at)}." for m in marks)
    if p.response.due_at and not p.response_at and not any(m.label == "Response due" for m in marks):
        alternative += f" Response due: {_plain_day(p.response.due_at)}."
    facts = [
        ("Signatures", f"{p.count:,}"), ("State", esc(p.state)),
        ("Next threshold", next_threshold(p)), ("Government", response_badge(p)),
        ("Response threshold reached", _day(p.threshold_at)), ("Government responded", _day(p.response_at)),
        ("Closes", _day(p.closing_date)),
    ]  # fmt: skip
    facts_html = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts if value)
    response = _response(row)
    feeds = links.feed(p.feed, "This petition's events")
    pid = p.id
    queries = " · ".join([
        links.query("signature_curve", "Signature curve", petition=pid),
        links.query("response_edits", "Response edits", petition=pid),
        links.query("events", "Events", petition_id=pid),
        links.query("petitions", "Stored state", id=pid),
        links.query("petition_snapshots", "Snapshots", petition_id=pid),
    ])  # fmt: skip
    body = f"""<h1>{esc(plain(p.action))}</h1>
<p><a href="{esc(p.url)}">Petition {p.number} on {esc(p.url.split('/')[2])}</a></p>
<section><dl>{facts_html}</dl></section>
<section><h2>Signatures over time</h2>{_figure(chart, alternative)}</section>
<section><h2>Government response</h2>{response}</section>
<section><h2>Events</h2>{events_html(events)}</section>
<section><h2>Links</h2><p>{feeds}</p><p>In Datasette: {queries}</p></section>"""
    return layout(plain(p.action), body, links, atom=p.feed)


def _near(points: tuple[tuple[str, int], ...], at: str) -> bool:
    """Tell whether a future date is near enough the curve to draw it without squashing the curve."""
    if len(points) < 2:
        return False
    start, end = (parse_iso(points[0][0]), parse_iso(points[-1][0]))
    return parse_iso(at) - start <= 4 * (end - start)


def _plain_day(at: str) -> str:
    from monitor.clock import human_date

    return human_date(at)


def _response(row: dict[str, Any]) -> str:
    if not row.get("response_summary") and not row.get("response_details"):
        return "<p>No response yet.</p>"
    updated = f'<p class="meta">Last edited {_when(row["response_updated_at"])}</p>' if row.get(
        "response_updated_at") else ""  # fmt: skip
    return f"""<p><strong>{esc(plain(row.get("response_summary")))}</strong></p>
<div class="body">{text_html(row.get("response_details"))}</div>{updated}
<p class="meta">Its edits, with what changed, are the response_updated events below.</p>"""


def page_watch_html(watch_id: str, url: str, row: dict[str, Any] | None, snaps: list[dict[str, Any]],
                    counts: list[tuple[str, int]], events: list[Event], links: Links) -> str:  # fmt: skip
    """Return a page watch's page: versions, diffs, count curve, events."""
    path = f"watches/{slug(watch_id)}.html"
    links = links.at(path)
    title = plain(row["title"]) if row and row.get("title") else watch_id
    versions = "".join(
        f"<tr><td>{i}</td><td>{_when(s['observed_at'])}</td><td>{esc(plain(s['title']))}</td>"
        f"<td>{len(s['content'].lines):,}</td><td>{len(s['content'].items):,}</td></tr>"
        for i, s in enumerate(snaps, start=1)
    )  # fmt: skip
    diffs = []
    for i in range(len(snaps) - 1, max(0, len(snaps) - 1 - MAX_DIFFS), -1):
        before, after = snaps[i - 1], snaps[i]
        diff = diff_text(before["content"].text, after["content"].text)
        added = sorted(set(after["content"].items) - set(before["content"].items))
        removed = sorted(set(before["content"].items) - set(after["content"].items))
        items = "".join([*(f"<p>+ <ins>{esc(x)}</ins> (list)</p>" for x in added),
                         *(f"<p>− <del>{esc(x)}</del> (list)</p>" for x in removed)])  # fmt: skip
        diffs.append(f"<h3>Version {i} → {i + 1} ({_when(after['observed_at'])})</h3>"
                     f"<div class=\"body\">{diff_html(diff) or '<p>No change of text.</p>'}{items}</div>")  # fmt: skip
    chart = _chart(counts, (), (), f"Count on {watch_id} over time") if counts else None
    count_html = _figure(chart, curve_text(counts).replace("signatures", "")) if counts else ""
    queries = " · ".join([
        links.query("page_changes", "Changes", watch=watch_id),
        links.query("page_texts", "Every version's text", watch=watch_id),
        links.query("page_snapshots", "Snapshots", watch_id=watch_id),
    ])  # fmt: skip
    body = f"""<h1>{esc(title)}</h1>
<p><a href="{esc(url)}">{esc(url)}</a></p>
{f'<section><h2>Count over time</h2>{count_html}</section>' if count_html else ''}
<section><h2>Versions ({len(snaps)})</h2><div class="scroll"><table><thead><tr><th>#</th><th>Seen</th>\
<th>Title</th><th>Lines</th><th>List items</th></tr></thead><tbody>{versions}</tbody></table></div></section>
<section><h2>What changed</h2>{''.join(diffs) or '<p>One version so far.</p>'}</section>
<section><h2>Events</h2>{events_html(events)}</section>
<section><h2>Links</h2><p>{links.feed(f'watches/{slug(watch_id)}', "This page's events")}</p>
<p>In Datasette: {queries}</p></section>"""
    return layout(title, body, links, atom=f"watches/{slug(watch_id)}")
