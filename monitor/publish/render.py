"""Render an event for people: a plain-text title and a sanitized HTML body.

One short renderer per event kind, registered with `@renderer` (a kind without
one gets the generic body). Scraped text is untrusted: it is escaped, stripped
of the control characters XML forbids, and the finished HTML goes through nh3,
a maintained sanitizer, which keeps a few tags and only absolute http(s)/mailto links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import nh3

from monitor.publish.chart import HEIGHT, WIDTH
from monitor.clock import human_date
from monitor.detect.diff import paragraphs
from monitor.items import Event
from monitor.registry import Registry

# XML 1.0 forbids C0 controls but tab, LF and CR, plus U+FFFE/U+FFFF and lone surrogates;
# C1 controls are allowed but never meant, so they go too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MARKUP = re.compile("[<&\ufeff]")  # what the sanitizer would change in a title (it drops a leading BOM)
_URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s])+")
_TAGS = {"p", "br", "strong", "em", "ul", "li", "blockquote", "h3", "h4", "del", "ins", "a", "img", "small"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
_SCHEMES = {"http", "https", "mailto"}


# ---------------------------------------------------------------- untrusted text


def xml_text(text: str | None) -> str:
    """Return text without the characters XML cannot carry."""
    return _FORBIDDEN.sub("", text or "")


def plain(text: str | None) -> str:
    """Return text fit for a title: no markup (or anything a reader could take for it), one line."""
    text = xml_text(text)
    # Without "<" or "&" there is no markup to strip nor entity to decode: skip the sanitizer (most titles).
    stripped = html.unescape(nh3.clean(text, tags=set())) if _MARKUP.search(text) else text
    # RSS readers disagree on whether a title is HTML; leave them no angle bracket to misread.
    return " ".join(stripped.replace("<", "‹").replace(">", "›").split())


def sanitize(fragment: str) -> str:
    """Return an HTML fragment reduced to safe tags, attributes and link schemes."""
    return nh3.clean(
        xml_text(fragment), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, url_relative="deny"
    )  # a relative address would resolve against the feed


def text_html(text: str | None) -> str:
    """Escape text into HTML paragraphs, its http(s) addresses made links."""
    return "".join(f"<p>{_linkify(html.escape(xml_text(p)))}</p>" for p in paragraphs(text))


def _linkify(escaped: str) -> str:
    def link(m: re.Match[str]) -> str:
        url = m.group(0)
        trail = len(url) - len(url.rstrip(".,;:!?)"))
        url, rest = (url[:-trail], url[-trail:]) if trail else (url, "")
        return f'<a href="{url}">{url}</a>{rest}'

    return _URL.sub(link, escaped)


def http_url(url: object) -> str | None:
    """Return a URL if it is an absolute http(s) one, else None."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(xml_text(url).strip())
    return urlunsplit(parts) if parts.scheme in ("http", "https") and parts.netloc else None


def page_url(url: object) -> str | None:
    """Return the human page of a source URL (``.json`` dropped); None unless http(s)."""
    checked = http_url(url)
    if checked is None:
        return None
    parts = urlsplit(checked)
    return urlunsplit(parts._replace(path=parts.path.removesuffix(".json")))


def diff_html(diff: str | None) -> str:
    """Render a `monitor.detect.diff` text as HTML: removed lines struck, added lines marked."""
    out = []
    for line in xml_text(diff).splitlines():
        op, text = line[:2], html.escape(line[2:])
        if op == "- ":
            out.append(f"<p>− <del>{text}</del></p>")
        elif op == "+ ":
            out.append(f"<p>+ <ins>{text}</ins></p>")
        elif op == "  ":
            out.append(f"<p><small>{text}</small></p>")
        elif line.strip():  # a heading such as "Response:"
            out.append(f"<h4>{html.escape(line.strip().rstrip(':'))}</h4>")
    return "".join(out)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Context:
    """What a renderer may use beside the event (values the feed writer worked out)."""

    chart_url: str | None = None  # a drawing of the signature curve up to the event


Renderer = Callable[[Event, Context], list[str]]


@dataclass(frozen=True)
class Registered:
    """A renderer and the name of its kind's feed (e.g. "Government responses")."""

    kind: str
    label: str
    fn: Renderer


RENDERERS = Registry("renderer")


def renderer(kind: str, label: str) -> Callable[[Renderer], Renderer]:
    """Register the body renderer of one event kind, with the title of its feed."""
    return RENDERERS.decorator(kind, lambda fn: Registered(kind, label, fn))


def kind_label(kind: str) -> str:
    """Return the human name of a kind's feed ("Government responses")."""
    registered = RENDERERS.get(kind)
    return registered.label if registered else kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Rendered:
    """An event ready for a feed: plain title, sanitized HTML, the human page."""

    title: str
    html: str
    link: str | None


def render(event: Event, context: Context | None = None) -> Rendered:
    """Render an event with its kind's renderer, then the facts every entry carries."""
    context = context or Context()
    registered = RENDERERS.get(event.kind)
    parts = registered.fn(event, context) if registered else generic(event, context)
    link = page_url(event.url)
    return Rendered(title=plain(event.title) or kind_label(event.kind),
                    html=sanitize("".join(parts + facts(event, link))), link=link)  # fmt: skip


def facts(event: Event, link: str | None) -> list[str]:
    """Return the count, the dates and the link to the source page."""
    items = []
    count = event.data.get("signature_count")
    if isinstance(count, int) and not isinstance(count, bool):
        items.append(f"Signatures: {count:,}")
    if event.occurred_at:
        items.append(f"Happened: {_date(event.occurred_at)}")
    if event.detected_at and event.detected_at[:10] != (event.occurred_at or "")[:10]:
        items.append(f"Detected by govwatch: {_date(event.detected_at)}")
    eta = event.data.get("eta")
    if isinstance(eta, dict) and isinstance(eta.get("line"), str):
        items.append(f"Next threshold at the recent rate: {eta['line']}")
    out = [f"<ul>{''.join(f'<li>{html.escape(i)}</li>' for i in items)}</ul>"] if items else []
    if link:
        host = html.escape(urlsplit(link).netloc)
        out.append(f'<p><a href="{html.escape(link)}">Read it on {host}</a></p>')
    return out


@lru_cache(maxsize=4096)  # a first check's thousands of events share a few dates
def _date(text: str) -> str:
    try:
        return human_date(text)
    except ValueError:
        return text


# ---------------------------------------------------------------- renderers


def generic(event: Event, context: Context) -> list[str]:
    """The summary, and the diff when the event carries one."""
    diff = event.data.get("diff")
    return [text_html(event.summary)] + ([diff_html(diff)] if isinstance(diff, str) and diff else [])


@renderer("threshold_crossed", "Signature thresholds")
def threshold(event: Event, context: Context) -> list[str]:
    """The summary and the signature curve up to the crossing."""
    parts = [text_html(event.summary)]
    if context.chart_url:
        parts.append(f'<p><img src="{html.escape(context.chart_url)}" alt="Signature count over time"'
                     f' width="{WIDTH}" height="{HEIGHT}"></p>')  # fmt: skip
    return parts


def _response_html(response: object) -> list[str]:
    if not isinstance(response, dict):
        return []
    summary = " ".join(paragraphs(response.get("summary")))
    parts = [f"<p><strong>{html.escape(xml_text(summary))}</strong></p>"] if summary else []
    return parts + [text_html(response.get("details"))]


@renderer("response_published", "Government responses")
def response_published(event: Event, context: Context) -> list[str]:
    """The response in full: its summary in bold, then its text."""
    response = event.data.get("response")
    when = event.data.get("responded_on")
    heading = "The government's response" + (f" of {_date(when)}" if isinstance(when, str) and when else "")
    body = _response_html(response) or [text_html(event.summary)]
    delay = event.data.get("delay")
    late = [f"<p>{html.escape(xml_text(delay[0].upper() + delay[1:]))}.</p>"] if isinstance(delay, str) and delay else []
    return [*late, f"<h3>{html.escape(heading)}</h3><blockquote>", *body, "</blockquote>"]


@renderer("response_overdue", "Overdue government responses")
def response_overdue(event: Event, context: Context) -> list[str]:
    """When the response was due, and when it came (if it has)."""
    return [text_html(event.summary)]


@renderer("threshold_approaching", "Thresholds approaching")
def threshold_approaching(event: Event, context: Context) -> list[str]:
    """The projection: which threshold, when, at what rate; and the curve so far."""
    return threshold(event, context)


@renderer("response_updated", "Government response updates")
def response_updated(event: Event, context: Context) -> list[str]:
    """What changed in the response, then the response as it now reads."""
    diff = event.data.get("diff")
    parts = [text_html(event.summary)]
    if isinstance(diff, str) and diff:
        parts += ["<h3>What changed</h3>", diff_html(diff)]
    now = _response_html(event.data.get("response"))
    return parts + (["<h3>The response now reads</h3><blockquote>", *now, "</blockquote>"] if now else [])


@renderer("debate_scheduled", "Debates scheduled")
def debate_scheduled(event: Event, context: Context) -> list[str]:
    """The date Parliament will debate the petition."""
    return [text_html(event.summary)]


_DEBATE_LINKS = (("transcript_url", "Transcript"), ("video_url", "Video"), ("debate_pack_url", "Debate pack"),
                 ("debate_summary_url", "Debate summary"))  # fmt: skip


@renderer("debated", "Debates")
def debated(event: Event, context: Context) -> list[str]:
    """The debate's date and overview, and links to its transcript and video."""
    debate = event.data.get("debate")
    if not isinstance(debate, dict):
        return [text_html(event.summary)]
    parts = [text_html(f"Parliament debated this petition on {_date(debate.get('debated_on') or '')}."),
             text_html(debate.get("overview"))]  # fmt: skip
    links = [f'<li><a href="{html.escape(url)}">{label}</a></li>'
             for key, label in _DEBATE_LINKS if (url := http_url(debate.get(key)))]  # fmt: skip
    return parts + ([f"<ul>{''.join(links)}</ul>"] if links else [])


@renderer("state_changed", "Petitions opened, closed, rejected or archived")
def state_changed(event: Event, context: Context) -> list[str]:
    """The new state (with the reason of a rejection)."""
    return [text_html(event.summary)]


@renderer("petition_discovered", "New petitions")
def petition_discovered(event: Event, context: Context) -> list[str]:
    """The new petition's background, count and state."""
    return [text_html(event.summary)]


@renderer("petition_trending", "Trending petitions")
def petition_trending(event: Event, context: Context) -> list[str]:
    """Its signatures in the last hour and in all."""
    return [text_html(event.summary)]


@renderer("sweep_started", "Sweeps started")
def sweep_started(event: Event, context: Context) -> list[str]:
    """How many petitions a sweep's first pass recorded."""
    return [text_html(event.summary)]


# ---------------------------------------------------------------- pages

_WORD_CHANGE = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}")


def word_diff_html(line: str) -> str:
    """Render a word diff ("… [-old-]{+new+} …") as HTML with the words struck and marked."""
    escaped = html.escape(xml_text(line))
    return _WORD_CHANGE.sub(lambda m: f"<del>{m[1]}</del>" if m[1] is not None else f"<ins>{m[2]}</ins>", escaped)


@renderer("page_changed", "Page changes")
def page_changed(event: Event, context: Context) -> list[str]:
    """What changed on the page: edited paragraphs word by word, then the lines removed and added."""
    parts = [text_html(event.summary)]
    words = [w for w in event.data.get("words") or () if isinstance(w, str)]
    if words:
        parts += ["<h3>Edited</h3>"] + [f"<p>{word_diff_html(w)}</p>" for w in words]
    diff = event.data.get("diff")
    if isinstance(diff, str) and diff:
        parts += ["<h3>What changed</h3>", diff_html(diff)]
    return parts


@renderer("keyword_appeared", "Keywords appearing")
def keyword_appeared(event: Event, context: Context) -> list[str]:
    """The keyword and the line it appeared in."""
    return [text_html(event.summary)]


@renderer("keyword_disappeared", "Keywords disappearing")
def keyword_disappeared(event: Event, context: Context) -> list[str]:
    """The keyword and the line it was in."""
    return [text_html(event.summary)]


def _items_html(event: Event) -> list[str]:
    items = [i for i in event.data.get("items") or () if isinstance(i, str)]
    return [f"<ul>{''.join(f'<li>{html.escape(xml_text(i))}</li>' for i in items)}</ul>"] if items else []


@renderer("list_item_added", "Added to lists")
def list_item_added(event: Event, context: Context) -> list[str]:
    """The item that joined the page's list (such as a new signatory), or every item when many did."""
    return [text_html(event.summary)] + _items_html(event)


@renderer("list_item_removed", "Removed from lists")
def list_item_removed(event: Event, context: Context) -> list[str]:
    """The item that left the page's list, or every item when many did."""
    return [text_html(event.summary)] + _items_html(event)


# ---------------------------------------------------------------- watch health


@renderer("watch_failing", "Failing watches")
def watch_failing(event: Event, context: Context) -> list[str]:
    """How many polls failed and the latest error (a page's selector that matches nothing, a site down)."""
    return [text_html(event.summary)]


@renderer("watch_recovered", "Recovered watches")
def watch_recovered(event: Event, context: Context) -> list[str]:
    """A failing watch answers again."""
    return [text_html(event.summary)]


@renderer("node_failing", "Failing Scrapyd nodes")
def node_failing(event: Event, context: Context) -> list[str]:
    """A Scrapyd node that failed several times in a row, and its latest error."""
    return [text_html(event.summary)]
