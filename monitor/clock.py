"""Time in govwatch: UTC, ISO-8601 text with milliseconds, like the e-petitions API.

All timestamps govwatch writes look like ``2018-11-30T14:03:12.000Z`` so that
they sort as text and compare with the site's own timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime as govwatch's ISO-8601 text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """Return the current time as govwatch's ISO-8601 text."""
    return iso(now())


def parse_iso(text: str) -> datetime:
    """Parse ISO-8601 text (with Z or an offset; a bare date is midnight UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def later(text: str, seconds: float) -> str:
    """Return the ISO time `seconds` after the ISO time `text`."""
    return iso(parse_iso(text) + timedelta(seconds=seconds))


def http_date(text: str) -> str:
    """Format an ISO time as an HTTP date (for If-Modified-Since)."""
    return format_datetime(parse_iso(text).astimezone(UTC), usegmt=True)


def from_http_date(value: str) -> str | None:
    """Parse an HTTP date (Last-Modified, Retry-After) into ISO text; None if invalid."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def human_date(text: str | None) -> str:
    """Format an ISO date or time as "30 November 2018" (empty for None)."""
    if not text:
        return ""
    moment = parse_iso(text)
    return f"{moment.day} {moment:%B %Y}"
