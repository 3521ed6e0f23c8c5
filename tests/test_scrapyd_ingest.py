"""A job's items are recorded once, and a job cut short records the observations it finished."""

from __future__ import annotations

import functools
import http.server
import io
import sqlite3
import threading

import pytest

from monitor.watchlist.config import load_config
from monitor.items import Observation
from monitor.jsonable import dumps, to_jsonable
from monitor.replica import documents
from monitor.replica.epetitions import EPetitionsReplica
from monitor.scrapyd.ingest import Ingester, ingest, job_scheduled, node_failed, node_ok
from monitor.scrapyd.job import ObservationExporter
from monitor.scrapyd.node import NodeClient, NodeError
from monitor.watchlist.scrapyd import Node, ScrapydSettings
from spiders.petition_json import petition_document
from store.db import open_db, writing
from store.record import Recorder
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


@pytest.mark.parametrize("reads", ["each on its own connection", "through one Ingester"])
def test_a_running_jobs_whole_lines_are_recorded_as_they_come_and_never_twice(tmp_path, reads):
    config = setup(tmp_path)
    first, second, third = (w.id for w in config.watches)
    job_scheduled(config, "job-1", "http://node", "petitions", 3)
    ingester = Ingester(config)  # what a crawl on nodes uses: one connection and recorder for every read
    read = ingester.ingest if reads == "through one Ingester" else functools.partial(ingest, config)
    items = line(first) + line(second) + line(third)
    so_far = items[: len(line(first)) + 30]  # the job is writing its second item
    early = read("job-1", so_far, final=False)
    assert [o.watch_id for o in early.observations] == [first] and early.consumed == len(line(first))
    again = read("job-1", items[: len(line(first)) * 2 + 5], final=False)  # read again from byte 0
    assert [o.watch_id for o in again.observations] == [second]  # the first line is not recorded twice
    rest = read("job-1", items[again.consumed:], offset=again.consumed)
    ingester.close()
    assert [o.watch_id for o in rest.observations] == [third] and not rest.record_errors
    conn = sqlite3.connect(config.settings.database)
    polled = conn.execute("SELECT watch_id, sum(polls) FROM observations GROUP BY watch_id ORDER BY 1").fetchall()
    assert polled == sorted([(first, 1), (second, 1), (third, 1)])
    assert conn.execute("SELECT state, items, ingested_bytes FROM scrapyd_jobs").fetchall() == [
        ("ingested", 3, len(items))]


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


def test_a_jobs_place_names_travel_once_and_the_monitor_stores_every_one(tmp_path):
    config = setup(tmp_path)
    site = "https://petition.example"
    replica = EPetitionsReplica()
    observations = []
    for watch, number in zip(config.watches, (1, 2, 3), strict=True):
        replica.add_petition(number, signature_count=20_000 * number, updated_at="2026-01-01T00:00:00.000Z")
        state, details, _ = petition_document(documents.detail_document(number, replica.petition(number), site), site)
        observations.append(Observation(watch.id, watch.url, "petition", "2026-01-02T00:00:00.000Z", status=200,
                                        petition=state, details=details))  # fmt: skip
    out = io.BytesIO()
    exporter = ObservationExporter(out)
    for obs in observations:
        exporter.export_item(obs)
    lines = out.getvalue().splitlines()
    assert len(lines[1]) < len(lines[0]) / 3 and len(lines[2]) < len(lines[0]) / 3  # the names went with the first
    job_scheduled(config, "job-1", "http://node", "petitions", 3)
    recorded, offset = [], 0
    for end in (len(lines[0]) + 1, len(lines[0]) + len(lines[1]) + 2, None):  # a read a line, as while it runs
        result = ingest(config, "job-1", out.getvalue()[offset:end], offset=offset, final=end is None)
        recorded += result.observations
        offset = result.consumed
    assert [o.details.by_constituency for o in recorded] == [o.details.by_constituency for o in observations]

    (tmp_path / "in-process").mkdir()
    in_process = setup(tmp_path / "in-process")  # the same observations recorded as an in-process crawl does
    db = open_db(in_process.settings.database)
    recorder = Recorder(db, in_process)
    with writing(db):
        for obs in observations:
            recorder.record(obs)
    db.close()
    tables = ("SELECT kind, code, name, mp FROM places ORDER BY 1, 2",
              "SELECT signatures_by_country, signatures_by_constituency FROM petition_details ORDER BY petition_id")
    for query in tables:
        rows = [rows_of(c, query) for c in (config, in_process)]
        assert rows[0] == rows[1] and rows[0]
    places = {(kind, code) for kind, code, name, _ in rows_of(config, tables[0]) if name}
    assert places == {(kind, code) for o in observations for kind, codes in o.details.codes().items() for code in codes}


def rows_of(config, query: str) -> list[tuple]:
    conn = sqlite3.connect(config.settings.database)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_a_jobs_items_are_read_from_an_offset_whether_or_not_the_node_honours_range(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "job.jl").write_bytes(b"0123456789")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))  # no Range: 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        client = NodeClient(Node(url), ScrapydSettings(nodes=(Node(url),)))
        assert client.items("/items/job.jl") == b"0123456789"
        assert client.items("/items/job.jl", 4) == b"456789"  # the whole file came; the bytes from 4 are kept
        assert client.items("/items/none.jl", 4, running=True) == b""  # a running job without a file yet
        with pytest.raises(NodeError, match="HTTP 404"):
            client.items("/items/none.jl")  # a finished job without one
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
