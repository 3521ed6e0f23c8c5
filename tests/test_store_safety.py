"""A database file that is not govwatch's is refused untouched; another process's write lock delays, loses nothing."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from tests.test_run import STARTUP, wait_for


def _another_programs_database(path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, email TEXT);"
                       "INSERT INTO contacts (name, email) VALUES ('Ada', 'ada@example.org');")  # fmt: skip
    conn.close()


def _another_sqlite_utils_app(path) -> None:  # the same migration library, another migration set
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT,"
                       " applied_at TEXT); INSERT INTO _sqlite_migrations VALUES (1, 'notes', '0001_init', 'x');"
                       "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")  # fmt: skip
    conn.close()


FOREIGN = {
    "text": lambda path: path.write_text("name,email\nAda,ada@example.org\n" * 50),
    "sqlite-of-another-program": _another_programs_database,
    "sqlite-utils-app": _another_sqlite_utils_app,
}


@pytest.mark.parametrize("kind", FOREIGN)
def test_a_file_that_is_not_govwatchs_database_is_refused_byte_for_byte_untouched(gw, replica, kind):
    replica.add_petition(1, signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/1"')
    FOREIGN[kind](gw.database)
    before = gw.database.read_bytes()
    for command in (("check",), ("events",), ("feeds",), ("status",)):
        done = gw.run(*command, check=False)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        first = done.stderr.splitlines()[0]
        assert first.startswith(f"govwatch: {gw.database}: is ") and "database" in first, done.stderr
        assert "Traceback" not in done.stderr
    assert gw.database.read_bytes() == before
    assert not (gw.folder / "govwatch.db-wal").exists()
    assert replica.requests == []  # refused before any poll


def test_an_empty_file_becomes_a_govwatch_database(gw, replica):
    replica.add_petition(1, signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/1"')
    gw.database.write_bytes(b"")
    gw.check()
    assert gw.count("petitions") == 1


@pytest.mark.slow
def test_polls_wait_for_another_processs_write_lock_and_lose_nothing(replica, gw):
    numbers = (41, 42, 43)
    gw.settings = 'interval = "0.5s"\nlock_wait = "0.5s"\n'
    for n in numbers:
        replica.add_petition(n, action=f"Locked out {n}", signature_count=9_900)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    proc = gw.start("run", "--no-serve", "--tick", "0.2s")
    holder = None
    try:
        wait_for(lambda: gw.count("observations") >= len(numbers), STARTUP)
        holder = sqlite3.connect(gw.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writes... for a while
        for n in numbers:
            replica.sign(n, 10_100)
        time.sleep(3)  # several lock waits run out
        assert not [k for k in gw.event_keys() if "/threshold/" in k]  # nothing could be written
        holder.execute("ROLLBACK")
        holder.close()
        holder = None
        wait_for(lambda: len([k for k in gw.event_keys() if "/threshold/10000" in k]) == len(numbers), 30)
    finally:
        if holder is not None:
            holder.close()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    keys = gw.event_keys()
    assert len(keys) == len(set(keys)) and len([k for k in keys if "/threshold/10000" in k]) == len(numbers)
    lines = [line for line in err.splitlines() if "write lock" in line]
    assert len(lines) == 1 and str(gw.database) in lines[0], err
    assert "Traceback" not in err and "failed" not in err, err


def test_a_second_connection_of_a_process_keeps_the_first_ones_locks(tmp_path):
    """A crawl holds connections to its new database side by side (planning, writer). Opening the
    second must not close a descriptor of the file (POSIX locks go with it): another process's
    connection closing would then think itself the last, checkpoint and delete the write-ahead log
    under the crawl's writes (seen as "database disk image is malformed" in the feeds' process)."""
    import subprocess
    import sys

    from store.db import open_db, writing

    insert_watch = "INSERT INTO watches (id, kind, url, configured_url, added_at) VALUES (?, 'page', 'u', 'u', 'x')"
    path = tmp_path / "govwatch.db"
    first = open_db(path)  # creates it
    second = open_db(path)
    with writing(first):
        first.execute(insert_watch, ["w"])
    other = (f"import sqlite3; c = sqlite3.connect({str(path)!r});"
             " c.execute('SELECT count(*) FROM watches').fetchone(); c.close()")  # fmt: skip
    subprocess.run([sys.executable, "-c", other], check=True)
    assert (tmp_path / "govwatch.db-wal").exists()  # not taken for the last user's: the log is still there
    with writing(second):
        second.execute(insert_watch, ["v"])
    assert first.execute("SELECT count(*) FROM watches").fetchone()[0] == 2
    first.close()
    second.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM watches").fetchone()[0] == 2
