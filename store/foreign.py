"""Refuse, untouched, a database file that govwatch did not create.

Opening a file with SQLite and setting WAL mode writes to it; migrating adds
tables. Pointing `[govwatch] database` at the wrong file (a spreadsheet, a
backup of something else, another program's SQLite database) must change
none of its bytes: it is looked at read-only first, and refused with the
file's name when it is not ours.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATION_SET = "govwatch"  # the sqlite-utils migration set of store.schema
HINT = "point [govwatch] database at another file (govwatch leaves this one as it is)"


_OURS: set[tuple[str, int]] = set()  # (file, inode) already found to be govwatch's in this process


def mark_ours(path: Path) -> None:
    """Note that `path` is govwatch's database (`open_db` migrated it): later opens do not look at it again.

    Not only for speed: looking reads the file's first bytes through a file descriptor of
    its own, and closing any descriptor of a file drops every POSIX lock this process
    holds on it, those of its open SQLite connections included. Another process closing
    its connection would then find no other user, checkpoint and delete the write-ahead
    log under this one's writes ("database disk image is malformed", writes lost).
    """
    try:
        _OURS.add((str(path), path.stat().st_ino))
    except OSError:
        pass


def refuse_foreign(path: Path) -> None:
    """Raise StoreError when `path` exists and is not an (empty or) govwatch SQLite database.

    It must run before this process opens an SQLite connection to `path` (see `mark_ours`).
    """
    try:
        if (str(path), path.stat().st_ino) in _OURS:
            return  # `govwatch run` opens the database at every step: look once
    except OSError:
        pass
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a database file", hint=HINT) from None
    except OSError as e:
        raise StoreError(f"{path}: cannot read the database: {e}") from None
    if not head:
        return  # an empty file: SQLite treats it as a new database
    if head != SQLITE_HEADER:
        raise StoreError(f"{path}: is not a SQLite database (it starts with {head[:8]!r})", hint=HINT)
    tables, sets = _look(path)
    if MIGRATION_SET in sets:
        mark_ours(path)
    if not tables or MIGRATION_SET in sets:
        return
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise StoreError(f"{path}: is the SQLite database of another program (tables {shown}), not govwatch's",
                     hint=HINT)  # fmt: skip


def _look(path: Path) -> tuple[set[str], set[str]]:
    """Return the file's table names and sqlite-utils migration sets, reading it read-only."""
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as e:
        raise StoreError(f"{path}: cannot open the database read-only: {e}") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        sets: set[str] = set()
        if "_sqlite_migrations" in tables:
            sets = {r[0] for r in conn.execute("SELECT DISTINCT migration_set FROM _sqlite_migrations")}
        return tables, sets
    except sqlite3.DatabaseError as e:
        if "not a database" in str(e):
            raise StoreError(f"{path}: is not a SQLite database ({e})", hint=HINT) from None
        raise StoreError(f"{path}: cannot read the database: {e}",
                         hint="is the disk full, or the file unreadable?") from None  # fmt: skip
    finally:
        conn.close()
