"""govwatch's Datasette plugin, loaded with ``--plugins-dir``: a read-only history under any file name.

Datasette reads a mutable file through ``mode=ro`` connections but opens a
read-write one for canned write queries and write plugins; ``query_only`` on
every connection to a file refuses those writes too, while new rows written by
`govwatch check` (WAL) stay visible. The metadata describes the database as
"govwatch"; a history kept in another file gets the same descriptions and queries.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from datasette import hookimpl

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
NAME = "govwatch"


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    """Make every connection to a database file read-only, the write connection included."""
    served = datasette.databases.get(database)
    if served is not None and served.path:
        conn.execute("PRAGMA query_only = 1")


@cache
def _history_metadata() -> dict[str, Any]:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"][NAME]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    """Describe a history served under another name (e.g. history.db) as the govwatch one."""
    others = [name for name, db in datasette.databases.items() if db.path and name != NAME]
    # A copy: Datasette merges metadata sources in place.
    return {"databases": {name: copy.deepcopy(_history_metadata()) for name in others}} if others else {}
