"""A job's items are recorded once, and a job cut short records the observations it finished."""

from __future__ import annotations

import sqlite3

from monitor.watchlist.config import load_config
from monitor.items import Observation
from monitor.jsonable import dumps, to_jsonable
from monitor.scrapyd.ingest import ingest, job_scheduled, node_failed, node_ok
from store.db import open_db
from store.watches import sync_watches


def setup(tmp_path, failing_after: int = 2):
    path = tmp_path / "watchlist.toml"
    path.write_text(f'[govwatch]\nfailing_after = {failing_after}\n'
                    + "".join(f'[[petition]]\nurl = "https://petition.example/petitions/{n}"\n' for n in (1, 2, 3)))
    config = load_config(path)
    db = open_db(config.settings.database)
    sync_watches(db, config)
    db.close()
    return config


def line(watch_id: str) -> bytes:
    obs = Observation(watch_id, "https://petition.example/x.json", "petition", "2026-01-01T00:00:00.000Z",
                      status=500, error="HTTP 500 Internal Server Error")  # fmt: skip
    return dumps(to_jsonable(obs)).encode() + b"\n"


def test_a_job_cut_short_records_what_it_finished_and_a_job_is_ingested_once(tmp_path):
    config = setup(tmp_path)
    first, second, third = (w.id for w in config.watches)
    job_scheduled(config, "job-1", "http://node", "petitions", 3)
    items = line(first) + line(second) + line(third)[:40]  # the job was killed while writing its third item
    result = ingest(config, "job-1", items)
    assert [o.watch_id for o in result.observations] == [first, second] and result.record_errors == 1
    again = ingest(config, "job-1", items)
    assert again.already and not again.observations
    conn = sqlite3.connect(config.settings.database)
    polled = conn.execute("SELECT watch_id, sum(polls) FROM observations GROUP BY watch_id ORDER BY 1").fetchall()
    assert polled == sorted([(first, 1), (second, 1)])
    assert conn.execute("SELECT state, items FROM scrapyd_jobs").fetchall() == [("ingested", 2)]
    [(last,)] = conn.execute("SELECT last_checked_at FROM watches WHERE id = ?", [third]).fetchall()
    assert last is None  # the third poll stays due


def test_a_node_failing_in_a_row_is_one_event_and_a_success_starts_again(tmp_path):
    config = setup(tmp_path, failing_after=2)
    assert node_failed(config, "http://node:6800", "http://node:6800: cannot reach the node (refused)") == []
    [event] = node_failed(config, "http://node:6800", "http://node:6800: cannot reach the node (refused)")
    assert event.kind == "node_failing" and "refused" in event.summary
    assert node_failed(config, "http://node:6800", "again") == []  # one event per episode
    node_ok(config, "http://node:6800")
    conn = sqlite3.connect(config.settings.database)
    assert conn.execute("SELECT state, failures FROM scrapyd_nodes").fetchall() == [("ok", 0)]
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'node_failing'").fetchone() == (1,)
