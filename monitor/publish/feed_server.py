"""Serve feeds_dir over HTTP: the right content types, ETag/Last-Modified and 304, gzip.

`FeedServer` runs a stdlib `ThreadingHTTPServer` in a thread, so tests start it
on port 0 and `govwatch serve` runs it beside other services. It serves only
the kinds of files govwatch writes, never a dotfile, never outside the folder.

It runs inside `govwatch run`, so a reader cannot be allowed to exhaust it:
a connection that sends nothing for ``timeout`` seconds is closed, at most
``max_connections`` are served at once (the next ones get a 503 at once), and
a name the filesystem cannot hold is a 404.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.clock import from_http_date, parse_iso
from monitor.errors import GovwatchError

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
MAX_AGE = 60  # seconds a reader may reuse a feed before asking again (with If-None-Match)
CONNECTION_TIMEOUT = 10.0  # seconds a connection may stay silent (half-sent request, idle keep-alive)
MAX_CONNECTIONS = 32  # connections served at once: one thread and one file descriptor each
BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with at most `max_connections` connection threads; the others get a 503."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, max_connections: int):
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(BUSY)
            except OSError:
                pass  # the reader left already: nothing to tell
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: give the slot back
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class FeedServer:
    """An HTTP server of one feeds folder, running in a background thread."""

    name = "feeds"

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 8080, *,
                 timeout: float = CONNECTION_TIMEOUT, max_connections: int = MAX_CONNECTIONS):  # fmt: skip
        self.folder, self.host, self.port = Path(folder), host, port
        self.timeout, self.max_connections = timeout, max_connections
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FeedServer:
        """Listen and serve in a thread; GovwatchError if the address is unavailable."""
        handler = type("Handler", (_Handler,), {"folder": self.folder.resolve(), "timeout": self.timeout})
        try:
            self._httpd = _BoundedServer((self.host, self.port), handler, self.max_connections)
        except OSError as e:
            from monitor.publish.ports import describe, port_taken

            why = describe(self.host, self.port) if port_taken(self.host, self.port) else e.strerror or str(e)
            raise GovwatchError(f"cannot serve feeds on {self.host}:{self.port}: {why}",
                                hint="stop that process or pick another --port (0: any free port)") from None  # fmt: skip
        # A short poll interval makes stop() quick; it costs ten wake-ups a second.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.1,), name="govwatch-feeds",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        """Return the base URL, e.g. "http://127.0.0.1:8080/" (the real port after start())."""
        port = self._httpd.server_address[1] if self._httpd else self.port
        return f"http://{self.host}:{port}/"

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    folder: Path
    server_version = "govwatch"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Send a file, or 304 if the reader's copy is current."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """Send a file's headers only."""
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Log requests through logging (shown with -v), not on stderr."""
        logger.info("%s %s", self.address_string(), format % args)

    def _answer(self, with_body: bool) -> None:
        path = self._resolve()
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND, "No such feed")
            return
        try:
            data, stat = path.read_bytes(), path.stat()
        except OSError:  # replaced or removed between the check and the read
            self.send_error(HTTPStatus.NOT_FOUND, "No such feed")
            return
        etag = f'"{hashlib.sha1(data).hexdigest()[:20]}"'
        gzipped = _accepts_gzip(self.headers.get("Accept-Encoding", "")) and len(data) > 512
        headers = {
            "ETag": etag[:-1] + '-gzip"' if gzipped else etag,
            "Last-Modified": formatdate(int(stat.st_mtime), usegmt=True),
            "Cache-Control": f"max-age={MAX_AGE}",
            "Vary": "Accept-Encoding",
        }
        if self._not_modified(etag, int(stat.st_mtime)):
            self._send(HTTPStatus.NOT_MODIFIED, headers, b"", with_body=False)
            return
        if gzipped:
            data = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = CONTENT_TYPES[path.suffix]
        headers["Content-Length"] = str(len(data))
        self._send(HTTPStatus.OK, headers, data, with_body)

    def _send(self, status: HTTPStatus, headers: dict[str, str], body: bytes, with_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _resolve(self) -> Path | None:
        """Map the request path to a file govwatch wrote, or None."""
        parts = [p for p in unquote(urlsplit(self.path).path).split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        path = self.folder.joinpath(*parts) if parts else self.folder
        try:
            if path.is_dir():
                path = path / "index.html"
            if path.suffix not in CONTENT_TYPES or not path.is_file():
                return None
            return path if path.resolve().is_relative_to(self.folder) else None
        except (OSError, ValueError):  # a name too long for the filesystem, or one it cannot hold
            return None

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """Apply If-None-Match (either encoding's tag) or, without it, If-Modified-Since."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = {t.strip().removeprefix("W/").replace('-gzip"', '"') for t in match.split(",")}
            return "*" in tags or etag in tags
        since = from_http_date(self.headers.get("If-Modified-Since") or "")
        return since is not None and mtime <= parse_iso(since).timestamp()


def _accepts_gzip(header: str) -> bool:
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            try:
                return float(q) > 0 if q else True
            except ValueError:
                return True
    return False
