"""Persist pages: the current state, snapshots on change, the count series and learned noise.

A snapshot is written only when the content hash changes (a moving count is
not a change: it goes to `page_counts`), zlib-compressed when it is large.
A failed poll or an empty extraction is an error observation, recorded by
`store.record` like any other: nothing of it reaches this module.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, replace
from typing import Any

from sqlite_utils import Database

from monitor.watchlist.config import PageWatch, Watch
from monitor.detect.pages import detect_page
from monitor.items import Event, Observation, PageContent
from monitor.detect.page_noise import LINE, drop, matches

COMPRESS_OVER = 8 * 1024  # bytes of JSON: smaller snapshots stay readable text in Datasette


@dataclass(slots=True)
class KnownPage:
    """What the store remembers of a page to tell quickly whether it changed."""

    content_hash: str | None
    count: int | None
    snapshot_id: int | None


@dataclass(frozen=True, slots=True)
class PageBrief:
    """What the planner hands the pages spider: the stored hash and the noise rules."""

    content_hash: str | None
    noise: tuple[str, ...]


def page_briefs(db: Database) -> dict[str, PageBrief]:
    """Return, by watch id, each page's stored content hash and learned noise rules."""
    rules: dict[str, list[str]] = {}
    for r in db.query("SELECT watch_id, rule FROM page_noise ORDER BY watch_id, learned_at, rule"):
        rules.setdefault(r["watch_id"], []).append(r["rule"])
    hashes = {r["watch_id"]: r["content_hash"] for r in db.query("SELECT watch_id, content_hash FROM pages")}
    return {w: PageBrief(hashes.get(w), tuple(rules.get(w, ()))) for w in hashes.keys() | rules.keys()}


def encode_snapshot(content: PageContent) -> tuple[bytes | str, str | None]:
    """Return a snapshot's stored form: JSON text, or zlib-compressed JSON when large."""
    text = json.dumps(content.state(), ensure_ascii=False, separators=(",", ":"))
    data = text.encode("utf-8")
    if len(data) > COMPRESS_OVER:
        return zlib.compress(data, 6), "zlib"
    return text, None


def snapshot_json(content: bytes | str, compression: str | None) -> str:
    """Return a stored snapshot's JSON text, decompressed when it was stored compressed."""
    if compression == "zlib":
        return zlib.decompress(content).decode("utf-8")
    return content.decode("utf-8") if isinstance(content, bytes) else content


def decode_snapshot(content: bytes | str, compression: str | None) -> PageContent:
    """Rebuild a PageContent from a stored snapshot."""
    return PageContent.from_state(json.loads(snapshot_json(content, compression)))


class PageStore:
    """Reads and writes pages in one database."""

    def __init__(self, db: Database):
        self.db = db
        self._known: dict[str, KnownPage | None] = {}

    def known(self, watch_id: str) -> KnownPage | None:
        """Return what is known of a watch's page, or None if it was never polled."""
        if watch_id not in self._known:
            row = next(self.db.query(
                "SELECT content_hash, count, snapshot_id FROM pages WHERE watch_id = ?",
                [watch_id],
            ), None)  # fmt: skip
            self._known[watch_id] = KnownPage(**row) if row else None
        return self._known[watch_id]

    def state(self, watch_id: str) -> PageContent | None:
        """Return the last stored content of a page, with its current count."""
        known = self.known(watch_id)
        if known is None or known.snapshot_id is None:
            return None
        row = next(self.db.query("SELECT content, compression FROM page_snapshots WHERE id = ?", [known.snapshot_id]))
        return replace(decode_snapshot(row["content"], row["compression"]), count=known.count)

    # ------------------------------------------------------------ recording

    def record(self, watch: Watch, obs: Observation) -> tuple[str, list[Event]]:
        """Store a successful poll of a page; return the outcome and the events it implies."""
        if obs.not_modified:
            return "not_modified", []
        new, at = obs.page, obs.fetched_at
        if new.learned:
            self._learn(watch.id, new, at)
        known = self._row(watch, obs)
        new_hash = new.content_hash()
        if known.content_hash is None:  # first sight: the baseline
            self._snapshot(watch.id, new, new_hash, at)
            self._count(watch.id, new.count, at)
            return "changed", []
        content_changed = known.content_hash != new_hash
        if content_changed:
            previous = self.state(watch.id)
            if new.learned:  # compare like with like: the old text without what is now known to be noise
                previous = drop(previous, new.learned)
            self._snapshot(watch.id, new, new_hash, at)
        else:
            previous = replace(new, count=known.count)
        count_moved = self._count(watch.id, new.count, at)
        if not (content_changed or count_moved):
            return "unchanged", []  # the same content and count: no detector can find anything
        return "changed", detect_page(previous, new, _page_watch(watch))

    def _row(self, watch: Watch, obs: Observation) -> KnownPage:
        """Create or update the pages row for this poll."""
        page, url = obs.page, obs.final_url or obs.url
        known = self.known(watch.id)
        if known is None:
            self.db.execute(
                "INSERT INTO pages (watch_id, url, title, first_seen_at, encoding) VALUES (?, ?, ?, ?, ?)",
                [watch.id, url, page.title, obs.fetched_at, page.encoding],
            )
            known = self._known[watch.id] = KnownPage(None, None, None)
        else:
            self.db.execute("UPDATE pages SET url = ?, title = COALESCE(?, title), encoding = COALESCE(?, encoding)"
                            " WHERE watch_id = ?", [url, page.title, page.encoding, watch.id])  # fmt: skip
        return known

    def _snapshot(self, watch_id: str, content: PageContent, content_hash: str, at: str) -> None:
        stored, compression = encode_snapshot(content)
        snapshot_id = self.db.execute(
            "INSERT INTO page_snapshots (watch_id, observed_at, hash, title, text_size, compression, content)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [watch_id, at, content_hash, content.title, len(content.text), compression, stored],
        ).lastrowid
        self.db.execute(
            "UPDATE pages SET content_hash = ?, snapshot_id = ?, changed_at = ?, lines = ?, items = ?, text = ?"
            " WHERE watch_id = ?",
            [content_hash, snapshot_id, at, len(content.lines), len(content.items), content.text, watch_id],
        )
        known = self._known[watch_id]
        known.content_hash, known.snapshot_id = content_hash, snapshot_id

    def _count(self, watch_id: str, count: int | None, at: str) -> bool:
        """Store a count that moved (or was first seen); return whether it did."""
        known = self._known[watch_id]
        if count is None or count == known.count:
            return False
        self.db.execute("UPDATE pages SET count = ?, count_changed_at = ? WHERE watch_id = ?", [count, at, watch_id])
        self.db.execute("INSERT OR REPLACE INTO page_counts (watch_id, observed_at, count) VALUES (?, ?, ?)",
                        [watch_id, at, count])  # fmt: skip
        known.count = count
        return True

    def _learn(self, watch_id: str, content: PageContent, at: str) -> None:
        line_rules = tuple(r for r in content.learned if r.startswith(LINE))
        for rule in content.learned:
            # An example for Datasette readers: a line the rule matches, or (for a place) one no line rule took.
            examples = [t for t in content.noise if matches((rule,), t, "")] if rule.startswith(LINE) else [
                t for t in content.noise if not matches(line_rules, t, "")]  # fmt: skip
            self.db.execute(
                "INSERT OR IGNORE INTO page_noise (watch_id, rule, example, learned_at) VALUES (?, ?, ?, ?)",
                [watch_id, rule, examples[0] if examples else None, at],
            )

    def forget(self) -> None:
        """Drop the cache (after a rolled-back transaction)."""
        self._known.clear()


def _page_watch(watch: Watch) -> PageWatch:
    if not isinstance(watch, PageWatch):
        raise TypeError(f"watch {watch.id!r} is a {watch.kind}, not a page")
    return watch


def snapshot_rows(db: Database, watch_id: str) -> list[dict[str, Any]]:
    """Return a page's snapshots (id, observed_at, hash, title, content as PageContent), oldest first."""
    rows = db.query(
        "SELECT id, observed_at, hash, title, compression, content FROM page_snapshots WHERE watch_id = ? ORDER BY id",
        [watch_id],
    )
    return [
        {"id": r["id"], "observed_at": r["observed_at"], "hash": r["hash"], "title": r["title"],
         "content": decode_snapshot(r["content"], r["compression"])}  # fmt: skip
        for r in rows
    ]
