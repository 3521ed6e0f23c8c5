"""Build the egg a Scrapyd node runs govwatch's spiders from, out of the installed packages.

The monitor deploys it itself (addversion.json) to a node that lacks this
version, so a node needs nothing but govwatch's dependencies. The egg holds
the packages `spiders`, `monitor` and `store` with their data files, and says
where the Scrapy settings are (entry point ``scrapy: settings``), as
``scrapyd-deploy``'s egg does. Its version is a hash of its content: changed
code is a new version, the same code is found on the node and not sent again.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import zipfile
from pathlib import Path

from monitor.run.settings import VERSION

PACKAGES = ("monitor", "spiders", "store")
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


@functools.cache
def build_egg() -> tuple[str, bytes]:
    """Return (version, egg bytes) of the installed govwatch code."""
    files = sorted(_files())
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    version = f"{VERSION.replace('.', '_')}-{digest.hexdigest()[:12]}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as egg:
        for name, path in files:
            egg.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), path.read_bytes())
        egg.writestr("EGG-INFO/PKG-INFO", f"Metadata-Version: 2.1\nName: govwatch\nVersion: {VERSION}\n")
        egg.writestr("EGG-INFO/entry_points.txt", "[scrapy]\nsettings = monitor.run.settings\n")
        egg.writestr("EGG-INFO/top_level.txt", "\n".join(PACKAGES) + "\n")
        egg.writestr("EGG-INFO/zip-safe", "")
    return version, buffer.getvalue()


def _files() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        root = Path(importlib.import_module(package).__file__).parent
        for path in root.rglob("*"):
            if path.is_file() and path.suffix not in SKIP_SUFFIXES and not SKIP_DIRS & set(path.parts):
                found.append((f"{package}/{path.relative_to(root).as_posix()}", path))
    return found
