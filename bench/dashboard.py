"""How long the dashboard takes to write after a crawl (it is rewritten after every one).

    python bench/dashboard.py [--petitions 2000] [--points 5000]

Builds the database of bench/feeds.py (a sweep that found PETITIONS petitions, 3
events each) and gives the first 100 petitions curves of POINTS counts each,
then times `write_dashboard`: the first write, an unchanged one, and one after a
count moved. The dashboard lists at most 100 petitions, so a bigger sweep costs
little more.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from feeds import fill  # noqa: E402  (bench/feeds.py)

from monitor.clock import iso  # noqa: E402
from monitor.watchlist.config import load_config  # noqa: E402
from monitor.publish.dashboard import COUNTS_EVERY, write_dashboard  # noqa: E402
from monitor.publish.file_batch import write_if_changed  # noqa: E402
from store.db import open_db  # noqa: E402
from store.watches import sync_watches  # noqa: E402


def curves(db, petitions: int, points: int) -> None:
    """Give the first petitions a long signature curve (a count every 10 minutes)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with db.atomic():
        for n in range(min(petitions, 100)):
            pid = f"petition.example.org/{n}"
            db.conn.executemany("INSERT OR IGNORE INTO signature_counts VALUES (?, ?, ?)",
                                [(pid, iso(start + timedelta(minutes=10 * i)), 9000 + 3 * i) for i in range(points)])
            db.execute("UPDATE petitions SET signature_count = ?, state = 'open', count_changed_at = ? WHERE id = ?",
                       [9000 + 3 * points, iso(start + timedelta(minutes=10 * points)), pid])  # fmt: skip


def timed(label: str, config, db, now: datetime) -> None:
    clock = time.perf_counter()
    written = write_dashboard(config, db, set(), write_if_changed, now=now)
    print(f"{label:24} {time.perf_counter() - clock:6.2f} s  {written} files written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=2000)
    parser.add_argument("--points", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlist.toml"
        path.write_text('[[sweep]]\nname = "sweep"\nsite = "https://petition.example.org"\n')
        config = load_config(path)
        db = open_db(config.settings.database)
        sync_watches(db, config)
        fill(db, args.petitions, 3)
        curves(db, args.petitions, args.points)
        print(f"{args.petitions:,} petitions, 100 of them with {args.points:,} counts each")
        now = datetime(2026, 3, 1, tzinfo=UTC)
        timed("first write:", config, db, now)
        timed("nothing changed:", config, db, now)
        db.execute("UPDATE petitions SET signature_count = signature_count + 1, count_changed_at = '2026-02-28T23:59:00.000Z'"
                   " WHERE id = 'petition.example.org/5'")  # as the recorder does when a count moves
        time.sleep(COUNTS_EVERY)  # counts that moved without an event are shown at most this often
        timed("one count moved:", config, db, now)
        size = sum(p.stat().st_size for p in config.settings.feeds_dir.rglob("*.html"))
        print(f"pages:                   {len(list(config.settings.feeds_dir.rglob('*.html')))} files, "
              f"{size / 1e6:.1f} MB")
        db.close()


if __name__ == "__main__":
    main()
