"""Alert channels: the ``[[alert]]`` tables of the watchlist, validated.

A channel is an Apprise URL (e-mail, Slack, Signal, ntfy, a JSON webhook...)
and the events it wants. ``${VAR}`` in the URL is read from the environment
when the watchlist is loaded; the values read, and any password written in
the URL, are the channel's secrets: `Channel.mask` hides them from every text
govwatch prints, logs or stores, and the expanded URL is never shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from monitor import masking
from monitor.alerts import messages

# Events about govwatch's own work, not news: a channel gets them only when it names them in `kinds`.
OPT_IN_KINDS = frozenset({"sweep_started", "watch_failing", "watch_recovered"})
DEFAULT_DEADLINE = 86400.0  # give up on a delivery a day after its event was detected
DEFAULT_BACKOFF = 30.0  # first retry after 15-30 s, doubling
MASK = masking.MASK

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"name", "url", "kinds", "tags", "watches", "digest", "deadline", "backoff", "title", "body"}


@dataclass(frozen=True)
class Channel:
    """One ``[[alert]]``: where messages go and which events it wants."""

    name: str
    entry: str  # where it is written, e.g. "[[alert]] #1"
    display_url: str  # the URL with its secrets masked: safe to print
    url: str = field(repr=False)  # expanded: holds secrets, only Apprise sees it
    secrets: tuple[str, ...] = field(default=(), repr=False)
    kinds: tuple[str, ...] = ()  # empty: every event kind except OPT_IN_KINDS
    tags: tuple[str, ...] = ()
    watches: tuple[str, ...] = ()
    digest: float | None = None  # seconds per digest period; None: one message per event
    deadline: float = DEFAULT_DEADLINE
    backoff: float = DEFAULT_BACKOFF
    title: str = messages.DEFAULT_TITLE
    body: str = messages.DEFAULT_BODY

    def wants(self, kind: str, watch_id: str, watch_tags: tuple[str, ...]) -> bool:
        """Tell whether an event of this kind, from this watch, goes to this channel."""
        if self.kinds:
            if kind not in self.kinds:
                return False
        elif kind in OPT_IN_KINDS:
            return False
        if self.watches and watch_id not in self.watches:
            return False
        return not self.tags or bool(set(self.tags) & set(watch_tags))

    def mask(self, text: str | None) -> str:
        """Return `text` with this channel's secrets replaced by ****."""
        if not text:
            return text or ""
        return masking.mask(text, (self.url, *self.secrets))


def expand(template: str, environ: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """Replace each ``${VAR}`` with its value; return the URL and the secrets to mask.

    A value that lands in the user:password part is percent-encoded, so a
    password may contain ``@``, ``:`` or ``/``. Raise KeyError naming an unset
    variable, ValueError for a ``${`` that does not start a variable.
    """
    if template.count("${") != len(_VARIABLE.findall(template)):
        raise ValueError("write environment variables as ${NAME} (letters, digits and _)")
    userinfo_end = _userinfo_end(template)
    secrets: list[str] = []
    out, pos = [], 0
    for m in _VARIABLE.finditer(template):
        value = environ.get(m.group(1))
        if value is None:
            raise KeyError(m.group(1))
        in_userinfo = m.start() < userinfo_end
        out += [template[pos:m.start()], quote(value, safe="") if in_userinfo else value]
        secrets += [value, quote(value, safe="")]
        pos = m.end()
    url = "".join(out) + template[pos:]
    password = _password(url)
    if password:
        secrets += [password, unquote(password)]
    # Every value is a secret, whatever its length (monitor.masking hides a short one only where it stands alone).
    return url, tuple(sorted({s for s in secrets if s}, key=len, reverse=True))


def _userinfo_end(template: str) -> int:
    """Return where the user:password part of a URL (template) ends, 0 if it has none."""
    start = template.find("://")
    if start < 0:
        return 0
    netloc_end = len(template)
    for sep in "/?#":
        i = template.find(sep, start + 3)
        if i >= 0:
            netloc_end = min(netloc_end, i)
    at = template.rfind("@", start + 3, netloc_end)
    return max(at, 0)


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def known_kinds() -> set[str]:
    """Return every event kind govwatch can store."""
    # Imported here: detect and health import config, which imports this module.
    from monitor.detect.petitions import DETECTORS
    from monitor.detect.pages import PAGE_DETECTORS
    from monitor.detect.eta import KINDS as ETA_KINDS
    from monitor.detect.health import KINDS as HEALTH_KINDS
    from store.record import SWEEP_KINDS

    return set(DETECTORS) | set(PAGE_DETECTORS) | set(HEALTH_KINDS) | set(ETA_KINDS) | set(SWEEP_KINDS)


def parse_channel(entry: Any, environ: Mapping[str, str] | None = None) -> Channel:
    """Validate one ``[[alert]]`` table (a `monitor.watchlist.validation.Entry`) and return its Channel."""
    entry.check_keys(_KEYS, {"name", "url"})
    name = entry.get("name", str)
    if not _NAME.fullmatch(name):
        raise entry.fail(f"expected letters, digits, '-', '_' or '.', got {name!r}", "name")
    template = entry.get("url", str)
    try:
        url, secrets = expand(template, os.environ if environ is None else environ)
    except KeyError as e:
        error = entry.fail(f"the environment variable {e.args[0]} is not set (the URL uses ${{{e.args[0]}}})", "url")
        error.hint = f"set it where govwatch runs (export {e.args[0]}=…), or write the value in the URL"
        raise error from None
    except ValueError as e:
        raise entry.fail(str(e), "url") from None
    display = _display_url(entry, template, url, secrets)
    kinds = entry.strings("kinds")
    unknown = sorted(set(kinds) - known_kinds())
    if unknown:
        raise entry.fail(
            f"unknown event kind {unknown[0]!r} (expected some of: {', '.join(sorted(known_kinds()))})", "kinds"
        )
    digest = entry.duration("digest", None)
    if digest is not None and digest < 60:
        raise entry.fail("a digest period is at least a minute (e.g. \"1h\")", "digest")
    return Channel(
        name=name, entry=entry.where, display_url=display, url=url, secrets=secrets,
        kinds=kinds, tags=entry.strings("tags"), watches=entry.strings("watches"), digest=digest,
        deadline=entry.duration("deadline", DEFAULT_DEADLINE),
        backoff=entry.duration("backoff", DEFAULT_BACKOFF),
        title=_template(entry, "title", messages.DEFAULT_TITLE),
        body=_template(entry, "body", messages.DEFAULT_BODY),
    )  # fmt: skip


def _display_url(entry: Any, template: str, url: str, secrets: tuple[str, ...]) -> str:
    from monitor.alerts.notify import (
        privacy_url,  # Apprise is imported only when a watchlist has alerts
    )

    def masked(text: str) -> str:
        return masking.mask(text, secrets)

    display = privacy_url(url, secrets)
    if display is None:
        raise entry.fail(
            f"not a notification URL Apprise knows: {masked(template)!r}"
            " (expected e.g. mailtos://USER:PASS@HOST?to=ADDRESS or json://HOST/PATH)",
            "url",
        )
    return masked(display)


def _template(entry: Any, key: str, default: str) -> str:
    text = entry.get(key, str, default)
    try:
        messages.check_template(text)
    except ValueError as e:
        raise entry.fail(str(e), key) from None
    return text
