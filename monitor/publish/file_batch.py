"""Write many files so that each appears whole, with one sync for all of them.

A reader (a feed reader, `govwatch serve`, nginx) must never see half a file,
and a crash must never leave an empty one where a good one was. Each file is
written under a temporary name beside its target; `commit` then flushes every
one of them to disk with a single sync and renames them into place. A sync per
file would cost more than the writing itself when a first check writes
thousands of small feeds. A file whose bytes are already there is left alone,
so its mtime (and the ETag a server makes of it) moves only with its content.

The staging runs on a thread of its own: creating files is the kernel's work
(the GIL is released), so it overlaps the rendering of the next documents.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path


class FileBatch:
    """Files to put under `root`: staged as temporary files, put in place together by `commit`."""

    def __init__(self, root: Path):
        self.root = root
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._links: list[tuple[Path, Path]] = []  # (alias, target): the same file under another name
        self._pending: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None

    def write(self, name: str, data: bytes) -> None:
        """Stage `data` for the file `name` (relative to root), unless the file already holds it."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govwatch-files")
        self._pending.append(self._pool.submit(self._stage, self.root / name, data))

    def _stage(self, path: Path, data: bytes) -> None:
        try:
            if path.read_bytes() == data:
                return
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # a dotfile: `govwatch serve` never serves it
        tmp.write_bytes(data)
        self._staged.append((tmp, path))  # one worker thread: the list keeps the order of the writes

    def link(self, alias: str, target: str) -> None:
        """Make `alias` the same file as `target` (a hard link, once target is in place), if it is not already."""
        self._links.append((self.root / alias, self.root / target))

    def commit(self) -> list[str]:
        """Sync the staged files once, rename them into place, make the links; return the names that changed."""
        self._finish_staging()
        if self._staged:
            _sync()
        written = []
        for tmp, path in self._staged:
            os.replace(tmp, path)
            written.append(str(path.relative_to(self.root)))
        self._staged.clear()
        for alias, target in self._links:
            if _link(alias, target):
                written.append(str(alias.relative_to(self.root)))
        self._links.clear()
        return written

    def abort(self) -> None:
        """Delete the staged temporary files (after an error: the old files stay as they were)."""
        for future in self._pending:
            future.exception()  # wait; the error, if any, is the caller's already
        self._pending.clear()
        self._close_pool()
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()
        self._links.clear()

    def _finish_staging(self) -> None:
        """Wait for every staged write; raise the first error (OSError: disk full, permissions)."""
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pending.clear()
            self._close_pool()

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _sync() -> None:
    """Flush written data to disk: one call for every staged file (os.sync where the OS has it)."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def _link(alias: Path, target: Path) -> bool:
    """Point `alias` at `target`'s file atomically; tell whether it changed.

    A hard link, so that any static web server serves it and no reader sees
    two different documents; where the file system has none, a copy.
    """
    try:
        if alias.exists() and os.path.samefile(alias, target):
            return False
    except FileNotFoundError:  # the target is not there (it could not be written): leave the alias alone
        return False
    alias.parent.mkdir(parents=True, exist_ok=True)
    tmp = alias.with_name(f".{alias.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(target, tmp)
    except OSError:  # no hard links here (some network or FAT file systems)
        tmp.write_bytes(target.read_bytes())
    os.replace(tmp, alias)
    return True


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write one file atomically unless it already holds `data`; tell whether it was written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True
