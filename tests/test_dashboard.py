"""The dashboard and its pages, written by `govwatch check` from a replica scenario.

The story: the seed petition 221342 (archived, answered in 2018); petition 700001
signed from 9,000 to 9,600 to 10,050 over three checks (it crosses 10,000 and waits
for its answer); petition 700004 that reached 10,000 forty days ago and was never
answered (overdue); and in the last check petition 700003 whose site answers 500
(a failing watch). Beside it, the open letter gains a signatory at the second check.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import lxml.html
import pytest

from monitor.clock import iso, now, parse_iso
from monitor.watchlist.config import load_config
from monitor.publish.dashboard import datasette_url, write_dashboard
from monitor.publish.feed_server import FeedServer
from monitor.replica import EPetitionsReplica, seed
from monitor.replica.pages import AdvocacyReplica
from store.db import open_db
from tests.support.datasette import CHROMIUM_FLAGS, chromium
from tests.support.govwatch import Govwatch

pytestmark = pytest.mark.slow

MOVING, BROKEN, OVERDUE, SEED = 700001, 700003, 700004, 221342
NEW_SIGNATORY = "Ma Jian, writer"


class Story:
    def __init__(self, gw: Govwatch, replica: EPetitionsReplica, site: AdvocacyReplica):
        self.gw, self.replica, self.site = gw, replica, site
        self.feeds = gw.folder / "feeds"
        self.host = replica.url.split("//", 1)[1]

    def pid(self, number: int) -> str:
        return f"{self.host}/{number}"

    def page(self, number: int) -> Path:
        return self.feeds / "petitions" / f"{self.host.replace(':', '_')}/{number}.html"

    def html(self, path: Path) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(path.read_bytes())


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    with EPetitionsReplica(max_age=0) as replica, AdvocacyReplica() as site:
        gw = Govwatch(tmp_path_factory.mktemp("dashboard"))
        replica.seed()
        site.remove_signatory(NEW_SIGNATORY)
        gw.add(f'[[page]]\nname = "letter"\nurl = "{site.url}{site.letter_path}"')
        gw.add(f'[[page]]\nname = "count"\nurl = "{site.url}{site.petition_path}"\n'
               'count = { pattern = "([\\\\d,]+) signatures" }')
        site.set_signatures(5000)
        replica.add_petition(MOVING, action="Fund more school libraries", signature_count=9000)
        forty_days_ago = iso(now() - timedelta(days=40))
        replica.add_petition(OVERDUE, action="Publish the flood review", signature_count=12000,
                             response_threshold_reached_at=forty_days_ago)  # fmt: skip
        for number in (SEED, MOVING, OVERDUE):
            gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
        gw.check("--force")
        replica.sign(MOVING, 9600)
        site.add_signatory(NEW_SIGNATORY)
        site.set_signatures(7000)
        gw.check("--force")
        replica.sign(MOVING, 10050)
        replica.add_petition(BROKEN, action="Never seen", signature_count=10)
        replica.fault("500", path=f"/{BROKEN}")
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{BROKEN}"')
        gw.check("--force")
        yield Story(gw, replica, site)


def hrefs(doc: lxml.html.HtmlElement) -> list[str]:
    return [a.get("href") for a in doc.iter("a", "link") if a.get("href")]


def section(doc: lxml.html.HtmlElement, heading: str) -> str:
    return next(s for s in doc.iter("section") if s.findtext("h2", "").startswith(heading)).text_content()


def local_targets(path: Path, doc: lxml.html.HtmlElement) -> list[Path]:
    return [(path.parent / unquote(urlsplit(h).path)).resolve() for h in hrefs(doc) if not urlsplit(h).scheme]


# ------------------------------------------------------------------ the dashboard


def test_failing_watch_comes_first_with_its_last_error(story):
    doc = story.html(story.feeds / "index.html")
    headings = [h.text_content() for h in doc.iter("h2")]
    assert headings[0] == "Failing watches (1)" and headings.index("Petitions") > 0
    failing = doc.cssselect("section.failing")[0].text_content()
    assert story.pid(BROKEN) in failing and "500" in failing


def test_petitions_show_count_curve_and_response_state(story):
    doc = story.html(story.feeds / "index.html")
    cards = {a.cssselect("h3 a")[0].get("href"): a.text_content() for a in doc.cssselect("article")}
    by_number = {int(re.search(r"/(\d+)\.html$", href).group(1)): text for href, text in cards.items()}
    assert set(by_number) == {SEED, MOVING, OVERDUE}  # the broken one was never read
    seed_days = (parse_iso(seed.attributes()["government_response_at"])
                 - parse_iso(seed.attributes()["response_threshold_reached_at"])).days  # fmt: skip
    assert f"Response: answered after {seed_days} days" in by_number[SEED]
    assert "Response: overdue by 19 days" in by_number[OVERDUE]  # 40 days after 10,000, due after 21
    assert "Response: waiting 0 days" in by_number[MOVING]
    assert "10,050 signatures" in by_number[MOVING] and "11,406" in by_number[SEED]
    assert "From 9,000 signatures" in by_number[MOVING] and "3 counts recorded" in by_number[MOVING]
    order = [int(re.search(r"/(\d+)\.html$", h).group(1)) for h in cards]
    assert order == [OVERDUE, MOVING, SEED]  # the late answer first


def test_next_threshold_has_an_estimated_date_from_the_recent_rate(story):
    config = load_config(story.gw.config)
    db = open_db(config.settings.database)
    try:
        points = [(r["observed_at"], r["signature_count"]) for r in db.query(
            "SELECT * FROM signature_counts WHERE petition_id = ? ORDER BY observed_at", [story.pid(MOVING)])]  # fmt: skip
        at = parse_iso(points[-1][0]) + timedelta(days=1)
        written: dict[Path, bytes] = {}
        write_dashboard(config, db, set(), lambda p, d: written.setdefault(p, d) is d, now=at)
    finally:
        db.close()
    rate = (points[-1][1] - points[0][1]) / (at - parse_iso(points[0][0])).total_seconds()
    expected = at + timedelta(seconds=(100_000 - 10_050) / rate)
    doc = lxml.html.fromstring(written[story.feeds / "index.html"])
    card = next(a for a in doc.cssselect("article") if "school libraries" in a.text_content())
    estimate = card.xpath(".//dd[contains(., 'estimated')]")[0]
    assert estimate.text_content().startswith("100,000 estimated")
    assert abs(parse_iso(estimate.find("time").get("datetime")) - expected) < timedelta(seconds=2)
    assert "waiting 1 day" in card.text_content()


def test_events_link_to_pages_feeds_and_datasette(story):
    doc = story.html(story.feeds / "index.html")
    events = doc.cssselect("ol.events li")
    crossing = next(li for li in events if "10,000 signatures" in li.text_content()
                    and f"{MOVING}" in " ".join(hrefs(li)))  # fmt: skip
    links = hrefs(crossing)
    assert f"petitions/{story.host.replace(':', '_')}/{MOVING}.html" in links
    assert "kinds/threshold_crossed.atom" in links and f"petitions/{story.host.replace(':', '_')}/{MOVING}.atom" in links
    ds = datasette_url(load_config(story.gw.config).settings)
    assert any(h.startswith(ds + "/events/") for h in links)


def test_feeds_list_has_its_own_page(story):
    assert "feeds.html" in hrefs(story.html(story.feeds / "index.html"))
    feeds = story.html(story.feeds / "feeds.html")
    assert "all.atom" in hrefs(feeds) and feeds.find(".//h1").text == "govwatch feeds"


# ------------------------------------------------------------------ a petition's page


def test_petition_page_has_the_curve_with_thresholds_and_the_due_date(story):
    doc = story.html(story.page(MOVING))
    svg = doc.cssselect("figure svg")[0]
    assert svg.get("role") == "img" and svg.find("title") is not None
    texts = [t.text for t in svg.iter("text")]
    assert "10,000" in texts and "Response threshold" in texts and "10,050 signatures" in texts
    assert "100,000" not in texts  # far above the curve: not drawn, so the curve is readable
    # The curve spans seconds: the due date, 21 days on, is told in words rather than squashing it.
    assert "Response due" not in texts
    alternative = doc.cssselect("figure figcaption")[0].text_content()
    threshold_at = story.gw.query("SELECT response_threshold_reached_at AS at FROM petitions WHERE number = ?",
                                  (MOVING,))[0]["at"]  # fmt: skip
    due = human(parse_iso(threshold_at) + timedelta(days=21))
    assert alternative.startswith("From 9,000 signatures") and f"Response due: {due}." in alternative


def human(moment) -> str:
    return f"{moment.day} {moment:%B %Y}"


def test_answered_petition_page_marks_the_response_and_shows_its_text(story):
    doc = story.html(story.page(SEED))
    texts = [t.text for t in doc.cssselect("figure svg")[0].iter("text")]
    assert "Government response" in texts and "Response threshold" in texts
    response = section(doc, "Government response")
    assert seed.RESPONSE_SUMMARY in response
    # From 2018 to today: the time axis is labelled in years, not milliseconds.
    years = [t for t in texts if re.fullmatch(r"\d{4}", t or "")]
    assert years[0] in ("2019", "2020") and len(years) >= 4
    assert len({int(b) - int(a) for a, b in zip(years, years[1:])}) == 1  # evenly spaced


def test_petition_page_links_to_site_feed_and_datasette(story):
    doc = story.html(story.page(MOVING))
    links = hrefs(doc)
    assert f"{story.replica.url}/petitions/{MOVING}" in links
    assert f"../../petitions/{story.host.replace(':', '_')}/{MOVING}.atom" in links and "../../index.html" in links
    ds = datasette_url(load_config(story.gw.config).settings)
    assert f"{ds}/signature_curve?petition={story.host.replace(':', '%3A')}%2F{MOVING}" in links


def test_page_watch_page_lists_versions_and_the_diff(story):
    path = story.feeds / "watches" / "letter.html"
    doc = story.html(path)
    assert len(doc.cssselect("table tbody tr")) == 2
    changed = section(doc, "What changed")
    assert NEW_SIGNATORY in changed
    assert not doc.cssselect("figure svg")  # the letter has no count


def test_page_watch_with_a_count_draws_its_curve(story):
    doc = story.html(story.feeds / "watches" / "count.html")
    texts = [t.text for t in doc.cssselect("figure svg")[0].iter("text")]
    assert "7,000" in " ".join(texts)
    assert doc.cssselect("figure figcaption")[0].text_content().startswith("From 5,000")


# ------------------------------------------------------------------ every page


def pages(story) -> list[Path]:
    return [story.feeds / "index.html", story.page(MOVING), story.page(SEED), story.feeds / "watches" / "letter.html"]


def test_html_is_valid_and_every_local_link_resolves(story):
    for path in pages(story):
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(path.read_bytes())
        assert parser.errors == [], f"{path.name}: {parser.errors[:3]}"
        doc = story.html(path)
        missing = [t for t in local_targets(path, doc) if not t.is_file()]
        assert missing == [], f"{path}: links to missing files {missing}"


def test_no_script_and_no_external_resource(story):
    ds = datasette_url(load_config(story.gw.config).settings)
    for path in pages(story):
        text, doc = path.read_text(), story.html(path)
        assert not doc.xpath("//script | //img | //iframe | //link[@rel='stylesheet'] | //*[@src]"), path
        assert "url(" not in text and "@import" not in text
        for href in hrefs(doc):
            if urlsplit(href).scheme:  # a link to follow, never loaded: the watched sites and Datasette only
                assert href.startswith((story.replica.url, story.site.url, ds)), f"{path.name}: {href}"


def test_a_petition_leaving_the_watchlist_takes_its_page_away(story, tmp_path):
    shutil.copytree(story.gw.folder, tmp_path / "copy")
    gw = Govwatch(tmp_path / "copy", entries=[e for e in story.gw.entries if str(OVERDUE) not in e])
    gw.write()
    gw.run("feeds")
    assert not (gw.folder / "feeds" / story.page(OVERDUE).relative_to(story.feeds)).exists()
    assert (gw.folder / "feeds" / story.page(MOVING).relative_to(story.feeds)).exists()


# ------------------------------------------------------------------ in a real browser


@pytest.mark.parametrize("width", [390, 1280])
def test_chromium_loads_the_dashboard_and_a_petition_page_without_console_errors(story, tmp_path, width):
    exe = chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`): the pages were not loaded in a browser")
    with FeedServer(story.feeds, port=0) as server:
        for name, path in (("dashboard", "index.html"), ("petition", f"petitions/{story.host.replace(':', '_')}/{MOVING}.html")):
            shot = tmp_path / f"{name}-{width}.png"
            proc = subprocess.run(
                [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},1400",
                 "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", server.url + path],
                capture_output=True, text=True, timeout=60)  # fmt: skip
            assert proc.returncode == 0, proc.stderr[-2000:]
            console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
            assert console == [], console
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            keep = os.environ.get("GOVWATCH_SCREENSHOTS")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, Path(keep) / shot.name)
