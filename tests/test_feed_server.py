"""`govwatch serve`: feeds over real HTTP with content types, ETag/Last-Modified, 304 and gzip."""

from __future__ import annotations

import gzip
import http.client
import os
from urllib.parse import urlsplit

import feedparser
import pytest

from monitor.publish.feed_server import FeedServer
from monitor.publish.feeds import tag_uri

N = 700003
BODY = b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>" + b" " * 2000 + b"</feed>"


def get(url: str, method: str = "GET", **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Make one request; return status, headers and the raw (possibly gzipped) body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request(method, parts.path or "/", headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path):
    for name in ("all.atom", "all.rss", "feeds.opml", "index.html", "charts/c.svg", ".govwatch-feeds.json",
                 "govwatch.db"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(BODY)
    (tmp_path.parent / "secret.atom").write_bytes(b"secret")
    with FeedServer(tmp_path, port=0) as server:
        yield server, tmp_path


@pytest.mark.parametrize("path, content_type", [
    ("all.atom", "application/atom+xml; charset=utf-8"), ("all.rss", "application/rss+xml; charset=utf-8"),
    ("feeds.opml", "text/x-opml; charset=utf-8"), ("", "text/html; charset=utf-8"),
    ("charts/c.svg", "image/svg+xml"),
])  # fmt: skip
def test_content_types(served, path, content_type):
    server, _ = served
    status, headers, body = get(server.url + path)
    assert (status, headers["Content-Type"], body) == (200, content_type, BODY)
    assert headers["ETag"] and headers["Last-Modified"] and int(headers["Content-Length"]) == len(BODY)


def test_conditional_requests_get_304_until_the_file_changes(served):
    server, folder = served
    _, headers, _ = get(server.url + "all.atom")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert get(server.url + "all.atom", If_None_Match=etag)[:1] == (304,)
    assert get(server.url + "all.atom", If_None_Match=f'"other", {etag}')[0] == 304
    assert get(server.url + "all.atom", If_Modified_Since=modified)[0] == 304
    status, headers, body = get(server.url + "all.atom", If_None_Match=etag)
    assert body == b""
    (folder / "all.atom").write_bytes(BODY + b"\n")
    os.utime(folder / "all.atom", (os.stat(folder / "all.atom").st_atime, os.stat(folder / "all.atom").st_mtime + 5))
    status, headers, body = get(server.url + "all.atom", If_None_Match=etag, If_Modified_Since=modified)
    assert (status, body) == (200, BODY + b"\n") and headers["ETag"] != etag
    assert get(server.url + "all.atom", If_Modified_Since=modified)[0] == 200


def test_gzip_when_asked(served):
    server, _ = served
    status, headers, body = get(server.url + "all.rss", Accept_Encoding="gzip, deflate")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == BODY and len(body) < len(BODY)
    assert get(server.url + "all.rss", Accept_Encoding="gzip", If_None_Match=headers["ETag"])[0] == 304
    assert "Content-Encoding" not in get(server.url + "all.rss", Accept_Encoding="gzip;q=0")[1]


def test_head_sends_headers_only(served):
    server, _ = served
    status, headers, body = get(server.url + "all.atom", method="HEAD")
    assert (status, body, int(headers["Content-Length"])) == (200, b"", len(BODY))


@pytest.mark.parametrize("path", ["missing.atom", ".govwatch-feeds.json", "govwatch.db", "../secret.atom",
                                  "%2e%2e/secret.atom", "charts/../../secret.atom", "charts/"])  # fmt: skip
def test_only_feed_files_inside_the_folder_are_served(served, path):
    server, _ = served
    assert get(server.url + path)[0] == 404


@pytest.mark.slow
def test_subscribe_through_govwatch_serve(replica, gw):
    replica.add_petition(N, action="Fund school libraries", signature_count=10500)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    gw.check()
    server = gw.start("serve", "--port", "0")
    try:
        line = server.stdout.readline()
        assert line.startswith("Serving feeds on http://127.0.0.1:"), line + server.stderr.read()
        base = line.split(" on ", 1)[1].strip()

        status, headers, body = get(base + "all.atom")
        assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        feed = feedparser.parse(body)
        assert feed.bozo == 0 and [e.title for e in feed.entries] == ["10,000 signatures: Fund school libraries"]
        assert get(base + "all.rss")[1]["Content-Type"] == "application/rss+xml; charset=utf-8"
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert get(base + "all.atom", If_None_Match=etag, If_Modified_Since=modified)[0] == 304

        replica.respond(N, "We will fund them.", "The department will fund 500 school libraries.")
        gw.check()
        status, headers, body = get(base + "all.atom", If_None_Match=etag, If_Modified_Since=modified,
                                    Accept_Encoding="gzip")  # fmt: skip
        assert status == 200 and headers["ETag"] != etag
        feed = feedparser.parse(gzip.decompress(body))
        day = replica.petition(N)["government_response"]["responded_on"]
        response_id = tag_uri(f"petition/{urlsplit(replica.url).netloc}/{N}/response/{day}")
        assert feed.entries[0].id == response_id
        assert feed.entries[0].title == "Government responded: Fund school libraries"
        assert "The department will fund 500 school libraries." in feed.entries[0].content[0].value
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.returncode == 0  # SIGTERM stops the servers cleanly
