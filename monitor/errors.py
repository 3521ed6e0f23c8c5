"""Errors a govwatch user can meet, each written for that user.

    GovwatchError                 anything govwatch reports as one readable line
    ├── ConfigError               the watchlist is wrong: file, entry, key, what was expected
    ├── StoreError                the database cannot be opened or is of a newer govwatch
    ├── NotFound                  a watch, petition or page the user named is unknown
    └── Interrupted               Ctrl-C (or SIGTERM) stopped a command before its end

The CLI prints `str(error)` and, when there is one, `error.hint`; it never
prints a traceback for these.
"""

from __future__ import annotations


class GovwatchError(Exception):
    """Base of every error meant for the user."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class ConfigError(GovwatchError):
    """The watchlist file is missing, unreadable or invalid."""


class StoreError(GovwatchError):
    """The database cannot be used."""


class NotFound(GovwatchError):
    """Something the user named does not exist."""


class Interrupted(GovwatchError):
    """The user stopped a command before its end (what was recorded is kept)."""
