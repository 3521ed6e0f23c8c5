"""govwatch's Datasette plugin, loaded with ``--plugins-dir``: a read-only history under any file name.

Datasette reads a mutable file through ``mode=ro`` connections but opens a
read-write one for canned write queries and write plugins; ``query_only`` on
every connection to a file refuses those writes too, while new rows written by
`govwatch check` (WAL) stay visible. The metadata describes the database as
"govwatch"; a history kept in another file gets the same descriptions and queries.

Page snapshots above 8 KB are stored zlib-compressed: the plugin adds the SQL
function ``page_text(content, compression)`` (a snapshot's text, one line a
block) and shows a compressed snapshot's JSON on the table pages instead of a
binary blob.
"""

from __future__ import annotations

import copy
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import markupsafe
import yaml
from datasette import hookimpl

from store.pages import decode_snapshot, snapshot_json

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
NAME = "govwatch"


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    """Make every connection to a database file read-only, the write connection included; add page_text()."""
    served = datasette.databases.get(database)
    if served is not None and served.path:
        conn.execute("PRAGMA query_only = 1")
    conn.create_function("page_text", 2, page_text, deterministic=True)


def page_text(content: bytes | str | None, compression: str | None) -> str | None:
    """Return a page snapshot's text, one line a block, whether it is stored compressed or not."""
    if content is None:
        return None
    return decode_snapshot(content, compression).text


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Show a compressed page snapshot as its JSON, as an uncompressed one shows, not as a binary blob."""
    if table != "page_snapshots" or column != "content" or not isinstance(value, bytes):
        return None
    try:  # the compression column may be hidden (_nocol): only zlib writes bytes there
        text = snapshot_json(value, "zlib")
    except (zlib.error, UnicodeDecodeError):
        return None
    limit = datasette.setting("truncate_cells_html")
    return markupsafe.escape(text[:limit] + "\u2026" if limit and len(text) > limit else text)


@cache
def _history_metadata() -> dict[str, Any]:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"][NAME]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    """Describe a history served under another name (e.g. history.db) as the govwatch one."""
    others = [name for name, db in datasette.databases.items() if db.path and name != NAME]
    # A copy: Datasette merges metadata sources in place.
    return {"databases": {name: copy.deepcopy(_history_metadata()) for name in others}} if others else {}
