"""`govwatch add` and `govwatch remove` against the replicas: the file keeps every byte it had."""

from __future__ import annotations

import subprocess
import time
import tomllib

import pytest
from click.testing import CliRunner, Result

from monitor.cli.main import cli
from monitor.errors import GovwatchError
from monitor.replica.pages import AdvocacyReplica
from monitor.publish.serve import free_port
from monitor.cli.watchlist_edit import entry_for
from tests.support.govwatch import LOCAL_HOST_RULES, Govwatch
from tests.test_run import stop, wait_for

# A hand-written watchlist: comments everywhere, odd spacing, Chinese, no newline at the end.
HAND_WRITTEN = """# My watchlist — 我的监视列表
[govwatch]
database = "govwatch.db"   # beside this file
feeds_dir = "feeds"
{hosts}
# The seed petition, watched since 2018
[[petition]]
url   = "{replica}/petitions/221342"
tags = ["china"]     # 中国

# a closing remark about the alerts we may add one day"""


@pytest.fixture
def site():
    with AdvocacyReplica() as replica:
        yield replica


@pytest.fixture
def hand(replica, gw):
    replica.seed()
    replica.add_petition(700001, action="Fund more school libraries", signature_count=9000)
    text = HAND_WRITTEN.format(hosts=LOCAL_HOST_RULES, replica=replica.url)
    gw.config.write_text(text, encoding="utf-8")
    return text


def add(gw: Govwatch, *args: str) -> subprocess.CompletedProcess:
    return gw.run("add", *args, check=False)


def in_process(gw: Govwatch, *args: str) -> Result:
    """Run a command that needs no network in this process (no Scrapy start-up to wait for)."""
    return CliRunner().invoke(cli, [args[0], "--config", str(gw.config), *args[1:]])


def new_part(gw: Govwatch, before: str) -> str:
    after = gw.config.read_text(encoding="utf-8")
    assert after.startswith(before), "the bytes before the new entry changed"
    return after[len(before):]


# ------------------------------------------------------------------ what a URL becomes


@pytest.mark.parametrize("url, kind, keys", [
    ("https://petition.parliament.uk/petitions/700001", "petition", {"url"}),
    ("https://petition.parliament.uk/archived/petitions/221342", "petition", {"url"}),
    ("https://petition.parliament.uk/petitions/221342.json", "petition", {"url"}),
    ("https://petitions.senedd.wales/petitions/245", "petition", {"url"}),
    ("https://petition.parliament.uk/petitions?state=open&q=China", "sweep", {"site", "state", "query"}),
    ("https://petition.parliament.uk/petitions.json?state=with_response", "sweep", {"site", "state"}),
    ("https://www.amnesty.org.uk/actions/open-letter", "page", {"url"}),
])  # fmt: skip
def test_a_url_becomes_the_entry_it_calls_for(url, kind, keys):
    entry = entry_for(url, tags=("china",), name="mine", interval="10m")
    assert entry.kind == kind
    [table] = tomllib.loads(entry.text)[kind]
    assert set(table) == keys | {"tags", "name", "interval"} and table["tags"] == ["china"]
    if kind == "sweep":
        assert table["site"] == "https://petition.parliament.uk" and table["state"] in ("open", "with_response")


@pytest.mark.parametrize("url", ["petition 221342", "ftp://example.org/petitions/1",
                                 "https://petition.parliament.uk/archived/petitions?q=China"])  # fmt: skip
def test_what_cannot_be_watched_is_refused(url):
    with pytest.raises(GovwatchError):
        entry_for(url)


# ------------------------------------------------------------------ add, for real


@pytest.mark.slow
def test_add_appends_a_checked_petition_keeping_every_byte(replica, gw, hand):
    proc = add(gw, f"{replica.url}/petitions/700001", "--tag", "schools", "--name", "libraries",
               "--interval", "15m")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Added [[petition]] 'libraries'" in proc.stdout
    assert new_part(gw, hand) == (f'\n\n[[petition]]\nurl = "{replica.url}/petitions/700001"\nname = "libraries"\n'
                                  'tags = ["schools"]\ninterval = "15m"\n')  # fmt: skip
    [row] = gw.query("SELECT last_outcome, kind FROM watches WHERE id = 'libraries'")
    assert row == {"last_outcome": "changed", "kind": "petition"}  # checked once: the first poll is stored
    assert (gw.folder / "feeds" / "index.html").is_file()  # and the dashboard shows it


@pytest.mark.slow
def test_add_a_search_becomes_a_sweep_and_a_page_a_page(replica, site, gw, hand):
    assert add(gw, f"{replica.url}/petitions?state=open&q=libraries").returncode == 0
    assert add(gw, site.url + site.letter_path, "--name", "letter").returncode == 0
    config = tomllib.loads(gw.config.read_text())
    assert config["sweep"] == [{"site": replica.url, "state": "open", "query": "libraries"}]
    assert config["page"] == [{"url": site.url + site.letter_path, "name": "letter"}]
    assert gw.config.read_text().startswith(hand)
    assert gw.query("SELECT count(*) AS n FROM watch_petitions WHERE watch_id LIKE '%sweep%'")[0]["n"] == 1


@pytest.mark.slow
def test_every_bad_input_is_refused_with_one_line_and_the_file_unchanged(replica, site, gw, hand):
    before = gw.config.read_bytes()
    checked = {  # refused by the check: a real poll each
        "unreachable": [f"http://127.0.0.1:{free_port()}/petitions/1"],
        "not a petition": [f"{site.url}/petitions/5"],  # an advocacy site answers HTML (a 404), not petition JSON
        "no such petition": [f"{replica.url}/petitions/999999"],
    }
    for case, args in checked.items():
        proc = add(gw, *args)
        assert proc.returncode != 0, case
        assert "Traceback" not in proc.stderr and proc.stderr.startswith("govwatch: "), (case, proc.stderr)
        assert "the watchlist was not changed" in proc.stderr, case
        assert gw.config.read_bytes() == before, case
    [row] = gw.query("SELECT active FROM watches WHERE id LIKE '%999999'")
    assert row["active"] == 0  # the refused watch is not polled by a daemon either
    refused = {  # refused before any poll
        "already watched": [f"{replica.url}/archived/petitions/221342"],
        "already watched by name": [f"{replica.url}/petitions/700001", "--name", f"{replica.url.split('//')[1]}/221342"],
        "bad interval": [f"{replica.url}/petitions/700001", "--interval", "soon"],
        "not a URL": ["221342"],
    }
    for case, args in refused.items():
        result = in_process(gw, "add", *args)
        assert isinstance(result.exception, SystemExit) and result.exit_code in (1, 2), (case, result.exception)
        assert result.stderr.startswith("govwatch: ") and len(result.stderr.splitlines()) <= 2, (case, result.stderr)
        assert gw.config.read_bytes() == before, case


# ------------------------------------------------------------------ remove


def test_remove_takes_out_one_entry_and_its_comment_only(replica, gw, hand):
    text = hand + '\n\n[[petition]]\nurl = "https://petition.parliament.uk/petitions/700001"\nname = "libraries"\n'
    gw.config.write_text(text, encoding="utf-8")
    seed_id = f"{replica.url.split('//')[1]}/221342"
    result = in_process(gw, "remove", seed_id)
    assert result.exit_code == 0, result.output
    after = gw.config.read_text(encoding="utf-8")
    assert "221342" not in after and "watched since 2018" not in after
    start, end = text.split("# The seed petition")[0], text.split('# 中国\n')[1]
    # Every other byte stays (header, hosts, the closing remark, the other entry); of the blank lines that
    # framed the entry, one goes with it, so no gap doubles up.
    assert after == start + end.removeprefix("\n")
    assert [p["name"] for p in tomllib.loads(after)["petition"]] == ["libraries"]


def test_remove_refuses_an_unknown_or_alerted_watch_and_leaves_the_file(replica, gw, hand):
    seed_id = f"{replica.url.split('//')[1]}/221342"
    text = hand + f'\n\n[[alert]]\nname = "me"\nurl = "json://127.0.0.1:9/"\nwatches = ["{seed_id}"]\n'
    gw.config.write_text(text, encoding="utf-8")
    for name in ("nothing-by-this-name", seed_id):
        result = in_process(gw, "remove", name)
        assert result.exit_code == 2 and result.stderr.startswith("govwatch: "), result.output
        assert gw.config.read_text(encoding="utf-8") == text


# ------------------------------------------------------------------ a running daemon


@pytest.mark.slow
def test_a_running_daemon_polls_an_added_watch(replica, gw, hand):
    proc = gw.start("-v", "run", "--no-serve", "--tick", "0.5s")
    try:
        wait_for(lambda: [r for r in replica.requests if r.path.startswith("/archived/petitions/221342")], 15)
        assert add(gw, f"{replica.url}/petitions/700001", "--interval", "1s").returncode == 0
        added = time.time()
        # The daemon reloads the file at its next tick and polls the watch when its 1 s interval is up.
        wait_for(lambda: [r for r in replica.requests if r.path.startswith("/petitions/700001")
                          and r.started > added], 10)  # fmt: skip
    finally:
        stop(proc)
    assert "watchlist reloaded: 1 added" in proc.stderr.read()
