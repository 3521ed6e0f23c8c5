"""Feeds written by `govwatch check` and `govwatch feeds`, read back with feedparser (a real feed client)."""

from __future__ import annotations

import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from monitor.publish.feeds import slug, tag_uri
from monitor.replica import EPetitionsReplica
from tests.support.govwatch import Govwatch
from tests.test_render import FORBIDDEN, assert_inert

pytestmark = pytest.mark.slow  # one module story of three real checks (~10 s)

N = 700002
FEEDS_URL = "http://feeds.example.org/govwatch/"
HOSTILE = {
    "action": "Stop <script>alert('a')</script> the ]]> \x01bad\x0b thing",
    "background": 'Read <a href="javascript:alert(1)">this</a> <img src=x onload="alert(2)"> ]]> \x02 now',
}
RESPONSE = (
    'We <b onload="alert(3)">will</b> act ]]> \x03',
    '<script>alert(4)</script> See <a href="javascript:alert(5)">here</a>.\n\nhttps://gov.example/plan ]]>',
)


@dataclass
class Story:
    replica: EPetitionsReplica
    gw: Govwatch
    after_first: dict[str, bytes]
    after_second: dict[str, bytes]
    mtimes: tuple[dict[str, int], dict[str, int]]
    second_check: str

    @property
    def feeds(self) -> Path:
        return self.gw.folder / "feeds"

    def parse(self, path: str) -> feedparser.FeedParserDict:
        return feedparser.parse((self.feeds / path).read_bytes())

    def petition_feed(self, number: int, fmt: str = "atom") -> str:
        return f"petitions/{slug(self.replica.url.split('//')[1])}/{number}.{fmt}"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def feeds_only(found: dict[str, bytes]) -> dict[str, bytes]:
    dashboard = {p for p in found if p.endswith(".html") and p != "feeds.html"} | {".govwatch-dashboard.json"}
    return {p: data for p, data in found.items() if p not in dashboard}


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def feed_files(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in sorted(folder.rglob("*")) if p.suffix in (".atom", ".rss")]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The seed petition and a hostile one, through three checks: first sight, threshold+response, edit+debate."""
    with EPetitionsReplica(max_age=0) as replica:
        gw = Govwatch(tmp_path_factory.mktemp("feeds"), settings=f'feeds_url = "{FEEDS_URL}"\n')
        replica.seed()
        replica.add_petition(N, signature_count=9990, **HOSTILE)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/221342"\ntags = ["china"]')
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"\ntags = ["hostile", "odd tag/../x"]')
        gw.check()
        after_first, first_mtimes = files(gw.folder / "feeds"), mtimes(gw.folder / "feeds")
        replica.sign(N, 10050)
        replica.respond(N, *RESPONSE)
        second_check = gw.check().stdout
        after_second, second_mtimes = files(gw.folder / "feeds"), mtimes(gw.folder / "feeds")
        replica.edit_response(N, details=RESPONSE[1] + "\n\nWe have now funded it.")
        replica.debate(N, "2027-03-12", transcript_url="javascript:alert(6)", video_url="https://video.example/1")
        gw.check()
        yield Story(replica, gw, after_first, after_second, (first_mtimes, second_mtimes), second_check)


def test_every_feed_parses_with_ids_links_and_dates(story):
    paths = feed_files(story.feeds)
    assert len(paths) >= 2 * 12  # all, 8 kinds, 3 tags, 2 petitions (their watches' feeds too); in Atom and RSS
    for path in paths:
        feed = story.parse(path)
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.version == ("atom10" if path.endswith(".atom") else "rss20")
        links = [{"rel": link.get("rel"), "href": link.get("href")} for link in feed.feed.links]
        assert {"rel": "self", "href": FEEDS_URL + path} in links
        ids = [e.id for e in feed.entries]
        assert len(ids) == len(set(ids)), f"{path} repeats an entry"
        for entry in feed.entries:
            assert entry.id.startswith("tag:govwatch,2026:petition/")
            assert entry.link.startswith(f"{story.replica.url}/") and not entry.link.endswith(".json")
            assert entry.published_parsed is not None and entry.title
            if path.endswith(".atom"):
                assert entry.updated_parsed is not None
    everything = story.parse("all.atom")
    assert {e.id for e in everything.entries} == {tag_uri(k) for k in story.gw.event_keys()}
    detected = [e.updated for e in everything.entries]
    assert detected == sorted(detected, reverse=True)  # newest first


def test_seed_petition_response_appears_in_global_petition_and_responses_feeds(story):
    key = f"petition/{story.replica.url.split('//')[1]}/221342/response/2018-11-30"
    for path in ("all.atom", "all.rss", story.petition_feed(221342), "kinds/response_published.atom",
                 "kinds/response_published.rss", "tags/china.atom"):  # fmt: skip
        [entry] = [e for e in story.parse(path).entries if e.id == tag_uri(key)]
        assert entry.title == (
            "Government responded: Put pressure on the Chinese Government over the " "treatment of Uyghur Muslims"
        )
        assert entry.link == f"{story.replica.url}/archived/petitions/221342"
        assert entry.published_parsed[:3] == (2018, 11, 30)
        body = lxml.html.fragment_fromstring(
            entry.content[0].value if path.endswith(".atom") else entry.description, create_parent="div"
        ).text_content()
        assert "The government's response of 30 November 2018" in body
        assert "This is a priority area of concern in China." in body
        assert "We have serious concerns about the human rights situation in Xinjiang" in body


def raw_entry_html(raw: bytes) -> list[str]:
    """Return each entry's HTML exactly as a reader gets it (Atom content, RSS description)."""
    root = etree.fromstring(raw)  # strict: fails on anything that is not well-formed XML
    atom = "{http://www.w3.org/2005/Atom}"
    return [e.text or "" for e in root.iter(f"{atom}content", "description") if e.getparent().tag != "channel"]


def test_hostile_petition_text_yields_feeds_that_parse_with_nothing_active(story):
    for path in [story.petition_feed(N), story.petition_feed(N, "rss"), "all.atom", "all.rss", "tags/hostile.rss"]:
        raw = (story.feeds / path).read_bytes()
        assert story.parse(path).bozo == 0
        assert b"]]>" not in raw and not FORBIDDEN.search(raw.decode())
        bodies = raw_entry_html(raw)
        assert len(bodies) >= 4
        for body in bodies:
            assert_inert(body)
        for title in etree.fromstring(raw).iter("{http://www.w3.org/2005/Atom}title", "title"):
            assert "<" not in title.text and "script" not in title.text
    [entry] = [e for e in story.parse(story.petition_feed(N)).entries if "/response/" in e.id]
    text = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div").text_content()
    assert "<script>alert(4)</script>" in text  # the response's words are shown as words, not run


def test_new_events_rewrite_only_their_feeds_and_keep_old_entries_unchanged(story):
    first, second = story.after_first, story.after_second
    seed_feeds = [story.petition_feed(221342), "tags/china.atom", "kinds/debated.atom", "kinds/state_changed.rss"]
    for path in seed_feeds:
        assert first[path] == second[path], f"{path} changed without a new event"
        assert story.mtimes[0][path] == story.mtimes[1][path], f"{path} was rewritten without a new event"
    # everything, 2 kinds, 2 tags and 1 petition (its watch's feed too) have the new threshold and response;
    # 19 feeds do not
    assert "Feeds: 6 of 25 rendered" in story.second_check
    assert first[story.petition_feed(N)] != second[story.petition_feed(N)]
    old = {e.id: e.updated for e in feedparser.parse(second["all.atom"]).entries}
    now = {e.id: e.updated for e in story.parse("all.atom").entries}
    assert old.items() <= now.items() and len(now) > len(old)


def copy_of(story: Story, tmp_path: Path, settings: str = "") -> Govwatch:
    """A second folder with the same watchlist and a copy of the database, but no feeds."""
    gw = Govwatch(tmp_path, entries=list(story.gw.entries), settings=story.gw.settings + settings)
    gw.write()
    source, target = sqlite3.connect(story.gw.database), sqlite3.connect(gw.database)
    source.backup(target)
    source.close(), target.close()
    return gw


def test_rebuilding_from_the_database_gives_the_same_feeds_byte_for_byte(story, tmp_path):
    gw = copy_of(story, tmp_path)
    out = gw.run("feeds").stdout
    assert "Feeds: " in out
    # Same ids, dates, bodies, OPML, feeds list. (Not the dashboard: "waiting N days" and rates depend on the hour.)
    assert feeds_only(files(gw.folder / "feeds")) == feeds_only(files(story.feeds))
    assert "0 files written" in gw.run("feeds").stdout  # nothing changed: nothing rewritten


def test_feed_entries_bound_every_feed(story, tmp_path):
    gw = copy_of(story, tmp_path, "feed_entries = 2\n")
    gw.run("feeds")
    everything = feedparser.parse((gw.folder / "feeds" / "all.atom").read_bytes())
    assert [e.id for e in everything.entries] == [e.id for e in story.parse("all.atom").entries][:2]


def test_opml_and_index_list_every_feed(story):
    opml = ET.parse(story.feeds / "feeds.opml").getroot()
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    assert urls == {FEEDS_URL + p for p in feed_files(story.feeds) if p.endswith(".atom")}
    assert all(o.get("type") == "rss" for o in opml.iter("outline") if o.get("xmlUrl"))  # what feed readers expect
    index = lxml.html.parse(str(story.feeds / "feeds.html")).getroot()
    hrefs = {a.get("href") for a in index.iter("a")}
    assert set(feed_files(story.feeds)) <= hrefs and "feeds.opml" in hrefs
    assert all((story.feeds / h).is_file() for h in hrefs)
    odd = [h for h in hrefs if h.startswith("tags/odd")]
    assert odd and all(".." not in h for h in odd)


def test_a_watch_removed_from_the_watchlist_loses_its_feeds(story, tmp_path):
    gw = copy_of(story, tmp_path)
    gw.run("feeds")
    gw.entries.pop()  # the hostile petition's watch, the only one tagged "hostile"
    gw.write()
    out = gw.run("feeds").stdout
    assert "removed" in out
    assert not (gw.folder / "feeds" / "tags" / "hostile.atom").exists()
    assert (gw.folder / "feeds" / "tags" / "china.atom").exists()


def watch_ids(gw: Govwatch) -> list[str]:
    return [r["id"] for r in gw.query("SELECT id FROM watches ORDER BY id")]


def test_a_petition_watch_and_its_petition_share_one_feed_document(story, tmp_path):
    assert not (story.feeds / "watches").exists()  # both watches are [[petition]] watches: their feed is the petition's
    documents = [(story.feeds / p).read_bytes() for p in feed_files(story.feeds)]
    assert len(documents) == len(set(documents))  # no two feed files alike
    gw = copy_of(story, tmp_path)
    watch = next(w for w in watch_ids(gw) if w.endswith(f"/{N}"))
    with sqlite3.connect(gw.database) as conn:  # the watch's own event: it carries no petition
        conn.execute("INSERT INTO events (key, kind, watch_id, petition_id, occurred_at, detected_at, title, summary,"
                     " url, data) VALUES (?, 'watch_failing', ?, NULL, ?, ?, ?, 'Down.', ?, '{}')",
                     [f"watch/{watch}/failing/x", watch, "2026-12-01T10:00:00.000Z", "2026-12-01T10:00:00.000Z",
                      f"Watch failing: {watch}", f"{story.replica.url}/petitions/{N}.json"])  # fmt: skip
    gw.run("feeds")
    feed = feedparser.parse((gw.folder / "feeds" / story.petition_feed(N)).read_bytes())
    assert tag_uri(f"watch/{watch}/failing/x") in {e.id for e in feed.entries}


def test_a_watch_feed_an_earlier_govwatch_wrote_stays_the_same_document(story, tmp_path):
    gw = copy_of(story, tmp_path)
    gw.run("feeds")
    feeds, state_file = gw.folder / "feeds", gw.folder / "feeds" / ".govwatch-feeds.json"
    watch = next(w for w in watch_ids(gw) if w.endswith(f"/{N}"))
    old = f"watches/{slug(watch)}"
    state = json.loads(state_file.read_text())  # as an earlier govwatch left it: the watch had a feed of its own
    state["feeds"][old] = "0"
    state_file.write_text(json.dumps(state))
    for fmt in ("atom", "rss"):
        (feeds / f"{old}.{fmt}").parent.mkdir(parents=True, exist_ok=True)
        (feeds / f"{old}.{fmt}").write_bytes(b"<feed>an older rendering</feed>")
    gw.run("feeds")
    for fmt in ("atom", "rss"):
        assert os.path.samefile(feeds / f"{old}.{fmt}", feeds / story.petition_feed(N, fmt))
    listed = (feeds / "feeds.opml").read_text() + (feeds / "index.html").read_text()
    assert old not in listed and story.petition_feed(N) in listed  # the duplicate address is not advertised
    gw.entries.pop()  # the watch leaves the watchlist: its old address goes with it
    gw.write()
    assert "removed" in gw.run("feeds").stdout
    assert not (feeds / f"{old}.atom").exists() and not (feeds / f"{old}.rss").exists()
