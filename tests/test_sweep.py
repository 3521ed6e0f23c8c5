"""Sweeps: index pages as observations, discovery without a flood."""

from __future__ import annotations

import sqlite3

from tests.support.govwatch import PATIENT_HOST_RULES


def test_first_sweep_records_silently_then_new_petitions_are_discovered(replica, gw):
    for n in range(1, 121):
        replica.add_petition(n, action=f"Petition {n} about China" if n % 2 else f"Petition {n} about trains",
                             signature_count=1000 + n)
    gw.add(f'[[sweep]]\nsite = "{replica.url}"\nstate = "open"\nquery = "China"')
    gw.check()
    assert [e["kind"] for e in gw.events()] == ["sweep_started"]
    assert gw.events()[0]["data"]["petitions"] == 60
    index = [r for r in replica.requests if r.path == "/petitions.json"]
    assert len(index) == 2 and all(r.query.get("count") == "50" for r in index)

    replica.add_petition(500, action="Sanction officials in China", signature_count=3)
    replica.sign(7, 10_500)
    gw.check()
    new = sorted(e["key"].split("/", 2)[2] for e in gw.events()[1:])
    assert new == ["500/discovered", "7/threshold/10000"]
    gw.check()
    assert len(gw.events()) == 3


def test_sweep_entries_are_petition_states(replica, gw):
    replica.add_petition(1, action="China trade", signature_count=10)
    gw.add(f'[[sweep]]\nsite = "{replica.url}"\nquery = "China"')
    gw.check()
    [row] = gw.query("SELECT id, action, signature_count, state FROM petitions")
    assert row["action"] == "China trade" and row["signature_count"] == 10 and row["state"] == "open"


def test_pages_after_the_first_are_fetched_side_by_side_and_a_failed_one_leaves_the_pass_open(replica, gw):
    for n in range(1, 121):  # three index pages of 50
        replica.add_petition(n, signature_count=1000 + n)
    gw.hosts = PATIENT_HOST_RULES  # the requests are counted
    replica.fault("500", path=r"[?&]page=2(&|$)")
    gw.add(f'[[sweep]]\nsite = "{replica.url}"\nstate = "open"')
    gw.check()
    pages = sorted(r.query.get("page", "1") for r in replica.requests if r.path == "/petitions.json")
    assert pages[0] == "1" and "3" in pages and set(pages) == {"1", "2", "3"}  # page 3 did not wait for page 2
    assert gw.events() == []  # a pass with a missing page is not complete: no summary yet
    assert gw.query("SELECT last_outcome FROM watches")[0]["last_outcome"] in ("error", "changed")

    replica.clear_faults()
    replica.clear_log()
    gw.check()
    assert [e["kind"] for e in gw.events()] == ["sweep_started"] and gw.events()[0]["data"]["petitions"] == 120
    pages = [r.query.get("page", "1") for r in replica.requests if r.path == "/petitions.json"]
    assert sorted(pages) == ["1", "2", "3"]  # each page once a pass


def test_a_page_the_same_as_last_pass_is_not_decoded_and_a_changed_one_is(replica, gw):
    for n in range(1, 121):  # three index pages of 50, by signatures: 120…71, 70…21, 20…1
        replica.add_petition(n, signature_count=1000 + n)
    gw.add(f'[[sweep]]\nsite = "{replica.url}"\nstate = "open"')
    gw.check()
    hashes = {r["url"]: r["hash"] for r in gw.query("SELECT url, hash FROM index_pages")}
    assert sorted(int(url.split("page=")[1].split("&")[0]) for url in hashes) == [2, 3]  # page 1 is always read

    # Mark what a decoded entry would overwrite: a petition of page 2 (unchanged) and one of page 3 (changed).
    conn = sqlite3.connect(gw.database)
    with conn:
        conn.execute("UPDATE petitions SET entry_hash = 'stale' WHERE number IN (40, 6)")
    conn.close()
    replica.respond(5, "The government will act.", "Details of the response.")
    gw.check()
    rows = {r["number"]: r["entry_hash"]
            for r in gw.query("SELECT number, entry_hash FROM petitions WHERE number IN (40, 6)")}
    assert rows[40] == "stale"  # page 2 is the page recorded last pass: not decoded, nothing rewritten
    assert rows[6] != "stale"  # page 3 changed (petition 5's response): decoded, every entry compared
    assert [e["kind"] for e in gw.events()] == ["sweep_started", "response_published"]
    after = {r["url"]: r["hash"] for r in gw.query("SELECT url, hash FROM index_pages")}
    assert [url for url in hashes if after[url] != hashes[url]] == [u for u in hashes if "page=3" in u]


def test_a_sweep_knows_petitions_stored_from_their_detail_documents_by_their_entries_hash(replica, gw):
    """A detail document stores the hash its petition's index entry has when they agree, open or archived,
    so the first sweep over watched petitions finds their entries as stored without decoding them."""
    from tests.support.http import get_json

    from spiders.petition_json import index_document

    for n in range(1, 6):
        replica.add_petition(n, signature_count=20_000 + n)
    replica.respond(2, "The government will act.", "Details of the response.")
    replica.seed()  # the archived petition 221342, with its Parliament beside its attributes
    for number in (1, 2):
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
    gw.add(f'[[petition]]\nurl = "{replica.url}/archived/petitions/221342"')
    gw.check()
    stored = {r["number"]: r["entry_hash"] for r in gw.query("SELECT number, entry_hash FROM petitions")}
    entries = [*index_document(get_json(f"{replica.url}/petitions.json?state=open&count=50"), replica.url)[0],
               *index_document(get_json(f"{replica.url}/archived/petitions.json?count=50"), replica.url)[0]]
    hashes = {int(e.key.rsplit("/", 1)[1]): e.entry_hash for e in entries}
    assert stored == {n: hashes[n] for n in (1, 2, 221342)}
    snapshots = gw.query("SELECT count(*) AS n FROM petition_snapshots")[0]["n"]
    before = len(gw.events())  # the watched petitions' own history

    replica.respond(1, "A response published after the detail poll.", "Its details.")  # page 1 now differs for 1
    gw.add(f'[[sweep]]\nsite = "{replica.url}"\nstate = "open"')
    gw.check()
    assert [e["kind"] for e in gw.events()[before:]] == ["response_published", "sweep_started"]  # 2: as stored
    assert gw.query("SELECT count(*) AS n FROM petition_snapshots")[0]["n"] == snapshots + 4  # 1 changed; 3, 4, 5 new
