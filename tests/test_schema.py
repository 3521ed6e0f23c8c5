"""Migrations on top of the petition tables: search that follows the texts, views for common joins."""

from __future__ import annotations

from monitor.watchlist.config import PageWatch
from monitor.items import Observation, PageContent
from store.db import open_db
from store.pages import PageStore, encode_snapshot
from store.schema import migrations

PETITION = {"id": "example.org/1", "site": "https://example.org", "number": 1, "url": "https://example.org/1",
            "action": "Protect the Uyghur language", "first_seen_at": "2026-01-01T00:00:00.000Z",
            "changed_at": "2026-01-01T00:00:00.000Z", "count_changed_at": "2026-01-01T00:00:00.000Z",
            "content_hash": "h"}  # fmt: skip


def search(db, text: str) -> list[str]:
    return [r["id"] for r in db.query(
        "SELECT p.id FROM petitions_fts JOIN petitions p ON p.rowid = petitions_fts.rowid"
        " WHERE petitions_fts MATCH ?", [text])]  # fmt: skip


def test_upgrading_an_existing_history_indexes_what_it_holds(tmp_path):
    db = open_db(tmp_path / "old.db", migrate=False)
    migrations.apply(db, stop_before="0002_datasette")
    db["petitions"].insert(PETITION)
    db.close()
    db = open_db(tmp_path / "old.db")
    assert search(db, "Uyghur") == ["example.org/1"]
    assert {"petitions_latest", "events_with_petitions", "signature_curves"} <= set(db.view_names())


def test_search_follows_text_edits_and_ignores_count_updates(tmp_path):
    db = open_db(tmp_path / "h.db")
    db["petitions"].insert(PETITION)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    db.execute("UPDATE petitions SET signature_count = 10050, count_changed_at = 'x' WHERE id = 'example.org/1'")
    assert not any("petitions_fts" in s for s in statements)  # a count moving does not re-index the texts
    db.execute("UPDATE petitions SET response_summary = 'We raised Xinjiang at the UN' WHERE id = 'example.org/1'")
    db.conn.set_trace_callback(None)
    assert any("petitions_fts" in s for s in statements)
    assert search(db, "Xinjiang") == ["example.org/1"] and search(db, "Uyghur") == ["example.org/1"]
    db.execute("DELETE FROM petitions")
    assert search(db, "Uyghur") == []


def test_signature_curves_give_gains_and_rates(tmp_path):
    db = open_db(tmp_path / "h.db")
    db["petitions"].insert(PETITION)
    db["signature_counts"].insert_all([
        {"petition_id": "example.org/1", "observed_at": "2026-01-01T00:00:00.000Z", "signature_count": 9000},
        {"petition_id": "example.org/1", "observed_at": "2026-01-01T12:00:00.000Z", "signature_count": 9600},
        {"petition_id": "example.org/1", "observed_at": "2026-01-02T12:00:00.000Z", "signature_count": 10050},
    ])  # fmt: skip
    curve = list(db.query("SELECT gained, hours_since_previous, signatures_per_day FROM signature_curves"
                          " ORDER BY observed_at"))  # fmt: skip
    assert curve == [
        {"gained": None, "hours_since_previous": None, "signatures_per_day": None},
        {"gained": 600, "hours_since_previous": 12.0, "signatures_per_day": 1200.0},
        {"gained": 450, "hours_since_previous": 24.0, "signatures_per_day": 450.0},
    ]


# ---------------------------------------------------------------- pages

AT = "2026-01-01T00:00:00.000Z"


def page_content(*lines: str) -> PageContent:
    return PageContent(title="Open letter", lines=lines, line_paths=("article/p",) * len(lines))


def add_page(db, watch_id: str, content: PageContent) -> None:
    """Write a page the way PageStore did before 0004: its row, then its snapshot."""
    db["watches"].insert({"id": watch_id, "kind": "page", "url": f"https://example.org/{watch_id}",
                          "configured_url": f"https://example.org/{watch_id}", "added_at": AT})  # fmt: skip
    stored, compression = encode_snapshot(content)
    snapshot = db["page_snapshots"].insert({"watch_id": watch_id, "observed_at": AT, "hash": "h", "title": "t",
                                            "text_size": len(content.text), "compression": compression,
                                            "content": stored}).last_pk  # fmt: skip
    db["pages"].insert({"watch_id": watch_id, "url": f"https://example.org/{watch_id}", "title": content.title,
                        "first_seen_at": AT, "snapshot_id": snapshot})  # fmt: skip


def search_pages(db, text: str) -> list[str]:
    return [r["watch_id"] for r in db.query(
        "SELECT p.watch_id FROM pages_fts JOIN pages p ON p.rowid = pages_fts.rowid WHERE pages_fts MATCH ?"
        " ORDER BY p.watch_id", [text])]  # fmt: skip


def test_upgrading_a_history_with_pages_makes_their_text_searchable(tmp_path):
    db = open_db(tmp_path / "old.db", migrate=False)
    migrations.apply(db, stop_before="0004_page_search")
    add_page(db, "small", page_content("Friends of Tiananmen Mothers", "卓玛, 活动人士"))
    big = page_content("Friends of Tiananmen Mothers", *(f"Comment number {n}." for n in range(1000)))
    assert encode_snapshot(big)[1] == "zlib"
    add_page(db, "big", big)
    db.close()
    db = open_db(tmp_path / "old.db")
    assert search_pages(db, '"Tiananmen"') == ["big", "small"]
    assert search_pages(db, '"number 999"') == ["big"]  # read from the compressed snapshot
    assert search_pages(db, '"活动人士"') == ["small"]  # any substring of three characters, in any script
    [row] = db.query("SELECT text FROM pages WHERE watch_id = 'small'")
    assert row["text"] == "Friends of Tiananmen Mothers\n卓玛, 活动人士"


def test_page_search_follows_changes_and_ignores_polls_that_change_nothing(tmp_path):
    db = open_db(tmp_path / "h.db")
    watch = PageWatch(id="letter", kind="page", url="https://example.org/letter", entry="[[page]] #1")
    db["watches"].insert({"id": "letter", "kind": "page", "url": watch.url, "configured_url": watch.url,
                          "added_at": AT})  # fmt: skip
    store = PageStore(db)

    def poll(*lines: str) -> None:
        with db.atomic():
            store.record(watch, Observation(watch_id="letter", url=watch.url, kind="page", fetched_at=AT,
                                            status=200, page=page_content(*lines)))  # fmt: skip

    poll("Dear Members of Parliament,", "Padma Dolma, activist")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    poll("Dear Members of Parliament,", "Padma Dolma, activist")  # nothing changed but the poll time
    db.conn.set_trace_callback(None)
    assert any("UPDATE pages" in s for s in statements)  # the poll rewrites the row (url, title, encoding)...
    assert not any("pages_fts" in s for s in statements)  # ...and leaves the index alone
    assert search_pages(db, '"Padma Dolma"') == ["letter"] and search_pages(db, '"Ma Jian"') == []
    poll("Dear Members of Parliament,", "Padma Dolma, activist", "Ma Jian, writer")
    assert search_pages(db, '"Ma Jian"') == ["letter"]
    poll("Dear Members of Parliament,", "Ma Jian, writer")
    assert search_pages(db, '"Padma"') == [] and search_pages(db, '"Ma Jian"') == ["letter"]
