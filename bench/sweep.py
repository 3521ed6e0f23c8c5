"""Benchmark: govwatch's crawl against a bare Scrapy spider, on a static replica of N petitions.

    python bench/sweep.py [--petitions 10000] [--concurrency 16] [--port 18080] [--checks-only | --sweep-only]

nginx (Debian package `nginx`) serves pre-rendered e-petitions files on
127.0.0.1 (`if_modified_since before`, so 304s work), so the server is not the
bottleneck. Each measured run is a fresh subprocess; the bare spider
(bench/bare.py) only fetches and json.loads, the ceiling of any Scrapy design.
Runs: (a) first full detail poll, (b) second poll with 10% changed, (c) nothing
changed, (d) a sweep through the index. Printed: petitions/s, CPU seconds, peak
RSS, the govwatch/bare ratio, and database bytes added per petition-poll.

A second table times what a user waits for: the whole process of `govwatch check`
(start-up, crawl, feeds, exit) against the bare spider's whole process, for (a)
the first check of every petition, (b) the check after 10% changed and (c) an
unchanged check, with peak RSS and database bytes added per petition.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from measure import Run, launch_nginx, measure  # noqa: E402
from monitor.replica import (
    EPetitionsReplica,  # noqa: E402
    documents,  # noqa: E402
)

PAGE = 50
DAY = 86400


# ---------------------------------------------------------------- the static site


class Site:
    """Pre-rendered petition files under `root`, served by nginx on `port`."""

    def __init__(self, root: Path, n: int, port: int):
        self.root, self.n, self.port = root, n, port
        self.base = f"http://127.0.0.1:{port}"
        self.replica = EPetitionsReplica()
        self.epoch = time.time() - DAY  # every file's Last-Modified before a run
        self.created = time.strftime("%Y-%m-%dT10:00:00.000Z", time.gmtime(time.time() - 30 * DAY))
        self.closing = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 150 * DAY))

    def generate(self) -> None:
        marker = self.root / "generated.json"
        wanted = {"n": self.n, "port": self.port, "version": 3}
        known = json.loads(marker.read_text()) if marker.exists() else {}
        if {k: known.get(k) for k in wanted} == wanted and known.get("closing", "") > time.strftime("%Y-%m-%d"):
            print(f"using the files generated earlier in {self.root}")
            self.created, self.closing = known["created"], known["closing"]
            self._load_counts()
        else:
            shutil.rmtree(self.root, ignore_errors=True)
            started = time.monotonic()
            rng = random.Random(221342)
            for number in range(1, self.n + 1):
                self._add(number, rng)
                self._write(number)
                if number % 2000 == 0:
                    print(f"  generated {number:,} petitions", flush=True)
            self._write_index()
            marker.write_text(json.dumps(wanted | {"created": self.created, "closing": self.closing}))
            print(f"generated {self.n:,} petitions in {time.monotonic() - started:.0f} s")
        self.touch_all(self.epoch)
        sizes = [p.stat().st_size for p in (self.root / "petitions").glob("*.json")][:500]
        print(f"detail documents: {sum(sizes) / len(sizes) / 1024:.0f} KB on average")

    def _add(self, number: int, rng: random.Random, count: int | None = None) -> None:
        # Fixed times, so that reloading the petitions from the files gives the same documents.
        self.replica.add_petition(number, f"Bench petition {number}: fund public libraries in town {number}",
                                  signature_count=count or rng.randint(120_000, 400_000),
                                  created_at=self.created, updated_at=self.created, closing_date=self.closing)
        if number % 5 == 0:
            self.replica.respond(number, "The government has considered this petition.",
                                 "Paragraph of the government's response. " * 40,
                                 updated_at=self.created)  # fmt: skip

    def _load_counts(self) -> None:
        for number in range(1, self.n + 1):
            doc = json.loads((self.root / "petitions" / str(number) / "count.json").read_text())
            self._add(number, random.Random(number), doc["signature_count"])

    def _write(self, number: int) -> None:
        attrs = self.replica.petition(number)
        folder = self.root / "petitions"
        (folder / str(number)).mkdir(parents=True, exist_ok=True)
        detail = documents.detail_document(number, attrs, self.base)
        (folder / f"{number}.json").write_bytes(documents.encode(detail))
        (folder / str(number) / "count.json").write_bytes(documents.encode(documents.count_document(attrs)))

    def _write_index(self) -> None:
        folder = self.root / "index"
        folder.mkdir(exist_ok=True)
        last = (self.n + PAGE - 1) // PAGE
        for page in range(1, last + 1):
            numbers = range((page - 1) * PAGE + 1, min(page * PAGE, self.n) + 1)
            entries = [documents.encode(documents.index_entry(n, self.replica.petition(n), self.base))
                       for n in numbers]  # fmt: skip
            self_url = f"{self.base}/petitions.json?page={page}&state=open&count={PAGE}"
            links = documents.page_links(self.base, "/petitions.json", {"state": "open", "count": str(PAGE)},
                                         page, last, self_url)  # fmt: skip
            (folder / f"open-{page}.json").write_bytes(documents.index_body(links, entries))

    def touch_all(self, moment: float) -> None:
        for path in self.root.rglob("*.json"):
            os.utime(path, (moment, moment))

    def change(self, fraction: float, moment: float) -> list[int]:
        """Add signatures to a fraction of the petitions; their files get `moment` as mtime."""
        rng = random.Random(time.time())
        changed = rng.sample(range(1, self.n + 1), int(self.n * fraction))
        for number in changed:
            count = self.replica.petition(number)["signature_count"] + rng.randint(1, 500)
            self.replica.sign(number, count, updated_at=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(moment)))
            self._write(number)
            for path in (self.root / "petitions" / f"{number}.json", self.root / "petitions" / str(number) / "count.json"):
                os.utime(path, (moment, moment))
        self._write_index()
        for path in (self.root / "index").glob("*.json"):
            os.utime(path, (self.epoch, self.epoch))
        return changed

    def url_file(self, kind: str) -> Path:
        path = self.root / f"urls-{kind}.txt"
        if kind == "detail":
            path.write_text("\n".join(f"{self.base}/petitions/{n}.json" for n in range(1, self.n + 1)))
        elif kind == "index-pages":  # every page of the index at once, as a sweep asks once it knows the last
            last = (self.n + PAGE - 1) // PAGE
            path.write_text("\n".join(f"{self.base}/petitions.json?page={p}&state=open&count={PAGE}"
                                      for p in range(1, last + 1)))  # fmt: skip
        else:
            path.write_text(f"{self.base}/petitions.json?state=open&count={PAGE}\n")
        return path


def start_nginx(site: Site, scratch: Path) -> subprocess.Popen:
    """Serve the files with nginx; raise a clear error when it is not installed."""
    return launch_nginx(scratch, f"""
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {scratch}/body;
  proxy_temp_path {scratch}/proxy;
  fastcgi_temp_path {scratch}/fastcgi;
  uwsgi_temp_path {scratch}/uwsgi;
  scgi_temp_path {scratch}/scgi;
  types {{ application/json json; }}
  default_type application/json;
  if_modified_since before;
  etag off;
  map $arg_page $page {{ "" 1; default $arg_page; }}
  server {{
    listen 127.0.0.1:{site.port};
    root {site.root};
    add_header Cache-Control "public, max-age=60, stale-while-revalidate=120, stale-if-error=300";
    location = /petitions.json {{ try_files /index/open-$page.json =404; }}
    location = /robots.txt {{ return 200 "User-agent: *\\nAllow: /\\n"; }}
  }}
}}
""", "bench/sweep.py")


# ---------------------------------------------------------------- govwatch


def watchlist(folder: Path, site: Site, concurrency: int, *, full_every: str, sweep: bool) -> Path:
    """Write a watchlist of every petition (or one sweep) with politeness lifted for 127.0.0.1."""
    head = f"""[govwatch]
database = "govwatch.db"
full_every = "{full_every}"

[hosts."127.0.0.1"]
concurrency = {concurrency}
delay = 0
autothrottle = false
retries = 0
respect_max_age = false
"""
    if sweep:
        body = f'[[sweep]]\nsite = "{site.base}"\nstate = "open"\n'
    else:
        body = "".join(f'[[petition]]\nid = {n}\nsite = "{site.base}"\n' for n in range(1, site.n + 1))
    path = folder / ("sweep.toml" if sweep else "watchlist.toml")
    path.write_text(head + "\n" + body)
    return path


def db_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("govwatch.db*"))


def govwatch(config: Path, petitions: int) -> Run:
    """Measure one govwatch crawl (bench/crawl.py: what `govwatch check` runs before the feeds)."""
    before = db_size(config.parent)
    run, out = measure([sys.executable, str(ROOT / "bench" / "crawl.py"), str(config)], petitions)
    report = json.loads(out.strip().splitlines()[-1])
    if not report["watches"] or report["failed"]:
        raise SystemExit(f"govwatch did not poll as expected:\n{out}")
    run.db_bytes = db_size(config.parent) - before
    run.crawl_seconds = report["duration"]
    return run


def feeds_rebuild(config: Path) -> float:
    """Time `govwatch feeds` (every feed rebuilt from the database), for the record."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "monitor.cli", "feeds", "--config", str(config)], check=True,
                   capture_output=True)  # fmt: skip
    return time.monotonic() - started


def govwatch_check(config: Path, petitions: int) -> Run:
    """Measure a whole `govwatch check` process (start-up, crawl, feeds, exit), as a user waits for it."""
    before = db_size(config.parent)
    cmd = [sys.executable, "-m", "monitor.cli", "check", "--config", str(config)]
    run, out = measure(cmd, petitions, env=os.environ | {"PYTHONPATH": str(ROOT)})
    if "Feeds:" not in out:
        raise SystemExit(f"govwatch check did not write its feeds:\n{out}")
    run.db_bytes = db_size(config.parent) - before
    return run


def bare(site: Site, kind: str, petitions: int, concurrency: int, ims: float | None = None) -> Run:
    cmd = [sys.executable, str(ROOT / "bench" / "bare.py"), str(site.url_file(kind)),
           "--concurrency", str(concurrency)]  # fmt: skip
    if ims is not None:
        cmd += ["--ims", formatdate(ims, usegmt=True)]
    if kind == "index":
        cmd.append("--follow")
    run, out = measure(cmd, petitions)
    counts = json.loads(out.strip().splitlines()[-1])
    run.crawl_seconds = counts["seconds"]
    if kind.startswith("index") and counts["petitions"] != petitions:
        raise SystemExit(f"the bare sweep covered {counts['petitions']} petitions, not {petitions}")
    return run


# ---------------------------------------------------------------- report


def row(label: str, b: Run, g: Run, extra: str = "") -> str:
    return (f"| {label} | {b.rate:,.0f} | {g.rate:,.0f} | {g.rate / b.rate:.2f}x | {b.cpu:.1f} / {g.cpu:.1f} "
            f"| {b.rss_mb:.0f} / {g.rss_mb:.0f} | {extra} |")  # fmt: skip


def whole_row(label: str, b: Run, g: Run) -> str:
    """A row of whole-process figures: seconds from start to exit, bare / govwatch."""
    return (f"| {label} | {b.seconds:.1f} | {g.seconds:.1f} | {b.seconds / g.seconds:.2f}x "
            f"| {b.cpu:.1f} / {g.cpu:.1f} | {b.rss_mb:.0f} / {g.rss_mb:.0f} | {g.db_bytes / g.petitions:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--files", type=Path, help="where the rendered site is kept between runs")
    parser.add_argument("--checks-only", action="store_true", help="only the whole `govwatch check` processes")
    parser.add_argument("--sweep-only", action="store_true",
                        help="only (d), the index sweep, on a database of its own (its first pass stores every petition)")
    args = parser.parse_args()
    n = args.petitions
    started = time.monotonic()
    files = args.files or Path(tempfile.gettempdir()) / f"govwatch-bench-{n}"
    site = Site(files, n, args.port)
    site.generate()
    scratch = Path(tempfile.mkdtemp(prefix="govwatch-bench-"))
    nginx = start_nginx(site, scratch)
    try:
        if args.sweep_only:
            rows, whole = measure_sweep(site, scratch, args.concurrency, scratch / "sweep"), []
        else:
            rows = [] if args.checks_only else measure_all(site, scratch, args.concurrency)
            whole = measure_checks(site, scratch, args.concurrency)
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    if rows:
        print(f"\ngovwatch vs a bare Scrapy spider, {n:,} petitions, concurrency {args.concurrency}, "
              f"nginx on 127.0.0.1 ({os.cpu_count()} cores); petitions/s of crawl time (each process's "
              "start-up excluded), CPU s and peak RSS MB of the whole process as bare / govwatch\n")
        print("| run | bare petitions/s | govwatch petitions/s | ratio | CPU s | peak RSS MB "
              "| DB bytes per petition-poll |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(rows))
    if whole:
        print_whole(n, whole)
    print(f"\nbench/sweep.py took {time.monotonic() - started:.0f} s")


def print_whole(n: int, whole: list[str]) -> None:
    print(f"\nThe whole `govwatch check` process (start-up, crawl, feeds, exit) against the bare spider's "
          f"whole process, {n:,} petitions; ratio = bare seconds / govwatch seconds\n")
    print("| run | bare s | govwatch check s | ratio | CPU s | peak RSS MB | DB bytes per petition |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(whole))


def measure_all(site: Site, scratch: Path, concurrency: int) -> list[str]:
    n, rows = site.n, []
    fast, full = scratch / "fast", scratch / "full"
    fast.mkdir()
    config = watchlist(fast, site, concurrency, full_every="1h", sweep=False)

    print("(a) first full detail poll")
    b, g = bare(site, "detail", n, concurrency), govwatch(config, n)
    rows.append(row("(a) first full poll", b, g, f"{g.db_bytes / n:,.0f} (first snapshot)"))
    shutil.copytree(fast, full)
    full_config = watchlist(full, site, concurrency, full_every="1s", sweep=False)  # every poll a full one

    print("(b) second poll, 10% changed")
    changed_at = time.time() - 60
    site.change(0.10, changed_at)
    b = bare(site, "detail", n, concurrency, ims=site.epoch)
    g, gf = govwatch(config, n), govwatch(full_config, n)
    rows.append(row("(b) 10% changed, count.json path", b, g, f"{g.db_bytes / n:,.0f}"))
    rows.append(row("(b) 10% changed, full documents", b, gf, f"{gf.db_bytes / n:,.0f}"))

    print("(c) nothing changed")
    b = bare(site, "detail", n, concurrency, ims=changed_at)
    g, gf = govwatch(config, n), govwatch(full_config, n)
    rows.append(row("(c) unchanged (all 304), count.json path", b, g, f"{g.db_bytes / n:,.0f}"))
    rows.append(row("(c) unchanged (all 304), full documents", b, gf, f"{gf.db_bytes / n:,.0f}"))

    rows += measure_sweep(site, scratch, concurrency, fast)
    seconds = feeds_rebuild(config)
    rows.append(f"\nFeeds (not part of the crawl): `govwatch feeds` rebuilt every feed of the {n:,} petitions "
                f"in {seconds:.1f} s.")  # fmt: skip
    return rows


def measure_sweep(site: Site, scratch: Path, concurrency: int, folder: Path) -> list[str]:
    """(d) Two passes of a sweep through the index, against the bare spider walking it."""
    n = site.n
    folder.mkdir(exist_ok=True)
    print("(d) sweep through the index")
    sweep = watchlist(folder, site, concurrency, full_every="1h", sweep=True)
    b = bare(site, "index", n, concurrency)
    side = bare(site, "index-pages", n, concurrency)  # the bare spider given every page at once
    g1, g2 = govwatch(sweep, n), govwatch(sweep, n)
    return [row("(d) index sweep, first pass", b, g1, f"{g1.db_bytes / n:,.0f}"),
            row("(d) index sweep, next pass", b, g2, f"{g2.db_bytes / n:,.0f}"),
            row("(d) next pass against the bare spider given every page at once", side, g2, "")]


def measure_checks(site: Site, scratch: Path, concurrency: int) -> list[str]:
    """Time whole `govwatch check` processes: (a) the first check, (b) 10% changed, (c) unchanged."""
    n, rows = site.n, []
    folder = scratch / "check"
    folder.mkdir()
    config = watchlist(folder, site, concurrency, full_every="1h", sweep=False)
    site.touch_all(site.epoch)  # the site as before any change: every file older than the first check
    print("whole process: (a) first govwatch check")
    b, g = bare(site, "detail", n, concurrency), govwatch_check(config, n)
    rows.append(whole_row("(a) first `govwatch check`", b, g))
    print("whole process: (b) 10% changed")
    changed_at = time.time() - 30
    site.change(0.10, changed_at)
    b, g = bare(site, "detail", n, concurrency, ims=site.epoch), govwatch_check(config, n)
    rows.append(whole_row("(b) 10% changed", b, g))
    print("whole process: (c) nothing changed")
    b, g = bare(site, "detail", n, concurrency, ims=changed_at), govwatch_check(config, n)
    rows.append(whole_row("(c) unchanged (all 304)", b, g))
    return rows


if __name__ == "__main__":
    main()
