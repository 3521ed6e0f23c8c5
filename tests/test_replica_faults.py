"""The e-petitions replica's faults, request log and connections, checked over real HTTP: no mocks."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from monitor.replica import EPetitionsReplica
from tests.support.http import get

# -- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "503", "429"])
def test_error_faults_answer_once_then_recover(replica, kind):
    replica.add_petition(1)
    replica.fault(kind, path=r"^/petitions/1\.json$", times=1, retry_after=7)
    status, headers, body = get(f"{replica.url}/petitions/1.json")
    assert status == int(kind) and b"<html" in body
    assert headers.get("Retry-After") == (None if kind == "500" else "7")
    assert get(f"{replica.url}/petitions/1.json")[0] == 200


def test_fault_without_retry_after_and_only_on_matching_paths(replica):
    replica.add_petition(1)
    replica.fault("503", path="count", retry_after=None)
    status, headers, _ = get(f"{replica.url}/petitions/1/count.json")
    assert status == 503 and "Retry-After" not in headers
    assert get(f"{replica.url}/petitions/1.json")[0] == 200
    assert get(f"{replica.url}/robots.txt")[0] == 200
    assert get(f"{replica.url}/petitions/1/count.json")[0] == 503  # until cleared
    replica.clear_faults()
    assert get(f"{replica.url}/petitions/1/count.json")[0] == 200


def test_timeout_fault_delays_without_blocking_others(replica):
    replica.add_petition(1)
    replica.fault("timeout", path="count", delay=1.0)
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        get(f"{replica.url}/petitions/1/count.json", timeout=0.3)
    replica.clear_faults()
    replica.fault("timeout", path="count", delay=10.0)
    delayed: list[object] = []

    def fetch_delayed() -> None:
        try:
            delayed.append(get(f"{replica.url}/petitions/1/count.json", timeout=20))
        except (OSError, http.client.HTTPException) as error:  # the replica stops at the end of the test
            delayed.append(error)

    worker = threading.Thread(target=fetch_delayed, daemon=True)
    worker.start()
    # Another request is answered while the delayed one is still held (an order, not a stopwatch).
    assert get(f"{replica.url}/petitions/1.json")[0] == 200
    assert worker.is_alive() and delayed == []
    replica.clear_faults()


def test_stop_is_not_held_up_by_a_delayed_answer():
    replica = EPetitionsReplica().start()
    replica.add_petition(1)
    replica.fault("timeout", delay=30)
    outcome: list[object] = []

    def fetch() -> None:
        try:
            outcome.append(get(f"{replica.url}/petitions/1.json", timeout=10))
        except (OSError, http.client.HTTPException) as error:  # the stop drops the connection
            outcome.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    replica.stop()
    worker.join(timeout=10)
    assert time.monotonic() - started < 10  # far sooner than the 30 s the answer was delayed
    assert outcome and isinstance(outcome[0], Exception)


def test_truncated_fault_cuts_the_body_with_a_matching_length(replica):
    replica.add_petition(1)
    full = get(f"{replica.url}/petitions/1.json")[2]
    replica.fault("truncated", times=1)
    status, headers, body = get(f"{replica.url}/petitions/1.json")
    assert status == 200 and body == full[: len(full) // 2]
    assert int(headers["Content-Length"]) == len(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_dataloss_fault_sends_less_than_it_announced(replica):
    replica.add_petition(1)
    replica.fault("dataloss", times=1)
    with pytest.raises(http.client.IncompleteRead):
        get(f"{replica.url}/petitions/1.json")


@pytest.mark.parametrize("kind,content_type", [("html", "text/html"), ("empty", "application/json")])
def test_html_and_empty_faults(replica, kind, content_type):
    replica.add_petition(1)
    replica.fault(kind, times=1)
    status, headers, body = get(f"{replica.url}/petitions/1.json")
    assert status == 200 and headers["Content-Type"].startswith(content_type)
    assert (body == b"") == (kind == "empty")


def test_reset_fault_drops_the_connection(replica):
    replica.add_petition(1)
    replica.fault("reset", times=1)
    with pytest.raises((ConnectionResetError, urllib.error.URLError, http.client.RemoteDisconnected)):
        get(f"{replica.url}/petitions/1.json")
    assert replica.requests[-1].status is None
    assert get(f"{replica.url}/petitions/1.json")[0] == 200


def test_unknown_fault_kind_is_refused(replica):
    with pytest.raises(ValueError, match="unknown fault kind"):
        replica.fault("teapot")


# -- the request log and connections ------------------------------------------------------


def test_request_log_records_headers_query_and_status(replica):
    replica.add_petition(1)
    since = format_datetime(datetime(2030, 1, 1, tzinfo=UTC), usegmt=True)
    get(f"{replica.url}/petitions/1.json?x=1", {"User-Agent": "govwatch-test", "If-Modified-Since": since})
    get(f"{replica.url}/petitions/2.json")
    first, second = replica.requests
    assert (first.method, first.path, first.query, first.status) == ("GET", "/petitions/1.json", {"x": "1"}, 304)
    assert first.headers["user-agent"] == "govwatch-test"
    assert first.started <= first.ended
    assert second.status == 404
    replica.clear_log()
    assert replica.requests == []


def test_keep_alive_serves_several_requests_on_one_connection(replica):
    replica.add_petition(1)
    host, port = replica.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    for path in ("/petitions/1.json", "/petitions/1/count.json", "/petitions.json"):
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    connection.close()
