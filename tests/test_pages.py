"""Advocacy pages against a local site with real chrome: only real changes become events."""

from __future__ import annotations

import json

import feedparser
import pytest

from monitor.detect.page_noise import PATH, matches
from monitor.replica.pages import AdvocacyReplica
from store.pages import decode_snapshot
from tests.support.polls import poll

EDITED = ("In October 2015, the President of the People’s Republic of China, Xi Jinping, made an official "
          "State Visit to Britain.")  # fmt: skip
RESPONSE = "Government responded: the Foreign Office raised these cases with Chinese ministers on 21 October 2015."


@pytest.fixture
def site():
    """The advocacy replica on 127.0.0.1: the open letter and another platform's petition page."""
    with AdvocacyReplica() as advocacy:
        yield advocacy


def page(name: str, url: str, *rules: str) -> str:
    return "\n".join(['[[page]]', f'name = "{name}"', f'url = "{url}"', *rules])


def new_events(gw, before: set[str]) -> dict[str, list[dict]]:
    """Return the events stored since `before` (a set of keys), by watch."""
    found: dict[str, list[dict]] = {}
    for event in gw.events():
        if event["key"] not in before:
            found.setdefault(event["watch_id"], []).append(event)
    return found


def kinds(events: list[dict]) -> list[str]:
    return sorted(e["kind"] for e in events)


@pytest.mark.slow
def test_chrome_never_alerts_and_each_real_change_alerts_once(site, gw):
    site.remove_signatory("Ma Jian, writer")  # he signs later in this story
    url = site.url + site.letter_path
    gw.add(page("letter", url, 'keywords = ["Government responded"]'))  # main content found by govwatch
    gw.add(page("whole", url, 'selector = "body"'))  # everything but the default chrome: noise is learned
    gw.add(page("article", url, 'selector = "article"', 'ignore = ["aside", ".latest-posts", "footer"]',
                'keywords = ["Government responded", "response"]', 'list = "article li"'))

    poll(gw.config, 20)
    assert gw.events() == []
    assert gw.count("page_snapshots") == 3  # one baseline each, nothing since
    outcomes = gw.query("SELECT watch_id, outcome, sum(polls) AS polls FROM observations GROUP BY 1, 2")
    assert sorted((r["watch_id"], r["outcome"], r["polls"]) for r in outcomes) == [
        ("article", "changed", 1), ("article", "unchanged", 19), ("letter", "changed", 1),
        ("letter", "unchanged", 19), ("whole", "changed", 1), ("whole", "unchanged", 19)]
    rules: dict[str, tuple[str, ...]] = {}
    for r in gw.query("SELECT watch_id, rule FROM page_noise"):
        rules[r["watch_id"]] = (*rules.get(r["watch_id"], ()), r["rule"])
    # What the learner learned, not which request's counter it kept as an example (that depends on timing):
    # the letter's counter is noise whatever its value, its real text is not.
    assert matches(rules["letter"], "Viewed 9,876 times", "any/path")
    assert not matches(rules["letter"], site.paragraphs[0], "any/path")
    assert any(rule.startswith(PATH) for rule in rules["whole"])  # the rotating "latest posts" box, by place

    before = set(gw.event_keys())
    site.add_signatory("Ma Jian, writer")
    gw.check()
    found = new_events(gw, before)
    assert set(found) == {"letter", "whole", "article"}
    for events in found.values():
        [added] = [e for e in events if e["kind"] == "list_item_added"]
        assert added["data"]["item"] == "Ma Jian, writer" and "Ma Jian, writer" in added["title"]
        assert kinds(events) in (["list_item_added"], ["list_item_added", "page_changed"])

    before = set(gw.event_keys())
    original = site.paragraphs[0]
    site.edit_paragraph(0, EDITED)
    gw.check()
    found = new_events(gw, before)
    for watch in ("letter", "whole", "article"):
        [changed] = found[watch]
        assert changed["kind"] == "page_changed"
        assert f"- {original}" in changed["data"]["diff"] and f"+ {EDITED}" in changed["data"]["diff"]
        assert "[-will make-]{+made+}" in changed["summary"]

    before = set(gw.event_keys())
    site.add_update(RESPONSE)
    gw.check()
    found = new_events(gw, before)
    for watch in ("letter", "article"):
        [appeared] = [e for e in found[watch] if e["kind"] == "keyword_appeared"]
        assert appeared["data"]["keyword"] == "Government responded" and RESPONSE in appeared["summary"]
        assert kinds(found[watch]) == ["keyword_appeared", "page_changed"]
    assert kinds(found["whole"]) == ["page_changed"]

    by_url = gw.run("history", url).stdout  # a URL names the first page watch that polls it
    assert by_url.startswith("Stand Up for International Principles") and "4 snapshots" in by_url
    out = gw.run("history", "article", "--between", "1", "2").stdout
    assert "+ Ma Jian, writer" in out and "Added to the list:\n  Ma Jian, writer" in out
    data = json.loads(gw.run("history", "letter", "--json").stdout)
    assert [s["number"] for s in data["snapshots"]] == [1, 2, 3, 4]
    assert data["diff"]["from"] == 3 and f"+ Update: {RESPONSE}" in data["diff"]["text"]

    feed = feedparser.parse(gw.folder / "feeds" / "watches" / "article.atom")
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("Added: Ma Jian, writer") for t in titles) and len(titles) == 4
    [edit] = [e.content[0].value for e in feed.entries if "will make" in e.content[0].value]
    assert "<del>will make</del>" in edit and "<ins>made</ins>" in edit


@pytest.mark.slow
def test_another_platforms_petition_page_crossing_10000_is_one_event(site, gw):
    url = site.url + site.petition_path
    gw.add(page("by-pattern", url, 'count = { pattern = "([\\\\d,]+) signatures", thresholds = [10000, 100000] }'))
    gw.add(page("by-selector", url, 'count = { selector = ".count", thresholds = [10000] }'))
    for count in (9_990, 11_406, 9_995, 10_100):
        site.set_signatures(count)
        gw.check()
    events = gw.events()
    assert sorted((e["watch_id"], e["kind"], e["key"]) for e in events) == [
        ("by-pattern", "threshold_crossed", "page/by-pattern/threshold/10000"),
        ("by-selector", "threshold_crossed", "page/by-selector/threshold/10000")]
    assert events[0]["data"]["count"] == 11_406 and events[0]["data"]["previous_count"] == 9_990
    assert gw.count("page_snapshots") == 2  # the count moved four times; the content never changed
    series = gw.query("SELECT count FROM page_counts WHERE watch_id = 'by-pattern' ORDER BY observed_at")
    assert [r["count"] for r in series] == [9_990, 11_406, 9_995, 10_100]


def snapshot_text(gw, watch: str) -> str:
    [row] = gw.query("SELECT content, compression FROM page_snapshots WHERE watch_id = ?", (watch,))
    return decode_snapshot(row["content"], row["compression"]).text


def test_pages_in_any_encoding_and_petitions_in_one_crawl(site, gw, replica):
    variants = {
        "windows-1252": dict(codec="cp1252", declared="iso-8859-1"),
        "windows-1252-undeclared": dict(codec="cp1252", declared=None),
        "utf-8-labelled-1252": dict(codec="utf-8", declared="windows-1252", where="both"),
        "utf-8-bom": dict(codec="utf-8", declared="iso-8859-1", bom=True),
    }
    for name, encoding in variants.items():
        site.serve_as(f"/letters/{name}", **encoding)
        gw.add(page(name, f"{site.url}/letters/{name}"))
    replica.add_petition(700010, action="Free Ilham Tohti", signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/700010"')
    out = gw.check().stdout
    assert "5 watches polled" in out
    for name in variants:
        text = snapshot_text(gw, name)
        assert "People’s Republic of China" in text and "“extremists”" in text, name
        assert "In Chinese (中文)" in text and "邵江, 活动人士" in text, name
    encodings = {r["watch_id"]: r["encoding"] for r in gw.query("SELECT watch_id, encoding FROM pages")}
    assert encodings == {"windows-1252": "cp1252", "windows-1252-undeclared": "cp1252",
                         "utf-8-labelled-1252": "utf-8", "utf-8-bom": "utf-8"}
    assert gw.query("SELECT action FROM petitions") == [{"action": "Free Ilham Tohti"}]


def test_a_5mb_page_is_refused_above_max_size_and_read_below_it(site, gw):
    site.big_page(5 * 1024 * 1024)
    gw.add(page("big", site.url + site.big_path))
    out = gw.check().stdout  # the test rules allow 2 MB
    [obs] = gw.query("SELECT outcome, error FROM observations")
    assert obs["outcome"] == "error" and "more than max_size (2.0 MB)" in obs["error"]
    assert "raise max_size" in out and gw.count("page_snapshots") == 0

    gw.hosts = gw.hosts.replace('max_size = "2MB"', 'max_size = "10MB"')
    gw.write()
    gw.check()
    [snap] = gw.query("SELECT compression, length(content) AS stored, text_size FROM page_snapshots")
    assert snap["compression"] == "zlib" and snap["text_size"] > 3_000_000 and snap["stored"] < snap["text_size"] / 20
    assert "Comment number 20000." in snapshot_text(gw, "big")
    shown = gw.run("history", "big", "--show", "1").stdout  # the compressed snapshot, as text
    assert "\nSnapshot 1 (" in shown and "\n  Dear Members of Parliament,\n" in shown
    assert " Comment number 20000.\n" in shown


def test_failures_are_never_content_events_and_a_broken_selector_fails_once(site, gw):
    gw.settings = "failing_after = 3\n"
    site.serve_as("/letters/moving")
    gw.add(page("article", site.url + site.letter_path, 'selector = "article"', 'keywords = ["Government responded"]'))
    gw.add(page("moving", site.url + "/letters/moving", 'keywords = ["Government responded"]'))
    gw.check()
    site.add_update(RESPONSE)  # a real change, hidden behind failures until they clear
    site.remove("/letters/moving")
    site.fault("500", path=site.letter_path)
    out = gw.check().stdout
    assert gw.event_keys() == []
    errors = {r["watch_id"]: r["error"] for r in gw.query("SELECT watch_id, error FROM observations WHERE error IS NOT NULL")}
    assert errors == {"article": "HTTP 500 Internal Server Error", "moving": "HTTP 404 Not Found"}
    assert "Unreachable or failing" in out

    site.clear_faults()
    site.redesign()  # the letter moves out of its <article>: the selector matches nothing any more
    poll(gw.config, 3)
    article = [e for e in gw.events() if e["watch_id"] == "article"]
    assert [e["kind"] for e in article] == ["watch_failing"]  # one, after 3 failed polls; never a content event
    assert "the selector 'article' matches nothing on the page" in article[0]["summary"]
    [status] = gw.query("SELECT failures, last_error FROM watches WHERE id = 'article'")
    assert status["failures"] == 4 and "matches nothing" in status["last_error"]

    site.redesigned = False  # back in its <article>, with the update the failures hid
    gw.check()
    assert kinds([e for e in gw.events() if e["watch_id"] == "article"]) == [
        "keyword_appeared", "page_changed", "watch_failing", "watch_recovered"]
