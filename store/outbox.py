"""The alert outbox: a `deliveries` row per event and channel, written with the event.

`outbox_hook` is a `Recorder` hook, so a delivery row commits in the same
transaction as its event: a crash can lose neither. A dispatcher then takes
rows with `claim`: the oldest undelivered row of a channel (a digest channel:
every row of the oldest period) becomes ``sending`` under a lease, atomically,
so two dispatchers never send the same row and a channel's messages leave in
order of detection. A dispatcher that dies leaves its rows ``sending``; they
are taken again when the lease ends, or at once when its process is known dead.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlite_utils import Database

from monitor.alerts.channels import Channel
from monitor.clock import iso, parse_iso
from monitor.watchlist.config import Config
from monitor.items import Event
from monitor.alerts.messages import period_of
from store.db import writing
from store.queries import event_from_row
from store.record import EventHook

OPEN = ("pending", "sending")


@dataclass(frozen=True)
class Delivery:
    """One event to send to one channel, with its event."""

    id: int
    channel: str
    status: str
    created_at: str
    due_at: str
    digest_until: str | None
    attempts: int
    last_error: str | None
    event: Event


def outbox_hook(config: Config) -> EventHook:
    """Return the Recorder hook that queues each new event for the channels that want it."""
    tags = {w.id: w.tags for w in config.watches}

    def queue(db: Database, event_id: int, event: Event) -> None:
        for channel in config.alerts:
            if channel.wants(event.kind, event.watch_id, tags.get(event.watch_id, ())):
                due, until = event.detected_at, None
                if channel.digest:
                    until = iso(period_of(parse_iso(event.detected_at), channel.digest)[1])
                    due = until
                db.execute(
                    "INSERT OR IGNORE INTO deliveries (event_id, channel, created_at, due_at, digest_until)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [event_id, channel.name, event.detected_at, due, until],
                )

    return queue


def new_owner() -> str:
    """Return a claim token naming this process: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:12]}"


def owner_is_dead(claim: str | None) -> bool:
    """Tell whether the process that made a claim is known to have died (same host only)."""
    host, _, rest = (claim or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    return not pid_alive(int(pid))


def pid_alive(pid: int) -> bool:
    """Tell whether a process of this host is running (another user's counts too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def claim(db: Database, channel: Channel, now: datetime, owner: str, lease: float,
          is_dead: Callable[[str | None], bool] = owner_is_dead) -> list[Delivery]:  # fmt: skip
    """Take the channel's next message if it is due: its rows become ``sending`` for `owner`."""
    at = iso(now)
    with writing(db):  # takes the lock first, so what it reads stays true
        head = next(db.query(
            "SELECT id, status, due_at, claim, claimed_until, digest_until FROM deliveries"
            " WHERE channel = ? AND status IN ('pending', 'sending') ORDER BY event_id LIMIT 1",
            [channel.name]), None)  # fmt: skip
        if head is None:
            return []
        if head["status"] == "pending" and head["due_at"] > at:
            return []
        if head["status"] == "sending" and head["claimed_until"] > at and not is_dead(head["claim"]):
            return []  # another dispatcher is sending it
        scope, args = ("digest_until = ?", [head["digest_until"]]) if head["digest_until"] else ("id = ?", [head["id"]])
        db.execute(
            "UPDATE deliveries SET status = 'sending', claim = ?, claimed_until = ?"
            f" WHERE channel = ? AND {scope} AND (status = 'pending' OR (status = 'sending' AND claim IS ?))",
            [owner, iso(now + timedelta(seconds=lease)), channel.name, *args, head["claim"]],
        )  # fmt: skip
    return claimed(db, owner)


def claimed(db: Database, owner: str) -> list[Delivery]:
    """Return the rows `owner` holds, with their events, oldest first."""
    rows = db.query(
        "SELECT d.id AS delivery_id, d.channel, d.status AS delivery_status, d.created_at, d.due_at,"
        " d.digest_until, d.attempts, d.last_error, e.* FROM deliveries d JOIN events e ON e.id = d.event_id"
        " WHERE d.claim = ? AND d.status = 'sending' ORDER BY d.event_id",
        [owner],
    )
    return [_delivery(r) for r in rows]


def _delivery(r: dict[str, Any]) -> Delivery:
    return Delivery(
        id=r["delivery_id"], channel=r["channel"], status=r["delivery_status"], created_at=r["created_at"],
        due_at=r["due_at"], digest_until=r["digest_until"], attempts=r["attempts"], last_error=r["last_error"],
        event=event_from_row(r),
    )  # fmt: skip


def mark_delivered(db: Database, owner: str, at: datetime) -> int:
    """Mark every row `owner` holds delivered; return how many."""
    with writing(db):
        return db.execute(
            "UPDATE deliveries SET status = 'delivered', delivered_at = ?, attempts = attempts + 1,"
            " last_attempt_at = ?, last_error = NULL, claim = NULL, claimed_until = NULL"
            " WHERE claim = ? AND status = 'sending'",
            [iso(at), iso(at), owner],
        ).rowcount  # fmt: skip


def mark_failed_attempt(db: Database, owner: str, at: datetime, error: str, retry_at: datetime | None) -> int:
    """Record a failed attempt: pending again until `retry_at`, or failed for good when None."""
    status, due = ("pending", iso(retry_at)) if retry_at is not None else ("failed", None)
    with writing(db):
        return db.execute(
            "UPDATE deliveries SET status = ?, due_at = coalesce(?, due_at), attempts = attempts + 1,"
            " last_attempt_at = ?, last_error = ?, claim = NULL, claimed_until = NULL"
            " WHERE claim = ? AND status = 'sending'",
            [status, due, iso(at), error, owner],
        ).rowcount  # fmt: skip


def expire(db: Database, channel: str, created_before: str, error: str) -> int:
    """Mark failed the channel's pending rows created before `created_before` (their deadline passed)."""
    with writing(db):
        return db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ? WHERE channel = ? AND status = 'pending'"
            " AND created_at <= ?",
            [error, channel, created_before],
        ).rowcount  # fmt: skip


def release(db: Database, owner: str) -> None:
    """Give back rows `owner` holds without counting an attempt (it was interrupted)."""
    with writing(db):
        db.execute("UPDATE deliveries SET status = 'pending', claim = NULL, claimed_until = NULL"
                   " WHERE claim = ? AND status = 'sending'", [owner])  # fmt: skip


def undelivered(db: Database, limit: int = 200) -> list[Delivery]:
    """Return pending, sending and failed rows, failed first, then by channel and detection."""
    rows = db.query(
        "SELECT d.id AS delivery_id, d.channel, d.status AS delivery_status, d.created_at, d.due_at,"
        " d.digest_until, d.attempts, d.last_error, e.* FROM deliveries d JOIN events e ON e.id = d.event_id"
        " WHERE d.status != 'delivered'"
        " ORDER BY d.status = 'failed' DESC, d.channel, d.event_id LIMIT ?",
        [limit],
    )
    return [_delivery(r) for r in rows]


def counts(db: Database) -> dict[tuple[str, str], int]:
    """Return the number of rows by (channel, status)."""
    rows = db.query("SELECT channel, status, count(*) AS n FROM deliveries GROUP BY channel, status")
    return {(r["channel"], r["status"]): r["n"] for r in rows}

