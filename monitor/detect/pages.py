"""Page detectors: pure functions that turn two states of a page into events.

Each detector is ``(previous, new, watch) -> [Event]`` and is registered in
`PAGE_DETECTORS` with `@page_detector`, beside the petition detectors of
`monitor.detect.petitions`. The first sight of a page is its baseline: no event. An
empty extraction reaches no detector: it is an error observation, and when
errors pile up the store's health check (`monitor.detect.health`) sends one
`watch_failing` that quotes it ("the selector 'article' matches nothing").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from monitor.watchlist.config import PageWatch
from monitor.detect.detectors import Registered, run_detectors
from monitor.detect.diff import added_removed, diff_text, word_changes
from monitor.items import Event, PageContent, stable_hash
from monitor.registry import Registry

PageDetector = Callable[[PageContent | None, PageContent, PageWatch], list[Event]]

PAGE_DETECTORS = Registry("page detector")
MAX_ITEM_EVENTS = 10  # more items at once (a list rebuilt) are one event, not a flood


def page_detector(kind: str) -> Callable[[PageDetector], PageDetector]:
    """Register a detector of page events under its event kind."""
    return PAGE_DETECTORS.decorator(kind, lambda fn: Registered(kind, fn))


def detect_page(previous: PageContent | None, new: PageContent, watch: PageWatch) -> list[Event]:
    """Run every page detector; return their events, each key once (none for a baseline or nothing)."""
    if previous is None or previous.empty or new.empty:
        return []
    return run_detectors(PAGE_DETECTORS, previous, new, watch)


def _event(watch: PageWatch, new: PageContent, kind: str, slug: str, title: str, summary: str,
           **data: object) -> Event:  # fmt: skip
    return Event(
        key=f"page/{watch.id}/{slug}",
        kind=kind,
        watch_id=watch.id,
        title=f"{title}: {new.title or watch.id}",
        summary=summary,
        url=watch.url,
        occurred_at="",
        detected_at="",
        data={"page": watch.url, "page_title": new.title} | data,
    )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- text


@page_detector("page_changed")
def page_changed(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """A page's main text changed (the event carries a readable diff of what was removed and added)."""
    old_hash, new_hash = previous.content_hash(), new.content_hash()
    if old_hash == new_hash:
        return []
    added, removed = added_removed("\n".join(previous.masked_lines()), "\n".join(new.masked_lines()))
    items_added = sorted(set(new.items) - set(previous.items))
    items_removed = sorted(set(previous.items) - set(new.items))
    if not (set(added) - set(items_added)) and not (set(removed) - set(items_removed)):
        return []  # only list items came or went: list_item_added/removed say it all
    parts = [f"{len(added)} line{'s' * (len(added) != 1)} added, {len(removed)} removed."]
    words = word_changes(previous.text, new.text)
    if words:
        parts.append("Edited: " + _short(words[0]))
    elif added:
        parts.append("Added: " + _short(added[0]))
    elif removed:
        parts.append("Removed: " + _short(removed[0]))
    # Keyed by both states: the same edit from the same text is one event, a later revert is another.
    slug = f"changed/{old_hash[:10]}-{new_hash[:10]}"
    return [_event(
        watch, new, "page_changed", slug, "Page changed", " ".join(parts),
        diff=diff_text(previous.text, new.text), added=added, removed=removed, words=words,
        items_added=items_added, items_removed=items_removed,
    )]  # fmt: skip


# ---------------------------------------------------------------- keywords


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _line_with(content: PageContent, keyword: str) -> str | None:
    folded = _fold(keyword)
    return next((line for line in (*content.lines, *content.items) if folded in _fold(line)), None)


def _keyword_events(previous: PageContent, new: PageContent, watch: PageWatch, appeared: bool) -> list[Event]:
    events = []
    for keyword in watch.keywords:
        before, after = _line_with(previous, keyword), _line_with(new, keyword)
        if appeared and before is None and after is not None:
            summary = f"“{keyword}” now appears on the page: {_short(after)}"
            slug, title, line = "appeared", f"“{keyword}” appeared", after
        elif not appeared and before is not None and after is None:
            summary = f"“{keyword}” no longer appears on the page (it was in: {_short(before)})"
            slug, title, line = "disappeared", f"“{keyword}” disappeared", before
        else:
            continue
        kind = "keyword_appeared" if appeared else "keyword_disappeared"
        key = f"keyword-{slug}/{stable_hash(_fold(keyword))[:10]}/{new.content_hash()[:12]}"
        events.append(_event(watch, new, kind, key, title, summary, keyword=keyword, line=line))
    return events


@page_detector("keyword_appeared")
def keyword_appeared(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """One of a page's keywords (such as "Government responded") appeared in its text."""
    return _keyword_events(previous, new, watch, appeared=True)


@page_detector("keyword_disappeared")
def keyword_disappeared(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """One of a page's keywords is no longer in its text."""
    return _keyword_events(previous, new, watch, appeared=False)


# ---------------------------------------------------------------- list items


def _item_events(watch: PageWatch, new: PageContent, items: list[str], added: bool) -> list[Event]:
    if not items:
        return []
    kind = "list_item_added" if added else "list_item_removed"
    verb = "added" if added else "removed"
    if len(items) > MAX_ITEM_EVENTS:
        shown = "; ".join(items[:MAX_ITEM_EVENTS]) + f"; and {len(items) - MAX_ITEM_EVENTS} more"
        return [_event(watch, new, kind, f"item-{verb}/{stable_hash(sorted(items))[:12]}",
                       f"{len(items)} list items {verb}", f"{len(items)} items were {verb}: {shown}.",
                       items=items, list_size=len(new.items))]  # fmt: skip
    return [
        _event(watch, new, kind, f"item-{verb}/{stable_hash(item)[:12]}", f"{verb.capitalize()}: {_short(item, 80)}",
               f"“{item}” was {verb} {'to' if added else 'from'} the list ({len(new.items)} items now).",
               item=item, list_size=len(new.items))  # fmt: skip
        for item in items
    ]


@page_detector("list_item_added")
def list_item_added(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """An item joined a page's list (such as a new signatory of an open letter)."""
    known = set(previous.items)
    return _item_events(watch, new, [i for i in new.items if i not in known], added=True)


@page_detector("list_item_removed")
def list_item_removed(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """An item left a page's list."""
    current = set(new.items)
    return _item_events(watch, new, [i for i in previous.items if i not in current], added=False)


# ---------------------------------------------------------------- count


@page_detector("threshold_crossed")
def threshold_crossed(previous: PageContent, new: PageContent, watch: PageWatch) -> list[Event]:
    """The count a page shows (such as its signatures) reached one of the watch's thresholds; once each."""
    if previous.count is None or new.count is None:
        return []
    return [
        _event(watch, new, "threshold_crossed", f"threshold/{threshold}", f"{threshold:,} reached",
               f"The count on the page passed {threshold:,} ({previous.count:,} → {new.count:,}).",
               threshold=threshold, count=new.count, previous_count=previous.count)  # fmt: skip
        for threshold in watch.thresholds
        if previous.count < threshold <= new.count
    ]
