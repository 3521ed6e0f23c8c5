"""Soak: `govwatch run` for an hour against the replicas, with a changing story; is it flat?

    python bench/soak.py [--minutes 60] [--petitions 20] [--interval 5s] [--samples 12]

Starts the e-petitions replica (N open petitions) and the advocacy replica in this
process, and `govwatch run --tick 1s --port 0 --no-datasette` (it serves its feeds)
as a child process. While it runs, counts move every second, a petition now and
then gets a government response or closes (and a new one opens), the open letter
gains and loses a signatory, the other platform's count moves, and faults are
injected (500s, resets, timeouts, long enough for some watch_failing events).
A feed reader fetches all.atom with If-None-Match every few seconds.
Prints the child's RSS (VmRSS) and open file descriptors (/proc/PID/fd) at
start, at each sample and at the end, with the crawls, requests and events.
"""

from __future__ import annotations

import argparse
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
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.replica import AdvocacyReplica, EPetitionsReplica  # noqa: E402
from tests.support.govwatch import LOCAL_HOST_RULES  # noqa: E402

FIRST = 800_000  # petition numbers of the soak


@dataclass
class Sample:
    """One look at the child process and what it has done."""

    seconds: float
    rss_kb: int
    fds: int
    cpu: float
    crawls: int
    requests: int
    events: int
    db_kb: int


def proc_rss_kb(pid: int) -> int:
    """Return the resident set size of `pid` in KB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def proc_fds(pid: int) -> int:
    """Return how many file descriptors `pid` has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def proc_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) `pid` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Story:
    """The changing world: counts, responses, closings, a letter, a count on a page, faults."""

    def __init__(self, petitions: EPetitionsReplica, pages: AdvocacyReplica, count: int, seed: int = 7):
        self.petitions, self.pages, self.rng = petitions, pages, random.Random(seed)
        self.open: dict[int, int] = {}
        self.next_number = FIRST
        for _ in range(count):
            self.add()
        self.changes = 0

    def add(self) -> None:
        number, start = self.next_number, self.rng.choice((50, 900, 4_800, 9_500, 60_000, 98_000))
        self.petitions.add_petition(number, f"Soak petition {number}", signature_count=start)
        self.open[number] = start
        self.next_number += 1

    def step(self, second: int) -> None:
        """Change the world for one second of the soak."""
        rng = self.rng
        for number in rng.sample(sorted(self.open), k=max(1, len(self.open) // 4)):
            self.open[number] += rng.choice((0, 1, 3, 10, 40))
            self.petitions.sign(number, self.open[number])
        if second % 60 == 17:
            number = rng.choice(sorted(self.open))
            if not self.petitions.petition(number).get("government_response"):
                self.petitions.respond(number, f"A response at second {second}.", "Details of the response.")
        if second % 300 == 150:  # a petition closes and another opens (the sweep discovers it)
            number = rng.choice(sorted(self.open))
            self.petitions.close(number)
            del self.open[number]
            self.add()
        if second % 90 == 45:
            name = "Ma Jian, writer"
            if name in self.pages.individuals:
                self.pages.remove_signatory(name)
            else:
                self.pages.add_signatory(name)
        if second % 20 == 5:
            self.pages.set_signatures(self.pages.signatures + rng.randint(0, 200))
        if second % 240 == 120:  # a long outage of one petition: watch_failing, then watch_recovered
            self.petitions.fault("500", path=f"/petitions/{rng.choice(sorted(self.open))}", times=12)
        if second % 45 == 30:
            kind = rng.choice(("500", "503", "reset", "timeout", "truncated"))
            self.petitions.fault(kind, path=f"/petitions/{rng.choice(sorted(self.open))}", times=1, delay=3.0)
        if second % 200 == 100:
            self.pages.fault("500", path=self.pages.letter_path, times=2)
        self.changes += 1


def watchlist(petitions: EPetitionsReplica, pages: AdvocacyReplica, numbers: list[int], interval: str) -> str:
    """Return the soak's watchlist: each petition, a sweep of the open ones, the letter and the count page."""
    entries = [f'[[petition]]\nurl = "{petitions.url}/petitions/{n}"' for n in numbers]
    entries.append(f'[[sweep]]\nsite = "{petitions.url}"\nstate = "open"\ninterval = "30s"')
    entries.append(f'[[page]]\nname = "letter"\nurl = "{pages.url}{pages.letter_path}"\nselector = "article"\n'
                   'ignore = ["aside", ".latest-posts", "footer"]\nlist = "article li"')  # fmt: skip
    entries.append(f'[[page]]\nname = "count-page"\nurl = "{pages.url}{pages.petition_path}"\n'
                   'count = { pattern = "([\\\\d,]+) signatures", thresholds = [12000, 15000] }')  # fmt: skip
    head = (f'[govwatch]\ndatabase = "govwatch.db"\nfeeds_dir = "feeds"\ninterval = "{interval}"\n'
            'full_every = "1m"\nfailing_after = 5\n')  # fmt: skip
    return "\n\n".join([head, LOCAL_HOST_RULES, *entries]) + "\n"


def read_db(database: Path) -> tuple[int, int]:
    """Return (crawls, events) from the soak's database."""
    if not database.exists():
        return 0, 0
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        crawls = conn.execute("SELECT crawls FROM daemon").fetchone()
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return (crawls[0] if crawls else 0), events
    except sqlite3.OperationalError:  # not created yet
        return 0, 0
    finally:
        conn.close()


class Reader(threading.Thread):
    """A feed reader: fetches all.atom every few seconds with If-None-Match, as subscribers do."""

    def __init__(self, url: str, stop: threading.Event):
        super().__init__(name="soak-reader", daemon=True)
        self.url, self.stop, self.fetches, self.not_modified, self.etag = url, stop, 0, 0, None

    def run(self) -> None:
        while not self.stop.wait(5):
            request = urllib.request.Request(self.url, headers={"If-None-Match": self.etag} if self.etag else {})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    response.read()
                    self.etag = response.headers.get("ETag")
            except urllib.error.HTTPError as e:
                self.not_modified += e.code == 304
            except (urllib.error.URLError, OSError):
                continue  # no feeds yet
            self.fetches += 1


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def soak(minutes: float, petitions_count: int, interval: str, samples: int, keep: bool = False) -> None:
    # Ctrl-C or SIGTERM ends the soak early, with the figures so far (and the child stopped).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    folder = Path(tempfile.mkdtemp(prefix="govwatch-soak-"))
    stop = threading.Event()
    with EPetitionsReplica(max_age=0) as petitions, AdvocacyReplica() as pages:
        story = Story(petitions, pages, petitions_count)
        (folder / "watchlist.toml").write_text(watchlist(petitions, pages, sorted(story.open), interval))
        out, err = open(folder / "run.out", "w+"), open(folder / "run.err", "w+")  # noqa: SIM115 (closed below)
        child = subprocess.Popen([sys.executable, "-m", "monitor.cli", "run", "--config", str(folder / "watchlist.toml"),
                                  "--tick", "1s", "--port", "0", "--no-datasette"], cwd=folder, stdout=out,
                                 stderr=err, env=os.environ | {"PYTHONUNBUFFERED": "1"})  # fmt: skip
        requests_before = 0
        try:
            feeds_url = _wait_for_feeds_url(folder / "run.out", child)
            while read_db(folder / "govwatch.db")[0] < 1:  # the first crawl: imports done, caches warm
                time.sleep(0.2)
            reader = Reader(feeds_url + "all.atom", stop)
            reader.start()
            started = time.monotonic()
            rows: list[Sample] = []

            def sample() -> Sample:
                nonlocal requests_before
                requests_before += len(petitions.requests)
                petitions.clear_log()
                crawls, events = read_db(folder / "govwatch.db")
                size = sum(p.stat().st_size for p in folder.glob("govwatch.db*"))
                s = Sample(time.monotonic() - started, proc_rss_kb(child.pid), proc_fds(child.pid),
                           proc_cpu(child.pid), crawls, requests_before + len(pages.requests), events, size // 1024)  # fmt: skip
                rows.append(s)
                print(f"{s.seconds / 60:6.1f} min  RSS {s.rss_kb / 1024:6.1f} MB  fds {s.fds:3}  CPU {s.cpu:7.1f} s"
                      f"  crawls {s.crawls:5}  requests {s.requests:6}  events {s.events:5}  db {s.db_kb:6} KB",
                      flush=True)  # fmt: skip
                return s

            print(f"govwatch run (pid {child.pid}) on {len(story.open)} petitions, a sweep and 2 pages, interval"
                  f" {interval}, for {minutes:g} min; files in {folder}", flush=True)  # fmt: skip
            sample()
            every = minutes * 60 / samples
            second = 0
            try:
                while (elapsed := time.monotonic() - started) < minutes * 60:
                    if child.poll() is not None:
                        raise SystemExit(f"govwatch run exited {child.returncode}; see {folder / 'run.err'}")
                    story.step(second)
                    second += 1
                    if elapsed >= every * len(rows):
                        sample()
                    time.sleep(max(0.0, started + second - time.monotonic()))
            except KeyboardInterrupt:
                print("interrupted: the figures so far", flush=True)
            end = sample()
        finally:
            stop.set()
            child.send_signal(signal.SIGTERM)
            try:
                code = child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                code = "killed after 10 s"
            out.close()
            err.close()
    _summary(rows, end, reader, story, code, folder)
    if keep:
        print(f"files kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_feeds_url(out: Path, child: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in out.read_text().splitlines():
            if line.startswith("Serving feeds on "):
                return line.split()[-1]
        if child.poll() is not None:
            raise SystemExit(f"govwatch run exited {child.returncode} at start: {out.read_text()}")
        time.sleep(0.1)
    raise SystemExit("govwatch run did not announce its feeds within 60 s")


def _summary(rows: list[Sample], end: Sample, reader: Reader, story: Story, code: object, folder: Path) -> None:
    first = rows[0]
    quarter = rows[max(1, len(rows) // 4)]  # after the caches have filled: growth from here on is a leak
    warnings = sum(1 for line in (folder / "run.err").read_text().splitlines() if line.strip())
    print()
    print(f"duration          {end.seconds / 60:.1f} min, exit status after SIGTERM: {code}")
    print(f"RSS               start {first.rss_kb / 1024:.1f} MB, at {quarter.seconds / 60:.1f} min"
          f" {quarter.rss_kb / 1024:.1f} MB, end {end.rss_kb / 1024:.1f} MB"
          f" (since {quarter.seconds / 60:.1f} min: {(end.rss_kb - quarter.rss_kb) / 1024:+.1f} MB), "
          f"peak {max(r.rss_kb for r in rows) / 1024:.1f} MB")  # fmt: skip
    print(f"open fds          start {first.fds}, end {end.fds}, max {max(r.fds for r in rows)}")
    print(f"CPU               {end.cpu - first.cpu:.0f} s ({(end.cpu - first.cpu) / end.seconds * 100:.1f}% of one core)")
    print(f"crawls            {end.crawls - first.crawls} ({(end.crawls - first.crawls) / end.seconds * 60:.1f}/min)")
    print(f"requests          {end.requests - first.requests}")
    print(f"events            {end.events - first.events} ({end.events} in all)")
    print(f"story changes     {story.changes}; reader fetches {reader.fetches}, 304s {reader.not_modified}")
    print(f"database          {end.db_kb} KB; log lines on stderr {warnings}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--petitions", type=int, default=20)
    parser.add_argument("--interval", default="5s", help="the watchlist's interval")
    parser.add_argument("--samples", type=int, default=12, help="samples between start and end")
    parser.add_argument("--keep", action="store_true", help="keep the folder (database, logs)")
    args = parser.parse_args()
    soak(args.minutes, args.petitions, args.interval, args.samples, args.keep)
