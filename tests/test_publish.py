"""`govwatch run` publishes feeds on a worker thread: a crawl hands them over and goes on."""

from __future__ import annotations

import asyncio
import threading

import feedparser

from monitor.run import feed_publisher as publish
from monitor.watchlist.config import load_config
from tests.support.govwatch import Govwatch


def test_the_publisher_returns_at_once_and_writes_the_feeds_on_another_thread(tmp_path, monkeypatch):
    gw = Govwatch(tmp_path)
    gw.add('[[petition]]\nurl = "http://127.0.0.1:9/petitions/17"')  # never fetched: its feed is there all the same
    config = load_config(gw.config)
    threads = []
    real = publish.update_feeds
    monkeypatch.setattr(publish, "update_feeds", lambda cfg: (threads.append(threading.current_thread()), real(cfg))[1])

    async def crawl_then_stop() -> object:
        feeds = publish.FeedPublisher()
        handed_over = [feeds.after_crawl(config, None), feeds.after_crawl(config, None)]  # the second one waits
        await feeds.wait()
        return handed_over

    assert asyncio.run(crawl_then_stop()) == [None, None]  # nothing for the crawl to await
    assert threads and all(t is not threading.main_thread() for t in threads)
    feed = feedparser.parse((tmp_path / "feeds" / "petitions" / "127.0.0.1_9" / "17.atom").read_bytes())
    assert feed.bozo == 0 and feed.feed.title == "govwatch: petition 127.0.0.1:9/17"
    assert not (tmp_path / "feeds" / "watches").exists()
