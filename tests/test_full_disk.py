"""The database or feeds_dir on a disk that fills up: one clear line, nothing corrupt or truncated, nothing lost.

Each test mounts a small tmpfs (the test runs as root here) and fills it to
the last page while `govwatch run` polls sites that keep changing, then frees
the space: polling must resume by itself and every change become an event.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import feedparser
import pytest

from tests.test_run import STARTUP, wait_for

BIG = random.Random(7).randbytes(150_000).hex()  # 300 KB that no compression shrinks much: the WAL must grow


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs mounted for the test (skipped where mounting is not permitted)."""
    where = tmp_path / "small-disk"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path) -> Path:
    """Fill the disk to its last page; return the file that fills it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (1 << 16, 1 << 12):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                continue
    return filler


def feeds_whole(feeds: Path) -> None:
    for path in feeds.rglob("*.atom"):
        assert not feedparser.parse(str(path)).bozo, f"{path} is not a whole feed"


@pytest.mark.slow
@pytest.mark.parametrize("on_small_disk", ["database", "feeds_dir"])
def test_a_full_disk_is_said_once_corrupts_nothing_and_polling_resumes_when_space_returns(replica, gw, small_disk,
                                                                                         on_small_disk):  # fmt: skip
    database = small_disk / "govwatch.db" if on_small_disk == "database" else gw.folder / "govwatch.db"
    feeds = small_disk / "feeds" if on_small_disk == "feeds_dir" else gw.folder / "feeds"
    gw.database.parent.mkdir(exist_ok=True)
    gw.settings = f'interval = "0.5s"\ndatabase = "{database}"\nfeeds_dir = "{feeds}"\n'
    head = '[govwatch]\ndatabase = "govwatch.db"\nfeeds_dir = "feeds"\n'
    numbers = (61, 62, 63)
    for n in numbers:
        replica.add_petition(n, action=f"Full disk {n}", signature_count=9_900)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    gw.config.write_text(gw.config.read_text().replace(head, "[govwatch]\n"))
    gw.check()
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next writes need the WAL to grow
    conn.close()
    proc = gw.start("run", "--no-serve", "--tick", "0.2s")
    try:
        crawled = "SELECT count(*) FROM daemon WHERE crawls >= 1"
        wait_for(lambda: sqlite3.connect(database).execute(crawled).fetchone()[0], STARTUP)
        filler = fill(small_disk)
        for n in numbers:
            replica.sign(n, 10_100)
        replica.respond(numbers[0], "We answer at length.", BIG)
        time.sleep(3)
        feeds_whole(feeds)
        filler.unlink()  # space returns
        expected = len(numbers) + 1

        def all_events() -> bool:
            keys = [r[0] for r in sqlite3.connect(database).execute("SELECT key FROM events")]
            return len([k for k in keys if "/threshold/10000" in k or "/response/" in k]) == expected

        try:
            wait_for(all_events, 30)
        except AssertionError:
            proc.send_signal(signal.SIGTERM)
            raise AssertionError(proc.communicate(timeout=20)[1]) from None
        wait_for(lambda: len([e for e in feedparser.parse(str(feeds / "all.atom")).entries
                              if "10,000" in e.title or "responded" in e.title]) == expected, 10)  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    said = [line for line in err.splitlines() if "No space left" in line or "disk is full" in line]
    assert len(said) == 1 and str(database if on_small_disk == "database" else feeds) in said[0], err
    assert "Traceback" not in err, err
    conn = sqlite3.connect(database)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    keys = [r[0] for r in conn.execute("SELECT key FROM events")]
    assert len(keys) == len(set(keys))
    feeds_whole(feeds)
