"""Child processes that end with govwatch, however govwatch ends (SIGKILL included).

`spawn` starts a child (Datasette today) tied to this process: on Linux the
kernel sends it SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG, set
between fork and exec), so an OOM kill or `kill -9` of `govwatch run` never
leaves a server holding its port. The child is read-only (Datasette only reads
the history), so killing it outright loses nothing. A parent that dies
between fork and prctl is caught too: the child checks its parent is still the
one that forked it. Elsewhere than Linux, `stop()` on a normal exit is what
ends the child.

The signal follows the *thread* that forked: start children from a thread that
lives as long as they should (govwatch starts them from the main thread).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_libc: Any = None
if sys.platform.startswith("linux"):
    try:  # loaded before any fork: a forked child must not load libraries
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        _libc = None


def tied_to_parent() -> bool:
    """Tell whether children started by `spawn` die with this process on this system."""
    return _libc is not None


def _die_with(parent: int) -> Callable[[], None]:
    def preexec() -> None:  # runs in the child, between fork and exec: no allocation-heavy work here
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def die_with_parent(parent: int) -> None:
    """In a child forked from `parent` (no exec): be killed when the parent dies, or exit now if it already has."""
    if _libc is not None:
        _die_with(parent)()


def spawn(argv: Sequence[str], **popen_args: Any) -> subprocess.Popen:
    """Start `argv` as a child that is killed when this process dies (on Linux); Popen's arguments otherwise."""
    if _libc is not None:
        popen_args["preexec_fn"] = _die_with(os.getpid())
    return subprocess.Popen(list(argv), **popen_args)
