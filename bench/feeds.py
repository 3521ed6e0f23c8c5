"""How long feeds take to write: a full rebuild, then the update after a check with a few new events.

    python bench/feeds.py [--petitions 2000] [--events-each 3]

Builds a database of a sweep that found PETITIONS petitions with EVENTS_EACH
events each (responses with long texts, thresholds with signature curves),
then prints the time and size figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.watchlist.config import load_config
from monitor.publish.feeds_dir import update_feeds
from store.db import open_db
from store.watches import sync_watches

TEXT = " ".join(["The government has considered this petition carefully."] * 40)


def fill(db, petitions: int, events_each: int, start: int = 0, at: str = "2026-01-01T00:00:00.000Z") -> None:
    """Insert petitions and their events as the recorder would."""
    kinds = ("threshold_crossed", "response_published", "debate_scheduled", "debated", "state_changed")
    with db.atomic():
        for n in range(start, start + petitions):
            pid = f"petition.example.org/{n}"
            db.execute(
                "INSERT OR IGNORE INTO petitions (id, site, number, url, action, first_seen_at, changed_at,"
                " count_changed_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [pid, "https://petition.example.org", n, f"https://petition.example.org/petitions/{n}",
                 f"Petition number {n}", at, at, at, "h"],
            )  # fmt: skip
            db.execute("INSERT OR IGNORE INTO watch_petitions VALUES (?, ?, ?)", ["sweep", pid, at])
            for hour in range(3):
                db.execute("INSERT OR IGNORE INTO signature_counts VALUES (?, ?, ?)",
                           [pid, f"2025-12-31T0{hour}:00:00.000Z", 9000 + 600 * hour])  # fmt: skip
            for i in range(events_each):
                kind = kinds[i % len(kinds)]
                data = {"signature_count": 10200, "threshold": 10000,
                        "response": {"summary": "We will consider it.", "details": TEXT}}  # fmt: skip
                db.execute(
                    "INSERT INTO events (key, kind, watch_id, petition_id, occurred_at, detected_at, title,"
                    " summary, url, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"petition/{pid}/{kind}/{i}", kind, "sweep", pid, at, at, f"Event {i}: Petition number {n}",
                     "Something happened.", f"https://petition.example.org/petitions/{n}", json.dumps(data)],
                )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=2000)
    parser.add_argument("--events-each", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlist.toml"
        path.write_text('[[sweep]]\nname = "sweep"\nsite = "https://petition.example.org"\ntags = ["bench"]\n')
        config = load_config(path)
        db = open_db(config.settings.database)
        sync_watches(db, config)
        fill(db, args.petitions, args.events_each)
        events = args.petitions * args.events_each
        print(f"{args.petitions:,} petitions, {events:,} events, feed_entries = {config.settings.feed_entries}")

        clock = time.perf_counter()
        report = update_feeds(config, rebuild=True)
        full = time.perf_counter() - clock
        size = sum(p.stat().st_size for p in config.settings.feeds_dir.rglob("*") if p.is_file())
        print(
            f"full rebuild:       {full:6.2f} s  {report.feeds:,} feeds, {report.written:,} files, "
            f"{size / 1e6:.1f} MB ({full / report.feeds * 1000:.1f} ms a feed, both formats)"
        )

        clock = time.perf_counter()
        report = update_feeds(config)
        print(f"check, no events:   {time.perf_counter() - clock:6.2f} s  {report.rendered} feeds rendered")

        fill(db, 10, 1, start=args.petitions, at="2026-01-02T00:00:00.000Z")
        clock = time.perf_counter()
        report = update_feeds(config)
        print(
            f"check, 10 events:   {time.perf_counter() - clock:6.2f} s  {report.rendered} feeds rendered, "
            f"{report.written} files written"
        )
        all_atom = config.settings.feeds_dir / "all.atom"
        print(f"all.atom:           {all_atom.stat().st_size / 1e3:6.0f} KB")
        db.close()


if __name__ == "__main__":
    main()
