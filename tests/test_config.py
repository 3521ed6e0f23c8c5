"""The watchlist: valid files load, wrong ones fail naming file, entry and problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.watchlist.config import PetitionWatch, SweepWatch, load_config
from monitor.errors import ConfigError
from monitor.watchlist.validation import parse_duration, parse_size

ROOT = Path(__file__).parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    return path


def test_bundled_watchlist_loads():
    config = load_config(ROOT / "watchlist.toml")
    [petition, sweep] = config.watches
    assert isinstance(petition, PetitionWatch) and petition.number == 221342
    assert petition.thresholds == (5000, 250000) and petition.tags == ("china",)
    assert isinstance(sweep, SweepWatch) and sweep.query == "China" and sweep.state == "open"
    assert "q=China" in sweep.url and "count=50" in sweep.url
    assert config.settings.database == ROOT / "govwatch.db"
    assert config.settings.interval == 600


def readme_watchlists() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [block for block in re.findall(r"```toml\n(.*?)```", text, re.S) if "[govwatch]" in block]


def test_readme_watchlist_examples_parse(tmp_path, monkeypatch):
    blocks = readme_watchlists()
    assert blocks, "README.md has no watchlist example"
    for block in blocks:
        for name in re.findall(r"\$\{(\w+)\}", block):  # alert URLs read secrets from the environment
            monkeypatch.setenv(name, f"example-{name.lower()}")
        load_config(write(tmp_path, block))


def test_petition_by_id_and_site(tmp_path):
    config = load_config(write(tmp_path, '[[petition]]\nid = 700\nsite = "https://petitions.senedd.wales"\n'))
    [watch] = config.watches
    assert watch.url == "https://petitions.senedd.wales/petitions/700.json"
    assert watch.id == "petitions.senedd.wales/700"


def test_archived_url_is_kept(tmp_path):
    config = load_config(write(tmp_path, '[[petition]]\nurl = "https://petition.parliament.uk/archived/petitions/221342"\n'))
    assert config.watches[0].url == "https://petition.parliament.uk/archived/petitions/221342.json"


def test_host_rules_override_defaults(tmp_path):
    config = load_config(write(tmp_path, '[polite]\ndelay = "2s"\n[hosts."127.0.0.1"]\ndelay = 0\nrobots_txt = false\n'))
    assert config.politeness("example.org").delay == 2.0
    local = config.politeness("127.0.0.1")
    assert local.delay == 0 and local.robots_txt is False and local.concurrency == 2


@pytest.mark.parametrize(("text", "message"), [
    ('[govwatch]\ninterval = 10\n[[petition]]\nurl = 5\n', r"\[\[petition\]\] #1, key 'url': expected a string, got int 5"),
    ('[[petition]]\nurl = "https://petition.parliament.uk/petitions/1"\ntreshold = [1]\n',
     r"\[\[petition\]\] #1, key 'treshold': unknown key"),
    ('[[petition]]\nurl = "https://www.amnesty.org.uk/blogs/yes-minister-it-human-rights-issue"\n',
     r"\[\[petition\]\] #1, key 'url': not a petition URL"),
    ('[[petition]]\nurl = "https://petition.parliament.uk/petitions/1"\n[[petition]]\nid = 1\n',
     r"\[\[petition\]\] #2: duplicate watch 'petition.parliament.uk/1', already defined by \[\[petition\]\] #1"),
    ('[govwatch]\ninterval = "soon"\n', r"\[govwatch\], key 'interval': expected a duration"),
    ('[[sweep]]\nstate = "opne"\n', r"\[\[sweep\]\] #1, key 'state': unknown index state 'opne'"),
    ('[[petition]]\nurl = "https://petition.parliament.uk/petitions/1"\nthresholds = [0]\n',
     r"key 'thresholds': expected a list of positive whole numbers"),
    ('[[petition]]\n', r"give either url"),
    ('[[petiton]]\nid = 1\n', r"unknown top-level key 'petiton'"),
    ('[polite]\nconcurrency = true\n', r"\[polite\], key 'concurrency': expected a whole number, got a boolean"),
    ('[[petition]\n', r"not valid TOML"),
    ('[govwatch]\nfeeds_url = "feeds.example.org"\n', r"\[govwatch\], key 'feeds_url': expected the http\(s\) URL"),
])  # fmt: skip
def test_invalid_watchlists_name_file_entry_and_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert re.search(message, str(error.value)), str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such watchlist file"):
        load_config(tmp_path / "nope.toml")


def test_durations_and_sizes():
    assert parse_duration("1h30m") == 5400 and parse_duration("90s") == 90 and parse_duration(5) == 5
    assert parse_size("5MB") == 5 * 1024 * 1024 and parse_size("512KB") == 512 * 1024
    for bad in ("", "10 minutes", "1x"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_only_selects_by_id_number_or_tag():
    config = load_config(ROOT / "watchlist.toml")
    assert [w.id for w in config.select("221342")] == ["petition.parliament.uk/221342"]
    assert len(config.select("china")) == 2
    with pytest.raises(ConfigError, match="no watch matches --only"):
        config.select("nothing")


def test_feeds_url_defaults_to_govwatch_serve_and_ends_with_a_slash(tmp_path):
    assert load_config(write(tmp_path, "")).settings.feeds_url == "http://127.0.0.1:8080/"
    config = load_config(write(tmp_path, '[govwatch]\nfeeds_url = "https://example.org/govwatch"\n'))
    assert config.settings.feeds_url == "https://example.org/govwatch/"
