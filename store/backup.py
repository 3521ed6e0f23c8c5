"""One-file backups of the database, taken while `govwatch run` writes, and their restore.

`backup` uses SQLite's online backup API: it copies a consistent snapshot
(every transaction committed before it began, none half-written), page by
page, while the monitor goes on writing (WAL mode: readers never block the
writer). The copy is written beside the target and renamed into place once
it passes `PRAGMA integrity_check`, so a failed backup never leaves a
truncated file under the target's name.

`restore` checks the file is a sound govwatch database, keeps the current
database as `<database>.before-restore`, then copies the backup into the
database with the same API (which knows about WAL). It refuses while a
`govwatch run` is alive on that database: the monitor would go on from the
state it holds in memory.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import StoreError
from store.foreign import refuse_foreign
from store.outbox import pid_alive

PAGES_PER_STEP = 1024  # pages copied per step of the backup; the monitor may write between steps


@dataclass
class Copied:
    """What a backup or restore wrote."""

    path: Path
    bytes: int
    events: int


def backup(database: Path, target: Path) -> Copied:
    """Write a consistent copy of `database` to `target` (one file, no -wal)."""
    if not database.exists():
        raise StoreError(f"{database}: no database to back up yet", hint="run `govwatch check` first")
    if target.resolve() == database.resolve():
        raise StoreError(f"{target}: is the database itself; give another file name")
    refuse_foreign(database)
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest, pages=PAGES_PER_STEP)
                dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                _check(dest, partial)
                events = dest.execute("SELECT count(*) FROM events").fetchone()[0]
            finally:
                dest.close()
        finally:
            source.close()
        os.replace(partial, target)
    except sqlite3.Error as e:
        raise StoreError(f"{target}: the backup failed: {e}",
                         hint="is the disk full or the folder read-only?") from None  # fmt: skip
    except OSError as e:
        raise StoreError(f"{target}: cannot write the backup: {e}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, events)


def restore(backup_file: Path, database: Path) -> Copied:
    """Replace `database`'s content by `backup_file`'s; the old one is kept as <database>.before-restore."""
    if not backup_file.exists():
        raise StoreError(f"{backup_file}: no such backup file")
    refuse_foreign(backup_file)
    running = monitor_running(database)
    if running:
        raise StoreError(f"{database}: `govwatch run` (pid {running}) is using it; stop it, then restore",
                         hint="restoring under a running monitor would mix two histories")  # fmt: skip
    try:
        source = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check(source, backup_file)
            if not source.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
                raise StoreError(f"{backup_file}: is not a govwatch backup (no events table)")
            events = source.execute("SELECT count(*) FROM events").fetchone()[0]
            if database.exists():
                refuse_foreign(database)
                backup(database, database.with_name(database.name + ".before-restore"))
            dest = sqlite3.connect(database, timeout=30)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=WAL")
            finally:
                dest.close()
        finally:
            source.close()
    except sqlite3.Error as e:
        raise StoreError(f"{database}: the restore failed: {e}",
                         hint="is the disk full or the folder read-only?") from None  # fmt: skip
    return Copied(database, database.stat().st_size, events)


def monitor_running(database: Path) -> int | None:
    """Return the pid of a `govwatch run` alive on `database` (by its heartbeat row), else None."""
    if not database.exists():
        return None
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT pid, stopped_at FROM daemon WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:  # no daemon table: never run
        return None
    if row is None or row[1] is not None or row[0] == os.getpid():
        return None
    return row[0] if pid_alive(row[0]) else None


def _check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise StoreError(f"{path}: fails SQLite's integrity check: {result}")
