"""How fast govwatch reads pages: extraction, the noise check, snapshots, and polls against the replica.

    python bench/pages.py [--polls N] [--comments-mb M]

Prints figures; asserts nothing (tests check behaviour, this measures it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.watchlist.config import PageWatch  # noqa: E402
from monitor.detect.page_noise import learn  # noqa: E402
from monitor.replica.pages import AdvocacyReplica, Encoding  # noqa: E402
from spiders.page_decode import decode_html  # noqa: E402
from spiders.page_extract import extract  # noqa: E402
from store.pages import encode_snapshot  # noqa: E402


def timed(fn, repeat: int = 1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = fn()
    return result, (time.perf_counter() - start) / repeat


def extraction(comments_mb: float) -> None:
    site = AdvocacyReplica()
    comments = int(comments_mb * 1024 * 1024)
    watch = PageWatch(id="w", kind="page", url="http://x/", entry="bench")
    for label, html in (("open letter", site.letter_page(1, Encoding())),
                        (f"open letter + {comments_mb:g} MB of comments", site.letter_page(1, Encoding(), comments=comments))):
        body = html.encode()
        (text, _), decode_s = timed(lambda: decode_html(body, "text/html; charset=utf-8"), 3)
        page, extract_s = timed(lambda: extract(text, watch), 3)
        second = extract(site.letter_page(2, Encoding(), comments=comments if "MB" in label else 0), watch)
        _, learn_s = timed(lambda: learn(page, second), 3)
        _, hash_s = timed(page.content_hash, 3)
        (stored, compression), encode_s = timed(lambda: encode_snapshot(page), 3)
        print(f"{label}: {len(body) / 1024:,.0f} KB HTML -> {len(page.lines):,} lines, {len(page.text) / 1024:,.0f} KB text")
        print(f"  decode {decode_s * 1000:.1f} ms, extract {extract_s * 1000:.1f} ms, noise check {learn_s * 1000:.1f} ms,"
              f" hash {hash_s * 1000:.1f} ms, snapshot {encode_s * 1000:.1f} ms ({len(stored) / 1024:,.0f} KB stored,"
              f" {compression or 'plain'})")


def polls(times: int) -> None:
    from tests.support.govwatch import Govwatch
    from tests.support.polls import poll

    folder = Path(tempfile.mkdtemp(prefix="govwatch-bench-pages-"))
    try:
        with AdvocacyReplica() as site:
            gw = Govwatch(folder)
            for name, rule in (("letter", ""), ("whole", 'selector = "body"'), ("article", 'selector = "article"')):
                gw.add(f'[[page]]\nname = "{name}"\nurl = "{site.url}{site.letter_path}"\n{rule}')
            _, seconds = timed(lambda: poll(gw.config, times))
            fetches = sum(1 for r in site.requests if r.path == site.letter_path)
            print(f"{times} polls of 3 watches of the letter in one process: {seconds:.1f} s"
                  f" ({seconds / times * 1000:.0f} ms a poll, process start included), {fetches} page fetches"
                  f" ({fetches - 3 * times} second fetches), {gw.count('page_snapshots')} snapshots,"
                  f" {gw.count('events')} events, database {gw.database.stat().st_size / 1024:,.0f} KB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=50)
    parser.add_argument("--comments-mb", type=float, default=5, help="readers' comments under the big letter (MB)")
    args = parser.parse_args()
    extraction(args.comments_mb)
    polls(args.polls)
