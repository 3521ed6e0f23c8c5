"""`govwatch backup` while `govwatch run` writes, `restore`, and pruning history older than `keep`."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from store.db import open_db
from store.retention import prune
from tests.test_run import STARTUP, wait_for

OLD, RECENT, CUTOFF = "2025-01-01T00:00:00.000Z", "2026-06-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"


def keys_in(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {r[0] for r in conn.execute("SELECT key FROM events")}
    finally:
        conn.close()


@pytest.mark.slow
def test_backup_during_run_is_sound_and_holds_every_event_committed_before_it_and_restore_brings_it_back(replica, gw):
    numbers = range(51, 56)
    gw.settings = 'interval = "0.3s"\n'
    for n in numbers:
        replica.add_petition(n, action=f"Backed up {n}", signature_count=9_000)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    proc = gw.start("run", "--no-serve", "--tick", "0.2s")
    backups = []
    try:
        wait_for(lambda: gw.count("observations") >= len(numbers), STARTUP)
        for step, n in enumerate(numbers):
            replica.sign(n, 10_000 + step)  # an event per step, written while the backups run
            committed = set(gw.event_keys())
            target = gw.folder / f"backup-{step}.db"
            out = gw.run("backup", str(target)).stdout
            assert out.startswith(f"Backed up {gw.database} to {target}: ")
            assert committed <= keys_in(target)
            assert not target.with_name(target.name + "-wal").exists()  # one self-contained file
            backups.append(target)
        wait_for(lambda: len(gw.event_keys()) >= len(numbers), 10)
        refused = gw.run("restore", str(backups[0]), check=False)
        assert refused.returncode == 2 and "restore refused" in refused.stderr and f"(pid {proc.pid})" in refused.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    latest = set(gw.event_keys())
    early = keys_in(backups[0])
    assert early < latest
    out = gw.run("restore", str(backups[0])).stdout
    assert "Restored" in out and "govwatch.db.before-restore" in out
    assert set(gw.event_keys()) == early
    assert keys_in(gw.folder / "govwatch.db.before-restore") == latest  # nothing lost by restoring
    gw.check()  # the monitor goes on from the restored history: the later changes are found again
    assert set(gw.event_keys()) >= {k for k in latest if "/threshold/10000" in k}


def test_backup_and_restore_refuse_bad_files_with_one_line(gw, tmp_path):
    gw.write()
    missing = gw.run("backup", str(tmp_path / "b.db"), check=False)
    assert missing.returncode == 2 and "no database to back up yet" in missing.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n")
    refused = gw.run("restore", str(junk), check=False)
    assert refused.returncode == 2 and f"{junk}: is not a SQLite database" in refused.stderr
    assert "Traceback" not in refused.stderr and not gw.database.exists()


def _history(path):
    """A database with old and recent observations and page snapshots, page events, a petition."""
    db = open_db(path)
    db.execute("INSERT INTO watches (id, kind, url, configured_url, added_at) VALUES"
               " ('letter', 'page', 'u', 'u', ?), ('other', 'page', 'v', 'v', ?)", [OLD, OLD])  # fmt: skip
    observations = [("letter", "u", "2024-12-01T00:00:00.000Z", "changed"), ("letter", "u", OLD, "unchanged"),
                    ("letter", "u2", OLD, "changed"), ("letter", "u", RECENT, "changed"),
                    ("other", "v", OLD, "unchanged")]  # fmt: skip
    for watch, url, at, outcome in observations:
        db.execute("INSERT INTO observations (watch_id, url, kind, first_at, last_at, outcome)"
                   " VALUES (?, ?, 'page', ?, ?, ?)", [watch, url, at, at, outcome])  # fmt: skip
    snapshots = {}
    for name, watch, at in (("s1", "letter", "2024-11-01T00:00:00.000Z"), ("s2", "letter", "2024-12-01T00:00:00.000Z"),
                            ("s3", "letter", "2024-12-15T00:00:00.000Z"), ("s4", "letter", OLD),
                            ("s5", "letter", "2026-02-01T00:00:00.000Z"), ("s6", "letter", RECENT),
                            ("o1", "other", "2024-10-01T00:00:00.000Z"), ("o2", "other", OLD)):  # fmt: skip
        snapshots[name] = db.execute(
            "INSERT INTO page_snapshots (watch_id, observed_at, hash, text_size, content) VALUES (?, ?, ?, 1, '{}')",
            [watch, at, name]).lastrowid  # fmt: skip
    # A page_changed event detected with s4 (its diff is s3 -> s4); the page's current snapshot is s6, the other's o2.
    # An event of the other page's first snapshot (no snapshot before it): nothing more is needed.
    db.execute("INSERT INTO events (key, kind, watch_id, occurred_at, detected_at, title, summary, url) VALUES"
               " ('page/letter/changed/1', 'page_changed', 'letter', ?, ?, 'Letter changed', 'Tiananmen', 'u'),"
               " ('page/other/count/1', 'page_count', 'other', ?, ?, 'Count', 'A count', 'v')",
               [OLD, OLD, "2024-10-01T00:00:00.000Z", "2024-10-01T00:00:00.000Z"])  # fmt: skip
    db.execute("INSERT INTO pages (watch_id, url, first_seen_at, snapshot_id, text) VALUES"
               " ('letter', 'u', ?, ?, 'the letter'), ('other', 'v', ?, ?, 'other text')",
               [OLD, snapshots["s6"], OLD, snapshots["o2"]])  # fmt: skip
    return db, snapshots


def test_prune_drops_old_polls_and_snapshots_but_never_events_latest_state_or_an_events_diff(tmp_path):
    db, snapshots = _history(tmp_path / "h.db")
    report = prune(db, 1, at=CUTOFF)
    assert (report.observations, report.page_snapshots) == (2, 2)  # letter/u's two old runs; s1, s2
    left = {(r["watch_id"], r["url"], r["last_at"]) for r in db.query("SELECT * FROM observations")}
    assert left == {("letter", "u", RECENT), ("letter", "u2", OLD), ("other", "v", OLD)}  # each URL's latest stays
    kept = {r["hash"] for r in db.query("SELECT hash FROM page_snapshots")}
    assert kept == {"s3", "s4", "s5", "s6", "o1", "o2"}  # each event's diff (s3 -> s4, o1), newer, each current
    assert [r["key"] for r in db.query("SELECT key FROM events")] == ["page/letter/changed/1", "page/other/count/1"]
    found = db.query("SELECT e.key FROM events_fts JOIN events e ON e.rowid = events_fts.rowid"
                     " WHERE events_fts MATCH 'Tiananmen'")  # fmt: skip
    assert [r["key"] for r in found] == ["page/letter/changed/1"]  # the search indexes still answer
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = prune(db, 1, at=CUTOFF)
    assert (again.observations, again.page_snapshots) == (0, 0)


def test_prune_needs_keep_and_keep_is_validated(gw):
    gw.write()
    refused = gw.run("prune", check=False)
    assert refused.returncode == 2 and "[govwatch] keep is not set" in refused.stderr
    gw.settings = 'keep = "0s"\n'
    gw.write()
    bad = gw.run("prune", check=False)
    assert bad.returncode == 2 and "key 'keep': expected a duration above zero" in bad.stderr
    gw.settings = 'keep = "400d"\n'
    gw.write()
    assert gw.run("prune").stdout.startswith("Pruned history older than ")
