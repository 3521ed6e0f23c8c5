"""Noise on pages: what changes between two immediate fetches is not news.

When a page's content hash differs from the stored one, the pages spider
fetches it again at once and hands both extractions to `learn`. Lines that
differ between them changed with nothing real happening (a clock, a counter,
a token, a box of "latest posts" that rotates on every request). They are
reported, and become rules the store keeps for the watch; every later poll
drops what the rules match before comparing (`drop`). A rule is text:

    line:<regex>    a line that changed in place, with its digits and long
                    tokens wildcarded ("Viewed 1,234 times" -> "Viewed \\d+,\\d+ times")
    path:<path>     a place in the page whose lines were replaced by unrelated
                    ones (a rotating box), e.g. "div.page/aside.latest-posts/ul/li";
                    learned only where at least a third of the lines changed
                    and that holds at most half of the page's lines
    line:^<text>$   otherwise, the changed line itself
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from monitor.items import PageContent

LINE, PATH = "line:", "path:"
# A token worth wildcarding: long, and mixing letters with digits (CSRF tokens, session ids, hashes).
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,}")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Learned:
    """What a double fetch found: the lines that changed, and the rules that drop them."""

    lines: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()


def line_shape(text: str) -> str:
    """Return a regex matching `text` with its numbers and long tokens wildcarded."""
    out, pos = [], 0
    for m in re.finditer(rf"{_TOKEN.pattern}|{_DIGITS.pattern}", text):
        out.append(re.escape(text[pos:m.start()]))
        word = m.group()
        if word.isdigit():
            out.append(r"\d+")
        elif any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
            out.append(r"[\w\-]+")
        else:  # a long plain word: split it again so its digits (if any) are still wildcarded
            out.append(_DIGITS.sub(r"\\d+", re.escape(word)))
        pos = m.end()
    out.append(re.escape(text[pos:]))
    return "^" + "".join(out) + "$"


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def matches(rules: tuple[str, ...], text: str, path: str) -> bool:
    """Tell whether a line (its text and element path) is noise under `rules`."""
    for rule in rules:
        if rule.startswith(PATH):
            place = rule[len(PATH):]
            if path == place or path.startswith(place + "/"):
                return True
        elif rule.startswith(LINE) and _compiled(rule[len(LINE):]).fullmatch(text):
            return True
    return False


def drop(content: PageContent, rules: tuple[str, ...]) -> PageContent:
    """Return the content without the lines and items that `rules` call noise."""
    if not rules:
        return content
    lines = [(t, p) for t, p in zip(content.lines, content.line_paths, strict=True) if not matches(rules, t, p)]
    items = [(t, p) for t, p in zip(content.items, content.item_paths, strict=True) if not matches(rules, t, p)]
    return replace(
        content,
        lines=tuple(t for t, _ in lines), line_paths=tuple(p for _, p in lines),
        items=tuple(t for t, _ in items), item_paths=tuple(p for _, p in items),
    )  # fmt: skip


def _entries(content: PageContent) -> list[tuple[str, str]]:
    return list(zip(content.lines, content.line_paths, strict=True)) + list(
        zip(content.items, content.item_paths, strict=True)
    )


def learn(first: PageContent, second: PageContent) -> Learned:
    """Compare two immediate fetches of a page; return the changed lines and rules that drop them."""
    a, b = Counter(_entries(first)), Counter(_entries(second))
    gone, came = list((a - b).elements()), list((b - a).elements())
    if not gone and not came:
        return Learned()
    rules: list[str] = []
    in_lines, in_items = Counter(second.line_paths), Counter(second.item_paths)
    for path in dict.fromkeys(p for _, p in gone + came):
        old = [t for t, p in gone if p == path]
        new = [t for t, p in came if p == path]
        changed_here = max(len(set(old)), len(set(new)))  # a line that is an item too counts once
        unpaired = []
        for text in old:
            shape = line_shape(text)
            partner = next((i for i, t in enumerate(new) if line_shape(t) == shape), None)
            if partner is None:
                unpaired.append(text)
            else:  # the same line with other digits or tokens: it ticks in place
                new.pop(partner)
                rules.append(LINE + shape)
        unpaired += new
        if not unpaired:
            continue
        # Items are mostly lines too: count a place in the lines, or in the items if only there.
        there, total = (in_lines[path], len(second.lines)) if in_lines[path] else (in_items[path], len(second.items))
        if 2 * there <= total and 3 * changed_here >= there:
            rules.append(PATH + path)  # a box whose content rotates
        else:  # too much of the page lives there to drop it all: drop just these lines
            rules += [LINE + "^" + re.escape(t) + "$" for t in unpaired]
    noisy = tuple(dict.fromkeys(t for t, _ in gone + came))
    return Learned(noisy, tuple(dict.fromkeys(rules)))


def _guessed(rule: str) -> bool:
    """Tell whether a rule guesses from lines that came or went (a place, or an exact line), not from a tick."""
    if rule.startswith(PATH):
        return True
    return rule.startswith(LINE) and r"\d+" not in rule and r"[\w\-]+" not in rule


def needs_confirming(found: Learned) -> bool:
    """Tell whether a double fetch guessed that lines which came or went are noise: a third fetch must tell.

    A counter that ticks is noise by its shape; a line that appeared (a new signatory) may as well
    be a real change that landed between the two fetches.
    """
    return any(_guessed(rule) for rule in found.rules)


def _changed(a: PageContent, b: PageContent) -> list[tuple[str, str]]:
    x, y = Counter(_entries(a)), Counter(_entries(b))
    return list(((x - y) + (y - x)).elements())


def confirm(first: PageContent, second: PageContent, third: PageContent) -> Learned:
    """Learn from three immediate fetches: what came or went once and then stayed is a real change.

    A guessed rule of the first two fetches (`needs_confirming`) is kept only when the third fetch
    changed something it matches again; what changed between the second and third fetches is noise too.
    """
    before, after = learn(first, second), learn(second, third)
    again = _changed(second, third)
    kept = [r for r in before.rules if not _guessed(r) or any(matches((r,), t, p) for t, p in again)]
    rules = tuple(dict.fromkeys([*kept, *after.rules]))
    lines = [t for t, p in _changed(first, second) if matches(rules, t, p)] + list(after.lines)
    return Learned(tuple(dict.fromkeys(lines)), rules)
