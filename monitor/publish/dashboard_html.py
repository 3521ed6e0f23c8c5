"""The HTML of the dashboard, the petition pages and the page-watch pages.

Pure: values in, HTML text out. No JavaScript, no external resource (the
style is inline, charts are inline SVG, each with a text alternative); links
are relative inside feeds_dir, absolute to the watched sites and Datasette.
Scraped text is escaped (or sanitized, for the event bodies `render` makes).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from monitor.clock import human_date, parse_iso
from monitor.publish.curve_chart import curve_text, sparkline_svg
from monitor.publish.dashboard_data import Dashboard, FailingWatch, PetitionView
from monitor.items import Event
from monitor.publish.render import kind_label, plain, render

esc = html.escape

STYLE = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0b0c0c;background:#f3f2f1;margin:0}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
header nav a{margin-right:1rem}
h1{font-size:1.75rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
a{color:#1d70b8}
section,article{background:#fff;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.failing{border-left:6px solid #d4351c}
.failing h2{color:#d4351c}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,21rem),1fr));gap:.75rem}
.grid article{margin:0}
.count{font-size:1.5rem;font-weight:700}
.state{display:inline-block;padding:0 .4rem;border-radius:3px;background:#eee;font-size:.9rem}
.overdue{background:#d4351c;color:#fff}.waiting{background:#ffdd00}.answered{background:#cce2d8}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.5rem 0}
dt{color:#505a5f}dd{margin:0}
ol.events{list-style:none;padding:0}
ol.events li{border-top:1px solid #ddd;padding:.5rem 0}
.meta{color:#505a5f;font-size:.9rem}
svg.curve{width:100%;height:auto;display:block}
svg.narrow{display:none}
@media (max-width:40rem){svg.wide{display:none}svg.narrow{display:block}dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
figure{margin:.25rem 0}
.body{overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd}
del{color:#942514}ins{color:#005a30;text-decoration:none}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
"""


@dataclass(frozen=True)
class Links:
    """Where the pages link to: feeds that exist, Datasette, and the page's depth in feeds_dir."""

    feeds: frozenset[str]  # feed paths (no extension) that are written
    datasette: str  # e.g. "http://127.0.0.1:8001/govwatch"
    root: str = ""  # "../.." from a page two folders down

    def at(self, page: str) -> Links:
        """Return the links as seen from `page` (a path in feeds_dir)."""
        return Links(self.feeds, self.datasette, "../" * page.count("/"))

    def local(self, path: str) -> str:
        """Return a relative href to a file in feeds_dir."""
        return esc(self.root + quote(path))

    def feed(self, path: str, label: str = "feed") -> str:
        """Return Atom and RSS links of a feed, or nothing when that feed is not written."""
        if path not in self.feeds:
            return ""
        return (f'<a href="{self.local(path + ".atom")}" type="application/atom+xml">{esc(label)} (Atom)</a> · '
                f'<a href="{self.local(path + ".rss")}" type="application/rss+xml">RSS</a>')  # fmt: skip

    def query(self, name: str, label: str, **params: str) -> str:
        """Return a link to a Datasette table, view or canned query."""
        url = f"{self.datasette}/{quote(name)}" + (f"?{urlencode(params)}" if params else "")
        return f'<a href="{esc(url)}">{esc(label)}</a>'


def layout(title: str, body: str, links: Links, *, atom: str | None = "all") -> str:
    """Wrap a page body in the document every govwatch page shares."""
    alternate = (f'<link rel="alternate" type="application/atom+xml" title="{esc(title)}" '
                 f'href="{links.local(atom + ".atom")}">') if atom and atom in links.feeds else ""  # fmt: skip
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{alternate}
<style>{STYLE}</style>
</head>
<body>
<header><nav><a href="{links.local('index.html')}">Dashboard</a><a href="{links.local('feeds.html')}">Feeds</a>\
<a href="{esc(links.datasette)}">History (Datasette)</a></nav></header>
<main>
{body}
</main>
<footer><p class="meta">Written by govwatch. Times are UTC.</p></footer>
</body>
</html>
"""


def _when(text: str | None) -> str:
    if not text:
        return ""
    moment = parse_iso(text)
    return f'<time datetime="{esc(text)}">{esc(human_date(text))} {moment:%H:%M}</time>'


def _day(text: str | None) -> str:
    return f'<time datetime="{esc(text)}">{esc(human_date(text))}</time>' if text else ""


def response_badge(p: PetitionView) -> str:
    """Return the response state as a labelled badge (with its due date while waiting)."""
    r = p.response
    due = f" (due {human_date(r.due_at)})" if r.state == "waiting" and r.due_at else ""
    return f'<span class="state {r.state}">Response: {esc(r.text())}</span>{esc(due)}'


def next_threshold(p: PetitionView) -> str:
    """Return the next threshold and its estimated date, or why there is none."""
    if p.next_threshold is None:
        return "every threshold passed"
    if p.estimated_at:
        rate = f" at {p.rate_per_day:,.0f} a day" if p.rate_per_day else ""
        return f"{p.next_threshold:,} estimated {_day(p.estimated_at)}{esc(rate)}"
    reason = "not moving" if p.state == "open" else f"petition {p.state}"
    return f"{p.next_threshold:,} ({esc(reason)})"


# ---------------------------------------------------------------- the dashboard


def _failing(watches: list[FailingWatch], links: Links) -> str:
    if not watches:
        return '<section><h2>Watches</h2><p>Every watch answered its last poll.</p></section>'
    items = "".join(
        f"<li><strong>{esc(w.id)}</strong> ({esc(w.kind)}): "
        + ("gone" if w.gone else f"{w.failures} failed poll{'s' if w.failures != 1 else ''} in a row")
        + f", last tried {_when(w.last_checked_at)}<br><span class=\"body\">{esc(plain(w.last_error))}</span>"
        + (f"<br>{links.feed('watches/' + _slug(w.id), 'its feed')}" if 'watches/' + _slug(w.id) in links.feeds else "")
        + "</li>"
        for w in watches
    )  # fmt: skip
    return (f'<section class="failing"><h2>Failing watches ({len(watches)})</h2><ul>{items}</ul>'
            f"<p>{links.query('failing_watches', 'All failing watches in Datasette')}</p></section>")  # fmt: skip


def _slug(text: str) -> str:
    from monitor.publish.feeds import slug

    return slug(text)


def petition_card(p: PetitionView, links: Links) -> str:
    """Return one petition's card: count, small curve, next threshold, response state."""
    spark = sparkline_svg(p.points) or ""
    return f"""<article>
<h3><a href="{links.local(p.page)}">{esc(plain(p.action))}</a></h3>
<p><span class="count">{p.count:,}</span> signatures · {esc(p.state)}</p>
<figure>{spark}<figcaption class="meta">{esc(curve_text(p.points))}</figcaption></figure>
<dl><dt>Next threshold</dt><dd>{next_threshold(p)}</dd>
<dt>Government</dt><dd>{response_badge(p)}</dd></dl>
</article>"""


def event_item(event_id: int, event: Event, links: Links, pages: set[str]) -> str:
    """Return one event of a list: when, kind, title linked to govwatch's page, its feeds and Datasette row."""
    target = None
    if event.petition_id and f"petitions/{_slug(event.petition_id)}.html" in pages:
        target = f"petitions/{_slug(event.petition_id)}.html"
    elif f"watches/{_slug(event.watch_id)}.html" in pages:
        target = f"watches/{_slug(event.watch_id)}.html"
    title = esc(plain(event.title) or kind_label(event.kind))
    title = f'<a href="{links.local(target)}">{title}</a>' if target else title
    feeds = [links.feed(f"kinds/{_slug(event.kind)}", kind_label(event.kind))]
    if event.petition_id:
        feeds.append(links.feed(f"petitions/{_slug(event.petition_id)}", "petition feed"))
    feeds.append(links.feed(f"watches/{_slug(event.watch_id)}", "watch feed"))
    more = " · ".join(f for f in feeds if f)
    return (f"<li><span class=\"meta\">{_when(event.occurred_at)} · {esc(event.kind)}</span><br>{title}"
            f"<br><span class=\"meta\">{more}{' · ' if more else ''}"
            f"{links.query(f'events/{event_id}', 'in Datasette')}</span></li>")  # fmt: skip


def dashboard_html(board: Dashboard, links: Links, pages: set[str]) -> str:
    """Return the dashboard: failing watches, petitions, pages, the latest events."""
    cards = "\n".join(petition_card(p, links) for p in board.petitions) or "<p>No petition polled yet.</p>"
    more = (f"<p>And {board.more_petitions:,} more petitions the sweeps follow: "
            f"{links.query('petitions_latest', 'every petition in Datasette')}.</p>") if board.more_petitions else ""
    page_items = "".join(
        f'<li><a href="{links.local("watches/" + _slug(r["watch_id"]) + ".html")}">{esc(plain(r["title"]) or r["watch_id"])}</a>'
        + (f" · {r['count']:,}" if r["count"] is not None else "")
        + (f' · changed {_when(r["changed_at"])}' if r["changed_at"] else "") + "</li>"
        for r in board.pages
    )  # fmt: skip
    pages_html = f"<section><h2>Pages</h2><ul>{page_items}</ul></section>" if page_items else ""
    events = "".join(event_item(i, e, links, pages) for i, e in board.events) or "<li>No event yet.</li>"
    body = f"""<h1>govwatch</h1>
{_failing(board.failing, links)}
<h2>Petitions</h2>
<div class="grid">
{cards}
</div>
{more}
{pages_html}
<section><h2>Latest events</h2><ol class="events">{events}</ol>
<p>{links.feed('all', 'Every event')} · <a href="{links.local('feeds.html')}">all feeds</a></p></section>"""
    return layout("govwatch", body, links)


def page_list(items: Iterable[str]) -> str:
    """Return items as an HTML list (or nothing)."""
    items = list(items)
    return f"<ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>" if items else ""


def events_html(events: list[Event]) -> str:
    """Return events with their rendered bodies (sanitized as in the feeds), newest first."""
    if not events:
        return "<p>No event yet.</p>"
    items = []
    for event in events:
        rendered = render(event)
        items.append(f"<li><span class=\"meta\">{_when(event.occurred_at)} · {esc(event.kind)}</span>"
                     f"<h3>{esc(rendered.title)}</h3><div class=\"body\">{rendered.html}</div></li>")  # fmt: skip
    return f'<ol class="events">{"".join(items)}</ol>'
