"""Benchmark: a full detail poll of N petitions in process, then through 1 and 2 local Scrapyd nodes.

    python bench/scrapyd.py [--petitions 10000] [--concurrency 16] [--port 18090]

bench/sweep.py's static site (nginx on 127.0.0.1). Each run is a fresh
database and a first, full detail poll of every petition (the spiders fetch
and parse every document; the monitor records). Nodes are real `scrapyd`
processes (tests/support/scrapyd.py) with `max_proc` 1 or 2, started and
warmed up (govwatch deploys its egg) before the measured crawl. Printed:
petitions/s of crawl time, CPU seconds and peak RSS of the whole process tree
(monitor, daemons and their spider processes), jobs run, and the overhead of
one job (a crawl of one petition through a node, against one in process).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sweep import Site, start_nginx, watchlist  # noqa: E402

from tests.support.scrapyd import ScrapydNode, scrapyd_table  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    """One measured crawl."""

    label: str
    petitions: int
    seconds: float
    cpu: float
    rss_mb: float
    jobs: int

    @property
    def rate(self) -> float:
        return self.petitions / self.seconds


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _tree(pids: list[int]) -> list[int]:
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(_children(pid))
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    """CPU seconds of a process and of its children it has reaped (Scrapyd reaps its spiders)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICK


def crawl(config: Path, petitions: int, label: str, nodes: list[ScrapydNode]) -> Result:
    """Run bench/crawl.py on a watchlist; measure it and the nodes as one tree."""
    daemons = [n.process.pid for n in nodes]
    cpu_before = sum(_cpu(p) for p in daemons)
    peak, stop = [0], threading.Event()
    out_file = tempfile.TemporaryFile("w+")  # not a pipe: the report of 10,000 polls would fill it and block
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "crawl.py"), str(config)],
                            stdout=out_file, stderr=subprocess.DEVNULL, text=True)  # fmt: skip

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_rss_kb(p) for p in _tree([proc.pid, *daemons])))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    out_file.seek(0)
    out = out_file.read()
    out_file.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: the crawl failed:\n{out}")
    report = json.loads(out.strip().splitlines()[-1])
    if report["watches"] != petitions or report["failed"] or report["requests"] < petitions:
        raise SystemExit(f"{label}: not every petition was polled: {out[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime + sum(_cpu(p) for p in daemons) - cpu_before
    jobs = _jobs(config.parent / "govwatch.db")
    return Result(label, petitions, report["duration"], cpu, peak[0] / 1024, jobs)


def _jobs(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM scrapyd_jobs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def folder_for(scratch: Path, name: str, site: Site, concurrency: int, nodes: list[ScrapydNode],
               only: int | None = None) -> Path:  # fmt: skip
    folder = scratch / name
    folder.mkdir()
    config = watchlist(folder, site, concurrency, full_every="1h", sweep=False)
    text = config.read_text()
    if only is not None:  # the first `only` petitions
        head, *entries = text.split("[[petition]]")
        text = head + "".join("[[petition]]" + e for e in entries[:only])
    if nodes:
        head, sep, rest = text.partition("[[petition]]")
        text = head + scrapyd_table(nodes) + "\n" + sep + rest
    config.write_text(text)
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--files", type=Path, help="where the rendered site is kept between runs")
    parser.add_argument("--no-max-proc-2", action="store_true", help="leave out the run on one node of max_proc 2")
    args = parser.parse_args()
    n, started = args.petitions, time.monotonic()
    site = Site(args.files or Path(tempfile.gettempdir()) / f"govwatch-bench-scrapyd-{n}", n, args.port)
    site.generate()
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", args.port))
        except OSError as e:
            raise SystemExit(f"port {args.port} on 127.0.0.1 is taken ({e.strerror}): pass --port with a free one")
    scratch = Path(tempfile.mkdtemp(prefix="govwatch-bench-scrapyd-"))
    nginx = start_nginx(site, scratch)
    results: list[Result] = []
    overhead: list[str] = []
    try:
        results.append(crawl(folder_for(scratch, "inproc", site, args.concurrency, []), n, "in process", []))
        one = crawl(folder_for(scratch, "one-inproc", site, args.concurrency, [], only=1), 1, "1 petition", [])
        runs = [("1 node, max_proc 1", [1]), ("1 node, max_proc 2", [2]), ("2 nodes, max_proc 1", [1, 1])]
        for label, spec in [r for r in runs if not (args.no_max_proc_2 and r[1] == [2])]:
            nodes = [ScrapydNode(scratch / f"{label}-{i}".replace(" ", "_").replace(",", ""), max_proc=p,
                                 poll_interval=0.2).start() for i, p in enumerate(spec)]  # fmt: skip
            try:
                crawl(folder_for(scratch, f"warm-{len(results)}", site, args.concurrency, nodes, only=1),
                      1, "warm-up", nodes)  # govwatch deploys its egg; Scrapyd lists its spiders once  # fmt: skip
                small = crawl(folder_for(scratch, f"one-{len(results)}", site, args.concurrency, nodes, only=1),
                              1, "1 petition", nodes)  # fmt: skip
                overhead.append(f"{label}: a 1-petition crawl takes {small.seconds:.1f} s "
                                f"(in process: {one.seconds:.2f} s)")  # fmt: skip
                folder = folder_for(scratch, f"run-{len(results)}", site, args.concurrency, nodes)
                results.append(crawl(folder, n, label, nodes))
            finally:
                for node in nodes:
                    node.stop()
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    base = results[0].rate
    print(f"\nFull detail poll of {n:,} petitions (nginx on 127.0.0.1, {os.cpu_count()} cores, concurrency "
          f"{args.concurrency}); CPU s and peak RSS of the whole tree (monitor + daemons + spider processes)\n")
    print("| run | petitions/s | × in process | CPU s | peak RSS MB | jobs |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r.label} | {r.rate:,.0f} | {r.rate / base:.2f} | {r.cpu:.0f} | {r.rss_mb:,.0f} | {r.jobs} |")
    print("\nPer-job overhead (process start, egg activation, Scrapyd's poll):")
    print("\n".join(f"- {line}" for line in overhead))
    print(f"\nbench/scrapyd.py took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
