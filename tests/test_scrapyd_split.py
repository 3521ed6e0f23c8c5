"""The [scrapyd] table, job documents and the split of polls over nodes (no Scrapyd needed)."""

from __future__ import annotations

import pytest

from monitor.scrapyd import job as scrapyd_job
from monitor.watchlist.config import load_config
from monitor.errors import ConfigError
from monitor.items import CountState, Observation, PageContent, Poll
from monitor.jsonable import loads, to_jsonable
from monitor.scrapyd.split import split

SITE = "https://petition.example"


def watchlist(tmp_path, extra: str = "", petitions: int = 4, concurrency: int = 4):
    text = f'[hosts."petition.example"]\nconcurrency = {concurrency}\ndelay = "1s"\n' + extra
    text += "".join(f'\n[[petition]]\nurl = "{SITE}/petitions/{n}"\n' for n in range(1, petitions + 1))
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    return load_config(path)


def test_nodes_are_urls_or_tables_and_credentials_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NODE_PASSWORD", "s3cret")
    config = watchlist(tmp_path, '[scrapyd]\nnodes = ["http://127.0.0.1:6800/", { url = "http://10.0.0.2:6800", '
                                 'slots = 3 }]\nslots = 2\nusername = "gw"\npassword = "${NODE_PASSWORD}"\n')
    assert [(n.url, n.slots) for n in config.scrapyd.nodes] == [("http://127.0.0.1:6800", 2), ("http://10.0.0.2:6800", 3)]
    assert (config.scrapyd.project, config.scrapyd.username, config.scrapyd.password) == ("govwatch", "gw", "s3cret")
    assert watchlist(tmp_path).scrapyd is None  # no table: crawls stay in process


@pytest.mark.parametrize(("table", "message"), [
    ('nodes = []', "key 'nodes': expected a list of node URLs"),
    ('nodes = ["127.0.0.1:6800"]', "expected a node's http(s) URL"),
    ('nodes = ["http://a:1", "http://a:1"]', "a node is listed twice"),
    ('nodes = ["http://a:1"]\npassword = "${GOVWATCH_TEST_UNSET}"', "GOVWATCH_TEST_UNSET is not set"),
    ('nodes = ["http://a:1"]\nnode = 1', "[scrapyd], key 'node': unknown key"),
])  # fmt: skip
def test_a_wrong_scrapyd_table_is_one_clear_error(tmp_path, table, message):
    with pytest.raises(ConfigError, match=None) as caught:
        watchlist(tmp_path, f"[scrapyd]\n{table}\n")
    assert message in str(caught.value)


def test_a_job_document_carries_polls_and_their_watches_back_intact(tmp_path):
    config = watchlist(tmp_path, "[govwatch]\ncontact = \"ops@example.org\"\n")
    known = CountState(signature_count=10, government_response_at="2026-01-01T00:00:00Z")
    polls = [Poll(config.watches[0].id, f"{SITE}/petitions/1.json", "count", known=known, noise=("a", "b"))]
    [job] = split(config, polls, ["http://node:6800"])
    got_config, got_polls = scrapyd_job.read(job.argument)
    assert got_polls == polls
    assert [w.id for w in got_config.watches] == [config.watches[0].id]
    assert got_config.settings.contact == "ops@example.org"
    with pytest.raises(scrapyd_job.BadJob):
        scrapyd_job.read("z:not-base64!")


def test_an_exported_observation_becomes_the_same_observation(tmp_path):
    page = PageContent(title="T", lines=("a", "b"), line_paths=("p", "p"), count=3, noise=("x",))
    obs = Observation("w", "https://x/", "page", "2026-01-01T00:00:00.000Z", status=200, page=page,
                      count=CountState(signature_count=5))  # fmt: skip
    assert scrapyd_job.observation(loads(scrapyd_job.dumps(to_jsonable(obs)))) == obs


def test_a_hosts_concurrency_and_delay_are_the_clusters(tmp_path):
    config = watchlist(tmp_path, petitions=10, concurrency=4)
    polls = [Poll(w.id, w.url) for w in config.watches]
    jobs = split(config, polls, ["http://a", "http://b", "http://a", "http://b", "http://c"])
    assert len(jobs) == 4  # no more jobs than the host's concurrency
    assert sum(j.hosts["petition.example"].concurrency for j in jobs) == 4
    assert {j.hosts["petition.example"].delay for j in jobs} == {4.0}  # 4 jobs at once: each waits 4 × 1 s
    assert sorted(p.watch_id for j in jobs for p in j.polls) == sorted(p.watch_id for p in polls)
    [single] = split(watchlist(tmp_path, petitions=10, concurrency=1), polls, ["http://a", "http://b"])
    assert (single.hosts["petition.example"].concurrency, len(single.polls)) == (1, 10)


def test_a_job_is_cut_to_end_well_within_its_job_timeout_at_the_hosts_delay(tmp_path):
    """Polite defaults (two jobs a host, each 2 s apart) would take a 2,000-poll job past the hour: cancelled."""
    config = watchlist(tmp_path, '[scrapyd]\nnodes = ["http://a", "http://b"]\njob_timeout = "10m"\n',
                       petitions=1000, concurrency=2)  # fmt: skip
    polls = [Poll(w.id, w.url) for w in config.watches]
    jobs = split(config, polls, ["http://a", "http://b"])
    assert {j.hosts["petition.example"].delay for j in jobs} == {2.0}
    assert all(len(j.polls) * 2.0 <= 300 for j in jobs)  # half of job_timeout, at one request a poll
    assert sorted(p.watch_id for j in jobs for p in j.polls) == sorted(p.watch_id for p in polls)
    assert len(jobs) == 8  # 500 polls a node, in pieces of 125 (250 s), not 1,000 pieces of one


def test_a_job_too_long_for_a_command_line_is_split(tmp_path, monkeypatch):
    config = watchlist(tmp_path, petitions=40, concurrency=1)
    polls = [Poll(w.id, w.url) for w in config.watches]
    monkeypatch.setattr(scrapyd_job, "MAX_ARGUMENT", 600)
    jobs = split(config, polls, ["http://a"])
    assert len(jobs) > 1 and all(len(j.argument) <= 600 for j in jobs)
    assert [p for j in jobs for p in scrapyd_job.read(j.argument)[1]] == polls


def test_a_sweep_with_page_hashes_travels_with_them_or_without_them_when_too_long(tmp_path, monkeypatch):
    config = watchlist(tmp_path, f'[[sweep]]\nsite = "{SITE}"\n', petitions=0)
    [sweep] = config.watches
    hashes = tuple((f"{SITE}/petitions.json?page={n}&state=open&count=50", f"{n:040x}") for n in range(2, 400))
    poll = Poll(sweep.id, sweep.url, "sweep", page_hashes=hashes)
    [job] = split(config, [poll], ["http://a"])
    assert scrapyd_job.read(job.argument)[1] == [poll]  # the spider skips the pages it recorded
    monkeypatch.setattr(scrapyd_job, "MAX_ARGUMENT", len(job.argument) - 1)
    [job] = split(config, [poll], ["http://a"])
    assert len(job.argument) <= scrapyd_job.MAX_ARGUMENT
    assert scrapyd_job.read(job.argument)[1] == [Poll(sweep.id, sweep.url, "sweep")]  # still the whole pass


def test_the_readme_documents_the_scrapyd_table_and_its_example_parses(tmp_path, monkeypatch):
    import re

    from monitor.watchlist.scrapyd import KEYS
    from tests.test_config import ROOT

    section = (ROOT / "README.md").read_text().split("## Scrapyd nodes", 1)[1].split("\n## ", 1)[0]
    documented = {k for cell in re.findall(r"^\| (`[^|]+) \|", section, re.M) for k in re.findall(r"`(\w+)`", cell)}
    assert documented == KEYS
    [block] = re.findall(r"```toml\n(.*?)```", section, re.S)
    for name in re.findall(r"\$\{(\w+)\}", block):
        monkeypatch.setenv(name, f"example-{name.lower()}")
    config = watchlist(tmp_path, block)
    assert [n.slots for n in config.scrapyd.nodes] == [1, 2] and config.scrapyd.password == "example-scrapyd_password"
