"""The Recorder in process: after a rolled-back write, the database, not a cache, says what is known."""

from __future__ import annotations

import pytest

from monitor.watchlist.config import load_config
from monitor.items import Observation, PageContent, PetitionState
from monitor.jsonable import dumps
from store.db import open_db
from store.record import Recorder
from store.watches import sync_watches

URL = "https://example.org/letter"


def letter(*signatories: str) -> PageContent:
    lines = ("Dear Members of Parliament,", *signatories)
    return PageContent(title="Open letter", lines=lines, line_paths=("p", *("li",) * len(signatories)),
                       items=signatories, item_paths=("li",) * len(signatories))  # fmt: skip


def test_a_page_change_rolled_back_is_detected_again(tmp_path):
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[page]]\nname = "letter"\nurl = "{URL}"\n')
    config = load_config(path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    failures = [OSError("disk full")]

    def hook(db, event_id, event) -> None:  # an outbox write that fails once, as a full disk would
        if failures:
            raise failures.pop()

    recorder = Recorder(db, config, hooks=[hook])

    def poll(content: PageContent) -> list[str]:
        obs = Observation(watch_id="letter", url=URL, kind="page", fetched_at="2026-01-01T00:00:00.000Z",
                          status=200, page=content)  # fmt: skip
        return [e.kind for e in recorder.record(obs)]

    assert poll(letter("Padma Dolma, activist")) == []  # the baseline
    with pytest.raises(OSError):
        poll(letter("Padma Dolma, activist", "Ma Jian, writer"))
    assert db.execute("SELECT count(*) FROM page_snapshots").fetchone()[0] == 1  # the change was rolled back
    assert "list_item_added" in poll(letter("Padma Dolma, activist", "Ma Jian, writer"))
    assert db.execute("SELECT count(*) FROM page_snapshots").fetchone()[0] == 2
    db.close()


def _petition_7(tmp_path, site: str) -> tuple:
    """A database and its recorder for a watchlist of one petition, number 7 of `site`."""
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[petition]]\nurl = "{site}/petitions/7"\n')
    config = load_config(path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    return db, Recorder(db, config)


def test_a_count_that_moves_with_the_content_stamps_count_changed_at(tmp_path):
    site = "https://petition.parliament.uk"
    db, recorder = _petition_7(tmp_path, site)

    def poll(at: str, action: str, count: int) -> dict:
        state = PetitionState(site=site, number=7, action=action, state="open", signature_count=count)
        recorder.record(Observation(watch_id="petition.parliament.uk/7", url=f"{site}/petitions/7.json",
                                    kind="petition", fetched_at=at, status=200, petition=state))  # fmt: skip
        return next(db.query("SELECT signature_count, changed_at, count_changed_at FROM petitions"))

    first = poll("2026-01-01T00:00:00.000Z", "Save the bees", 100)
    assert first["count_changed_at"] == "2026-01-01T00:00:00.000Z"
    only_count = poll("2026-01-01T01:00:00.000Z", "Save the bees", 150)
    assert (only_count["changed_at"], only_count["count_changed_at"]) == (first["changed_at"], "2026-01-01T01:00:00.000Z")
    both = poll("2026-01-01T02:00:00.000Z", "Save the bees and the wasps", 200)
    assert both == {"signature_count": 200, "changed_at": "2026-01-01T02:00:00.000Z",
                    "count_changed_at": "2026-01-01T02:00:00.000Z"}  # fmt: skip
    only_content = poll("2026-01-01T03:00:00.000Z", "Save the bees, wasps and ants", 200)
    assert only_content["count_changed_at"] == "2026-01-01T02:00:00.000Z"
    db.close()


def test_the_content_hash_of_a_stored_petition_does_not_change_between_versions():
    """Databases keep content hashes: a new way of computing them must give the same ones, or every
    petition would look changed (a snapshot each) after an upgrade. The seed petition's, as first stored."""
    import orjson

    from monitor.replica import documents, seed
    from spiders.petition_json import petition_document

    parliament = {"period": "2017-2019", "response_threshold": 10_000, "debate_threshold": 100_000}
    doc = orjson.loads(documents.encode(documents.detail_document(seed.NUMBER, seed.attributes(),
                                                                  "https://petition.parliament.uk", parliament)))
    state, _, _ = petition_document(doc, "https://petition.parliament.uk")
    assert state.content_hash() == "a09c8c40521982945572465d4de366b551e2b807"
    # a first sweep's snapshot text and hash, made in one pass, are the same as made apart
    assert state.snapshot() == (dumps(state), "a09c8c40521982945572465d4de366b551e2b807")


def test_a_first_sweep_stores_each_petition_once_even_when_a_page_lists_it_twice(tmp_path):
    from dataclasses import replace

    from monitor.items import IndexEntry

    site = "https://petition.parliament.uk"
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[petition]]\nurl = "{site}/petitions/3"\n'
                    f'[[sweep]]\nsite = "{site}"\nstate = "all"\n')  # fmt: skip
    config = load_config(path)
    petition, sweep = config.watches
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config)

    def state(number: int, count: int, **changes) -> PetitionState:
        return PetitionState(site=site, number=number, action=f"Petition {number}", state="open",
                             signature_count=count, **changes)  # fmt: skip

    def entry(s: PetitionState) -> IndexEntry:
        return IndexEntry(key=s.key, signature_count=s.signature_count, entry_hash=s.content_hash(),
                          decode=lambda: s)  # fmt: skip

    recorder.record(Observation(watch_id=petition.id, url=petition.url, kind="petition", status=200,
                                fetched_at="2026-01-01T00:00:00.000Z", petition=state(3, 9_000)))  # fmt: skip
    answered = state(3, 10_050, response_threshold_reached_at="2026-01-01T12:00:00.000Z")
    page = [entry(state(1, 10)), entry(answered), entry(state(2, 20)), entry(state(1, 12)),
            entry(replace(state(4, 40), action="Petition 4, reworded"))]
    events = recorder.record(Observation(watch_id=sweep.id, url=sweep.url, kind="index", status=200,
                                         fetched_at="2026-01-02T00:00:00.000Z", entries=page, last_page=True))
    assert sorted(e.kind for e in events) == ["sweep_started", "threshold_crossed"]  # only news of the known one
    rows = db.execute("SELECT number, signature_count FROM petitions ORDER BY number").fetchall()
    assert rows == [(1, 12), (2, 20), (3, 10_050), (4, 40)]
    curve = db.execute("SELECT signature_count FROM signature_counts WHERE petition_id LIKE '%/1' ORDER BY 1")
    assert [c for (c,) in curve] == [12]  # one point a moment: the later entry's
    snapshots = db.execute("SELECT p.number FROM petition_snapshots s JOIN petitions p ON p.snapshot_id = s.id"
                           " ORDER BY 1").fetchall()  # every row names its own latest snapshot
    assert [n for (n,) in snapshots] == [1, 2, 3, 4]
    members = db.execute("SELECT count(*) FROM watch_petitions WHERE watch_id = ?", [sweep.id]).fetchone()[0]
    assert members == 4
    assert db.execute("SELECT count(*) FROM petitions_fts WHERE petitions_fts MATCH 'reworded'").fetchone()[0] == 1
    db.close()


def test_a_first_sweep_over_petitions_already_stored_writes_their_entry_hashes_and_members(tmp_path):
    """Known from full fetches, listed by a sweep: the next pass needs each row's entry hash, the sweep its members."""
    from monitor.items import IndexEntry

    site = "https://petition.parliament.uk"
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[petition]]\nurl = "{site}/petitions/1"\n'
                    f'[[petition]]\nurl = "{site}/petitions/2"\n[[sweep]]\nsite = "{site}"\nstate = "all"\n')
    config = load_config(path)
    first, second, sweep = config.watches
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config)
    one = PetitionState(site=site, number=1, action="Petition 1", state="open", signature_count=10)
    two = PetitionState(site=site, number=2, action="Petition 2", state="open", signature_count=20)
    for watch, s in ((first, one), (second, two)):
        recorder.record(Observation(watch_id=watch.id, url=watch.url, kind="petition", status=200,
                                    fetched_at="2026-01-01T00:00:00.000Z", petition=s))  # fmt: skip
    page = [IndexEntry(key=one.key, signature_count=10, entry_hash="a" * 40, decode=lambda: one),
            IndexEntry(key=two.key, signature_count=20, entry_hash="b" * 40, decode=lambda: two),
            IndexEntry(key=one.key, signature_count=10, entry_hash="c" * 40, decode=lambda: one)]  # listed again
    events = recorder.record(Observation(watch_id=sweep.id, url=sweep.url, kind="index", status=200,
                                         fetched_at="2026-01-02T00:00:00.000Z", entries=page, last_page=True))
    assert [e.kind for e in events] == ["sweep_started"]
    rows = db.execute("SELECT number, entry_hash FROM petitions ORDER BY number").fetchall()
    assert rows == [(1, "c" * 40), (2, "b" * 40)]  # the later listing's
    members = db.execute("SELECT petition_id FROM watch_petitions WHERE watch_id = ? ORDER BY 1", [sweep.id])
    assert [m for (m,) in members] == [one.key, two.key]
    db.close()


def test_a_with_response_page_fetched_before_an_edit_never_takes_the_petition_back(tmp_path):
    """The pass's page is one of many: recorded after the petition's own poll saw the edit, it is older news."""
    from monitor.items import IndexEntry
    from monitor.petition_state import GovernmentResponse

    site = "https://petition.parliament.uk"
    db, recorder = _petition_7(tmp_path, site)
    watch_id = "petition.parliament.uk/7"

    def state(summary: str, updated_at: str, count: int) -> PetitionState:
        response = GovernmentResponse(responded_on="2026-01-02", summary=summary, details="Details.",
                                      created_at="2026-01-02T10:00:00.000Z", updated_at=updated_at)  # fmt: skip
        return PetitionState(site=site, number=7, action="Save the bees", state="open", signature_count=count,
                             response_threshold_reached_at="2026-01-01T00:00:00.000Z",
                             government_response_at="2026-01-02T10:00:00.000Z", government_response=response,
                             updated_at=updated_at)  # fmt: skip

    def detail(at: str, petition: PetitionState) -> list[str]:
        return [e.kind for e in recorder.record(Observation(
            watch_id=watch_id, url=f"{site}/petitions/7.json", kind="petition", fetched_at=at, status=200,
            petition=petition))]  # fmt: skip

    def with_response_page(at: str, petition: PetitionState, entry_hash: str) -> list[str]:
        entry = IndexEntry(key=petition.key, signature_count=petition.signature_count, entry_hash=entry_hash,
                           decode=lambda: petition)  # fmt: skip
        return [e.kind for e in recorder.record(Observation(
            watch_id=watch_id, url=f"{site}/petitions.json?state=with_response&count=50", kind="responses",
            fetched_at=at, status=200, entries=[entry]))]  # fmt: skip

    first = state("The first summary.", "2026-01-02T10:00:00.000Z", 20_000)
    assert "response_published" in detail("2026-01-02T11:00:00.000Z", first)
    revised = state("The revised summary.", "2026-01-03T09:00:00.000Z", 20_300)
    assert detail("2026-01-03T09:30:00.000Z", revised) == ["response_updated"]
    # the pass's page was fetched at 08:59, before the edit, and is recorded now: nothing goes back
    assert with_response_page("2026-01-03T08:59:00.000Z", state("The first summary.", "2026-01-03T08:58:00.000Z",
                                                                 20_250), "an older entry") == []  # fmt: skip
    [row] = db.query("SELECT response_summary, signature_count FROM petitions")
    assert row == {"response_summary": "The revised summary.", "signature_count": 20_300}
    # a later page that shows a newer edit is taken, as before
    newer = state("The third summary.", "2026-01-04T09:00:00.000Z", 20_400)
    assert with_response_page("2026-01-04T09:10:00.000Z", newer, "a newer entry") == ["response_updated"]
    assert next(db.query("SELECT response_summary FROM petitions"))["response_summary"] == "The third summary."
    db.close()
