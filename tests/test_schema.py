"""Migrations on top of the petition tables: search that follows the texts, views for common joins."""

from __future__ import annotations

from store.db import open_db
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
