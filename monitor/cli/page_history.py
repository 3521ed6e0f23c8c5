"""A page's history for `govwatch history PAGE`: its snapshots, the diff between any two, counts and events.

Snapshots are numbered from 1 (the first poll) in the order they were taken;
by default the diff is between the last two.
"""

from __future__ import annotations

from typing import Any

from monitor.watchlist.config import Config, PageWatch
from monitor.detect.diff import diff_text, word_changes
from monitor.errors import GovwatchError, NotFound
from monitor.items import to_jsonable
from store import queries
from store.db import open_db
from store.pages import snapshot_rows


def find_page(config: Config, name: str) -> PageWatch | None:
    """Return the page watch named by `name` (its id or its URL), or None if it names no page."""
    text = name.strip()
    for watch in config.watches:
        if isinstance(watch, PageWatch) and text in (watch.id, watch.url, watch.url.rstrip("/")):
            return watch
    return None


def page_history(config: Config, watch: PageWatch, between: tuple[int, int] | None = None,
                 show: int | None = None) -> dict[str, Any]:  # fmt: skip
    """Return a page's snapshots, the diff between two of them (default: the last two), counts and events.

    With `show`, add that snapshot's text and list (compressed snapshots are decompressed).
    """
    db = open_db(config.settings.database)
    try:
        snaps = snapshot_rows(db, watch.id)
        row = next(db.query("SELECT * FROM pages WHERE watch_id = ?", [watch.id]), None)
        counts = list(db.query("SELECT observed_at, count FROM page_counts WHERE watch_id = ? ORDER BY observed_at",
                               [watch.id]))  # fmt: skip
        noise = [r["rule"] for r in db.query("SELECT rule FROM page_noise WHERE watch_id = ? ORDER BY learned_at",
                                             [watch.id])]  # fmt: skip
        found = queries.events(db, watch=watch.id)
    finally:
        db.close()
    if not snaps:
        raise NotFound(f"no snapshot of page {watch.id!r} yet", hint="run `govwatch check` first")
    first, last = between or (max(len(snaps) - 1, 1), len(snaps))
    for number in (first, last, *([show] if show is not None else [])):
        if not 1 <= number <= len(snaps):
            raise GovwatchError(f"page {watch.id!r} has no snapshot {number} (it has 1 to {len(snaps)})",
                                hint="`govwatch history PAGE` lists them")  # fmt: skip
    before, after = snaps[first - 1]["content"], snaps[last - 1]["content"]
    return {
        "page": watch.id, "url": watch.url, "title": row["title"] if row else None,
        "count": row["count"] if row else None,
        "snapshots": [
            {"number": i, "observed_at": s["observed_at"], "hash": s["hash"], "lines": len(s["content"].lines),
             "items": len(s["content"].items)}
            for i, s in enumerate(snaps, start=1)
        ],
        "diff": {
            "from": first, "to": last, "text": diff_text(before.text, after.text),
            "words": word_changes(before.text, after.text),
            "items_added": sorted(set(after.items) - set(before.items)),
            "items_removed": sorted(set(before.items) - set(after.items)),
        },
        "counts": counts, "noise": noise,
        "events": [to_jsonable(e) for e in reversed(found)],
        "shown": _shown(snaps, show) if show is not None else None,
    }  # fmt: skip


def _shown(snaps: list[dict[str, Any]], number: int) -> dict[str, Any]:
    snap = snaps[number - 1]
    content = snap["content"]
    return {"number": number, "observed_at": snap["observed_at"], "title": snap["title"],
            "text": content.text, "items": list(content.items)}  # fmt: skip


def page_history_text(data: dict[str, Any]) -> str:
    """Format a page history for a terminal."""
    count = f", count {data['count']:,}" if data["count"] is not None else ""
    lines = [data["title"] or data["page"], f"{data['url']}  ({len(data['snapshots'])} snapshots{count})", "",
             "Snapshots:"]  # fmt: skip
    lines += [f"  {s['number']:>3}  {s['observed_at'][:19].replace('T', ' ')}  {s['lines']:>5} lines  "
              f"{s['items']:>4} items" for s in data["snapshots"]]  # fmt: skip
    diff = data["diff"]
    lines += ["", f"Changes from snapshot {diff['from']} to {diff['to']}:"]
    if diff["from"] == diff["to"] or not diff["text"]:
        lines.append("  (none)")
    lines += [f"  {line}" for line in diff["text"].splitlines()]
    if diff["words"]:
        lines += ["", "Edited:"] + [f"  {w}" for w in diff["words"]]
    for label, key in (("Added to the list", "items_added"), ("Removed from the list", "items_removed")):
        if diff[key]:
            lines += ["", f"{label}:"] + [f"  {item}" for item in diff[key]]
    if data["counts"]:
        lines += ["", "Count:"] + [f"  {c['observed_at'][:19].replace('T', ' ')}  {c['count']:>10,}"
                                   for c in data["counts"]]  # fmt: skip
    if data["noise"]:
        lines += ["", "Ignored as noise (learned):"] + [f"  {rule}" for rule in data["noise"]]
    lines += ["", "Events:"] + [f"  {e['detected_at'][:10]}  {e['title']}" for e in data["events"]]
    if data.get("shown"):
        shown = data["shown"]
        lines += ["", f"Snapshot {shown['number']} ({shown['observed_at'][:19].replace('T', ' ')}): "
                      f"{shown['title'] or ''}".rstrip()]  # fmt: skip
        lines += [f"  {line}" for line in shown["text"].splitlines()]
    return "\n".join(lines)
