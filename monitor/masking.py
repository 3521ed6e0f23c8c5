"""Hide the channels' secrets in every text govwatch prints, logs or stores.

A secret is the value of a ``${VAR}`` of an ``[[alert]]`` URL, or a password
written in it, whatever its length. A short value (two letters of a user
name, a port) is hidden only where it stands alone, between characters that
are not letters or digits ("mailtos://me:…" but not "message"), so that
masking it does not garble every line; a longer one is hidden everywhere.

`SECRETS` is the one filter that knows them all: `install(handler)` puts it on
a logging handler (the CLI puts it on the root handler, so the lines of
urllib3, Scrapy or Apprise at ``-vv`` are masked too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "****"
SHORT = 4  # a secret shorter than this is masked only where it stands alone


def mask(text: str, secrets: Iterable[str]) -> str:
    """Return `text` with each secret replaced by ****, longest first."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= SHORT:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


class SecretFilter(logging.Filter):
    """Mask every known secret in a log record: its message and its exception."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: tuple[str, ...] = ()  # replaced whole, so threads never see it half-built

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these secrets too from now on."""
        self.secrets = tuple(sorted(set(self.secrets) | {s for s in secrets if s}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with its secrets masked (never drops it)."""
        secrets = self.secrets
        if not secrets:
            return True
        record.msg, record.args = mask(record.getMessage(), secrets), ()
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            masked = mask(text, secrets)
            if masked != text:
                exc = record.exc_info[1]
                stand_in = type(type(exc).__name__, (Exception,), {})(mask(str(exc), secrets))
                record.exc_info, record.exc_text = (type(stand_in), stand_in, record.exc_info[2]), masked
        return True


SECRETS = SecretFilter()


def hide(secrets: Iterable[str]) -> None:
    """Have every handler with the filter mask these secrets from now on."""
    SECRETS.add(secrets)


def install(handler: logging.Handler) -> None:
    """Mask the known secrets in everything this handler writes."""
    handler.addFilter(SECRETS)
