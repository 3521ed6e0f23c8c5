"""A hostile e-petitions site on 127.0.0.1: its answers are whatever a test makes them.

`HostileSite` serves each path from a function the test sets (`site.route`),
logs every request, and has helpers for the documents an index or a petition
would send. robots.txt allows everything (a missing route answers 404).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# (status, headers, body): what a route answers.
Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[dict[str, str]], Answer]


def json_answer(doc: Any, status: int = 200) -> Answer:
    """Answer a JSON document."""
    return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()


def entry(number: int, signature_count: Any = 10, **attributes: Any) -> dict[str, Any]:
    """Return one petition as an index page or a detail document lists it."""
    return {"type": "petition", "id": number, "attributes": {
        "action": f"Petition {number}", "state": "open", "signature_count": signature_count,
        "created_at": "2018-06-12T16:48:04.000Z", "opened_at": "2018-06-13T10:02:57.000Z", **attributes}}


def index(entries: list[dict[str, Any]], next_url: str | None, last_url: str | None = None) -> Answer:
    """Answer an index page with these entries and links."""
    return json_answer({"links": {"next": next_url, "last": last_url}, "data": entries})


class HostileSite:
    """A threaded HTTP server on 127.0.0.1 answering from the routes a test sets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {"/robots.txt": lambda q: (200, {"Content-Type": "text/plain"}, b"")}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                with site._lock:
                    site.requests.append((parts.path, query))
                route = site.routes.get(parts.path)
                status, headers, body = route(query) if route else (404, {}, b"not here")
                self.send_response(status)
                for name, value in headers.items():
                    if value:
                        self.send_header(name, value)
                if "Content-Length" not in headers:  # set it to "" to send a body of unannounced length
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, path: str, answer: Route) -> None:
        """Answer requests for `path` with `answer(query)`."""
        self.routes[path] = answer

    def hits(self, path: str) -> int:
        """Return how many requests asked for `path`."""
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
