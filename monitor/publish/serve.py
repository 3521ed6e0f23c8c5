"""Run govwatch's HTTP services side by side until interrupted (`govwatch serve`).

A service is anything with `name`, `url`, `start()` and `stop()`: the feed
server today, Datasette beside it later. They run in threads; the main thread
waits for Ctrl-C or SIGTERM, then stops each.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol


class Service(Protocol):
    """An HTTP service that runs in a background thread."""

    name: str

    @property
    def url(self) -> str: ...

    def start(self) -> Any: ...

    def stop(self) -> None: ...


def serve_until_stopped(services: Sequence[Service], announce: Callable[[str], None] = print,
                        stop: threading.Event | None = None) -> None:  # fmt: skip
    """Start every service, announce its URL, and stop them all on SIGINT/SIGTERM (or `stop`)."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        with running(services, announce):
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def running(services: Sequence[Service], announce: Callable[[str], None] = print) -> Iterator[None]:
    """Start each service and announce its URL; stop the ones started, last first, when the block ends."""
    started: list[Service] = []
    try:
        for service in services:
            service.start()
            started.append(service)
            announce(f"Serving {service.name} on {service.url}")
        yield
    finally:
        for service in reversed(started):
            service.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on `host` that nothing listens on now (Datasette runs in a child process)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def build_services(config: Any, *, host: str, port: int, datasette_port: int | None) -> list[Service]:
    """Return the feed server and, unless `datasette_port` is None, Datasette beside it (0: any free port)."""
    from monitor.publish.feed_server import FeedServer

    services: list[Service] = [FeedServer(config.settings.feeds_dir, host, port)]
    if datasette_port is not None:
        services.append(datasette_service(config.settings.database, host, datasette_port))
    return services


def datasette_service(database: Path, host: str, port: int) -> Service:
    """Return a read-only Datasette on `database` (not started); port 0 picks a free one."""
    from monitor.publish.datasette import DatasetteOptions, DatasetteServer

    return DatasetteServer(database, DatasetteOptions(host=host, port=port or free_port(host)))
