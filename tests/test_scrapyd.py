"""govwatch's spiders on two real Scrapyd nodes on 127.0.0.1: same events, nothing lost or doubled, polite."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.watchlist.config import load_config
from monitor.items import Poll
from monitor.jsonable import loads
from monitor.watchlist.scrapyd import Node, ScrapydSettings
from monitor.scrapyd.job import observation
from monitor.scrapyd.node import NodeClient
from monitor.scrapyd.split import split
from tests.support.govwatch import LOCAL_HOST_RULES, Govwatch, most_in_flight
from tests.support.scrapyd import ScrapydNode, scrapyd_table

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which(str(Path(sys.executable).with_name("scrapyd"))) is None,
                                                   reason="scrapyd is not installed (pip install govwatch[scrapyd])")]
N = 700001
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def nodes(tmp_path):
    """Two fresh Scrapyd nodes (max_proc 1 each), stopped with every process they started."""
    first, second = ScrapydNode(tmp_path / "node1"), ScrapydNode(tmp_path / "node2")
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


def on_nodes(folder: Path, nodes, hosts: str = LOCAL_HOST_RULES) -> Govwatch:
    folder.mkdir()
    return Govwatch(folder, hosts=hosts + scrapyd_table(list(nodes)))


def test_lifecycle_on_nodes_gives_the_events_of_the_in_process_crawl(replica, nodes, tmp_path):
    local, remote = Govwatch(tmp_path / "local"), on_nodes(tmp_path / "remote", nodes)
    (tmp_path / "local").mkdir()
    replica.add_petition(N, action="Fund more school libraries", signature_count=9990)
    for gw in (local, remote):
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    clock = [1000]

    def step(*changes) -> None:
        for change, *args in changes:
            change(N, *args)
        clock[0] += 20
        replica.set(N, updated_at=f"2026-01-01T00:{clock[0] // 60 % 60:02d}:{clock[0] % 60:02d}.000Z")
        running = local.start("check")  # both crawls poll the same state of the replica, side by side
        remote.check()
        assert running.wait(timeout=120) == 0, running.communicate()

    step()
    step((replica.sign, 10050), (replica.respond, "We will consider it.", "The department is reviewing."))
    step((replica.edit_response, None, "The department will fund 500 school libraries."), (replica.sign, 100200),
         (replica.schedule_debate, "2027-03-12"), (replica.debate, "2027-03-12"), (replica.close,))
    step((replica.archive,))  # four checks: each Scrapyd job is a new process, so the story is told in few steps

    def events(gw):
        return [{k: e[k] for k in ("key", "kind", "title", "summary", "occurred_at", "url")} for e in gw.events()]

    assert events(remote) == events(local)
    assert sorted(e["kind"] for e in events(remote)) == [
        "debate_scheduled", "debated", "response_published", "response_updated", "state_changed", "state_changed",
        "threshold_crossed", "threshold_crossed"]  # fmt: skip
    jobs = remote.query("SELECT node, state FROM scrapyd_jobs")
    assert jobs and {j["state"] for j in jobs} == {"ingested"}
    assert remote.query("SELECT url FROM watches WHERE kind = 'petition'") == [
        {"url": f"{replica.url}/archived/petitions/{N}.json"}]


def test_a_node_killed_mid_crawl_loses_and_doubles_nothing(replica, nodes, tmp_path):
    first, second = nodes
    numbers = range(N, N + 12)
    for n in numbers:
        replica.add_petition(n, signature_count=10050)  # first sight backfills one threshold event each
    replica.fault("timeout", path=r"^/petitions/\d+\.json$", delay=0.5)  # slow answers: the kill lands mid-job
    # One request at a time per job (a delay, however small: with none, Scrapy starts a slot's whole queue at
    # once), so a job's items come one by one and the monitor records some before the job ends.
    rules = LOCAL_HOST_RULES.replace("concurrency = 8", "concurrency = 2").replace("delay = 0", 'delay = "0.02s"')
    gw = on_nodes(tmp_path / "gw", nodes, rules)
    gw.settings = "failing_after = 1\n"
    for n in numbers:
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    running = gw.start("check")
    deadline = time.monotonic() + 60
    while not _recorded_while_running(gw, first.url) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()  # the daemon and its spider, mid-crawl, after the monitor recorded some of its job's items
    out, err = running.communicate(timeout=120)
    assert running.returncode == 0, out + err
    assert f"scrapyd node {first.url}" in err  # one readable line about the node
    assert "Traceback" not in err
    [failing] = [e for e in gw.events() if e["kind"] == "node_failing"]
    assert failing["watch_id"] == f"scrapyd-node:{first.url}" and first.url in failing["summary"]
    events = [k for k in gw.event_keys() if k != failing["key"]]
    assert sorted(events) == sorted(f"petition/{replica.url.split('//')[1]}/{n}/threshold/10000" for n in numbers)
    polls = gw.query("SELECT watch_id, sum(polls) AS polls FROM observations GROUP BY watch_id")
    assert len(polls) == len(numbers) and {p["polls"] for p in polls} == {1}
    jobs = {(j["node"], j["state"]) for j in gw.query("SELECT node, state FROM scrapyd_jobs")}
    assert (first.url, "lost") in jobs and (second.url, "ingested") in jobs
    [lost] = gw.query("SELECT items, polls FROM scrapyd_jobs WHERE state = 'lost'")
    # Recorded before the kill, and not polled again (one poll each, above): usually some of its polls, or all
    # of them when the monitor read them before the job could end (a loaded machine).
    assert 0 < lost["items"] <= lost["polls"]
    [node] = gw.query("SELECT state, failures FROM scrapyd_nodes WHERE url = ?", (first.url,))
    assert node == {"state": "failing", "failures": 1}
    status = gw.run("status").stdout
    assert f"{first.url:<32} down: cannot reach the node" in status
    assert f"{second.url:<32} up: 0 running, 0 pending, 1 free" in status


def test_host_concurrency_holds_across_both_nodes(replica, nodes, tmp_path):
    numbers = range(N, N + 16)
    for n in numbers:
        replica.add_petition(n, signature_count=50)
    replica.fault("timeout", path=r"^/petitions/\d+\.json$", delay=0.2)
    # A delay, however small: with none, Scrapy 2.19's downloader starts a slot's whole queue at once.
    rules = LOCAL_HOST_RULES.replace("concurrency = 8", "concurrency = 2").replace("delay = 0", 'delay = "0.02s"')
    gw = on_nodes(tmp_path / "gw", nodes, rules)
    for n in numbers:
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    gw.check()
    details = _detail_requests(replica)
    assert len(details) == len(numbers)
    assert most_in_flight(details) <= 2
    assert len({j["node"] for j in gw.query("SELECT node FROM scrapyd_jobs")}) == 2  # both nodes polled


def test_scrapyd_deploy_builds_an_egg_a_fresh_node_accepts_and_runs(replica, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("monitor", "spiders", "store"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md"):
        shutil.copy(ROOT / name, project / name)
    replica.add_petition(N, signature_count=50)
    gw = Govwatch(tmp_path / "gw")
    (tmp_path / "gw").mkdir()
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    config = load_config(gw.config)
    [watch] = config.watches
    with ScrapydNode(tmp_path / "node") as node:
        # scrapy.cfg's [deploy] target, pointed at this node
        cfg = (project / "scrapy.cfg").read_text().replace("#url = http://127.0.0.1:6800/", f"url = {node.url}/")
        (project / "scrapy.cfg").write_text(cfg)
        deploy = subprocess.run([str(Path(sys.executable).with_name("scrapyd-deploy")), "--version", "7"],
                                cwd=project, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        client = NodeClient(Node(node.url), ScrapydSettings(nodes=(Node(node.url),)))
        assert client.versions() == ["7"]
        [job] = split(config, [Poll(watch.id, watch.url)], [node.url])
        client.schedule("petitions", "job1", "7", {"job": job.argument})
        deadline = time.monotonic() + 60
        while "job1" not in client.jobs() or client.jobs()["job1"]["state"] != "finished":
            assert time.monotonic() < deadline, "the job did not finish in 60 s"
            time.sleep(0.1)
        items = client.items(client.jobs()["job1"]["items_url"])
    [obs] = [observation(loads(line)) for line in items.splitlines()]
    assert (obs.watch_id, obs.status, obs.petition.signature_count) == (watch.id, 200, 50)
    assert not (tmp_path / "gw" / "govwatch.db").exists()  # the node wrote no database


def _recorded_while_running(gw: Govwatch, node: str) -> bool:
    """Tell whether the monitor has recorded items of a job of `node` that is still running."""
    try:
        return bool(gw.query("SELECT 1 FROM scrapyd_jobs WHERE node = ? AND state = 'scheduled' AND items > 0",
                             (node,)))  # fmt: skip
    except sqlite3.OperationalError:  # the monitor is still creating the database
        return False


def _detail_requests(replica) -> list:
    return [r for r in replica.requests if r.path.startswith("/petitions/") and r.path.endswith(".json")]
