"""Crash campaign: SIGKILL `govwatch run` at random moments while the sites change; is anything lost or doubled?

    python bench/crash.py [--kills 50] [--petitions 8] [--seed N] [--keep]

Starts the e-petitions replica, the advocacy replica and a webhook receiver in
this process, takes a baseline with `govwatch check`, then runs the story: counts
move and cross 10,000, the government responds and later edits its responses,
new petitions open (a sweep discovers them), signatories join and leave the
open letter. Meanwhile `govwatch run` (polling every second, feeds and webhook
alerts on) is started and SIGKILLed `--kills` times: one kill in five at a
random moment of its start-up, the others 0-3 s after its first crawl
(mid-crawl, mid-commit, mid-delivery, between ticks). A change that
depends on the monitor having seen the one before (a response edit, removing a
signatory) waits until it was stored, so each change the sites make is one
event to find. Then the story stops and one last `govwatch run` catches up
and is stopped with SIGTERM.

Checks and prints: every change is an event exactly once (lost, duplicates,
unexpected), `PRAGMA integrity_check`, a full `govwatch feeds` rebuild gives
the entries the incremental feeds had, and every event with an outbox row was
delivered to the webhook at least once with its event key. Exits 1 when a
check fails. A signatory that joins between the two immediate fetches of the
page's noise check is learned as noise (a race of the noise learner, crash or
no crash): it is counted apart, as "taken for noise", not as lost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from monitor.detect.page_noise import matches  # noqa: E402
from monitor.replica import AdvocacyReplica, EPetitionsReplica  # noqa: E402
from tests.support.govwatch import LOCAL_HOST_RULES  # noqa: E402
from tests.support.receivers import Webhook  # noqa: E402

FIRST = 900_000  # petition numbers of the campaign
NEW = 950_000  # numbers of the petitions that open during it
TRACKED = ("threshold_crossed", "response_published", "response_updated", "petition_discovered",
           "list_item_added", "list_item_removed")  # fmt: skip


def read(database: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one read-only query on the campaign's database ([] before it exists)."""
    if not database.exists():
        return []
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def identity(kind: str, petition: str | None, watch: str, data: dict) -> tuple:
    """What one change is, whatever its event key: a crash must not make two events of it."""
    if kind == "threshold_crossed":
        return kind, petition or watch, data.get("threshold")
    if kind in ("list_item_added", "list_item_removed"):
        return kind, watch, data.get("item")
    return kind, petition


class Story:
    """The changing sites, and the changes they made (as event identities to find)."""

    def __init__(self, petitions: EPetitionsReplica, pages: AdvocacyReplica, database: Path, count: int, seed: int):
        self.petitions, self.pages, self.database = petitions, pages, database
        self.rng = random.Random(seed)
        self.host = petitions.url.split("//", 1)[1]
        self.counts = {FIRST + i: self.rng.randint(9_000, 9_800) for i in range(count)}
        for number, signatures in self.counts.items():
            petitions.add_petition(number, f"Crash campaign petition {number}", signature_count=signatures)
        self.expected: set[tuple] = set()
        self.responded: set[int] = set()
        self.edited: set[int] = set()
        self.next_new = NEW
        self.signers: list[str] = []  # added to the letter; the last may still be unseen
        self.removed: set[str] = set()
        self.changes = 0

    def key(self, number: int) -> str:
        return f"{self.host}/{number}"

    def seen(self, kind: str, petition: str | None = None, item: str | None = None) -> bool:
        """Tell whether the monitor stored the event of a change (so the next one is a change of its own)."""
        rows = read(self.database, "SELECT petition_id, data FROM events WHERE kind = ?", (kind,))
        return any((petition is None or p == petition) and (item is None or json.loads(d).get("item") == item)
                   for p, d in rows)  # fmt: skip

    def step(self) -> None:
        """Make the sites change a little."""
        rng = self.rng
        for number in rng.sample(sorted(self.counts), k=max(1, len(self.counts) // 3)):
            before = self.counts[number]
            self.counts[number] += rng.randint(5, 120)
            self.petitions.sign(number, self.counts[number])
            if before < 10_000 <= self.counts[number]:
                self.expected.add(("threshold_crossed", self.key(number), 10_000))
            self.changes += 1
        roll = rng.random()
        if roll < 0.15 and len(self.responded) < len(self.counts):
            number = rng.choice([n for n in self.counts if n not in self.responded])
            self.petitions.respond(number, f"The government answers petition {number}.", "Details of the answer.")
            self.responded.add(number)
            self.expected.add(("response_published", self.key(number)))
        elif roll < 0.3:
            ready = [n for n in sorted(self.responded - self.edited) if self.seen("response_published", self.key(n))]
            if ready:
                number = rng.choice(ready)
                self.petitions.edit_response(number, summary=f"The government revises its answer to {number}.")
                self.edited.add(number)
                self.expected.add(("response_updated", self.key(number)))
        elif roll < 0.4:
            self.petitions.add_petition(self.next_new, f"A new petition {self.next_new}", signature_count=12)
            self.expected.add(("petition_discovered", self.key(self.next_new)))
            self.next_new += 1
        elif roll < 0.6:
            self._page_step()
        else:
            return
        self.changes += 1

    def _page_step(self) -> None:
        if self.signers and not self.seen("list_item_added", item=self.signers[-1]):
            return  # the last signatory is not stored yet: adding another now would be the same poll's news
        present = [s for s in self.signers if s not in self.removed]
        if present and self.rng.random() < 0.4:
            name = self.rng.choice(present)
            self.pages.remove_signatory(name)
            self.removed.add(name)
            self.expected.add(("list_item_removed", "letter", name))
        else:
            name = f"Crash Signer {len(self.signers) + 1}, campaigner"
            self.pages.add_signatory(name)
            self.signers.append(name)
            self.expected.add(("list_item_added", "letter", name))


def watchlist(folder: Path, story: Story, hook: Webhook) -> Path:
    petitions, pages = story.petitions, story.pages
    entries = [f'[[petition]]\nurl = "{petitions.url}/petitions/{n}"' for n in sorted(story.counts)]
    entries.append(f'[[sweep]]\nsite = "{petitions.url}"\nstate = "open"')
    entries.append(f'[[page]]\nname = "letter"\nurl = "{pages.url}{pages.letter_path}"\nselector = "article"\n'
                   'ignore = ["aside", ".latest-posts", "footer"]\nlist = "article li"')  # fmt: skip
    entries.append(f'[[alert]]\nname = "hook"\nurl = "{hook.url()}"\nbackoff = "0.2s"')
    head = '[govwatch]\ndatabase = "govwatch.db"\nfeeds_dir = "feeds"\ninterval = "1s"\nfull_every = "1s"\n'
    path = folder / "watchlist.toml"
    path.write_text("\n\n".join([head, LOCAL_HOST_RULES, *entries]) + "\n")
    return path


def govwatch(config: Path, *args: str, log=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", *args, "--config", str(config)], cwd=config.parent,
                            stdout=log, stderr=log, env=os.environ | {"PYTHONUNBUFFERED": "1"})  # fmt: skip


def feed_entries(folder: Path) -> dict[str, list[tuple]]:
    """Return each feed file's entries (id, title, summary, link), by path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".atom", ".rss", ".xml") and path.is_file():
            parsed = feedparser.parse(str(path))
            found[str(path.relative_to(folder))] = [(e.get("id"), e.get("title"), e.get("summary"), e.get("link"))
                                                     for e in parsed.entries]  # fmt: skip
    return found


def campaign(kills: int, count: int, seed: int, keep: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="govwatch-crash-"))
    database = folder / "govwatch.db"
    rng = random.Random(seed)
    stop = threading.Event()
    started = time.monotonic()
    with EPetitionsReplica(max_age=0) as petitions, AdvocacyReplica() as pages, Webhook() as hook:
        story = Story(petitions, pages, database, count, seed)
        config = watchlist(folder, story, hook)
        baseline = subprocess.run([sys.executable, "-m", "monitor.cli", "check", "--config", str(config)],
                                  cwd=folder, capture_output=True, text=True)  # fmt: skip
        if baseline.returncode != 0:
            raise SystemExit(f"the baseline check failed: {baseline.stderr}")

        def changing() -> None:
            while not stop.wait(0.25):
                story.step()

        changer = threading.Thread(target=changing, name="crash-story", daemon=True)
        changer.start()
        log = open(folder / "run.log", "w")  # noqa: SIM115 (closed below)
        landed = working = 0
        try:
            for _ in range(kills):
                child = govwatch(config, "run", "--no-serve", "--tick", "0.2s", log=log)
                if rng.random() < 0.2:  # during start-up
                    time.sleep(rng.uniform(0.2, 2.0))
                else:  # once it polls: mid-crawl, mid-commit, mid-delivery
                    up = _wait_up(database, child)
                    time.sleep(rng.uniform(0.0, 3.0))
                    working += up
                landed += child.poll() is None
                child.send_signal(signal.SIGKILL)
                child.wait()
            stop.set()
            changer.join()
            final = govwatch(config, "run", "--no-serve", "--tick", "0.2s", log=log)
            _wait_up(database, final)  # the SIGTERM below is for a running daemon, not one still importing
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not _caught_up(story, database, hook):
                time.sleep(0.5)
            time.sleep(1.5)  # a last round of feeds and deliveries
            final.send_signal(signal.SIGTERM)
            final_status = final.wait(timeout=20)
        finally:
            stop.set()
            log.close()
        hook_keys = hook.keys()
    return _report(folder, config, database, story, hook_keys, (kills, landed, working), final_status,
                   time.monotonic() - started, seed, keep)  # fmt: skip


def _wait_up(database: Path, child: subprocess.Popen, timeout: float = 60) -> bool:
    """Wait until `child` has made its first crawl (its heartbeat row says so); tell whether it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if read(database, "SELECT 1 FROM daemon WHERE pid = ? AND crawls >= 1", (child.pid,)):
            return True
        time.sleep(0.05)
    return False


def _caught_up(story: Story, database: Path, hook: Webhook) -> bool:
    got = {identity(k, p, w, json.loads(d)) for k, p, w, d in
           read(database, "SELECT kind, petition_id, watch_id, data FROM events")}  # fmt: skip
    if not story.expected <= got:
        return False
    outbox = {k for (k,) in read(database, "SELECT e.key FROM deliveries d JOIN events e ON e.id = d.event_id")}
    pending = read(database, "SELECT count(*) FROM deliveries WHERE status != 'delivered'")
    return outbox <= set(hook.keys()) and bool(pending) and pending[0][0] == 0


def _report(folder: Path, config: Path, database: Path, story: Story, hook_keys: list[str],
            counts: tuple[int, int, int], final_status: int, seconds: float, seed: int, keep: bool) -> int:  # fmt: skip
    kills, landed, working = counts
    rows = read(database, "SELECT kind, petition_id, watch_id, data FROM events")
    tracked = Counter(identity(k, p, w, json.loads(d)) for k, p, w, d in rows if k in TRACKED)
    missing = story.expected - set(tracked)
    # A signatory added between the two fetches of a page's noise check is learned as noise (a race of
    # monitor/page_noise, crash or no crash): counted apart, so the crash figures stay about crashes.
    rules = tuple(r for (r,) in read(database, "SELECT rule FROM page_noise"))
    as_noise = {m for m in missing if m[0].startswith("list_item") and matches(rules, m[2], "")}
    lost = missing - as_noise
    duplicates = sum(n - 1 for n in tracked.values() if n > 1)
    unexpected = set(tracked) - story.expected
    integrity = read(database, "PRAGMA integrity_check")[0][0]
    incremental = feed_entries(folder / "feeds")
    rebuilt_run = subprocess.run([sys.executable, "-m", "monitor.cli", "feeds", "--config", str(config)],
                                 cwd=folder, capture_output=True, text=True)  # fmt: skip
    rebuilt = feed_entries(folder / "feeds")
    feeds_same = rebuilt_run.returncode == 0 and rebuilt == incremental
    outbox = {k for (k,) in read(database, "SELECT e.key FROM deliveries d JOIN events e ON e.id = d.event_id")}
    undelivered = outbox - set(hook_keys)
    repeated = len(hook_keys) - len(set(hook_keys))
    entries = sum(len(e) for e in incremental.values())
    print(f"crash campaign (seed {seed}): {kills} SIGKILLs of `govwatch run` ({landed} while it ran, {working} of them"
          f" after its first crawl), {seconds:.0f} s, {story.changes} site changes")  # fmt: skip
    print(f"events            {len(rows)} stored; {len(story.expected)} changes to find: lost {len(lost)}, "
          f"duplicates {duplicates}, unexpected {len(unexpected)}; taken for noise {len(as_noise)}")  # fmt: skip
    print(f"integrity         {integrity}")
    print(f"feeds             {len(incremental)} files, {entries} entries; full rebuild "
          f"{'identical' if feeds_same else 'DIFFERENT'}")  # fmt: skip
    print(f"deliveries        {len(hook_keys)} webhook posts for {len(outbox)} events with an outbox row: "
          f"undelivered {len(undelivered)}, repeated (at-least-once) {repeated}")  # fmt: skip
    print(f"last run          exit status {final_status} after SIGTERM")
    for what, items in (("lost", lost), ("unexpected", unexpected), ("undelivered", undelivered),
                        ("taken for noise (a change between the two fetches of the noise check)", as_noise)):
        for item in sorted(items, key=str)[:10]:
            print(f"  {what}: {item}")
    if not feeds_same:
        for path in sorted(set(incremental) | set(rebuilt)):
            if incremental.get(path) != rebuilt.get(path):
                print(f"  feed differs: {path}")
    ok = not lost and not duplicates and not unexpected and integrity == "ok" and feeds_same and not undelivered
    ok = ok and final_status == 0
    print("result            " + ("ok" if ok else "FAILED") + (f"; files in {folder}" if keep or not ok else ""))
    if ok and not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="how many times `govwatch run` is SIGKILLed")
    parser.add_argument("--petitions", type=int, default=8, help="petitions watched one by one")
    parser.add_argument("--seed", type=int, default=None, help="the random seed (default: the time)")
    parser.add_argument("--keep", action="store_true", help="keep the folder (database, feeds, log)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    sys.exit(campaign(args.kills, args.petitions, seed, args.keep))
