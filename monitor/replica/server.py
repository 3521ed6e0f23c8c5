"""The replica's HTTP side: a quiet threaded server, the request log and injected faults.

The server knows nothing of petitions. It asks an `app` callable for a `Reply`
and, when a fault matches the request, bends or breaks that reply on the wire
the way real networks and overloaded sites do.
"""

from __future__ import annotations

import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from monitor.replica.documents import error_html

FAULT_KINDS = ("500", "503", "429", "timeout", "truncated", "dataloss", "html", "empty", "reset")
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
_TITLES = {"500": "Internal Server Error", "503": "Service Unavailable", "429": "Too Many Requests"}


@dataclass(frozen=True, slots=True)
class Reply:
    """What the site answers to one request, before any fault bends it."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the replica received, with the status it answered (None: connection reset)."""

    started: float
    ended: float
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int | None


@dataclass(slots=True)
class Fault:
    """A failure to inject: which kind, on which paths, how many more times (None: until cleared)."""

    kind: str
    path: re.Pattern[str] | None = None
    times: int | None = None
    retry_after: int | None = 1
    delay: float = 5.0


@dataclass
class FaultBook:
    """The faults in force; each matching request uses up one turn of the first matching fault."""

    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        """Put a fault in force after those already there."""
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError(f"fault times must be at least 1 (or None for until cleared), not {fault.times}")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, path: str, query: str = "") -> Fault | None:
        """Return the fault that applies to a request for `path` (or `path?query`), using up one of its turns."""
        if path == "/robots.txt":
            return None
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path.search(path) or (query and fault.path.search(f"{path}?{query}")):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None


App = Callable[[str, str, str, dict[str, str]], Reply]


class ReplicaServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that tracks its connections so that stop() can close idle keep-alives."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, faults: FaultBook,
                 record: Callable[[LoggedRequest], None]):
        self.app, self.faults, self.record = app, faults, record
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):  # type: ignore[override]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection, waking handler threads that wait on an idle keep-alive."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler: nothing left to wake

    def handle_error(self, request, client_address):  # type: ignore[override]
        # A client that gives up (timeouts in tests) is expected; anything else is a replica bug.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class ServedSite:
    """A replica's life on 127.0.0.1: start on a free port in a daemon thread, stop, `with`, url.

    Subclasses say how to build their server (`_make_server`) and may react to
    their new URL (`_started`).
    """

    _server: ReplicaServer | None = None
    _thread: threading.Thread | None = None
    _url: str | None = None

    def _make_server(self) -> ReplicaServer:
        raise NotImplementedError

    def _started(self, url: str) -> None:
        """Hook: the site now answers at `url`."""

    def start(self):  # noqa: ANN201 (returns the subclass)
        """Start serving on a free port in a daemon thread; return self."""
        if self._server is not None:
            raise RuntimeError("the replica is already running; stop() it first")
        server = self._make_server()
        host, port = server.server_address[:2]
        self._url, self._server = f"http://{host}:{port}", server
        self._started(self._url)
        # A short poll keeps stop() quick: shutdown() waits for the loop's next turn.
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{type(self).__name__}-{port}", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake delayed answers, close open connections, free the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):  # noqa: ANN204
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return the site's base URL, e.g. "http://127.0.0.1:PORT" (after start())."""
        if self._url is None:
            raise RuntimeError("the replica has no URL before start()")
        return self._url


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy reuses connections
    server_version = "e-petitions-replica"
    timeout = 60  # an idle keep-alive connection is dropped after a minute

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle and delayed ACKs add ~40 ms
        # to every answer on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        """Name the server without Python's version (nothing a client should depend on)."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests and benchmarks read the request log instead."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        parts = urlsplit(self.path)
        self._entry: LoggedRequest | None = LoggedRequest(
            time.time(), 0.0, self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
            {name.lower(): value for name, value in self.headers.items()}, None,
        )
        try:
            fault = self.server.faults.take(parts.path, parts.query)
            if fault is not None and fault.kind == "reset":
                self._reset()
                return
            answer = self._answer(fault, parts.path, parts.query, self._entry.headers)
            if answer is None:
                self.close_connection = True
                return
            self._send(*answer, head=head)
        except OSError:
            # The client went away mid-answer (e.g. it timed out first); the log keeps what was attempted.
            self.close_connection = True
        finally:
            self._log(None)

    def _log(self, status: int | None) -> None:
        """Log the request once, before its answer leaves, so a client that has it finds it logged."""
        entry, self._entry = self._entry, None
        if entry is not None:
            self.server.record(replace(entry, ended=time.time(), status=status))

    def _answer(self, fault: Fault | None, path: str, query: str,
                headers: dict[str, str]) -> tuple[Reply, int | None] | None:
        """Return the reply and the Content-Length to announce (None: the true one); None to send nothing."""
        app = self.server.app
        if fault is None:
            return app(self.command, path, query, headers), None
        kind = fault.kind
        if kind == "timeout":
            # Waiting on the stop event keeps stop() prompt; other requests have their own threads.
            if self.server.stopping.wait(fault.delay):
                return None
            return app(self.command, path, query, headers), None
        if kind in ("500", "503", "429"):
            retry = kind != "500" and fault.retry_after is not None
            extra = (("Retry-After", str(fault.retry_after)),) if retry else ()
            body = error_html(int(kind), _TITLES[kind])
            return Reply(int(kind), (("Content-Type", HTML), *extra), body), None
        if kind == "html":
            body = b"<!DOCTYPE html><html><body><h1>Petitions</h1><p>Sorry, we're busy.</p></body></html>"
            return Reply(200, (("Content-Type", HTML),), body), None
        if kind == "empty":
            return Reply(200, (("Content-Type", JSON),), b""), None
        # truncated / dataloss: cut the full answer, so a conditional request must not shrink it to a 304.
        full = app(self.command, path, query, {k: v for k, v in headers.items() if k != "if-modified-since"})
        kept = tuple((k, v) for k, v in full.headers if k.lower() != "content-type")
        reply = Reply(200, (("Content-Type", JSON), *kept), full.body[: len(full.body) // 2])
        if kind == "truncated":
            return reply, None
        self.close_connection = True  # what was announced never arrives: the connection cannot be reused
        return reply, len(full.body)

    def _send(self, reply: Reply, content_length: int | None, *, head: bool) -> None:
        self._log(reply.status)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body) if content_length is None else content_length))
        self.end_headers()
        if not head and reply.status != 304:
            self.wfile.write(reply.body)

    def _reset(self) -> None:
        self._log(None)
        # SO_LINGER with a zero timeout turns close() into a TCP RST instead of a polite FIN;
        # closing here, before socketserver's shutdown(SHUT_WR), keeps that FIN from going first.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()
        self.connection.close()
