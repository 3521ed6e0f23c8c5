"""Retention: a year of simulated polls, then `keep`; does the file shrink, and do every event and diff stay?

    python bench/retention.py [--days 365] [--every 2h] [--pages 3] [--petitions 3] [--keep 90d]

Records polls through the real Recorder (the code `govwatch run` uses), with
simulated times: pages whose text changes now and then (a line of news, a
signatory joining, fetch errors in between) and petitions whose counts move.
Then prunes history older than `--keep` before the simulated end, as
`govwatch prune` does, and prints the database size, rows pruned, and checks
that every event is still there and that each page event's diff can still be
drawn from its two snapshots. Exits 1 when something an event needs is gone.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.clock import iso  # noqa: E402
from monitor.watchlist.config import load_config  # noqa: E402
from monitor.items import Observation, PageContent, PetitionState  # noqa: E402
from monitor.watchlist.validation import parse_duration  # noqa: E402
from store.db import open_db, writing  # noqa: E402
from store.record import Recorder  # noqa: E402
from store.retention import prune  # noqa: E402
from store.watches import sync_watches  # noqa: E402

SITE = "https://petition.parliament.uk"
START = datetime(2025, 1, 1, tzinfo=UTC)
PARAGRAPHS = [f"Paragraph {i} of the open letter, about the rights of the people it names and why." for i in range(40)]


def page(day: int, news: int, signers: list[str]) -> PageContent:
    lines = ("Dear Members of Parliament,", *PARAGRAPHS, f"Latest news: update number {news}.", *signers)
    paths = ("p", *("p",) * len(PARAGRAPHS), "div.news", *("li",) * len(signers))
    return PageContent(title="Open letter", lines=lines, line_paths=paths, items=tuple(signers),
                       item_paths=("li",) * len(signers))  # fmt: skip


def simulate(folder: Path, days: int, every: float, pages: int, petitions: int, seed: int):
    rng = random.Random(seed)
    config_path = folder / "watchlist.toml"
    entries = [f'[[page]]\nname = "page{i}"\nurl = "https://example.org/letter/{i}"\nlist = "li"' for i in range(pages)]
    entries += [f'[[petition]]\nurl = "{SITE}/petitions/{700000 + i}"' for i in range(petitions)]
    config_path.write_text('[govwatch]\ndatabase = "govwatch.db"\n\n' + "\n\n".join(entries) + "\n")
    config = load_config(config_path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config)
    news = {i: 0 for i in range(pages)}
    signers: dict[int, list[str]] = {i: [] for i in range(pages)}
    counts = {700000 + i: rng.randint(100, 5000) for i in range(petitions)}
    polls, moment, end = 0, START, START + timedelta(days=days)
    batch: list[Observation] = []
    while moment < end:
        at = iso(moment)
        for i in range(pages):
            url = f"https://example.org/letter/{i}"
            if rng.random() < 0.05:  # the site fails now and then: a run of observations ends
                batch.append(Observation(watch_id=f"page{i}", url=url, kind="page", fetched_at=at, error="timeout"))
                continue
            if rng.random() < 0.08:
                news[i] += 1
            if rng.random() < 0.02:
                signers[i].append(f"Signer {len(signers[i]) + 1} of page {i}")
            batch.append(Observation(watch_id=f"page{i}", url=url, kind="page", fetched_at=at, status=200,
                                     page=page(polls, news[i], signers[i])))  # fmt: skip
        for number in counts:
            counts[number] += rng.choice((0, 0, 1, 5, 20))
            state = PetitionState(site=SITE, number=number, action=f"Petition {number}", state="open",
                                  signature_count=counts[number])  # fmt: skip
            batch.append(Observation(watch_id=f"petition.parliament.uk/{number}", url=f"{SITE}/petitions/{number}.json",
                                     kind="petition", fetched_at=at, status=200, petition=state))  # fmt: skip
        polls += 1
        moment += timedelta(seconds=every)
        if len(batch) >= 500:
            _commit(db, recorder, batch)
    _commit(db, recorder, batch)
    return config, db, end, polls * (pages + petitions)


def _commit(db, recorder: Recorder, batch: list[Observation]) -> None:
    with writing(db):
        for obs in batch:
            recorder.record(obs)
    batch.clear()


def file_size(db_path: Path) -> int:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))


def diff_pairs(db) -> dict[str, tuple[int | None, int]]:
    """Each page event's snapshots: (the one before, the one it was detected with)."""
    pairs = {}
    for r in db.query("SELECT e.key, s.id, (SELECT max(b.id) FROM page_snapshots b WHERE b.watch_id = s.watch_id"
                      " AND b.id < s.id) AS before FROM events e JOIN page_snapshots s"
                      " ON s.watch_id = e.watch_id AND s.observed_at = e.detected_at"):  # fmt: skip
        pairs[r["key"]] = (r["before"], r["id"])
    return pairs


def main(days: int, every: float, pages: int, petitions: int, keep: float, seed: int) -> int:
    folder = Path(tempfile.mkdtemp(prefix="govwatch-retention-"))
    try:
        clock = time.perf_counter()
        config, db, end, polls = simulate(folder, days, every, pages, petitions, seed)
        simulated = time.perf_counter() - clock
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        path = config.settings.database
        counts = lambda: {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
                          for t in ("observations", "page_snapshots", "events", "signature_counts")}  # fmt: skip
        before, size_before = counts(), file_size(path)
        events_before = [tuple(r.values()) for r in db.query("SELECT * FROM events ORDER BY id")]
        pairs_before = diff_pairs(db)
        page_kinds = "SELECT count(*) FROM events WHERE kind LIKE 'page%' OR kind LIKE 'list%'"
        page_events = db.execute(page_kinds).fetchone()[0]
        clock = time.perf_counter()
        report = prune(db, keep, at=iso(end - timedelta(seconds=keep)))
        pruned = time.perf_counter() - clock
        after, size_after = counts(), file_size(path)
        events_after = [tuple(r.values()) for r in db.query("SELECT * FROM events ORDER BY id")]
        pairs_after = diff_pairs(db)
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    events_kept = events_before == events_after
    diffs_kept = pairs_before == pairs_after
    print(f"simulated         {days} days, a poll every {every / 3600:g} h of {pages} pages and {petitions} petitions:"
          f" {polls} polls recorded in {simulated:.1f} s")  # fmt: skip
    print(f"before prune      {size_before / 1024:,.0f} KB; " + ", ".join(f"{k} {v}" for k, v in before.items()))
    print(f"keep {keep / 86400:g}d        pruned {report.observations} observations, {report.page_snapshots} page"
          f" snapshots in {pruned:.2f} s (indexes rebuilt, vacuumed)")  # fmt: skip
    print(f"after prune       {size_after / 1024:,.0f} KB ({(size_after - size_before) / size_before * 100:+.0f}%); "
          + ", ".join(f"{k} {v}" for k, v in after.items()))  # fmt: skip
    print(f"events            {len(events_after)} of {len(events_before)} kept unchanged: {events_kept};"
          f" diffs of {len(pairs_before)} page changes ({page_events} page events) still drawable: {diffs_kept}")
    print(f"integrity         {integrity}")
    return 0 if events_kept and diffs_kept and integrity == "ok" and size_after < size_before else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--every", default="2h", help="time between two polls of a watch")
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--petitions", type=int, default=3)
    parser.add_argument("--keep", default="90d", help="the [govwatch] keep setting to prune with")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    sys.exit(main(args.days, parse_duration(args.every), args.pages, args.petitions, parse_duration(args.keep),
                  args.seed))
