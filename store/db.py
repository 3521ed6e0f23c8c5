"""Open the govwatch database: WAL mode, foreign keys, migrations applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from monitor.errors import StoreError
from store import migrations_deadlines as _deadlines  # noqa: F401  (registers its migrations)
from store import migrations_sweeps  # noqa: F401  (registers its migrations on `migrations`)
from store.foreign import mark_ours, refuse_foreign
from store.schema import PETITION_SEARCH_COLUMNS, migrations
import store.migrations_scrapyd  # noqa: F401  (registers its migration on `migrations`)

LOCK_WAIT = 30.0  # seconds a write waits for another process's lock ([govwatch] lock_wait)


def open_db(path: str | Path, *, migrate: bool = True, lock_wait: float | None = None) -> Database:
    """Open (creating if needed) the database at `path`, ready for reads and writes.

    `lock_wait` is how long a write waits for another process's write lock
    before it fails with "database is locked" (default LOCK_WAIT seconds).
    A file that is not a govwatch database is refused untouched (`refuse_foreign`).
    """
    path = Path(path)
    wait = LOCK_WAIT if lock_wait is None else lock_wait
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        refuse_foreign(path)  # before anything that could write to it (journal_mode=WAL does)
        conn = sqlite3.connect(path, timeout=wait, isolation_level=None, check_same_thread=False)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        if migrate:
            _migrate(db, path)
            mark_ours(path)  # never looked at again by a descriptor of its own while this connection is open
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the database: {e}",
                         hint="is it a govwatch database? Is the disk full or read-only?") from None
    except OSError as e:
        raise StoreError(f"{path}: cannot create the database: {e}") from None
    return db


def _migrate(db: Database, path: Path) -> None:
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise StoreError(
            f"{path}: the database was written by a newer govwatch (migrations {', '.join(unknown)})",
            hint="upgrade govwatch, or point [govwatch] database at another file",
        )
    migrations.apply(db)


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """Run a block as a write transaction: BEGIN IMMEDIATE, or a savepoint inside one.

    IMMEDIATE takes the write lock at the start and waits (busy_timeout) for it.
    A deferred BEGIN that reads first and writes later fails at once with
    SQLITE_BUSY when another process wrote in between, as several writers
    (two crawlers, `govwatch run` and a `govwatch check`) can.
    """
    if db.conn.in_transaction:
        with db.atomic():  # a savepoint
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    index_pending_search(db.conn)
    db.conn.execute("COMMIT")


def defer_search(conn: sqlite3.Connection) -> None:
    """Leave the petitions inserted from now to the end of the transaction to one search-index statement.

    Call it inside a write transaction (`writing`), which indexes them before it commits.
    """
    if not conn.in_transaction:
        raise RuntimeError("defer_search outside a write transaction: nothing would index the petitions")
    conn.execute("INSERT OR IGNORE INTO search_pending (id, since) SELECT 1, COALESCE(MAX(rowid), 0) + 1 FROM petitions")


def index_pending_search(conn: sqlite3.Connection) -> None:
    """Index for search, in one statement, the petitions `defer_search` left out (their current texts)."""
    row = conn.execute("SELECT since FROM search_pending").fetchone()
    if row is None:
        return
    listed = ", ".join(PETITION_SEARCH_COLUMNS)
    conn.execute(f"INSERT INTO petitions_fts (rowid, {listed}) SELECT rowid, {listed} FROM petitions WHERE rowid >= ?",
                 row)  # fmt: skip
    conn.execute("DELETE FROM search_pending")
