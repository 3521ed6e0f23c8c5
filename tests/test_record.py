"""The Recorder in process: after a rolled-back write, the database, not a cache, says what is known."""

from __future__ import annotations

import pytest

from monitor.watchlist.config import load_config
from monitor.items import Observation, PageContent, PetitionState
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


def test_a_count_that_moves_with_the_content_stamps_count_changed_at(tmp_path):
    site = "https://petition.parliament.uk"
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[petition]]\nurl = "{site}/petitions/7"\n')
    config = load_config(path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config)

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
