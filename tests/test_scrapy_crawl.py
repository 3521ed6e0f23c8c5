"""`scrapy crawl petitions|pages -a config=…` keeps working beside govwatch (the README documents it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from monitor.replica.pages import AdvocacyReplica


def scrapy_crawl(gw, spider: str) -> subprocess.CompletedProcess:
    env = os.environ | {"SCRAPY_SETTINGS_MODULE": "monitor.run.settings"}
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"config={gw.config}"],
                          env=env, cwd=gw.folder, capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.slow
def test_scrapy_crawl_polls_the_watchlist_and_records_into_its_database(replica, gw):
    replica.add_petition(700101, action="Protect the hedgehogs", signature_count=12_000)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/700101"')
    with AdvocacyReplica() as advocacy:
        gw.add(f'[[page]]\nname = "letter"\nurl = "{advocacy.url}{advocacy.letter_path}"\nlist = "article li"')
        for spider in ("petitions", "pages"):
            done = scrapy_crawl(gw, spider)
            assert done.returncode == 0, done.stderr[-2000:]
    assert [r["kind"] for r in gw.query("SELECT kind FROM observations WHERE outcome = 'changed' ORDER BY id")] == [
        "petition", "page"]  # fmt: skip
    assert any(k.endswith("/700101/threshold/10000") for k in gw.event_keys())
    assert gw.query("SELECT count(*) AS n FROM page_snapshots") == [{"n": 1}]


@pytest.mark.slow
def test_scrapy_crawl_with_another_watchlist_records_into_that_watchlists_database(replica, gw, tmp_path):
    replica.add_petition(700102, action="Protect the otters", signature_count=12_000)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/700102"')
    here = tmp_path / "elsewhere"  # a folder with a watchlist of its own, as the README's form meets it
    here.mkdir()
    (here / "watchlist.toml").write_text('[govwatch]\ndatabase = "here.db"\n')
    env = os.environ | {"SCRAPY_SETTINGS_MODULE": "monitor.run.settings"}
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "petitions", "-a", f"config={gw.config}"],
                          env=env, cwd=here, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and "could not record" not in done.stderr, done.stderr[-2000:]
    assert any(k.endswith("/700102/threshold/10000") for k in gw.event_keys())
    assert not (here / "here.db").exists()
