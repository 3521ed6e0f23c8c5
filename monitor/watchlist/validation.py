"""Validate one table of the watchlist: keys, types, durations, sizes, crontab, selectors.

`Entry` wraps a TOML table with where it was written (file and ``[[kind]] #n``)
so that every error names the file, the entry, the key and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.errors import ConfigError


class Entry:
    """One table of the file being validated, to report errors precisely."""

    def __init__(self, path: Path, where: str, table: dict[str, Any]):
        self.path, self.where, self.table = path, where, table

    def fail(self, message: str, key: str | None = None) -> ConfigError:
        at = f"{self.where}, key {key!r}" if key else self.where
        return ConfigError(f"{self.path}: {at}: {message}")

    def check_keys(self, allowed: set[str], required: set[str] = frozenset()) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(f"unknown key (expected one of: {', '.join(sorted(allowed))})", key)
        for key in required:
            if key not in self.table:
                raise self.fail("missing (it is required)", key)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.fail(f"expected {_type_name(kind)}, got a boolean", key)
        if not isinstance(value, kind):
            raise self.fail(f"expected {_type_name(kind)}, got {type(value).__name__} {value!r}", key)
        return value

    def duration(self, key: str, default: float | None) -> float | None:
        value = self.get(key, (str, int, float))
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as e:
            raise self.fail(str(e), key) from None

    def interval(self, key: str, default: float | None) -> float | None:
        """Return a duration that must be more than zero (a poll interval: "0s" would poll without end)."""
        value = self.duration(key, default)
        if value is not None and value <= 0:
            raise self.fail(f'expected a duration above zero such as "30s" or "10m", got {self.table[key]!r}', key)
        return value

    def size(self, key: str, default: int) -> int:
        value = self.get(key, (str, int))
        if value is None:
            return default
        try:
            return parse_size(value)
        except ValueError as e:
            raise self.fail(str(e), key) from None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) and v for v in value):
            raise self.fail("expected a list of non-empty strings", key)
        return tuple(value)

    def ints(self, key: str) -> tuple[int, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            raise self.fail("expected a list of positive whole numbers", key)
        return tuple(sorted(set(value)))


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}  # fmt: skip
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float) -> float:
    """Parse "90s", "10m", "1h30m", "2d" (or a number of seconds) into seconds."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"expected a duration >= 0, got {value}")
        return float(value)
    text = value.strip().lower()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos and text[pos:m.start()].strip():
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not text or text[pos:].strip():
        raise ValueError(f'expected a duration such as "30s", "10m", "1h30m" or "2d", got {value!r}')
    return total


def parse_size(value: str | int) -> int:
    """Parse "5MB", "512KB", "1GB" (or a number of bytes) into bytes."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*", value.lower())
    if not m:
        raise ValueError(f'expected a size such as "512KB" or "5MB", got {value!r}')
    scale = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}[m.group(2) or "b"]
    return int(float(m.group(1)) * scale)


def site_url(entry: Entry, key: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise entry.fail(f"expected an http(s) URL such as 'https://petition.parliament.uk', got {value!r}", key)
    return f"{parts.scheme}://{parts.netloc}"


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str) -> Any:
    """Return an APScheduler trigger for a standard crontab expression (UTC).

    APScheduler 3 numbers weekdays from Monday = 0, crontab from Sunday = 0 (or 7):
    numeric weekdays are turned into names so that "1-5" means Monday to Friday.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    fields[4] = re.sub(r"\d+", lambda m: _CRON_DAYS[int(m.group())] if int(m.group()) < 8 else m.group(), fields[4])
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone="UTC")


def check_selector(value: str) -> str | None:
    """Return why a CSS or "xpath:" selector is invalid, or None when it compiles."""
    from cssselect import SelectorError
    from lxml import etree
    from parsel.csstranslator import css2xpath

    try:
        if value.startswith("xpath:"):
            etree.XPath(value.removeprefix("xpath:").strip())
        else:
            etree.XPath(css2xpath(value))
    except (SelectorError, etree.XPathError) as e:
        kind = "XPath" if value.startswith("xpath:") else "CSS selector"
        return f"not a valid {kind} ({e}): {value!r}"
    return None
