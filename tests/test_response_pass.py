"""Response edits within one poll interval: a with_response index pass per site, not full fetches."""

from __future__ import annotations

import sqlite3


def _paths(replica) -> list[str]:
    return sorted(r.path for r in replica.requests if r.path != "/robots.txt")


def _an_interval_passes(gw) -> None:
    """Move the last pass ten minutes (the default interval) back, as if the next scheduled poll had come."""
    with sqlite3.connect(gw.database) as conn:
        conn.execute("UPDATE observations SET first_at = strftime('%Y-%m-%dT%H:%M:%fZ', first_at, '-600 seconds'),"
                     " last_at = strftime('%Y-%m-%dT%H:%M:%fZ', last_at, '-600 seconds') WHERE kind = 'responses'")
    conn.close()


def test_response_edited_while_the_count_moves_is_seen_at_the_next_poll(replica, gw):
    replica.add_petition(1, action="Fund the buses", signature_count=20_000)
    replica.respond(1, "The first summary.", "The first details.")
    for n in range(2, 60):  # other answered petitions: the pass walks two index pages
        replica.add_petition(n, signature_count=11_000 + n)
        replica.respond(n, f"Summary {n}.", f"Details {n}.")
    gw.add(f'[[petition]]\nid = 1\nsite = "{replica.url}"')
    gw.check()  # the first poll: the full document
    first = len(gw.events())

    replica.sign(1, 20_100)
    replica.clear_log()
    gw.check()  # count.json, and the site's first pass through the with_response index
    assert _paths(replica) == ["/petitions.json", "/petitions.json", "/petitions/1/count.json"]
    assert len(gw.events()) == first

    replica.sign(1, 20_200)
    replica.clear_log()
    gw.check()  # a poll within the same interval: count.json alone
    assert _paths(replica) == ["/petitions/1/count.json"]

    _an_interval_passes(gw)
    replica.sign(1, 20_300)
    replica.edit_response(1, summary="The revised summary.")
    replica.clear_log()
    gw.check()
    assert _paths(replica) == ["/petitions.json", "/petitions.json", "/petitions/1/count.json"]
    [updated] = [e for e in gw.events()[first:]]
    assert updated["kind"] == "response_updated" and "The revised summary." in updated["summary"] + str(updated["data"])
    [row] = gw.query("SELECT response_summary, signature_count FROM petitions WHERE number = 1")
    assert row == {"response_summary": "The revised summary.", "signature_count": 20_300}
    index = [r for r in gw.query("SELECT DISTINCT url FROM observations WHERE kind = 'responses'")]
    assert index and all("state=with_response" in r["url"] and "count=50" in r["url"] for r in index)


def test_no_pass_for_a_petition_without_a_response(replica, gw):
    replica.add_petition(1, signature_count=20_000)
    gw.add(f'[[petition]]\nid = 1\nsite = "{replica.url}"')
    gw.check()
    replica.sign(1, 20_100)
    replica.clear_log()
    gw.check()
    assert _paths(replica) == ["/petitions/1/count.json"]
