"""Time Datasette's canned queries and the count-update trigger on a history at scale; print figures.

    python bench/history_queries.py [--petitions 2000] [--points 100]
    python bench/history_queries.py --petitions 50000 --points 10   # the response-time queries at scale

Builds a temporary history of PETITIONS petitions with the seed petition's texts
(so the search index is realistic), POINTS signature counts each and a few events,
then prints: the cost of a sweep's count updates with govwatch's search trigger and
with sqlite-utils' default one, and each canned query's time on a read-only
connection (Datasette's limit is monitor.publish.datasette.SQL_TIME_LIMIT_MS).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.clock import iso  # noqa: E402
from monitor.publish.datasette import SQL_TIME_LIMIT_MS  # noqa: E402
from monitor.replica import seed  # noqa: E402
from store import datasette as shipped  # noqa: E402
from store.datasette.plugins.govwatch_history import page_text  # noqa: E402
from store.db import open_db  # noqa: E402
from store.schema import PETITION_SEARCH_COLUMNS  # noqa: E402

COLUMNS = ", ".join(PETITION_SEARCH_COLUMNS)
WIDE_TRIGGER = f"""
DROP TRIGGER IF EXISTS petitions_au;
CREATE TRIGGER petitions_au AFTER UPDATE ON petitions BEGIN
  INSERT INTO petitions_fts (petitions_fts, rowid, {COLUMNS})
    VALUES ('delete', old.rowid, {", ".join(f"old.{c}" for c in PETITION_SEARCH_COLUMNS)});
  INSERT INTO petitions_fts (rowid, {COLUMNS}) VALUES (new.rowid, {", ".join(f"new.{c}" for c in PETITION_SEARCH_COLUMNS)});
END;
"""
PARAMS = {"petition": "1000", "max_days": "", "about": "", "days": "", "watch": "", "due_days": "", "limit": ""}


def build(path: Path, petitions: int, points: int) -> None:
    db = open_db(path)
    texts = {"background": seed.BACKGROUND, "additional_details": seed.ADDITIONAL_DETAILS,
             "response_summary": seed.RESPONSE_SUMMARY, "response_details": seed.attributes()["government_response"]["details"]}  # fmt: skip
    with db.atomic():
        db.execute("INSERT INTO watches (id, kind, url, configured_url, added_at) VALUES ('w', 'sweep', 'u', 'u', 't')")
        for n in range(petitions):
            pid = f"example.org/{n}"
            count = 500 + n * 50
            crossed, responded, parliament = _response_times(n)
            answered = responded is not None
            db.execute(
                "INSERT INTO petitions (id, site, number, url, action, background, additional_details, state,"
                " signature_count, response_threshold_reached_at, government_response_at, response_summary,"
                " response_details, closing_date, first_seen_at, changed_at, count_changed_at, content_hash,"
                " archived, parliament)"
                " VALUES (?, 'https://example.org', ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, '2030-01-01T00:00:00.000Z',"
                " 't', 't', 't', 'h', ?, ?)",
                [pid, n, f"https://example.org/{n}", f"{seed.ACTION} ({n})", texts["background"],
                 texts["additional_details"], count + points * 10, crossed, responded,
                 texts["response_summary"] if answered else None, texts["response_details"] if answered else None,
                 int(parliament is not None), parliament],
            )  # fmt: skip
            db.conn.executemany(
                "INSERT INTO signature_counts (petition_id, observed_at, signature_count) VALUES (?, ?, ?)",
                [(pid, f"2026-02-{1 + i // 24 % 28:02d}T{i % 24:02d}:{i // 672:02d}:00.000Z", count + i * 10)
                 for i in range(points)],
            )  # fmt: skip
            db.execute(
                "INSERT INTO events (key, kind, watch_id, petition_id, occurred_at, detected_at, title, summary, url)"
                " VALUES (?, 'threshold_crossed', 'w', ?, 't', 't', ?, 's', 'u')",
                [f"k/{n}", pid, f"10,000 signatures: {seed.ACTION}"],
            )
    db.close()


PARLIAMENTS = ((2019, '{"period": "2017-2019", "dissolution_at": "2019-11-06T00:01:00.000Z"}'),
               (2024, '{"period": "2019-2024", "dissolution_at": "2024-05-30T00:01:00.000Z"}'))  # fmt: skip


def _response_times(n: int) -> tuple[str | None, str | None, str | None]:
    """One petition in five past 10,000 (the real site: about one in fifteen), 2017-2025; 5 in 6 of those answered."""
    if n % 5:
        return None, None, None
    answered = n % 6 != 5
    crossed = datetime(2017 + n % 9, 1 + n % 12, 1 + n % 28, 10, tzinfo=UTC)
    parliament = next((p for end, p in PARLIAMENTS if crossed.year < end), None)
    responded = iso(crossed + timedelta(days=n % 90, hours=n % 24)) if answered else None
    return iso(crossed), responded, parliament


def count_updates(path: Path, default_trigger: bool) -> float:
    """Return the seconds one sweep's count updates take (one UPDATE per petition, in one transaction)."""
    db = open_db(path)
    if default_trigger:  # what enable_fts(create_triggers=True) alone leaves: re-index on every UPDATE
        db.executescript(WIDE_TRIGGER)
    ids = [r["id"] for r in db.query("SELECT id FROM petitions")]
    started = time.perf_counter()
    with db.atomic():
        for pid in ids:
            db.execute("UPDATE petitions SET signature_count = signature_count + 1, site_updated_at = 'u',"
                       " count_changed_at = 'c' WHERE id = ?", [pid])  # fmt: skip
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def time_queries(path: Path) -> list[tuple[str, float, int]]:
    queries = yaml.safe_load(shipped.METADATA.read_text())["databases"]["govwatch"]["queries"]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_function("page_text", 2, page_text, deterministic=True)  # as Datasette's connections have it
    results = []
    for name, query in queries.items():
        started, cpu = time.perf_counter(), time.process_time()
        rows = conn.execute(query["sql"], PARAMS).fetchall()
        results.append((name, (time.perf_counter() - started) * 1000, len(rows), (time.process_time() - cpu) * 1000))
    for name, sql in (("search petitions 'Uyghur'", "SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH 'Uyghur'"),
                      ("petitions_latest (all)", "SELECT * FROM petitions_latest")):  # fmt: skip
        started, cpu = time.perf_counter(), time.process_time()
        rows = conn.execute(sql).fetchall()
        results.append((name, (time.perf_counter() - started) * 1000, len(rows), (time.process_time() - cpu) * 1000))
    conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=2000)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--database", type=Path, help="keep the history in this file (built if missing), and "
                        "time only the queries when it exists")  # fmt: skip
    args = parser.parse_args()
    if args.database and args.database.exists():
        open_db(args.database).close()  # new migrations (indexes) applied
        print(f"history: {args.database} ({args.database.stat().st_size / 1e6:.1f} MB), reused")
        report_queries(args.database)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.database or Path(folder) / "govwatch.db"
        started = time.perf_counter()
        build(path, args.petitions, args.points)
        print(f"history: {args.petitions:,} petitions, {args.petitions * args.points:,} count points, "
              f"{path.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s")  # fmt: skip
        narrow = min(count_updates(path, default_trigger=False) for _ in range(3))
        wide = min(count_updates(path, default_trigger=True) for _ in range(3))
        print(f"{args.petitions:,} count updates: {narrow * 1000:.0f} ms with govwatch's trigger, "
              f"{wide * 1000:.0f} ms with sqlite-utils' default trigger ({wide / narrow:.1f}x)")
        report_queries(path)


def report_queries(path: Path) -> None:
    """Print each canned query's time: the first run (cold cache), the best of three after it, and its CPU time.

    On a shared machine the wall-clock time includes waiting for a core; the CPU time does not.
    """
    print(f"canned queries on a read-only connection (Datasette's limit: {SQL_TIME_LIMIT_MS} ms):")
    first = time_queries(path)
    warm = [time_queries(path) for _ in range(3)]
    for i, (name, ms, n, _) in enumerate(first):
        best = min(run[i][1] for run in warm)
        cpu = min(run[i][3] for run in warm)
        print(f"  {name:28} {ms:8.1f} ms first, {best:8.1f} ms warm ({cpu:7.1f} ms CPU)  {n:6,} rows")


if __name__ == "__main__":
    main()
