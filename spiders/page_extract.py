"""Extract what matters from an HTML page: its main content as lines, list items, a count, the title.

Nothing is taken from what a reader does not see or does not come for:
scripts, styles, forms, inputs (hidden CSRF tokens included), hidden
elements, comments, the watch's `ignore` selectors, and the page's chrome
(nav, page-level header and footer, cookie and consent banners). The main
content is the `selector`'s elements or, without one, found by `main_content`:
the page's single `<article>` or `<main>` when it holds most of the text,
else the element that holds most of the text that is not links.

Each line is one block (paragraph, heading, list item, table cell) with its
text normalized (Unicode NFC, whitespace collapsed; every script kept) and the
element path it came from, so learned noise can be dropped by place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml import etree, html
from parsel.csstranslator import css2xpath

from monitor.watchlist.config import PageWatch
from monitor.items import NUMBER, PageContent, parse_number

BLOCKS = frozenset("""
    address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre
    section summary table tbody td tfoot th thead tr ul legend
""".split())  # fmt: skip
INVISIBLE = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas",
             "audio", "video", "input", "select", "textarea", "button", "link", "meta", "head")  # fmt: skip
# Chrome: dropped unless it holds what the watch selects.
CHROME_XPATH = (
    "//nav | //*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='search']"
    " | //header[not(ancestor::article or ancestor::main)] | //footer[not(ancestor::article or ancestor::main)]"
)
_BANNER = re.compile(r"(^|[\s_-])(cookie|cookies|consent|gdpr)([\s_-]|$)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
PRE_BREAK = "\x00"


class Page:
    """A parsed, cleaned page and the selections a watch makes on it."""

    def __init__(self, text: str, watch: PageWatch):
        self.watch = watch
        self.root = _parse(text)
        self.title = _title(self.root) if self.root is not None else None
        self._paths: dict[etree._Element, str] = {}
        if self.root is None:
            self.body, self.selected, self.listed, self.counted = None, [], [], []
            return
        body = self.root.find("body")
        self.body = body if body is not None else self.root
        _drop_invisible(self.root, watch.ignore)
        # The watch's own selectors see the page before its chrome goes, so they may point into it.
        self.selected = select(self.root, watch.selector) if watch.selector else []
        self.listed = select(self.root, watch.list) if watch.list else []
        self.counted = select(self.root, watch.count.selector) if watch.count and watch.count.selector else []
        _drop_chrome(self.root, keep=[e for e in self.selected + self.listed + self.counted if _is_element(e)])

    # ------------------------------------------------------------ the parts

    def content(self) -> PageContent:
        """Return the page's content: main lines, items, count and title."""
        if self.body is None:
            return PageContent(title=self.title)
        roots = self.selected if self.watch.selector else [main_content(self.body)]
        lines = list(self._lines(roots))
        items = self._items(roots)
        count_text = self._count_text(lines)
        return PageContent(
            title=self.title,
            lines=tuple(t for t, _ in lines), line_paths=tuple(p for _, p in lines),
            items=tuple(t for t, _ in items), item_paths=tuple(p for _, p in items),
            count=parse_number(count_text) if count_text else None, count_text=count_text,
        )  # fmt: skip

    def _lines(self, roots: list) -> Iterator[tuple[str, str]]:
        for root in roots:
            if isinstance(root, str):  # a "::text" or "xpath:…/text()" selector
                if line := normalize(root):
                    yield line, "text()"
            elif _is_element(root):
                yield from self._block_lines(root)

    def _block_lines(self, root: etree._Element) -> Iterator[tuple[str, str]]:
        parts: list[str] = []
        blocks: list[etree._Element] = []
        in_pre = 0

        def flush() -> Iterator[tuple[str, str]]:
            if parts:
                path = self.path(blocks[-1] if blocks else root)
                for piece in "".join(parts).split(PRE_BREAK):
                    if line := normalize(piece):
                        yield line, path
                parts.clear()

        for event, el in etree.iterwalk(root, events=("start", "end")):
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            if event == "start":
                if tag in BLOCKS or tag == "br":
                    yield from flush()
                if tag in BLOCKS:
                    blocks.append(el)
                if tag == "pre":
                    in_pre += 1
                if el.text:
                    parts.append(el.text.replace("\n", PRE_BREAK) if in_pre else el.text)
            else:
                if tag in BLOCKS:
                    yield from flush()
                    blocks.pop()
                if tag == "pre":
                    in_pre -= 1
                if el.tail and el is not root:
                    parts.append(el.tail.replace("\n", PRE_BREAK) if in_pre else el.tail)
        yield from flush()

    def _items(self, roots: list) -> list[tuple[str, str]]:
        if self.watch.list:
            found = self.listed
        else:
            found = [li for root in roots if _is_element(root) for li in root.iter("li")]
        items: dict[str, str] = {}
        for el in found:
            text = normalize(el) if isinstance(el, str) else normalize(" ".join(el.itertext()))
            if text and text not in items:
                items[text] = "text()" if isinstance(el, str) else self.path(el)
        return list(items.items())

    def _count_text(self, lines: list[tuple[str, str]]) -> str | None:
        rule = self.watch.count
        if rule is None:
            return None
        if rule.selector:
            texts = [normalize(e if isinstance(e, str) else " ".join(e.itertext())) for e in self.counted]
        else:  # the main text first, then the whole page (a count often sits beside the content)
            # lazily: the whole page is read again only when the main text shows no count
            texts = ("\n".join(t for t, _ in source) for source in (lines, self._block_lines(self.body)))
        for text in texts:
            found = _number_in(text, rule.pattern)
            if found:
                return found
        return None

    def path(self, el: etree._Element) -> str:
        """Return where an element sits: its ancestors' tags, ids and classes from <body> down."""
        known = self._paths.get(el)
        if known is None:
            parent = el.getparent()
            if el is self.body or parent is None or not isinstance(el.tag, str):
                known = "body"
            elif parent is self.body:
                known = _step(el.tag, el.get("id"), el.get("class"))
            else:
                known = self.path(parent) + "/" + _step(el.tag, el.get("id"), el.get("class"))
            self._paths[el] = known
        return known


def extract(text: str, watch: PageWatch) -> PageContent:
    """Return the content a watch sees in a decoded HTML page."""
    return Page(text, watch).content()


def select(root: etree._Element, selector: str) -> list:
    """Return what a CSS or "xpath:" selector picks in a document, in document order."""
    query = selector.removeprefix("xpath:").strip() if selector.startswith("xpath:") else css2xpath(selector)
    found = root.xpath(query)
    if not isinstance(found, list):
        return []  # an XPath that computes a number or a boolean selects nothing
    return [f for f in found if isinstance(f, str) or _is_element(f)]


def normalize(text: str) -> str:
    """Return text in Unicode NFC with invisible characters removed and whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE_CHARS)
    text = " ".join(text.split())
    return text if any(c.isalnum() for c in text) else ""


def main_content(body: etree._Element) -> etree._Element:
    """Find the element holding a page's main content (never more than needed, never just chrome)."""
    weights: dict[etree._Element, int] = {}

    def weight(el: etree._Element) -> int:
        if el not in weights:
            weights[el] = _weight(el)
        return weights[el]

    total = weight(body)
    for query in ("//article | //*[@role='article']", "//main | //*[@role='main']"):
        heaviest = max(body.xpath(query), key=weight, default=None)
        if heaviest is not None and weight(heaviest) * 2 >= total:
            return heaviest
    # No semantic markup: walk down while one child holds 80 % of the text, stopping at the <h1>'s level.
    node = body
    while node.find("h1") is None:
        heaviest = max((c for c in node if isinstance(c.tag, str)), key=weight, default=None)
        if heaviest is None or weight(heaviest) * 10 < weight(node) * 8 or weight(node) == 0:
            break
        node = heaviest
    return node


def _weight(el: etree._Element) -> int:
    """Return how much text an element holds that is not link text (navigation weighs little)."""
    text = len(" ".join("".join(el.itertext()).split()))
    links = sum(len(" ".join("".join(a.itertext()).split())) for a in el.iter("a"))
    return max(text - links, 0)


def _number_in(text: str, pattern: str | None) -> str | None:
    if pattern:
        m = re.search(pattern, text)
        if not m:
            return None
        text = m.group(1) if m.re.groups else m.group(0)
    m = NUMBER.search(text)
    return m.group(0) if m else None


def _parse(text: str) -> etree._Element | None:
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        return html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _title(root: etree._Element) -> str | None:
    for query in ("//title", "//meta[@property='og:title']/@content", "//h1"):
        for found in root.xpath(query):
            text = normalize(found if isinstance(found, str) else " ".join(found.itertext()))
            if text:
                return text
    return None


def _is_element(value: object) -> bool:
    return isinstance(value, etree._Element) and isinstance(value.tag, str)


def _drop(elements: Iterable[etree._Element]) -> None:
    for el in list(elements):
        if el.getparent() is not None:
            el.drop_tree()  # keeps the text that follows the element


def _drop_invisible(root: etree._Element, ignore: tuple[str, ...]) -> None:
    _drop(root.iter(*INVISIBLE))
    _drop(el for el in root.iter() if isinstance(el.tag, str) and (
        el.get("hidden") is not None or el.get("aria-hidden") == "true"
        or _HIDDEN_STYLE.search(el.get("style") or "")
    ))  # fmt: skip
    page_text = _weight(root)
    # A form is a signing or newsletter box, unless the whole page is one (ASP.NET wraps pages in a form).
    _drop(f for f in root.iter("form") if _weight(f) * 2 < page_text)
    for selector in ignore:
        _drop(e for e in select(root, selector) if _is_element(e))


def _drop_chrome(root: etree._Element, keep: list[etree._Element]) -> None:
    protected = {a for el in keep for a in el.iterancestors()} | set(keep)
    chrome = [el for el in root.xpath(CHROME_XPATH) if el not in protected]
    chrome += [el for el in root.iter() if isinstance(el.tag, str) and el not in protected
               and el.tag not in ("html", "body") and _BANNER.search(f"{el.get('id', '')} {el.get('class', '')}")]
    _drop(chrome)


@lru_cache(maxsize=4096)
def _step(tag: str, id_: str | None, classes: str | None) -> str:
    """Name one step of a path: "div#main.post" (digits, often generated, become "#")."""
    step = tag.lower()
    if id_ and id_.strip():
        step += "#" + re.sub(r"\d+", "#", id_.strip())
    return step + "".join("." + re.sub(r"\d+", "#", c) for c in sorted(set((classes or "").split())))
