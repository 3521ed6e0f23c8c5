"""Deliver alerts from the outbox: send what is due, retry with backoff, give up at the deadline.

`dispatch` is safe to call often and from several processes at once (the
poller's `govwatch check`, the scheduler's job, `govwatch alerts send`):
each message is claimed atomically in the database before it is sent, and a
channel's messages leave one at a time in order of detection. Delivery is
at-least-once: a process killed after a receiver accepted a message but
before the database recorded it sends that message again on restart, with
the same event key, so the receiver can drop it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlite_utils import Database

from monitor import clock
from monitor.alerts.channels import Channel
from monitor.clock import iso, parse_iso
from monitor.errors import StoreError
from monitor.alerts.messages import Message, render_digest, render_event, render_test
from monitor.alerts.notify import SERVICE_TIMEOUT, Outcome, send
from store import outbox
from store.db import open_db

if TYPE_CHECKING:  # the watchlist imports this package (its [[alert]] channels): a type only here
    from monitor.watchlist.config import Config

logger = logging.getLogger(__name__)

LEASE = 2 * SERVICE_TIMEOUT + 60  # a claim outlives the longest send; then another dispatcher may take it
MAX_BACKOFF = 3600.0


@dataclass
class DispatchReport:
    """What one dispatch did."""

    messages: int = 0  # messages sent
    delivered: int = 0  # deliveries (event x channel) done
    retrying: int = 0  # failed attempts that will be retried
    failed: int = 0  # deliveries given up (deadline passed)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (channel, error with secrets masked)

    def summary(self) -> str:
        """Return one line for the CLI."""
        line = f"Alerts: {self.messages} sent ({self.delivered} deliveries)"
        if self.retrying:
            line += f", {self.retrying} to retry"
        if self.failed:
            line += f", {self.failed} failed"
        lines = [line] + [f"  {name}: {error}" for name, error in dict(self.errors).items()]
        if self.retrying or self.failed:
            lines.append("  see `govwatch alerts`")
        return "\n".join(lines)


def retry_delay(attempts: int, base: float, rng: random.Random) -> float:
    """Return the wait after the `attempts`-th failure: doubling from `base`, capped, with jitter.

    The jitter (a random 50-100 % of the step) keeps dispatchers that failed
    together from retrying together.
    """
    step = min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1))
    return step * (0.5 + rng.random() / 2)


def next_attempt(created_at: str, attempts: int, channel: Channel, at: datetime,
                 rng: random.Random) -> datetime | None:  # fmt: skip
    """Return when to try again after a failure, or None when the deadline has passed."""
    deadline = parse_iso(created_at) + timedelta(seconds=channel.deadline)
    if at >= deadline:
        return None
    return min(at + timedelta(seconds=retry_delay(attempts, channel.backoff, rng)), deadline)


def dispatch(config: Config, db: Database | None = None, now: datetime | None = None, *,
             only: str | None = None, rng: random.Random | None = None,
             what_if: bool = False) -> DispatchReport:  # fmt: skip
    """Send every due message of every channel (or of the channel `only`); return what happened.

    `now` fixes the clock (to test digests and retries without waiting);
    by default the real time is read at each step. With `what_if` (`alerts send
    --now`), `now` only chooses what is due: a failed send is booked at the real
    time, so a future `now` never pushes a delivery past its deadline.
    """
    report = DispatchReport()
    channels = [config.channel(only)] if only else list(config.alerts)
    if not channels:
        return report
    own = db is None
    db = open_db(config.settings.database, lock_wait=config.settings.lock_wait) if own else db
    owner = outbox.new_owner()
    tick: Callable[[], datetime] = (lambda: now) if now is not None else clock.now
    rng = rng or random.Random()
    try:
        active = channels
        while active:  # round-robin: one message per channel per round, so no channel waits for another
            active = [c for c in active if _send_next(db, c, owner, tick, rng, report,
                                                      clock.now if what_if else tick)]  # fmt: skip
    except sqlite3.OperationalError as e:
        raise StoreError(f"{config.settings.database}: cannot update the outbox: {e}",
                         hint="another govwatch holds the database for too long; try again") from None  # fmt: skip
    except BaseException:
        outbox.release(db, owner)  # interrupted: what it held goes back to the queue
        raise
    finally:
        if own:
            db.close()
    return report


async def dispatch_async(config: Config, now: datetime | None = None) -> DispatchReport:
    """Run `dispatch` in a worker thread, for a scheduler on an asyncio loop."""
    return await asyncio.to_thread(dispatch, config, None, now)


def _send_next(db: Database, channel: Channel, owner: str, tick: Callable[[], datetime],
               rng: random.Random, report: DispatchReport, failed_clock: Callable[[], datetime]) -> bool:  # fmt: skip
    """Send the channel's next due message; tell whether to go on with this channel."""
    batch = outbox.claim(db, channel, tick(), owner, LEASE)
    if not batch:
        return False
    outcome = send(channel, _message(channel, batch))
    if outcome.ok:
        report.messages += 1
        report.delivered += outbox.mark_delivered(db, owner, tick())
        logger.info("alert sent to %s: %s", channel.name, ", ".join(d.event.key for d in batch))
        return True
    at = failed_clock()
    error = channel.mask(outcome.error)
    report.errors.append((channel.name, error))
    oldest = min(d.created_at for d in batch)
    retry_at = next_attempt(oldest, max(d.attempts for d in batch) + 1, channel, at, rng)
    outbox.mark_failed_attempt(db, owner, at, error, retry_at)
    if retry_at is None:
        report.failed += len(batch) + outbox.expire(db, channel.name, iso(at - timedelta(seconds=channel.deadline)),
                                                    f"not sent before the deadline; last error: {error}")  # fmt: skip
        logger.warning("alert to %s given up after its deadline: %s", channel.name, error)
        return True  # the next messages may still be in time
    report.retrying += len(batch)
    logger.warning("alert to %s failed, retrying at %s: %s", channel.name, iso(retry_at), error)
    return False  # keep the channel's order: nothing after a message that must be retried


def _message(channel: Channel, batch: list[outbox.Delivery]) -> Message:
    head = batch[0]
    if head.digest_until is None:
        return render_event(head.event, channel.title, channel.body)
    end = parse_iso(head.digest_until)
    start = end - timedelta(seconds=channel.digest) if channel.digest else min(parse_iso(d.event.detected_at)
                                                                               for d in batch)  # fmt: skip
    return render_digest(channel.name, [d.event for d in batch], start, end)


def send_test(config: Config, only: str | None = None, now: datetime | None = None) -> list[tuple[Channel, Outcome]]:
    """Send a test message to every channel (or to `only`); return each channel's outcome."""
    channels = [config.channel(only)] if only else list(config.alerts)
    at = now or clock.now()
    return [(c, send(c, render_test(c.name, at))) for c in channels]


def outbox_text(config: Config, limit: int = 200) -> str:
    """Return what `govwatch alerts` prints: the channels, then pending and failed deliveries."""
    db = open_db(config.settings.database)
    try:
        counts = outbox.counts(db)
        rows = outbox.undelivered(db, limit)
    finally:
        db.close()
    lines = ["Channels:"] if config.alerts else ["No [[alert]] channels in the watchlist."]
    for c in config.alerts:
        done, waiting, failed = (counts.get((c.name, s), 0) for s in ("delivered", "pending", "failed"))
        waiting += counts.get((c.name, "sending"), 0)
        mode = f"digest every {_duration(c.digest)}" if c.digest else "one message per event"
        lines.append(f"  {c.name}: {c.display_url}")
        lines.append(f"    {mode}; {done} delivered, {waiting} pending, {failed} failed")
    masks = {c.name: c for c in config.alerts}
    if not rows:
        lines += ["", "Nothing pending or failed."]
        return "\n".join(lines)
    lines += ["", f"  {'status':8} {'channel':16} {'tries':>5}  {'next try / error':32} event"]
    for d in rows:
        mask = masks[d.channel].mask if d.channel in masks else (lambda text: text or "")
        note = mask(d.last_error) if d.status == "failed" else f"due {d.due_at[:19].replace('T', ' ')}"
        if d.status == "pending" and d.last_error:
            note += f" ({mask(d.last_error)})"
        if d.channel not in masks:
            note += " (channel no longer in the watchlist)"
        lines.append(f"  {d.status:8} {d.channel:16} {d.attempts:>5}  {note:32} {d.event.key}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
