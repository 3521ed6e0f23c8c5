"""Send one message to one channel through Apprise; report the outcome with secrets masked.

Apprise writes every protocol (SMTP, Slack, Signal, ntfy, JSON webhooks...);
govwatch only adds what carries the event to a receiver: the event fields in
a JSON webhook's body and an ``X-Govwatch-Event`` header on e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import apprise
from apprise.plugins.custom_json import NotifyJSON
from apprise.plugins.email.base import NotifyEmail

from monitor import masking
from monitor.alerts.messages import Message

if TYPE_CHECKING:
    from monitor.alerts.channels import Channel

SERVICE_TIMEOUT = 60.0  # seconds one send may take, Apprise's retries included
EVENT_HEADER = "X-Govwatch-Event"
APPRISE_LOGGER = logging.getLogger(apprise.LOGGER_NAME)


@dataclass(frozen=True)
class Outcome:
    """The result of one send: ok, or the error (secrets masked)."""

    ok: bool
    error: str | None = None


def _asset() -> apprise.AppriseAsset:
    # No persistent storage: Apprise keeps no files of its own next to govwatch's database.
    return apprise.AppriseAsset(storage_mode="memory", service_timeout=SERVICE_TIMEOUT)


# Apprise appends these defaults to every URL it prints; they say nothing about the channel.
_NOISE = frozenset({"overflow=upstream", "retry=0", "wait=0.5", "optional=no"})


def privacy_url(url: str, secrets: tuple[str, ...] = ()) -> str | None:
    """Return the URL as Apprise prints it with its secrets hidden; None if Apprise cannot use it."""
    hide_in_logs((url, *secrets))
    plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
    if plugin is None:
        return None
    base, _, query = plugin.url(privacy=True).partition("?")
    kept = [p for p in query.split("&") if p and p not in _NOISE]
    return base + ("?" + "&".join(kept) if kept else "")


# Apprise's own logger may not reach the root handler (it does not propagate without -v): filter it too.
APPRISE_LOGGER.addFilter(masking.SECRETS)


def hide_in_logs(secrets: tuple[str, ...]) -> None:
    """Have every log line (Apprise's, urllib3's, govwatch's) mask these secrets from now on."""
    masking.hide(secrets)


def send(channel: Channel, message: Message) -> Outcome:
    """Send `message` to `channel` once (no retries here: the outbox retries)."""
    hide_in_logs((channel.url, *channel.secrets))
    try:
        plugin = apprise.Apprise.instantiate(channel.url, asset=_asset(), suppress_exceptions=True)
        if plugin is None:
            return Outcome(False, f"Apprise cannot use the URL {channel.display_url}")
        _carry_event(plugin, message)
        notifier = apprise.Apprise(asset=_asset())
        notifier.add(plugin)
        result = notifier.notify(body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT)
        if result:
            return Outcome(True)
        logs = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
        error = "; ".join(dict.fromkeys(logs)) or f"Apprise reported {result.status.name}"
        return Outcome(False, channel.mask(error))
    except Exception as e:  # a plugin bug must not stop the other channels; recorded, masked
        return Outcome(False, channel.mask(f"{type(e).__name__}: {e}"))


def _carry_event(plugin: object, message: Message) -> None:
    """Put the event where a receiver finds it without parsing text."""
    if isinstance(plugin, NotifyJSON):
        plugin.payload_extras.update(message.payload)
    elif isinstance(plugin, NotifyEmail):
        plugin.headers[EVENT_HEADER] = message.key
