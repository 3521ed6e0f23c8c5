"""`govwatch demo` as a real subprocess: the scripted events reach its database, its feeds and Datasette."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request

import feedparser
import pytest

from monitor.cli import scenario
from monitor.watchlist.config import DEFAULT_FEEDS_URL, load_config
from monitor.cli.demo import MARKER, prepare_folder
from monitor.errors import ConfigError


def _demo(folder, *args: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", "demo", "--dir", str(folder), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


@pytest.mark.slow
def test_demo_plays_its_story_into_the_database_the_feeds_and_datasette(tmp_path):
    proc = _demo(tmp_path, "--duration", "12", "--port", "0", "--datasette-port", "0")
    lines, urls, served = [], {}, None
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            for name in ("Feeds", "Datasette"):
                if line.startswith(f"{name}: "):
                    urls[name] = line.split()[1]
            if "event response_published" in line and scenario.ACTION in line:
                # While it runs, its servers answer with what it stored.
                served = feedparser.parse(_get(urls["Feeds"] + "all.atom"))
                rows = json.loads(_get(urls["Datasette"] + "/events.json?_shape=array&_col=kind&_col=watch_id"))
                assert ("threshold_crossed", scenario.PETITION_WATCH) in [(r["kind"], r["watch_id"]) for r in rows]
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
    finally:
        proc.kill()
    output = "\n".join(lines)
    assert "every scripted event arrived" in output
    assert f"event list_item_added: Added: {scenario.SIGNATORY}" in output
    assert served is not None and any(scenario.ACTION in e.title for e in served.entries)

    conn = sqlite3.connect(tmp_path / "govwatch.db")
    events = conn.execute("SELECT key, kind, watch_id, title, data FROM events").fetchall()
    conn.close()
    racing = {kind: key for key, kind, watch, _, _ in events if watch == scenario.PETITION_WATCH}
    assert racing["threshold_crossed"].endswith(f"/{scenario.NUMBER}/threshold/10000")
    assert "response_published" in racing
    [added] = [json.loads(data) for _, kind, watch, _, data in events if kind == "list_item_added"]
    assert added["item"] == scenario.SIGNATORY

    feed = feedparser.parse(str(tmp_path / "feeds" / "all.atom"))
    titles = [entry.title for entry in feed.entries]
    assert f"10,000 signatures: {scenario.ACTION}" in titles
    assert f"Government responded: {scenario.ACTION}" in titles
    assert any(scenario.SIGNATORY in title for title in titles)
    assert (tmp_path / "watchlist.toml").read_text().startswith(MARKER)

    # Afterwards the folder's feeds name where `govwatch serve` serves them, not the demo's dead port.
    dead = urls["Feeds"]
    assert dead != DEFAULT_FEEDS_URL
    for name in ("all.atom", "feeds.opml", "feeds.html"):
        text = (tmp_path / "feeds" / name).read_text()
        assert dead not in text and DEFAULT_FEEDS_URL in text, name
    assert dead not in (tmp_path / "feeds" / "index.html").read_text()  # the dashboard's links are relative
    assert f"{DEFAULT_FEEDS_URL}all.atom" in [link.href for link in feed.feed.links if link.rel == "self"]
    assert load_config(tmp_path / "watchlist.toml").settings.feeds_url == DEFAULT_FEEDS_URL


@pytest.mark.slow
def test_ctrl_c_in_the_demo_says_the_story_was_cut_short(tmp_path):
    proc = _demo(tmp_path, "--duration", "30", "--port", "0", "--no-datasette")
    try:
        for line in proc.stdout:
            if line.startswith("[00:"):  # the story is playing
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "the story was cut short (Ctrl-C)" in err and "Traceback" not in err


def test_the_demo_reuses_its_own_folder_and_refuses_any_other(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty and holds no earlier demo"):
        prepare_folder(tmp_path)
    earlier = tmp_path / "earlier"
    (earlier / "feeds").mkdir(parents=True)
    (earlier / "watchlist.toml").write_text(f"{MARKER} …\n")
    (earlier / "govwatch.db").write_text("")
    assert prepare_folder(earlier) == earlier.resolve() and list(earlier.iterdir()) == []


def test_the_scenario_crosses_10000_and_names_every_action():
    counts = [step.value for step in scenario.SCENARIO if step.action == "sign"]
    assert counts == sorted(counts) and counts[0] < 10_000 < counts[-1] and scenario.START_COUNT < 10_000
    assert {step.action for step in scenario.SCENARIO} <= set(scenario.ACTIONS)
    assert scenario.last_step_at(12) < 12 * 0.75  # the last change leaves time for it to be polled
