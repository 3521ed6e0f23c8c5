"""Scrapy's HTTP/1.1 download handler, imported without the 70 ms its deprecation shims cost a process.

Importing `scrapy.core.downloader.contextfactory` creates deprecated class aliases, and each
calls `inspect.stack()`, which reads the source of every frame of the import chain only to
name the alias's module. With `context=0` the frames are the same and no source is read.
Every govwatch process imports the handler (the test suite starts hundreds of them).
"""

from __future__ import annotations

import inspect
from typing import Any

_stack = inspect.stack


def _frames_without_source(context: int = 1) -> list[Any]:
    return _stack(0)


inspect.stack = _frames_without_source  # only while the import below runs
try:
    from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
finally:
    inspect.stack = _stack

__all__ = ["HTTP11DownloadHandler"]
