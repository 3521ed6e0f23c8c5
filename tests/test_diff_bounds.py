"""Diffs of what a hostile site sends end, and still show what changed (figures: bench/diff.py)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from monitor.detect.bounded_match import BoundedMatcher
from monitor.detect.diff import added_removed, changes, diff_text, word_changes, word_diff

ROOT = Path(__file__).resolve().parent.parent

# A paragraph of 5,000 words with one word in 20 edited: SequenceMatcher took 35 s on 2,000 words
# (about the cube of the length), and it ran on the thread that records every watch's polls.
EDITED = """
import json, random
from monitor.detect.diff import word_changes
rng = random.Random(19)
old = [rng.choice([f"w{n}" for n in range(3000)]) for _ in range(5000)]
new = ["EDITED" if i % 20 == 0 else word for i, word in enumerate(old)]
print(json.dumps(word_changes(" ".join(old), " ".join(new))))
"""


def test_a_long_edited_paragraph_is_diffed_word_by_word_without_stalling():
    # A watchdog, not a measurement: the old diff ran for minutes here; the new one returns at once.
    done = subprocess.run([sys.executable, "-c", EDITED], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [line] = json.loads(done.stdout)
    assert line.count("{+EDITED+}") == 250 and line.startswith("[-w")


def test_a_paragraph_rewritten_from_few_words_shows_as_replaced():
    rng = random.Random(19)
    words = [f"w{n}" for n in range(300)]
    old, new = (" ".join(rng.choice(words) for _ in range(5000)) for _ in range(2))
    [line] = word_changes(old, new)
    assert line.startswith("[-w") and "-]{+w" in line and line.endswith("+}")
    assert diff_text(old, new).startswith("- w")


def _apply(a: list, b: list, matcher: BoundedMatcher) -> list:
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out += a[i1:i2] if tag == "equal" else b[j1:j2]
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
    return out


def test_bounded_opcodes_always_turn_the_old_sequence_into_the_new():
    rng = random.Random(7)
    for size in (0, 1, 3, 40, 800, 3000):
        a = [rng.randrange(size // 3 + 2) for _ in range(size)]
        b = [x if rng.random() < 0.8 else rng.randrange(size + 5) for x in a] + [1, 2]
        assert _apply(a, b, BoundedMatcher(a, b)) == b
        assert _apply(a, b, BoundedMatcher(a, b, budget=0)) == b  # out of time: coarser, still right


def test_scattered_edits_in_a_long_page_are_found_line_by_line():
    old = [f"line {n} of the page" for n in range(60_000)]
    new = [f"edited {n}" if n % 1000 == 500 else line for n, line in enumerate(old)]
    added, removed = added_removed("\n".join(old), "\n".join(new))
    assert added == [f"edited {n}" for n in range(500, 60_000, 1000)]
    assert removed == [f"line {n} of the page" for n in range(500, 60_000, 1000)]


def test_small_edits_keep_their_word_detail():
    assert word_diff("the petition asks for a debate", "the petition asks for a vote") == (
        "the petition asks for a [-debate-]{+vote+}"
    )
    assert [c.op for c in changes("a\nb\nc", "a\nB\nc")] == [" ", "-", "+", " "]
