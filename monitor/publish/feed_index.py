"""List every feed: `feeds.opml` for feed readers, `feeds.html` for people.

Both are made from the feed catalog and carry no build time, so they are
rewritten only when the list of feeds changes.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from monitor.watchlist.config import Settings
from monitor.publish.feeds import FORMATS, SECTIONS, FeedSpec, feed_url
from monitor.publish.render import plain

OPML_FILE = "feeds.opml"
INDEX_FILE = "feeds.html"  # index.html is the dashboard (monitor.publish.dashboard)
_LABELS = {"atom": "Atom", "rss": "RSS"}


def _sections(specs: Iterable[FeedSpec]) -> dict[str, list[FeedSpec]]:
    grouped: dict[str, list[FeedSpec]] = {name: [] for name in SECTIONS}
    for spec in specs:
        grouped.setdefault(spec.section, []).append(spec)
    return {name: feeds for name, feeds in grouped.items() if feeds}


def opml(settings: Settings, specs: list[FeedSpec]) -> bytes:
    """Return an OPML 2.0 outline of every feed's Atom URL, grouped by section."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = "govwatch feeds"
    body = ET.SubElement(root, "body")
    for section, feeds in _sections(specs).items():
        group = ET.SubElement(body, "outline", text=section, title=section)
        for spec in feeds:
            title = plain(spec.title)
            ET.SubElement(group, "outline", type="rss", text=title, title=title,
                          xmlUrl=feed_url(settings, spec, "atom"),
                          htmlUrl=spec.page or f"{settings.feeds_url}{INDEX_FILE}")  # fmt: skip
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def index_html(settings: Settings, specs: list[FeedSpec]) -> bytes:
    """Return a page listing every feed with its Atom and RSS links."""

    def row(spec: FeedSpec) -> str:
        links = " · ".join(f'<a href="{html.escape(spec.path)}.{fmt}" type="{media}">{_LABELS[fmt]}</a>'
                           for fmt, media in FORMATS.items())  # fmt: skip
        return f"<li>{html.escape(plain(spec.title))} — {links}</li>"

    sections = "".join(
        f"<h2>{html.escape(section)}</h2>\n<ul>\n" + "\n".join(row(s) for s in feeds) + "\n</ul>\n"
        for section, feeds in _sections(specs).items()
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>govwatch feeds</title>
<link rel="alternate" type="application/atom+xml" title="govwatch: everything" href="all.atom">
<link rel="alternate" type="application/rss+xml" title="govwatch: everything" href="all.rss">
<style>body {{ font: 16px/1.5 sans-serif; max-width: 48em; margin: 2em auto; padding: 0 1em; }}</style>
</head>
<body>
<h1>govwatch feeds</h1>
<p>Paste a feed's address into your feed reader (each comes as Atom and as RSS), or import
<a href="{OPML_FILE}">{OPML_FILE}</a> to subscribe to all of them at once.
These feeds are published at {html.escape(settings.feeds_url)}.</p>
{sections}</body>
</html>
""".encode()


def index_files(settings: Settings, specs: list[FeedSpec]) -> dict[str, bytes]:
    """Return feeds.opml and feeds.html, by file name."""
    return {OPML_FILE: opml(settings, specs), INDEX_FILE: index_html(settings, specs)}
