"""Petition feeds rendered beside the crawl (`govwatch check`) are complete, and not rendered twice."""

from __future__ import annotations

import feedparser

from monitor.watchlist.config import load_config
from monitor.publish.feeds import tag_uri
from monitor.run.feeds_alongside import EarlyFeeds
from monitor.publish.feeds_dir import rebuild, update_feeds
from store.db import open_db
from store.watches import sync_watches
from tests.support.govwatch import Govwatch

PID = "127.0.0.1:9/17"
AT = "2026-11-30T10:00:00.000Z"


def store_event(db, key: str, kind: str = "threshold_crossed") -> None:
    """Store an event of the petition as the recorder would (the crawl commits it)."""
    db.execute("INSERT OR IGNORE INTO petitions (id, site, number, url, action, first_seen_at, changed_at,"
               " count_changed_at, content_hash) VALUES (?, 'http://127.0.0.1:9', 17, ?, 'Fund libraries', ?, ?, ?,"
               " 'h')", [PID, "http://127.0.0.1:9/petitions/17", AT, AT, AT])  # fmt: skip
    db.execute("INSERT INTO events (key, kind, watch_id, petition_id, occurred_at, detected_at, title, summary, url,"
               " data) VALUES (?, ?, ?, ?, ?, ?, ?, 'It happened.', 'http://127.0.0.1:9/petitions/17.json', '{}')",
               [key, kind, PID, PID, AT, AT, f"{key}: Fund libraries"])  # fmt: skip


def test_feeds_rendered_during_the_crawl_are_complete_and_not_rendered_again(tmp_path):
    gw = Govwatch(tmp_path)
    gw.add('[[petition]]\nurl = "http://127.0.0.1:9/petitions/17"')
    config = load_config(gw.config)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    early = EarlyFeeds()
    early.step(config)  # the crawl starts: nothing new yet
    store_event(db, f"petition/{PID}/threshold/10000")
    early.step(config)  # the crawl committed an event: its petition's feed is written now
    feed_file = tmp_path / "feeds" / "petitions" / "127.0.0.1_9" / "17.atom"
    first = feed_file.stat().st_mtime_ns
    assert [e.id for e in feedparser.parse(feed_file.read_bytes()).entries] == [
        tag_uri(f"petition/{PID}/threshold/10000")
    ]
    report = update_feeds(config, early=early)  # the end of the crawl: the rest of the feeds
    assert feed_file.stat().st_mtime_ns == first  # not rendered, not written again
    assert (tmp_path / "feeds" / "all.atom").is_file() and "Feeds: " in report.line()
    assert rebuild(config).written == 0  # what was written during the crawl is what a rebuild gives


def test_an_event_after_the_last_step_reaches_the_feed_at_the_end(tmp_path):
    gw = Govwatch(tmp_path)
    gw.add('[[petition]]\nurl = "http://127.0.0.1:9/petitions/17"')
    config = load_config(gw.config)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    early = EarlyFeeds()
    early.step(config)
    store_event(db, f"petition/{PID}/threshold/10000")
    early.step(config)
    store_event(db, f"petition/{PID}/response/2026-11-30", "response_published")  # after the last step
    update_feeds(config, early=early)
    feed = feedparser.parse((tmp_path / "feeds" / "petitions" / "127.0.0.1_9" / "17.rss").read_bytes())
    assert {e.id for e in feed.entries} == {tag_uri(f"petition/{PID}/threshold/10000"),
                                            tag_uri(f"petition/{PID}/response/2026-11-30")}  # fmt: skip
