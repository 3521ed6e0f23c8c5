"""The petitions' search index stays true when a bulk insert leaves its indexing to the end of the transaction."""

from __future__ import annotations

import pytest

from monitor.items import PetitionState
from store.db import defer_search, open_db, writing
from store.petitions import PetitionStore

SITE = "https://petition.parliament.uk"
AT = "2026-01-01T00:00:00.000Z"


def petition(number: int, action: str) -> PetitionState:
    return PetitionState(site=SITE, number=number, action=action, state="open", signature_count=10 * number)


def fresh(*states: PetitionState) -> list[tuple[PetitionState, None]]:
    return [(s, None) for s in states]


def found(db, words: str) -> list[int]:
    return sorted(r[0] for r in db.conn.execute(
        "SELECT p.number FROM petitions_fts JOIN petitions p ON p.rowid = petitions_fts.rowid"
        " WHERE petitions_fts MATCH ?", [words]))  # fmt: skip


def intact(db) -> None:
    """FTS5's own check: the index holds exactly the current texts of the content table."""
    db.conn.execute("INSERT INTO petitions_fts (petitions_fts, rank) VALUES ('integrity-check', 1)")


def test_petitions_stored_in_bulk_are_searchable_with_the_texts_they_have_at_the_commit(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    store = PetitionStore(db)
    with writing(db):
        store.write(petition(1, "Fund public libraries"), AT)  # indexed by its trigger, before the bulk
    with writing(db):
        store.insert_new(fresh(petition(2, "Protect ancient woodland"), petition(3, "Ban bottom trawling")), AT)
        assert found(db, "woodland") == []  # not indexed row by row
        store.write(petition(3, "Ban bottom trawling in marine parks"), AT)  # edited before the commit
        store.write(petition(1, "Fund public libraries and museums"), AT)  # an older row edited meanwhile
        store.write(petition(4, "Lower the voting age"), AT)  # a single new row inside the bulk's window
    assert found(db, "woodland") == [2]
    assert found(db, "marine") == [3] and found(db, "trawling") == [3]
    assert found(db, "museums") == [1] and found(db, "libraries") == [1]
    assert found(db, "voting") == [4]
    assert db.conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    intact(db)
    db.close()


def test_a_bulk_insert_rolled_back_leaves_neither_rows_nor_index_entries(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    store = PetitionStore(db)
    with pytest.raises(OSError), writing(db):
        store.insert_new(fresh(petition(2, "Protect ancient woodland")), AT)
        raise OSError("disk full")
    assert db.conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    store.forget()
    with writing(db):
        store.write(petition(5, "Keep rural bus routes"), AT)  # the triggers index again
    assert found(db, "woodland") == [] and found(db, "rural") == [5]
    intact(db)
    db.close()


def test_deferring_outside_a_transaction_is_refused(tmp_path):
    db = open_db(tmp_path / "govwatch.db")
    with pytest.raises(RuntimeError, match="outside a write transaction"):
        defer_search(db.conn)
    db.close()
