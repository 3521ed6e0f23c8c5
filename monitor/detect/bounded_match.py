"""Matching two sequences in bounded time, whatever a watched site sends.

`difflib.SequenceMatcher` (without autojunk) takes time that grows with the
cube of the length when the same items recur: a rewritten paragraph of 2,000
words took minutes. `BoundedMatcher` gives the same opcodes for small inputs
and stays near-linear for large ones:

1. the common head and tail are matched first (one edit in a long page is cheap);
2. a middle small enough (``PAIR_LIMIT`` pairs of items) goes to SequenceMatcher;
3. a larger middle is split on the items that occur once on each side, in the
   same order (the anchors of a "patience" diff), and each gap is matched again;
4. whatever is left when the time budget runs out, or that has no anchor,
   is reported as replaced: a coarser diff, never a stalled monitor.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Hashable, Sequence
from difflib import Match, SequenceMatcher

PAIR_LIMIT = 250_000  # items × items that SequenceMatcher may compare in one region (~0.1 s worst case)
BUDGET = 0.25  # seconds one diff may spend matching before the rest counts as replaced
MAX_DEPTH = 32  # nested anchor splits; deeper regions count as replaced


class _OutOfTime(Exception):
    """The budget ran out inside SequenceMatcher."""


class _TimedMatcher(SequenceMatcher):
    """SequenceMatcher that gives up once the deadline has passed."""

    def __init__(self, a: Sequence[Hashable], b: Sequence[Hashable], deadline: float):
        self.deadline = deadline
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> Match:  # fmt: skip
        if time.monotonic() > self.deadline:
            raise _OutOfTime
        return super().find_longest_match(alo, ahi, blo, bhi)


class BoundedMatcher(SequenceMatcher):
    """A SequenceMatcher whose matching blocks are found in bounded time (see the module docstring)."""

    def __init__(self, a: Sequence[Hashable], b: Sequence[Hashable], budget: float = BUDGET):
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)

    def get_matching_blocks(self) -> list[Match]:
        """Return the matching blocks, like SequenceMatcher, within the time budget."""
        if self.matching_blocks is not None:
            return self.matching_blocks
        found: list[tuple[int, int, int]] = []
        _match(self.a, self.b, 0, len(self.a), 0, len(self.b), found, time.monotonic() + self.budget, 0)
        blocks: list[Match] = []
        for i, j, n in found:  # join neighbours, as SequenceMatcher does
            if blocks and blocks[-1].a + blocks[-1].size == i and blocks[-1].b + blocks[-1].size == j:
                blocks[-1] = Match(blocks[-1].a, blocks[-1].b, blocks[-1].size + n)
            else:
                blocks.append(Match(i, j, n))
        blocks.append(Match(len(self.a), len(self.b), 0))
        self.matching_blocks = blocks
        return blocks


def _match(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int,
           out: list[tuple[int, int, int]], deadline: float, depth: int) -> None:  # fmt: skip
    """Append the matching blocks of a[alo:ahi] and b[blo:bhi] to `out`, in order."""
    head = 0
    while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
        head += 1
    if head:
        out.append((alo, blo, head))
        alo, blo = alo + head, blo + head
    tail = 0
    while ahi - tail > alo and bhi - tail > blo and a[ahi - tail - 1] == b[bhi - tail - 1]:
        tail += 1
    ahi, bhi = ahi - tail, bhi - tail
    if alo < ahi and blo < bhi and time.monotonic() <= deadline:
        if ahi - alo == 1:  # one item against many (or one): the common case between anchors
            _one(a[alo], b, blo, bhi, alo, out, False)
        elif bhi - blo == 1:
            _one(b[blo], a, alo, ahi, blo, out, True)
        elif (ahi - alo) * (bhi - blo) <= PAIR_LIMIT:
            _small(a, b, alo, ahi, blo, bhi, out, deadline)
        elif depth < MAX_DEPTH:
            _split_on_anchors(a, b, alo, ahi, blo, bhi, out, deadline, depth)
    if tail:
        out.append((ahi, bhi, tail))


def _one(item: Hashable, seq: Sequence[Hashable], lo: int, hi: int, at: int,
         out: list[tuple[int, int, int]], swapped: bool) -> None:  # fmt: skip
    """Match one item against seq[lo:hi] (its first occurrence, as SequenceMatcher would)."""
    for k in range(lo, hi):
        if seq[k] == item:
            out.append((k, at, 1) if swapped else (at, k, 1))
            return


def _small(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int,
           out: list[tuple[int, int, int]], deadline: float) -> None:  # fmt: skip
    try:
        blocks = _TimedMatcher(a[alo:ahi], b[blo:bhi], deadline).get_matching_blocks()
    except _OutOfTime:
        return  # the region counts as replaced
    out.extend((alo + i, blo + j, n) for i, j, n in blocks if n)


def _split_on_anchors(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int,
                      out: list[tuple[int, int, int]], deadline: float, depth: int) -> None:  # fmt: skip
    """Match the items unique on both sides (longest run in the same order), then the gaps between them."""
    anchors = _anchors(a, b, alo, ahi, blo, bhi)
    i, j = alo, blo
    for ai, bj in anchors:
        _match(a, b, i, ai, j, bj, out, deadline, depth + 1)
        out.append((ai, bj, 1))
        i, j = ai + 1, bj + 1
    if anchors:
        _match(a, b, i, ahi, j, bhi, out, deadline, depth + 1)


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int,
             bhi: int) -> list[tuple[int, int]]:  # fmt: skip
    """Return the (i, j) of items occurring once in each region, the longest increasing run of them."""
    seen_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        seen_a[a[i]] = -1 if a[i] in seen_a else i
    seen_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        if seen_a.get(b[j], -1) >= 0:
            seen_b[b[j]] = -1 if b[j] in seen_b else j
    pairs = sorted((seen_a[x], j) for x, j in seen_b.items() if j >= 0)
    # Longest increasing subsequence of the b positions (patience sorting), O(k log k).
    tops: list[int] = []
    top_index: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pile = bisect.bisect_left(tops, j)
        back[k] = top_index[pile - 1] if pile else -1
        if pile == len(tops):
            tops.append(j)
            top_index.append(k)
        else:
            tops[pile], top_index[pile] = j, k
    run: list[tuple[int, int]] = []
    k = top_index[-1] if top_index else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]
