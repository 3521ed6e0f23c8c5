"""Whole-archive sweeps: a Parliament's record from its archived index, one summary event a sweep."""

from __future__ import annotations

import pytest

from monitor.watchlist.config import load_config
from monitor.errors import ConfigError
from monitor.items import Observation
from monitor.replica.documents import PARLIAMENT_NUMBERS
from tests.support.govwatch import PATIENT_HOST_RULES

PER_PARLIAMENT = 2500


def _archive(replica, first: int, period: str) -> None:
    """Add PER_PARLIAMENT closed petitions of `period`; every fifth past 10,000 and answered."""
    for n in range(first, first + PER_PARLIAMENT):
        answered = n % 5 == 0
        replica.add_petition(n, action=f"Archived petition {n}", signature_count=12_000 + n if answered else 50 + n,
                             state="closed", created_at="2018-06-03T13:52:40.093Z",
                             updated_at="2018-12-08T23:59:59.999Z")  # fmt: skip
        if answered:
            replica.respond(n, f"Response summary {n}", f"Response details {n}", "2018-11-30",
                            updated_at="2018-11-30T16:25:04.536Z")  # fmt: skip
        replica.archive(n, period, updated_at="2018-12-08T23:59:59.999Z")


def test_archive_sweep_of_two_parliaments_reads_only_the_index(replica, gw):
    _archive(replica, 1, "2017-2019")
    _archive(replica, 10_001, "2019-2024")
    replica.add_petition(99_999, action="An open petition", signature_count=5)  # not archived: not swept
    gw.hosts = PATIENT_HOST_RULES
    for period in ("2017-2019", "2019-2024"):
        gw.add(f'[[sweep]]\nsite = "{replica.url}"\narchived = true\nparliament = {PARLIAMENT_NUMBERS[period]}')
    replica.clear_log()
    gw.check()

    index = [r for r in replica.requests if r.path == "/archived/petitions.json"]
    assert len(index) == 2 * PER_PARLIAMENT // 50 <= 110 and {r.query["parliament"] for r in index} == {"3", "4"}
    assert all(r.query["count"] == "50" and r.query["state"] == "all" for r in index)
    assert [r.path for r in replica.requests if r.path not in ("/archived/petitions.json", "/robots.txt")] == []
    events = gw.events()
    assert sorted(e["kind"] for e in events) == ["sweep_started", "sweep_started"]
    assert sorted(e["data"]["petitions"] for e in events) == [PER_PARLIAMENT, PER_PARLIAMENT]
    rows = gw.query("SELECT number, archived, state, response_summary, government_response_at,"
                    " json_extract(parliament, '$.period') AS period FROM petitions")
    assert len(rows) == 2 * PER_PARLIAMENT and all(r["archived"] == 1 and r["state"] == "closed" for r in rows)
    answered = {r["number"]: r for r in rows if r["response_summary"]}
    assert len(answered) == 2 * PER_PARLIAMENT // 5
    assert answered[10_005]["response_summary"] == "Response summary 10005"
    assert answered[10_005]["government_response_at"] == "2018-11-30T16:25:04.536Z"
    assert {r["number"] // 10_000: r["period"] for r in rows} == {0: "2017-2019", 1: "2019-2024"}

    gw.check()  # the next pass: nothing changed, nothing new
    assert len(gw.events()) == 2


def test_archived_sweep_defaults_to_every_state_of_the_latest_parliament(gw):
    gw.add('[[sweep]]\nsite = "https://petition.parliament.uk"\narchived = true')
    gw.add('[[sweep]]\nsite = "https://petition.parliament.uk"\narchived = true\nparliament = 1\n'
           'state = "with_response"')
    latest, first = load_config(gw.config).watches
    assert latest.url == "https://petition.parliament.uk/archived/petitions.json?state=all&count=50"
    assert latest.id == "petition.parliament.uk/archived/latest/sweep/all" and latest.interval == 86400
    assert first.url == ("https://petition.parliament.uk/archived/petitions.json"
                         "?parliament=1&state=with_response&count=50")


@pytest.mark.parametrize("entry, message", [
    ("parliament = 3", "parliament chooses an archived Parliament: add archived = true"),
    ("archived = true\nparliament = 0", "expected the site's Parliament number"),
    ('archived = "yes"', "expected"),
])  # fmt: skip
def test_bad_archive_sweeps_are_refused(gw, entry, message):
    gw.add(f'[[sweep]]\nsite = "https://petition.parliament.uk"\n{entry}')
    with pytest.raises(ConfigError, match=message):
        load_config(gw.config)


def test_the_next_pass_decodes_only_the_entries_that_changed(tmp_path):
    from monitor.replica import documents
    from spiders.petition_json import index_entry
    from store.db import open_db
    from store.record import Recorder
    from store.watches import sync_watches

    site = "https://petition.parliament.uk"
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\ndatabase = "govwatch.db"\n[[sweep]]\nname = "s"\nsite = "{site}"\n')
    config = load_config(path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    recorder = Recorder(db, config)
    decoded: list[str] = []

    def page(counts: dict[int, int], at: str) -> list[str]:
        entries = []
        for number, count in counts.items():
            attributes = {name: None for name in documents.ATTRIBUTES} | {
                "action": f"Petition {number}", "state": "open", "signature_count": count}
            entry = index_entry(documents.index_entry(number, attributes, site), site)
            decode = entry.decode
            entry.decode = lambda decode=decode, key=entry.key: decoded.append(key) or decode()
            entries.append(entry)
        obs = Observation("s", f"{site}/petitions.json", "index", at, status=200, entries=entries, last_page=True)
        return [e.kind for e in recorder.record(obs)]

    assert page({1: 10, 2: 20, 3: 9_990}, "2026-01-01T00:00:00.000Z") == ["sweep_started"]
    assert len(decoded) == 3
    decoded.clear()
    assert page({1: 10, 2: 20, 3: 10_050}, "2026-01-01T00:10:00.000Z") == ["threshold_crossed"]
    assert decoded == ["petition.parliament.uk/3"]  # the two unchanged entries were only hashed
    db.close()
