"""Worst cases of the diffs a watched site can force on govwatch (target: each under 1 s).

    python bench/diff.py [--words 5000] [--megabytes 5]

A long paragraph rewritten or edited, from the same few hundred words (the
same tokens recur everywhere: the case that made SequenceMatcher cubic) and
from a richer vocabulary (a word diff to find), and a page of
several megabytes changed throughout (every tenth line, and every line).
Each function a page change or a response edit calls is timed on its own.
Prints figures; asserts nothing (tests check behaviour, this measures it).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.detect.diff import added_removed, diff_text, word_changes  # noqa: E402

VOCABULARY = [f"w{n}" for n in range(300)] + ["the", "of", "and", "to", "a", "in", "petition", "government"]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


def page(rng: random.Random, megabytes: float) -> list[str]:
    lines, size = [], 0
    while size < megabytes * 1024 * 1024:
        lines.append(words(rng, 12))
        size += len(lines[-1]) + 1
    return lines


def timed(label: str, old: str, new: str) -> None:
    for name, fn in (("diff_text", diff_text), ("added_removed", added_removed), ("word_changes", word_changes)):
        start, cpu = time.perf_counter(), time.process_time()
        fn(old, new)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{label:<48} {name:<14} {wall:6.2f} s  (CPU {cpu:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000, help="words in the rewritten paragraph")
    parser.add_argument("--megabytes", type=float, default=5.0, help="size of the changed page")
    args = parser.parse_args()
    rng = random.Random(20261202)
    old_paragraph, new_paragraph = words(rng, args.words), words(rng, args.words)
    timed(f"{args.words:,}-word paragraph rewritten", old_paragraph, new_paragraph)
    edited = old_paragraph.split()
    for i in range(0, len(edited), 20):  # one word in twenty changed: a real word diff to find
        edited[i] = rng.choice(VOCABULARY)
    timed(f"{args.words:,}-word paragraph, 1 word in 20 edited", old_paragraph, " ".join(edited))
    rich = [f"v{n}" for n in range(3000)]  # most words occur once: anchors, and a word diff to show
    prose = [rng.choice(rich) for _ in range(args.words)]
    timed(f"{args.words:,} words of 3,000 distinct, 1 in 20 edited", " ".join(prose),
          " ".join("EDITED" if i % 20 == 0 else w for i, w in enumerate(prose)))
    lines = page(rng, args.megabytes)
    size = sum(len(line) + 1 for line in lines) / 1024 / 1024
    tenth = [words(rng, 12) if i % 10 == 5 else line for i, line in enumerate(lines)]
    timed(f"{size:.1f} MB page, every 10th line changed", "\n".join(lines), "\n".join(tenth))
    timed(f"{size:.1f} MB page, every line changed", "\n".join(lines), "\n".join(page(rng, args.megabytes)))
    same = ["the petition"] * len(lines)
    timed(f"{size:.1f} MB page of one repeated line", "\n".join(same), "\n".join(same[1:] + ["a change"]))


if __name__ == "__main__":
    main()
