"""The progress line of long checks: polls done / planned, rate, ETA; only on a terminal, never with --quiet."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from monitor.run.progress import Progress


class Clock:
    """A clock the test moves by hand (the progress line's time source)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_says_done_planned_rate_and_eta():
    clock = Clock()
    progress = Progress(2000, enabled=False, clock=clock)
    clock.now += 4.0
    for _ in range(120):
        progress.tick()
    assert progress.line() == "  120/2,000 polls · 30.0/s · ETA 1m03s"


def test_without_a_plan_it_counts_and_gives_the_rate():
    clock = Clock()
    progress = Progress(None, enabled=False, clock=clock)
    clock.now += 2.0
    progress.tick()
    assert progress.line() == "  1 polls · 0.5/s"


def test_it_redraws_at_most_five_times_a_second_and_erases_itself():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(10, enabled=True, stream=stream, clock=clock)
    for _ in range(10):
        clock.now += 0.125
        progress.tick()
    assert stream.getvalue().count("\r") == 5  # at 0.125 s, 0.375 s, 0.625 s, 0.875 s and 1.125 s
    progress.done()
    *_, last_shown, erased, end = stream.getvalue().split("\r")
    assert erased == " " * len(last_shown) and end == ""


def test_nothing_is_written_when_disabled():
    stream = io.StringIO()
    progress = Progress(10, enabled=False, stream=stream)
    progress.tick()
    progress.done()
    assert stream.getvalue() == ""


def check_on(gw, *args: str, terminal: bool) -> str:
    """Run `govwatch check` with stderr on a pseudo-terminal (or a pipe); return what stderr got."""
    env = os.environ | {"GOVWATCH_CONFIG": str(gw.config)}
    if not terminal:
        proc = subprocess.run([sys.executable, "-m", "monitor.cli", "check", *args], env=env, cwd=gw.folder,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        return proc.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", "check", *args], env=env, cwd=gw.folder,
                            stdout=subprocess.PIPE, stderr=follower)  # fmt: skip
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=120)
    os.close(leader)
    return out.decode()


@pytest.mark.slow
def test_a_check_shows_progress_on_a_terminal_only(replica, gw):
    for number in (1, 2, 3):
        replica.add_petition(number, signature_count=10)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{number}"')
    shown = check_on(gw, "--force", terminal=True)
    assert "/3 polls ·" in shown and "/s" in shown
    assert "polls" not in check_on(gw, "--force", terminal=False)
    assert "polls" not in check_on(gw, "--force", "--quiet", terminal=True)
