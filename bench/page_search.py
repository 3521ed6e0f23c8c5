"""What searching page texts costs: index size against text size, growth per change and per poll, query time.

    python bench/page_search.py [--pages N] [--changes N]

Pages are the seed open letter (English and Chinese), every tenth one with
readers' comments (its snapshots compressed), recorded through `PageStore`
as polls would record them. Prints figures; asserts nothing.
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
from monitor.items import Observation, PageContent  # noqa: E402
from monitor.replica.pages import AdvocacyReplica, Encoding  # noqa: E402
from spiders.page_extract import extract  # noqa: E402
from store.db import open_db  # noqa: E402
from store.pages import PageStore  # noqa: E402

AT = "2026-01-01T00:00:00.000Z"


def index_bytes(db) -> int:
    return next(db.query("SELECT coalesce(sum(length(block)), 0) AS n FROM pages_fts_data"))["n"]


def file_bytes(db) -> int:
    """Bytes of the file in use (free pages, which SQLite reuses, left out)."""
    return next(db.query("SELECT (page_count - freelist_count) * page_size AS n"
                         " FROM pragma_page_count, pragma_freelist_count, pragma_page_size"))["n"]  # fmt: skip


def snapshot_bytes(db) -> int:
    return next(db.query("SELECT sum(length(CAST(content AS BLOB))) AS n FROM page_snapshots"))["n"]


def main(pages: int, changes: int) -> None:
    site = AdvocacyReplica()
    probe = PageWatch(id="probe", kind="page", url="http://x/", entry="bench")
    letter = extract(site.letter_page(1, Encoding()), probe)
    commented = extract(site.letter_page(1, Encoding(), comments=50_000), probe)
    folder = Path(tempfile.mkdtemp(prefix="govwatch-bench-search-"))
    try:
        measure(open_db(folder / "govwatch.db"), letter, commented, pages, changes)
    finally:
        shutil.rmtree(folder)


def measure(db, letter: PageContent, commented: PageContent, pages: int, changes: int) -> None:
    store = PageStore(db)
    watches = [PageWatch(id=f"page-{n}", kind="page", url=f"http://x/{n}", entry="bench") for n in range(pages)]
    db["watches"].insert_all({"id": w.id, "kind": "page", "url": w.url, "configured_url": w.url, "added_at": AT}
                             for w in watches)  # fmt: skip

    def record(watch: PageWatch, version: int) -> None:
        base = commented if watch.id.endswith("0") else letter
        content = base if version == 0 else PageContent(
            title=base.title, lines=(*base.lines, *(f"Signatory {k}, activist" for k in range(version))),
            line_paths=(*base.line_paths, *(base.line_paths[-1],) * version))  # fmt: skip
        with db.atomic():
            store.record(watch, Observation(watch_id=watch.id, url=watch.url, kind="page", fetched_at=AT, status=200,
                                            page=content))  # fmt: skip

    started = time.perf_counter()
    for watch in watches:
        record(watch, 0)
    first = time.perf_counter() - started
    text = next(db.query("SELECT sum(length(CAST(text AS BLOB))) AS n FROM pages"))["n"]
    print(f"{pages} pages, {text / 1024:,.0f} KB of current text: index {index_bytes(db) / 1024:,.0f} KB,"
          f" file {file_bytes(db) / 1024:,.0f} KB ({first / pages * 1000:.2f} ms a first poll)")

    before_index, before_file = index_bytes(db), file_bytes(db)
    started = time.perf_counter()
    for watch in watches:
        record(watch, 0)  # nothing changed
    same = time.perf_counter() - started
    print(f"a poll of each that changes nothing: index +{index_bytes(db) - before_index} bytes,"
          f" file +{file_bytes(db) - before_file} bytes ({same / pages * 1000:.2f} ms a poll)")

    before_index, before_file, before_snaps = index_bytes(db), file_bytes(db), snapshot_bytes(db)
    for version in range(1, changes + 1):
        for watch in watches:
            record(watch, version)
    grown = index_bytes(db) - before_index
    db.execute("INSERT INTO pages_fts (pages_fts) VALUES ('optimize')")
    per_change = pages * changes * 1024
    print(f"{changes} changes of each (a signatory added), per change: snapshot"
          f" {(snapshot_bytes(db) - before_snaps) / per_change:+,.1f} KB, index {grown / per_change:+,.1f} KB"
          f" ({(index_bytes(db) - before_index) / per_change:+,.1f} KB after optimize),"
          f" file {(file_bytes(db) - before_file) / per_change:+,.1f} KB")

    for term in ("Tiananmen", "维吾尔", "Signatory 3", "Pyongyang"):
        query = f'"{term}"'
        rows, seconds = None, time.perf_counter()
        for _ in range(20):
            rows = list(db.query("SELECT p.watch_id FROM pages_fts JOIN pages p ON p.rowid = pages_fts.rowid"
                                 " WHERE pages_fts MATCH ?", [query]))  # fmt: skip
        print(f"search {term!r}: {len(rows)} pages in {(time.perf_counter() - seconds) / 20 * 1000:.2f} ms")
    db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--changes", type=int, default=5)
    args = parser.parse_args()
    main(args.pages, args.changes)
