"""Benchmark: a whole-archive sweep (two Parliaments) against a bare Scrapy spider walking the same index.

    python bench/archive_sweep.py [--petitions 20000] [--concurrency 16] [--port PORT]

nginx serves pre-rendered archived index pages (`/archived/petitions.json?parliament=N
&state=all&count=50`, half of the petitions in each of two Parliaments, a fifth of
them answered, the real site's entry fields). Measured, each in a fresh subprocess:
the bare spider (bench/bare.py: fetch, json.loads, follow links.next), govwatch's
first pass (every petition stored) and its next pass (nothing changed). Printed:
petitions/s of crawl time, requests, CPU s, peak RSS and the govwatch/bare ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import Run, launch_nginx, measure  # noqa: E402

from monitor.replica import documents  # noqa: E402
from monitor.replica.documents import PARLIAMENT_NUMBERS  # noqa: E402
from monitor.replica.epetitions import PARLIAMENTS  # noqa: E402
from monitor.publish.serve import free_port  # noqa: E402

PAGE = 50
PERIODS = ("2017-2019", "2019-2024")
CLOSED_AT = "2019-11-06T00:01:00.000Z"


def _attributes(number: int) -> dict:
    answered = number % 5 == 0
    attributes = {name: None for name in documents.ATTRIBUTES}
    attributes.update(
        action=f"Archived bench petition {number}: fund public libraries in town {number}",
        background="Background of the petition. " * 8, additional_details="More details. " * 12,
        state="closed", signature_count=12_000 + number if answered else 40 + number % 9_000,
        created_at="2018-06-03T13:52:40.093Z", updated_at=CLOSED_AT, opened_at="2018-06-08T13:36:48.043Z",
        closed_at="2018-12-08T23:59:59.999Z", moderation_threshold_reached_at="2018-06-04T09:00:00.000Z",
        departments=[{"acronym": "DCMS", "name": "Department for Culture, Media and Sport",
                      "url": "https://www.gov.uk/government/organisations/department-for-culture-media-and-sport"}],
        topics=[],
    )  # fmt: skip
    if answered:
        attributes.update(
            response_threshold_reached_at="2018-11-20T18:48:25.139Z", government_response_at="2018-11-30T16:25:04.536Z",
            government_response={"responded_on": "2018-11-30", "summary": "The government has considered this.",
                                 "details": "Paragraph of the government's response. " * 40,
                                 "created_at": "2018-11-30T16:25:04.536Z", "updated_at": "2018-11-30T16:25:04.536Z"},
        )  # fmt: skip
    return attributes


def generate(root: Path, n: int, base: str) -> None:
    """Write the archived index pages of `n` petitions, half in each Parliament (their links name `base`)."""
    (root / "archived").mkdir(parents=True)
    half = n // len(PERIODS)
    for i, period in enumerate(PERIODS):
        number = PARLIAMENT_NUMBERS[period]
        parliament = {"period": period, "government": PARLIAMENTS[period][0], "dissolution_at": PARLIAMENTS[period][1],
                      "response_threshold": 10_000, "debate_threshold": 100_000}  # fmt: skip
        numbers = range(i * half + 1, (i + 1) * half + 1)
        last = (half + PAGE - 1) // PAGE
        params = {"parliament": str(number), "state": "all", "count": str(PAGE)}
        for page in range(1, last + 1):
            entries = []
            for petition in numbers[(page - 1) * PAGE: page * PAGE]:
                entries.append(documents.encode(documents.index_entry(petition, _attributes(petition), base,
                                                                      parliament)))
            self_url = f"{base}/archived/petitions.json?page={page}&parliament={number}&state=all&count={PAGE}"
            links = documents.page_links(base, "/archived/petitions.json", params, page, last, self_url)
            (root / "archived" / f"{number}-{page}.json").write_bytes(documents.index_body(links, entries))


def start_nginx(root: Path, scratch: Path, port: int) -> subprocess.Popen:
    temp = " ".join(f"{name}_temp_path {scratch}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                        "scgi"))  # fmt: skip
    return launch_nginx(scratch, f"""
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nodelay on; keepalive_requests 1000000; {temp}
  types {{ application/json json; }}
  default_type application/json;
  map $arg_page $page {{ "" 1; default $arg_page; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /archived/petitions.json {{ try_files /archived/$arg_parliament-$page.json =404; }}
    location = /robots.txt {{ return 200 "User-agent: *\\nAllow: /\\n"; }}
  }}
}}
""", "bench/archive_sweep.py")


def watchlist(folder: Path, base: str, concurrency: int) -> Path:
    sweeps = "".join(f'[[sweep]]\nsite = "{base}"\narchived = true\nparliament = {PARLIAMENT_NUMBERS[p]}\n\n'
                     for p in PERIODS)  # fmt: skip
    path = folder / "archive.toml"
    path.write_text(f"""[govwatch]
database = "govwatch.db"

[hosts."127.0.0.1"]
concurrency = {concurrency}
delay = 0
autothrottle = false
retries = 0
respect_max_age = false

{sweeps}""")
    return path


def govwatch(config: Path, n: int) -> tuple[Run, int]:
    run, out = measure([sys.executable, str(ROOT / "bench" / "crawl.py"), str(config)], n)
    report = json.loads(out.strip().splitlines()[-1])
    if report["failed"]:
        raise SystemExit(f"govwatch did not sweep as expected:\n{out}")
    run.crawl_seconds = report["duration"]
    return run, report["requests"]


def bare(urls: Path, n: int, concurrency: int) -> Run:
    cmd = [sys.executable, str(ROOT / "bench" / "bare.py"), str(urls), "--follow", "--concurrency", str(concurrency)]
    run, out = measure(cmd, n)
    counts = json.loads(out.strip().splitlines()[-1])
    if counts["petitions"] != n:
        raise SystemExit(f"the bare sweep covered {counts['petitions']} petitions, not {n}")
    run.crawl_seconds = counts["seconds"]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--petitions", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, help="nginx's port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()
    n = args.petitions - args.petitions % (len(PERIODS) * PAGE)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = Path(tempfile.mkdtemp(prefix="govwatch-bench-archive-"))
    files = scratch / "site"
    generate(files, n, base)
    nginx = start_nginx(files, scratch, port)
    try:
        urls = scratch / "urls.txt"
        urls.write_text("\n".join(f"{base}/archived/petitions.json?parliament={PARLIAMENT_NUMBERS[p]}&state=all"
                                  f"&count={PAGE}" for p in PERIODS))  # fmt: skip
        config = watchlist(scratch, base, args.concurrency)
        b = bare(urls, n, args.concurrency)
        (first, first_requests), (second, second_requests) = govwatch(config, n), govwatch(config, n)
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nArchive sweep of {n:,} petitions in two Parliaments, concurrency {args.concurrency}, nginx on "
          f"127.0.0.1 ({os.cpu_count()} cores); petitions/s of crawl time, CPU s and peak RSS MB of the process\n")
    print("| run | petitions/s | ratio to bare | requests | CPU s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    print(f"| bare spider (fetch + json.loads) | {b.rate:,.0f} | 1.00x | {n // PAGE} | {b.cpu:.1f} | {b.rss_mb:.0f} |")
    for label, run, requests in (("govwatch, first pass", first, first_requests),
                                 ("govwatch, next pass", second, second_requests)):  # fmt: skip
        print(f"| {label} | {run.rate:,.0f} | {run.rate / b.rate:.2f}x | {requests} | {run.cpu:.1f} "
              f"| {run.rss_mb:.0f} |")


if __name__ == "__main__":
    main()
