"""The write-ahead log is copied into the database by the checkpoint thread, not by the writer's commits."""

from __future__ import annotations

import threading
import time

from monitor.watchlist.config import load_config
from store.checkpoint import AUTOCHECKPOINT, Checkpointer
from store.db import open_db
from store.record import Recorder
from store.writer import BatchWriter

ROW = "x" * 4000  # about one page a row


def write_pages(db, commits: int, rows: int) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)")
    for _ in range(commits):
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.executemany("INSERT INTO filler (body) VALUES (?)", [(ROW,)] * rows)
        db.conn.execute("COMMIT")


def test_the_writer_does_not_checkpoint_while_a_checkpointer_runs(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    checkpointer = Checkpointer(db.conn)
    try:
        before = (tmp_path / "govwatch.db").stat().st_size
        write_pages(db, commits=3, rows=600)  # 1,800 pages: past SQLite's automatic checkpoint of 1,000
        assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        assert (tmp_path / "govwatch.db").stat().st_size == before  # nothing copied: the log holds it all
    finally:
        checkpointer.stop()
    assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == AUTOCHECKPOINT
    db.close()


def test_a_commit_it_is_told_of_is_copied_into_the_database_by_its_thread(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    checkpointer = Checkpointer(db.conn, every=0.01)
    try:
        write_pages(db, commits=2, rows=500)
        checkpointer.committed()
        deadline = time.monotonic() + 30
        while (tmp_path / "govwatch.db").stat().st_size < 1000 * 4096 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (tmp_path / "govwatch.db").stat().st_size >= 1000 * 4096
        busy, log, copied = db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, copied) == (0, log)  # the reader sees every committed page in the database file
        assert db.conn.execute("SELECT COUNT(*) FROM filler").fetchone()[0] == 1000
    finally:
        checkpointer.stop()
    db.close()


def test_a_closed_writer_leaves_no_thread_behind(tmp_path):
    (tmp_path / "watchlist.toml").write_text(
        '[govwatch]\ndatabase = "govwatch.db"\n\n[[petition]]\nurl = "https://petition.parliament.uk/petitions/221342"\n'
    )
    config = load_config(tmp_path / "watchlist.toml")
    db = open_db(config.settings.database)
    writer = BatchWriter(Recorder(db, config))
    names = {t.name for t in threading.enumerate()}
    assert {"govwatch-store", "govwatch-checkpoint"} <= names
    writer.close()
    names = {t.name for t in threading.enumerate()}
    assert not names & {"govwatch-store", "govwatch-checkpoint"}
    assert db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == AUTOCHECKPOINT
    db.close()
