"""Small rough edges a new user met (issue 18): bad values refused, singular words, long ids, the path shown."""

from __future__ import annotations

import pytest

from monitor.watchlist.config import load_config
from monitor.errors import ConfigError
from monitor.cli.report import plural, shown_path


@pytest.mark.parametrize("text", ['[govwatch]\ninterval = "0s"\n',
                                  '[[petition]]\nid = 1\ninterval = "0s"\n',
                                  '[[sweep]]\ninterval = 0\n'])  # fmt: skip
def test_a_zero_interval_is_refused(tmp_path, text):
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="key 'interval': expected a duration above zero"):
        load_config(path)


def test_counts_take_the_singular():
    assert [plural(1, "watch"), plural(2, "watch"), plural(1, "crawl"), plural(0, "crawl")] == [
        "1 watch", "2 watches", "1 crawl", "0 crawls"]  # fmt: skip


def test_between_on_a_petition_is_refused_not_ignored(replica, gw):
    replica.add_petition(81, action="Between", signature_count=10)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/81"')
    gw.check()
    proc = gw.run("history", "81", "--between", "1", "2", check=False)
    assert proc.returncode == 2 and "--between takes a page's snapshots" in proc.stderr


def test_status_keeps_its_columns_with_a_long_id_and_check_shows_the_watchlist_path(replica, gw):
    replica.add_petition(82, action="Long", signature_count=10)
    long_id = "a-very-long-watch-name-that-is-wider-than-its-column-by-far"
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/82"\nname = "{long_id}"')
    assert gw.run("check").stdout.startswith("govwatch check (watchlist.toml): 1 watch polled,")
    lines = gw.run("status").stdout.splitlines()
    header = next(line for line in lines if line.startswith("watch "))
    row = lines[lines.index(long_id) + 1]
    assert row[header.index("outcome"):].startswith("changed"), (header, row)


def test_the_summary_names_the_watchlist_by_the_path_given(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert shown_path(tmp_path / "w" / "watchlist.toml") == str((tmp_path / "w" / "watchlist.toml").resolve())
    assert shown_path(elsewhere / "sub" / "watchlist.toml") == "sub/watchlist.toml"
