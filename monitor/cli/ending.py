"""End a govwatch command as Python would, without freeing every module and object first.

A `govwatch check` used to spend a quarter of a second after its last line tearing the
interpreter down (Scrapy, Twisted and their 800 modules), which the user waits for and the
test suite pays in each of its hundreds of subprocesses. `end` runs what a normal exit
runs that matters (the atexit handlers: multiprocessing joins its children, logging
flushes) and flushes the standard streams, then leaves with `os._exit`. While any other
thread still runs it exits the normal way, which waits for it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def end(code: object) -> None:
    """Exit with `code` as `sys.exit(code)` would (None is 0, text is printed and gives 1)."""
    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`govwatch events | head`): nothing more to say
            pass
    os._exit(status & 0xFF)
