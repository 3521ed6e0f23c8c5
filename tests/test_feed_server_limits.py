"""The feed server runs inside `govwatch run`: idle or hostile readers cannot exhaust it."""

from __future__ import annotations

import socket
import time

import pytest

from monitor.publish.feed_server import FeedServer
from tests.support.http import get


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "all.atom").write_text("<feed/>")
    return tmp_path


def connect(server: FeedServer, timeout: float = 5.0) -> socket.socket:
    host, port = server._httpd.server_address[:2]
    return socket.create_connection((host, port), timeout=timeout)


def test_a_half_sent_request_is_closed_after_the_timeout(folder):
    with FeedServer(folder, port=0, timeout=0.5) as server:
        idle = connect(server)
        idle.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\n")  # ...and never the blank line
        assert idle.recv(1024) == b""  # closed by the server (the old one waited for ever: recv timed out)
        idle.close()


def test_connections_past_the_limit_get_a_503_and_the_server_recovers(folder):
    with FeedServer(folder, port=0, timeout=1.0, max_connections=3) as server:
        idle = [connect(server) for _ in range(3)]
        for sock in idle:
            sock.sendall(b"GET /all.atom HTTP/1.1\r\n")
        extra = connect(server)
        extra.sendall(b"GET /all.atom HTTP/1.1\r\nHost: x\r\n\r\n")
        assert extra.recv(1024).startswith(b"HTTP/1.1 503 ")
        for sock in idle + [extra]:
            sock.close()
        # Once the idle ones are gone (their threads see the close a moment later), readers are served again.
        for _ in range(100):
            status, _, body = get(server.url + "all.atom", timeout=5)
            if status != 503:
                break
            time.sleep(0.05)
        assert (status, body) == (200, b"<feed/>")


@pytest.mark.parametrize("name", ["a" * 256 + ".atom", "x" * 5000, "feed%00.atom"])
def test_a_name_the_filesystem_cannot_hold_is_a_404(folder, name):
    with FeedServer(folder, port=0) as server:
        status, _, _ = get(server.url + name)
        assert status == 404
        assert get(server.url + "all.atom")[0] == 200
