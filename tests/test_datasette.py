"""The history in a real Datasette on 127.0.0.1, filled by `govwatch check` against the replica.

The story: the seed petition 221342 (archived, answered in 2018), petition 700001
signed from 9,000 to 9,600 to 10,050 over three checks, petition 700002 answered
then its answer edited, and, in the last check, petition 700003 whose site answers 500.
On an advocacy site beside it, the seed open letter gains a signatory at the second
check, and the letter with its readers' comments is large enough to be stored compressed.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
import yaml

from monitor.clock import iso, now, parse_iso
from monitor.publish.datasette import DatasetteOptions, DatasetteServer, start_datasette
from monitor.errors import GovwatchError
from monitor.replica import EPetitionsReplica, letter
from monitor.replica.pages import AdvocacyReplica
from monitor.publish.serve import free_port
from store import datasette as shipped
from tests.support.datasette import answers, browse, chromium, printed_command, request, rows, serving, wait_until
from tests.support.govwatch import Govwatch

pytestmark = pytest.mark.slow

MOVING, ANSWERED, BROKEN = 700001, 700002, 700003
SEED = 221342
FIRST_TEXT = "The audit is under review."
EDITED_TEXT = "The audit will be published in spring."


NEW_SIGNATORY = "Ma Jian, writer"
COMMENTS_SIZE = 12_000  # bytes of readers' comments: with the letter, a snapshot above 8 KB


class History:
    """The scenario's replicas, watchlist and the Datasette serving its history."""

    def __init__(self, replica: EPetitionsReplica, site: AdvocacyReplica, gw: Govwatch, url: str, clock: SiteClock):
        self.replica, self.site, self.gw, self.url, self.clock = replica, site, gw, url, clock
        self.db = "govwatch"

    def rows(self, path: str, **params: str) -> list[dict]:
        return rows(self.url, f"/{self.db}/{path}", **params)

    def pid(self, number: int) -> str:
        return f"{self.replica.url.split('//', 1)[1]}/{number}"


class SiteClock:
    """The replica's updated_at, 20 s a change, like a real site's clock (Last-Modified has 10 s granules)."""

    def __init__(self) -> None:
        self.moment = now() - timedelta(days=1)

    def tick(self) -> str:
        self.moment += timedelta(seconds=20)
        return iso(self.moment)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Run the scenario's checks, then serve the history with start_datasette (what `serve` calls)."""
    with EPetitionsReplica(max_age=0) as replica, AdvocacyReplica() as site:
        gw, clock = Govwatch(tmp_path_factory.mktemp("history")), SiteClock()
        replica.seed()
        site.remove_signatory(NEW_SIGNATORY)  # he signs at the second check
        site.big_page(COMMENTS_SIZE)
        gw.add(f'[[page]]\nname = "letter"\nurl = "{site.url}{site.letter_path}"')
        gw.add(f'[[page]]\nname = "comments"\nurl = "{site.url}{site.big_path}"')
        replica.add_petition(MOVING, action="Fund more school libraries", signature_count=9000,
                             updated_at=clock.tick())
        replica.add_petition(ANSWERED, action="Publish the audit of the China trade deal", signature_count=20000,
                             updated_at=clock.tick())  # fmt: skip
        for number in (SEED, MOVING, ANSWERED):
            gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
        gw.check("--force")
        replica.sign(MOVING, 9600, updated_at=clock.tick())
        replica.respond(ANSWERED, "We will publish it.", FIRST_TEXT, updated_at=clock.tick())
        site.add_signatory(NEW_SIGNATORY)
        gw.check("--force")
        replica.sign(MOVING, 10050, updated_at=clock.tick())
        replica.edit_response(ANSWERED, details=EDITED_TEXT, updated_at=clock.tick())
        replica.add_petition(BROKEN, action="Never seen", signature_count=10)
        replica.fault("500", path=f"/{BROKEN}")
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{BROKEN}"')
        assert gw.run("check", "--force", check=False).returncode == 3  # some watches failed: the broken one
        with start_datasette(gw.database, DatasetteOptions(port=free_port())) as datasette:
            yield History(replica, site, gw, datasette.url, clock)


# ------------------------------------------------------------------ canned queries


def test_signature_curve_has_the_points_the_scenario_made(history):
    curve = history.rows("signature_curve", petition=str(MOVING))
    stored = history.gw.query("SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ?"
                              " ORDER BY observed_at", (history.pid(MOVING),))  # fmt: skip
    assert [p["signature_count"] for p in curve[:3]] == [9000, 9600, 10050]
    assert [(p["observed_at"], p["signature_count"]) for p in curve] == [tuple(r.values()) for r in stored]
    assert [p["gained"] for p in curve[:3]] == [None, 600, 450]
    assert history.rows("signature_curve", petition=history.pid(MOVING)) == curve  # the full id works too


def test_latest_responses_include_the_seed_petition_and_the_new_answer(history):
    latest = history.rows("latest_responses")
    assert [r["number"] for r in latest] == [ANSWERED, SEED]  # the newest response first
    seed = latest[1]
    assert seed["government_response_at"].startswith("2018-11-30")
    assert seed["response_summary"].startswith("This is a priority area of concern in China.")
    assert seed["action"] == "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"


def test_days_to_response_count_from_the_10000_threshold(history):
    [stored] = history.gw.query("SELECT response_threshold_reached_at AS reached, government_response_at AS answered"
                                " FROM petitions WHERE number = ?", (SEED,))  # fmt: skip
    expected = (parse_iso(stored["answered"]) - parse_iso(stored["reached"])) / timedelta(days=1)
    by_number = {r["number"]: r for r in history.rows("days_to_response")}
    assert sorted(by_number) == [SEED, ANSWERED]
    assert by_number[SEED]["days_to_response"] == round(expected, 1) == 9.9  # 20 to 30 November 2018
    assert by_number[SEED]["days_past_due"] == 0 and by_number[ANSWERED]["days_past_due"] == 0
    assert [r["number"] for r in history.rows("days_to_response", max_days="5")] == [ANSWERED]
    assert [r["number"] for r in history.rows("days_to_response", about="Uyghur")] == [SEED]


def test_approaching_thresholds_estimate_a_date_from_the_recent_rate(history):
    [row] = history.rows("approaching_thresholds")  # 700002's count never moved: no rate, no estimate
    points = history.gw.query("SELECT observed_at, signature_count FROM signature_counts WHERE petition_id = ?"
                              " ORDER BY observed_at", (history.pid(MOVING),))  # fmt: skip
    first, last = parse_iso(points[0]["observed_at"]), parse_iso(points[-1]["observed_at"])
    per_day = (points[-1]["signature_count"] - points[0]["signature_count"]) / ((last - first) / timedelta(days=1))
    assert (row["number"], row["threshold"], row["to_go"]) == (MOVING, 100000, 100000 - 10050)
    assert row["signatures_per_day"] == pytest.approx(per_day, rel=1e-3)
    estimated = last + timedelta(days=(100000 - 10050) / per_day)
    assert abs(parse_iso(row["estimated_at"]) - estimated) < timedelta(seconds=1)
    assert row["before_closing"] == 1


def test_response_edits_show_the_diff(history):
    [edit] = history.rows("response_edits")
    assert edit["number"] == ANSWERED
    assert f"- {FIRST_TEXT}" in edit["diff"] and f"+ {EDITED_TEXT}" in edit["diff"]
    assert history.rows("response_edits", petition=str(SEED)) == []


def test_failing_watches_name_the_broken_petition(history):
    [failing] = history.rows("failing_watches")
    assert failing["url"].endswith(f"/petitions/{BROKEN}.json")
    assert failing["failures"] >= 1 and failing["failed_polls"] >= 1 and failing["last_outcome"] == "error"
    assert "500" in failing["last_error"]


def test_page_changes_list_the_events_of_page_watches(history):
    changes = history.rows("page_changes", watch="letter")
    added = [c for c in changes if c["kind"] == "list_item_added"]
    assert [c["title"] for c in added] == [f"Added: {NEW_SIGNATORY}: {letter.TITLE}"]
    assert {c["kind"] for c in changes} <= {"list_item_added", "page_changed"}  # the chrome made no event
    assert all(c["watch_id"] == "letter" and c["page_url"] == history.site.url + history.site.letter_path
               for c in changes)  # fmt: skip
    for c in changes:
        if c["kind"] == "page_changed":  # at most one, its diff naming the signatory
            assert f"+ {NEW_SIGNATORY}" in c["diff"]
    assert history.rows("page_changes", watch=history.site.url + history.site.letter_path) == changes  # by URL
    everything = history.rows("page_changes")  # both pages got the signatory; no petition event is here
    assert {(c["watch_id"], c["kind"]) for c in everything} == {(w, c["kind"]) for w in ("letter", "comments")
                                                                for c in changes}  # fmt: skip


def test_page_texts_read_every_version_even_compressed(history):
    stored = history.gw.query("SELECT watch_id, compression FROM page_snapshots ORDER BY watch_id, id")
    assert [(r["watch_id"], r["compression"]) for r in stored] == [  # before and after the new signatory
        ("comments", "zlib"), ("comments", "zlib"), ("letter", None), ("letter", None)]
    for comments in history.rows("page_texts", watch="comments"):
        assert comments["text"].startswith(letter.TITLE) and "Comment number 1." in comments["text"]
    before, after = history.rows("page_texts", watch="letter")
    assert NEW_SIGNATORY not in before["text"].splitlines() and NEW_SIGNATORY in after["text"].splitlines()
    # The table page shows the compressed snapshot as its JSON, not as a binary download
    html = request(f"{history.url}/govwatch/page_snapshots?watch_id=comments").body
    assert "&lt;Binary" not in html and "Dear Members of Parliament," in html


def test_response_times_and_awaiting_response_on_the_story(history):
    # more groups and percentiles in tests/test_response_times.py
    seed = next(r for r in history.rows("response_times") if r["parliament"] == "2017-2019")
    assert (seed["year"], seed["past_threshold"], seed["answered"], seed["median_days"]) == ("2018", 1, 1, 9.9)
    assert seed["percent_answered_within_due"] == 100.0
    assert history.rows("response_times", due_days="7")[-1]["percent_answered_within_due"] == 0.0
    [waiting] = history.rows("awaiting_response")
    assert waiting["number"] == MOVING and waiting["overdue"] == 0 and 0.9 < waiting["days_waiting"] < 1.1  # crossed a day ago (SiteClock)


def test_every_canned_query_has_a_test_here():
    queries = yaml.safe_load(shipped.METADATA.read_text())["databases"]["govwatch"]["queries"]
    tested = {"signature_curve", "latest_responses", "days_to_response", "approaching_thresholds",
              "response_edits", "page_changes", "page_texts", "failing_watches",
              "response_times", "awaiting_response"}  # fmt: skip (the last two: also tests/test_response_times.py)
    assert set(queries) == tested


# ------------------------------------------------------------------ search, views, serving


def test_search_finds_the_seed_petition_and_its_response(history):
    assert [r["number"] for r in history.rows("petitions", _search="Uyghur")] == [SEED]
    # "Xinjiang" is only in the government's response text
    assert [r["number"] for r in history.rows("petitions", _search="Xinjiang")] == [SEED]
    found = history.rows("events", _search="Uyghur")
    assert {(e["kind"], e["petition_id"]) for e in found} >= {("response_published", history.pid(SEED))}


def test_search_finds_a_page_by_a_word_of_its_text(history):
    def found(**params: str) -> set[str]:
        return {r["watch_id"] for r in history.rows("pages", **params)}

    assert found(_search="Tiananmen") == {"letter", "comments"}  # "Friends of Tiananmen Mothers", a signatory
    assert found(_search="维吾尔") == {"letter", "comments"}  # "Uyghur", inside a Chinese sentence
    assert found(_search="comment number") == {"comments"}
    assert found(_search="Ma Jian") == {"letter", "comments"}  # the current text: he signed at the second check
    assert found(_search="Pyongyang") == set()
    # Trigrams need three characters: a two-character Chinese word is found with a filter instead
    assert found(_search="西藏") == set() and found(text__contains="西藏") == {"letter", "comments"}


def test_views_join_petitions_with_their_events_and_polls(history):
    [moving] = history.rows("petitions_latest", number=str(MOVING))
    assert moving["signature_count"] == 10050 and moving["events"] == 1 and moving["last_polled_at"]
    events = history.rows("events_with_petitions", kind="response_updated")
    assert [(e["petition_number"], e["petition_action"]) for e in events] == [
        (ANSWERED, "Publish the audit of the China trade deal")]


def test_datasette_serves_mutable_read_only_with_a_time_limit(history):
    [database] = [d for d in request(f"{history.url}/-/databases.json").body if d["name"] == "govwatch"]
    assert database["is_mutable"] is True  # not --immutable: it must see what the next check writes
    settings = request(f"{history.url}/-/settings.json").body
    assert settings["sql_time_limit_ms"] == 3000
    plugins = {p["name"] for p in request(f"{history.url}/-/plugins.json").body}
    assert {"govwatch_history.py", "datasette-vega"} <= plugins


def test_arbitrary_sql_cannot_write_and_there_is_no_write_api(history):
    before = history.gw.count("events")
    answer = request(f"{history.url}/govwatch.json?sql=DELETE+FROM+events")
    assert answer.status == 400 and "Statement must be a SELECT" in answer.body["error"]
    insert = request(f"{history.url}/govwatch/events/-/insert", data=b'{"row": {"key": "x"}}',
                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert insert.status in (404, 405)
    assert history.gw.count("events") == before


def test_a_write_query_from_a_plugin_is_refused(history, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    shutil.copy(shipped.PLUGINS_DIR / "govwatch_history.py", plugins)
    (plugins / "writer.py").write_text(WRITE_PLUGIN)
    argv = printed_command(history.gw, free_port())
    argv[argv.index("--plugins-dir") + 1] = str(plugins)
    with serving(argv) as url:
        answer = request(f"{url}/govwatch/forget_events", data=b"", headers={"Accept": "application/json"})
    assert answer.status == 200 and answer.body["ok"] is False
    assert "readonly database" in answer.body["message"]
    assert history.gw.count("events") > 0


WRITE_PLUGIN = '''
from datasette import hookimpl

@hookimpl
def canned_queries(datasette, database):
    return {"forget_events": {"sql": "DELETE FROM events", "write": True}}
'''


def test_printed_command_serves_a_history_under_any_file_name(history, tmp_path):
    elsewhere = Govwatch(tmp_path)
    elsewhere.config.write_text('[govwatch]\ndatabase = "history.db"\n')
    source, target = sqlite3.connect(history.gw.database), sqlite3.connect(tmp_path / "history.db")
    with target:
        source.backup(target)
    source.close()
    target.close()
    argv = printed_command(elsewhere, free_port())
    assert argv[argv.index("serve") + 1] == str(tmp_path / "history.db")
    with serving(argv) as url:
        latest = rows(url, "/history/latest_responses")
        page = request(f"{url}/history/petitions").body
    assert SEED in [r["number"] for r in latest]
    assert "What the petition asks for (its title)." in page  # column descriptions, under another name


def test_datasette_keeps_answering_while_check_writes(history):
    reads: list[tuple[float, int, int]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            answer = request(f"{history.url}/govwatch/signature_curve.json?petition={MOVING}&_shape=array")
            reads.append((time.monotonic(), answer.status, len(answer.body) if answer.status == 200 else -1))

    history.replica.sign(MOVING, 10400, updated_at=history.clock.tick())
    reader = threading.Thread(target=read)
    reader.start()
    started = time.monotonic()
    try:
        assert history.gw.run("check", check=False).returncode == 3  # the broken petition still fails
    finally:
        ended = time.monotonic()
        stop.set()
        reader.join()
    during = [r for r in reads if started <= r[0] <= ended]
    assert len(during) >= 10 and all(status == 200 for _, status, _ in reads)
    curve = history.rows("signature_curve", petition=str(MOVING))
    assert curve[-1]["signature_count"] == 10400  # the write is seen without restarting Datasette
    assert reads[-1][2] == len(curve)


def test_signature_curve_chart_is_a_readable_svg(history):
    answer = request(f"{history.url}/govwatch/signature_curve.svg?petition={MOVING}")
    assert answer.status == 200
    svg = ET.fromstring(answer.body)
    assert svg.get("viewBox") == "0 0 960 380" and svg.get("role") == "img"
    labels = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "10,000" in labels and "Response threshold" in labels  # the threshold and its crossing, marked
    assert "10,400 signatures" in labels
    assert any(re.fullmatch(r"\d{1,2}:\d{2}", label or "") for label in labels)  # a day's curve: hours, not ms
    assert "From 9,000 signatures" in svg.find("{http://www.w3.org/2000/svg}title").text
    page = request(f"{history.url}/govwatch/signature_curve?petition={MOVING}").body
    assert f"signature_curve.svg?petition={MOVING}" in page  # offered beside json and CSV


def test_signature_curve_chart_renders_offline(history, tmp_path):
    if chromium() is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`): the chart was not rendered")
    url = f"{history.url}/govwatch/signature_curve?petition={MOVING}"
    screenshot = tmp_path / "signature-curve.png"
    dom = browse(url, tmp_path / "profile", screenshot=screenshot, size="1200,900")
    [img] = lxml.html.fromstring(dom).xpath("//figure/img")
    assert img.get("src").endswith(f"/govwatch/signature_curve.svg?petition={MOVING}") and img.get("alt")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("GOVWATCH_SCREENSHOTS")
    if keep:  # to look at it: GOVWATCH_SCREENSHOTS=/some/folder pytest tests/test_datasette.py
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)


def test_serve_starts_datasette_beside_the_feeds_and_stops_it(history):
    feeds, datasette = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    argv = [sys.executable, "-m", "monitor.cli", "serve", "--port", feeds.rsplit(":", 1)[1],
            "--datasette-port", datasette.rsplit(":", 1)[1]]  # fmt: skip
    env = os.environ | {"GOVWATCH_CONFIG": str(history.gw.config), "PYTHONUNBUFFERED": "1"}
    serve = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: answers(datasette) and answers(feeds, "/"), serve)
        assert SEED in [r["number"] for r in rows(datasette, "/govwatch/latest_responses")]
    finally:
        serve.terminate()
        out, _ = serve.communicate(timeout=20)
    assert serve.returncode == 0, out
    assert f"Serving feeds on {feeds}" in out and f"Serving the history in Datasette on {datasette}" in out
    assert not answers(datasette)  # Datasette stopped with serve


def test_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = DatasetteServer(tmp_path / "govwatch.db", DatasetteOptions(port=busy.getsockname()[1]))
        with pytest.raises(GovwatchError) as error:
            server.start()
        port = busy.getsockname()[1]
    assert f"cannot serve Datasette: port {port} on 127.0.0.1 is taken by pid {os.getpid()}" in str(error.value)
    assert "pick another port" in error.value.hint
    assert server.process is None  # nothing started on a port known to be taken


# ------------------------------------------------------------------ helpers

