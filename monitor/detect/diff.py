"""Readable differences between two texts: what was removed, what was added.

Used for edited government responses and changed pages. The result is plain
text in the familiar unified style (``- removed``, ``+ added``, ``  context``)
with paragraphs as lines, so a person can read it in an e-mail or a feed.

Every diff runs in bounded time (`monitor.detect.bounded_match`): a page or a
response is whatever a site sends, and the diff runs where observations are
recorded. Past the budget, what is left shows as removed and added whole.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache

from monitor.detect.bounded_match import BUDGET, BoundedMatcher


@dataclass(frozen=True, slots=True)
class Change:
    """One line of a diff: op is " " (context), "-" (removed) or "+" (added)."""

    op: str
    text: str


def paragraphs(text: str | None) -> list[str]:
    """Split text into non-empty, whitespace-normalized paragraphs (lines)."""
    if not text:
        return []
    return list(_paragraphs(text))


@lru_cache(maxsize=4)  # a page change diffs the same two texts three ways
def _paragraphs(text: str) -> tuple[str, ...]:
    lines = [" ".join(line.split()) for line in text.split("\n")]  # split() drops the "\r" of "\r\n"
    return tuple(line for line in lines if line)


def changes(old: str | None, new: str | None, context: int = 1) -> list[Change]:
    """Return the changed paragraphs of two texts with `context` paragraphs around."""
    return [Change(op, text) for op, text in _lines(old, new, context)]


def _lines(old: str | None, new: str | None, context: int) -> list[tuple[str, str]]:
    """Return the (op, paragraph) lines of the diff (plain tuples: a 5 MB page makes 100,000 of them)."""
    a, b = paragraphs(old), paragraphs(new)
    out: list[tuple[str, str]] = []
    for group in BoundedMatcher(a, b).get_grouped_opcodes(context):
        if out:
            out.append((" ", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [(" ", t) for t in a[i1:i2]]
                continue
            out += [("-", t) for t in a[i1:i2]]
            out += [("+", t) for t in b[j1:j2]]
    return out


def diff_text(old: str | None, new: str | None, context: int = 1) -> str:
    """Return a readable unified-style diff of two texts ("" when equal)."""
    return "\n".join(op + " " + text for op, text in _lines(old, new, context))


def added_removed(old: str | None, new: str | None) -> tuple[list[str], list[str]]:
    """Return the paragraphs added and removed between two texts."""
    lines = _lines(old, new, context=0)
    return [t for op, t in lines if op == "+"], [t for op, t in lines if op == "-"]


# Chinese, Japanese and Korean text has no spaces: compare it a character at a time.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]|\s+")


def word_diff(old: str, new: str, context: int = 6, budget: float = BUDGET) -> str:
    """Return one line showing what changed inside it: "… the [-old-]{+new+} words …"."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in BoundedMatcher(a, b, budget).get_opcodes():
        if tag == "equal":
            same = a[i1:i2]
            if len(same) > 2 * context + 1:
                head = same[:context] if out else []
                tail = same[-context:] if j2 < len(b) else []
                same = head + [" … "] + tail
            out.extend(same)
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return " ".join("".join(out).split())  # the texts are whitespace-normalized already


def word_changes(old: str | None, new: str | None) -> list[str]:
    """Return a word diff for each paragraph that was edited (replaced by one other paragraph)."""
    a, b = paragraphs(old), paragraphs(new)
    deadline = time.monotonic() + BUDGET  # one budget for all the edited paragraphs
    found = []
    for tag, i1, i2, j1, j2 in BoundedMatcher(a, b).get_opcodes():
        if tag != "replace":
            continue
        for x, y in zip(a[i1:i2], b[j1:j2]):
            if time.monotonic() > deadline:  # the paragraph diff already shows the rest
                return found
            found.append(word_diff(x, y, budget=deadline - time.monotonic()))
    return found
