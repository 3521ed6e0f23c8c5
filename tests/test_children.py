"""Children die with their parent, and a taken port is reported, never claimed (issues 14.1 and 18.2)."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.publish import ports
from monitor.publish.serve import free_port
from tests.support.datasette import request
from tests.test_run import STARTUP, wait_for

pytestmark = pytest.mark.slow


def children_of(pid: int) -> set[int]:
    """Every descendant of `pid` now alive (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = open(f"/proc/{entry.name}/stat").read()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """True for a running process; a zombie (dead, not yet reaped by init) is not alive."""
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def assert_gone_within_5_s(pids: set[int], message: str) -> None:
    """Fail with `message` unless every process in `pids` has ended within 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not [pid for pid in pids if alive(pid)], message


def wait_for_line(proc, text: str, timeout: float = 30) -> str:
    """Read the process's stdout until a line holds `text` (fail if it ends first)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"{text!r} never printed; stdout: {''.join(seen)}; stderr: {proc.stderr.read()}")


def test_sigkilled_run_leaves_no_child_and_the_next_run_serves_datasette_on_the_same_port(replica, gw):
    replica.add_petition(11, action="Save the bees", signature_count=100)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/11"')
    port = free_port()
    first = gw.start("run", "--port", "0", "--datasette-port", str(port), "--tick", "0.5s")
    try:
        wait_for_line(first, f"Datasette on http://127.0.0.1:{port}")
        children = children_of(first.pid)
        assert children, "govwatch run started no child (Datasette)"
        first.send_signal(signal.SIGKILL)
        first.wait(5)
        assert_gone_within_5_s(children, "a child outlived govwatch run by 5 s")
    finally:
        for pid in children_of(first.pid) if first.poll() is None else ():
            os.kill(pid, signal.SIGKILL)
        first.kill()
        first.wait()

    second = gw.start("run", "--port", "0", "--datasette-port", str(port), "--tick", "0.5s")
    try:
        wait_for_line(second, f"Datasette on http://127.0.0.1:{port}")
        assert request(f"http://127.0.0.1:{port}/-/versions.json").status == 200
        [holder] = ports.holders(port)
        assert holder.pid in children_of(second.pid)  # its own Datasette answers, not an orphan
        # the monitor has started and finished its first pass: SIGTERM now is a normal stop (exit 0)
        wait_for(lambda: gw.query("SELECT 1 FROM daemon WHERE pid = ? AND crawls >= 1", (second.pid,)), STARTUP)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert second.returncode == 0, second.stderr.read()


class _Answering(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # answers like a Datasette would: 200 to /-/versions.json
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def someone_elses_server():
    """An HTTP server of this test process on a free port, answering 200 to everything."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answering)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_taken_datasette_port_is_reported_with_its_holder_never_announced(gw, someone_elses_server):
    port = someone_elses_server
    proc = gw.run("serve", "--port", "0", "--datasette-port", str(port), check=False, timeout=60)
    assert proc.returncode == 1
    assert "Serving the history in Datasette" not in proc.stdout
    assert f"port {port} on 127.0.0.1 is taken by pid {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_taken_feeds_port_names_the_port_and_its_holder(gw):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = gw.run("serve", "--port", str(port), "--no-datasette", check=False, timeout=60)
    assert proc.returncode == 1 and "Serving" not in proc.stdout
    assert f"port {port} on 127.0.0.1 is taken by pid {os.getpid()}" in proc.stderr


def test_sigkilled_check_leaves_no_feeds_process_behind(replica, gw):
    """`govwatch check` renders feeds in a forked child while it crawls: killing the check kills that child too."""
    replica.add_petition(12, action="Save the moths", signature_count=100)
    replica.fault("timeout", path="/petitions/12", delay=30.0)  # the crawl is still waiting when the kill comes
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/12"')
    check = gw.start("check")
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not children_of(check.pid):
            time.sleep(0.1)
        children = children_of(check.pid)
        assert children, "govwatch check started no feeds process"
        check.send_signal(signal.SIGKILL)
        check.wait(5)
        assert_gone_within_5_s(children, "the feeds process outlived govwatch check by 5 s")
    finally:
        for pid in children_of(check.pid) | children:  # an orphan (the bug this test is for) must not outlive it
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        check.kill()
        check.wait()
