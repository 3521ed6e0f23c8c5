"""[[trending]] watches: /trending.json, one petition_trending event per petition per day, counts kept."""

from __future__ import annotations

import feedparser
import pytest

from monitor.watchlist.config import load_config
from monitor.errors import ConfigError
from tests.support.govwatch import PATIENT_HOST_RULES


def test_trending_petitions_make_one_event_a_day_and_a_curve(replica, gw):
    gw.hosts = PATIENT_HOST_RULES  # the requests are counted
    for n in (1, 2, 3):
        replica.add_petition(n, action=f"Petition {n}", signature_count=100)
    replica.sign(1, 5_000)  # 4,900 in the last hour
    replica.sign(2, 300)  # trending, but below min_signatures
    gw.add(f'[[trending]]\nsite = "{replica.url}"\nmin_signatures = 1000\ntags = ["hot"]')
    replica.clear_log()
    gw.check()

    [event] = gw.events()
    assert event["kind"] == "petition_trending" and event["petition_id"].endswith("/1")
    assert event["data"] == {"number": 1, "signatures_in_last_hour": 4_900, "signature_count": 5_000}
    assert "4,900 signatures in the last hour" in event["title"]
    assert sorted(r.path for r in replica.requests if r.path != "/robots.txt") == ["/petitions/1.json",
                                                                                 "/trending.json"]
    [row] = gw.query("SELECT number, action, state FROM petitions")
    assert row == {"number": 1, "action": "Petition 1", "state": "open"}

    replica.sign(1, 6_000)
    replica.clear_log()
    gw.check()
    assert len(gw.events()) == 1  # still trending the same day: no second event
    assert [r.path for r in replica.requests if r.path != "/robots.txt"] == ["/trending.json"]
    rows = gw.query("SELECT signature_count FROM signature_counts ORDER BY observed_at")
    counts = [r["signature_count"] for r in rows]
    assert counts == [5_000, 6_000]

    feed = feedparser.parse(gw.folder / "feeds" / "kinds" / "petition_trending.atom")
    assert [e.title for e in feed.entries] == [event["title"]]


def test_trending_alert_filter_by_kind(gw):
    gw.add('[[trending]]\nsite = "https://petition.parliament.uk"')
    gw.add('[[alert]]\nname = "hot"\nurl = "json://127.0.0.1:9/"\nkinds = ["petition_trending"]')
    config = load_config(gw.config)
    [channel] = config.alerts
    assert channel.wants("petition_trending", "petition.parliament.uk/trending", ())
    assert not channel.wants("threshold_crossed", "petition.parliament.uk/trending", ())


def test_trending_detectors_listed(gw):
    listed = gw.run("detectors").stdout
    assert "petition_trending" in listed and "sweep_started" in listed


def test_bad_trending_entry(gw):
    gw.add('[[trending]]\nsite = "https://petition.parliament.uk"\nmin_signatures = -1')
    with pytest.raises(ConfigError, match="min_signatures"):
        load_config(gw.config)


def test_trending_documents_are_checked_and_cut_short():
    from spiders.petition_json import MAX_TRENDING, BadDocument, trending_document

    def item(number, count=5, hour=2):
        return {"type": "petition", "id": number,
                "attributes": {"action": "A", "signature_count": count, "signatures_in_last_hour": hour}}

    [entry] = trending_document({"data": [item("42")]})
    assert (entry.number, entry.signature_count, entry.signatures_in_last_hour) == (42, 5, 2)
    assert len(trending_document({"data": [item(n) for n in range(1, 1000)]})) == MAX_TRENDING
    for bad in ({"data": {}}, [], {"data": [item("x")]}, {"data": [item(0)]}, {"data": [item(1, count="5")]},
                {"data": [{"id": 1}]}):  # fmt: skip
        with pytest.raises(BadDocument):
            trending_document(bad)
