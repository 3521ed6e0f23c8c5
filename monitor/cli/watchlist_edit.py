"""`govwatch add` and `govwatch remove`: change the watchlist file without touching the rest of it.

`add` recognises what a URL is — a petition (live or archived, any e-petitions
site), an index or search of petitions (a sweep with its `state` and `q`), or
any other page — polls it once for real, and only then appends a new entry
at the end of the file: every byte before it stays as it was, comments and
layout included. `remove` cuts one entry (and the comment lines right above
it) out of the file. Both check the edited file parses, and leave the file
unchanged when anything is wrong. A running `govwatch run` notices the change
at its next tick and applies it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from monitor.watchlist.config import Config, PageWatch, PetitionWatch, SweepWatch, Watch, parse_config
from monitor.errors import ConfigError, GovwatchError

_PETITION_PATH = re.compile(r"^/(?:archived/)?petitions/(\d+)(?:\.json)?/?$")
_INDEX_PATH = re.compile(r"^/petitions(?:\.json)?/?$")
_ARCHIVED_INDEX_PATH = re.compile(r"^/archived/petitions(?:\.json)?/?$")
_HEADER = re.compile(r"^\s*\[")  # any table header: [govwatch], [[petition]], [hosts."x"]


@dataclass(frozen=True)
class NewEntry:
    """An entry to append: its kind and its TOML text."""

    kind: str
    text: str


def _toml_string(value: str) -> str:
    # JSON's escapes are TOML basic-string escapes; non-ASCII stays readable.
    return json.dumps(value, ensure_ascii=False)


def entry_for(url: str, *, tags: tuple[str, ...] = (), name: str | None = None,
              interval: str | None = None) -> NewEntry:  # fmt: skip
    """Return the watchlist entry a URL calls for: [[petition]], [[sweep]] or [[page]]."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GovwatchError(f"{url!r} is not an http(s) URL", hint="give the address of a petition, an index or a page")
    site = f"{parts.scheme}://{parts.netloc}"
    lines: list[str]
    if _PETITION_PATH.match(parts.path):
        kind, lines = "petition", [f"url = {_toml_string(url.strip())}"]
    elif _INDEX_PATH.match(parts.path):
        params = parse_qs(parts.query)
        state = params.get("state", ["all"])[0]
        query = params.get("q", [""])[0].strip()
        kind = "sweep"
        lines = [f"site = {_toml_string(site)}", f"state = {_toml_string(state)}"]
        if query:
            lines.append(f"query = {_toml_string(query)}")
    elif _ARCHIVED_INDEX_PATH.match(parts.path):
        raise GovwatchError(f"{url}: a sweep follows a site's live index, not its archive",
                            hint="add the archived petitions one by one (their own URLs)")  # fmt: skip
    else:
        kind, lines = "page", [f"url = {_toml_string(url.strip())}"]
    if name is not None:
        lines.append(f"name = {_toml_string(name)}")
    if tags:
        lines.append(f"tags = [{', '.join(_toml_string(t) for t in tags)}]")
    if interval is not None:
        lines.append(f"interval = {_toml_string(interval)}")
    return NewEntry(kind, f"[[{kind}]]\n" + "\n".join(lines) + "\n")


def appended(text: str, entry: NewEntry) -> str:
    """Return the file's text with the entry at the end, after one blank line."""
    if not text:
        return entry.text
    return text + ("" if text.endswith("\n") else "\n") + ("" if text.endswith("\n\n") else "\n") + entry.text


def parse_text(path: Path, text: str) -> Config:
    """Validate watchlist text as if it were the file at `path`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: the edited watchlist would not be valid TOML: {e}") from None
    return parse_config(data, path.resolve())


def _same_target(a: Watch, b: Watch) -> bool:
    if isinstance(a, PetitionWatch) and isinstance(b, PetitionWatch):
        return (a.site, a.number) == (b.site, b.number)
    if isinstance(a, SweepWatch) and isinstance(b, SweepWatch):
        return (a.site, a.state, a.query) == (b.site, b.state, b.query)
    if isinstance(a, PageWatch) and isinstance(b, PageWatch):
        return a.url.rstrip("/") == b.url.rstrip("/")
    return False


@dataclass(frozen=True)
class Candidate:
    """The watchlist as it would be with the new entry, and the new watch."""

    path: Path
    before: str
    after: str
    old: Config
    new: Config
    watch: Watch


def prepare_add(path: Path, entry: NewEntry) -> Candidate:
    """Read the watchlist and check the entry can join it (valid, not watched already)."""
    try:
        before = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such watchlist file", hint="pass --config FILE") from None
    old = parse_text(path, before)
    after = appended(before, entry)
    try:
        new = parse_text(path, after)
    except ConfigError as e:
        if "duplicate watch" in str(e):
            raise GovwatchError(f"{path}: already watched: {str(e).split('duplicate watch ', 1)[1]}",
                                hint="`govwatch watches` lists them; --name gives a second watch its own name") from None
        raise
    [watch] = [w for w in new.watches if w.id not in {o.id for o in old.watches}]
    for existing in old.watches:
        if _same_target(existing, watch):
            raise GovwatchError(f"{path}: already watched, as {existing.id!r} ({existing.entry})",
                                hint=f"`govwatch remove {existing.id}` first to watch it differently")  # fmt: skip
    return Candidate(path, before, after, old, new, watch)


def write_watchlist(path: Path, expected: str, text: str) -> None:
    """Replace the file's text atomically, unless someone changed it since it was read."""
    if path.read_text(encoding="utf-8") != expected:
        raise GovwatchError(f"{path}: the watchlist changed while govwatch was checking; nothing was written",
                            hint="run the command again")  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- remove


def _entry_span(lines: list[str], header_index: int) -> tuple[int, int]:
    """Return the line range [start, end) of the table at `header_index`, with the comment lines right above it.

    The table ends at its last key line: comments after it are about what follows, and stay.
    """
    start = header_index
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    end = last = header_index + 1
    while end < len(lines) and not _HEADER.match(lines[end]):
        if lines[end].strip() and not lines[end].lstrip().startswith("#"):
            last = end + 1
        end += 1
    end = last
    if (start == 0 or not lines[start - 1].strip()) and end < len(lines) and not lines[end].strip():
        end += 1  # one blank line went with it, so none doubles up
    return start, end


def removed(path: Path, text: str, config: Config, name: str) -> str:
    """Return the text without the entry of watch `name` (ConfigError if it cannot be done safely)."""
    watch = config.watch(name) if name in {w.id for w in config.watches} else None
    if watch is None:
        ids = ", ".join(w.id for w in config.watches) or "(none)"
        raise ConfigError(f"{path}: no watch named {name!r}", hint=f"watches are: {ids}")
    kind, number = re.match(r"\[\[(\w+)\]\] #(\d+)$", watch.entry).groups()
    header = re.compile(rf"^\s*\[\[\s*{kind}\s*\]\]\s*(#.*)?$")
    lines = text.splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if header.match(line)]
    if len(headers) < int(number):
        raise ConfigError(f"{path}: cannot find {watch.entry} in the file; remove it by hand")
    start, end = _entry_span(lines, headers[int(number) - 1])
    result = "".join(lines[:start] + lines[end:])
    after = parse_text(path, result)
    left = {w.id: w for w in after.watches}
    expected = {w.id: w for w in config.watches if w.id != name}
    if set(left) != set(expected) or any(_differs(left[i], expected[i]) for i in left):
        raise ConfigError(f"{path}: removing {watch.entry} would change other watches; remove it by hand")
    return result


def _differs(a: Watch, b: Watch) -> bool:
    from dataclasses import replace

    return replace(a, entry="") != replace(b, entry="")


def remove_watch(path: Path, name: str) -> Watch:
    """Take watch `name` out of the watchlist file; return it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such watchlist file", hint="pass --config FILE") from None
    config = parse_text(path, text)
    result = removed(path, text, config, name)
    write_watchlist(path, text, result)
    return config.watch(name)


# ---------------------------------------------------------------- add, checked once


@dataclass(frozen=True)
class Added:
    """A watch `govwatch add` appended, and what its first poll found."""

    watch: Watch
    outcome: str
    events: int


async def add_watch(candidate: Candidate, on_observation: Callable[[], None] | None = None) -> Added:
    """Poll the new watch once; append its entry only if the poll succeeded (else the file is untouched)."""
    from monitor.run.crawl import crawl
    from store.db import open_db
    from store.watches import sync_watches

    watch = candidate.watch
    report = await crawl(candidate.new, (watch,), force=True, on_observation=on_observation)
    db = open_db(candidate.new.settings.database)
    try:
        row = next(db.query("SELECT last_outcome, last_error, gone FROM watches WHERE id = ?", [watch.id]), None)
        problem = _poll_problem(row, watch)
        if problem:
            sync_watches(db, candidate.old)  # the refused watch is not polled by anyone
    finally:
        db.close()
    if problem:
        hint = ("is it the address of a petition on an e-petitions site?" if watch.kind == "petition"
                else "check the address in a browser; `govwatch -v add` logs the fetch")  # fmt: skip
        raise GovwatchError(f"{entry_url(watch)}: {problem}; the watchlist was not changed", hint=hint)
    write_watchlist(candidate.path, candidate.before, candidate.after)
    return Added(watch, row["last_outcome"], report.events)


def _poll_problem(row: dict | None, watch: Watch) -> str | None:
    if row is None or row["last_outcome"] is None:
        return "it could not be polled (robots.txt or the site's rules kept govwatch away)"
    if row["gone"] or row["last_outcome"] == "gone":
        return "the site says it does not exist (404/410)"
    if row["last_outcome"] == "error":
        return f"the check failed: {row['last_error']}"
    return None


def entry_url(watch: Watch) -> str:
    """Return the address a user gave for a watch (a petition's page, not its JSON)."""
    return watch.url.removesuffix(".json") if isinstance(watch, PetitionWatch) else watch.url
