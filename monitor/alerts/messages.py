"""Turn events into messages a person reads on a phone: pure functions, no I/O.

A message has a title that says what happened and a short body: the petition
or page, the number, the date, what changed (a response's summary, the first
lines of a diff), a link and the event key, so a receiver can drop a message
it has already seen. What a kind adds to the body is a small function
registered with `@details`. A channel's ``title`` and ``body`` templates are
``str.format`` text over `FIELDS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from string import Formatter
from typing import Any

from monitor.clock import human_date, iso
from monitor.items import Event
from monitor.registry import Registry

DEFAULT_TITLE = "{title}"
DEFAULT_BODY = "{headline}\n\n{details}\n\n{url}\nEvent: {key}"
DIFF_LINES = 8  # a phone screen: the first lines say enough, the link has the rest
LINE_LIMIT = 200

FIELDS = {
    "title": "what happened, e.g. '10,000 signatures: Fund more school libraries'",
    "summary": "one or two sentences about it",
    "details": "what the kind adds: a response's summary, the first lines of a diff, debate links",
    "headline": "the petition or page, the number and the date, joined by ' · '",
    "subject": "the petition ('Petition 221342') or the page",
    "count": "the signature count ('10,050 signatures'), when there is one",
    "date": "when it happened ('30 November 2018')",
    "detected": "when govwatch saw it (UTC ISO time)",
    "url": "the link to the petition or page",
    "kind": "the event kind, e.g. threshold_crossed",
    "key": "the event key, unique per event (receivers de-duplicate on it)",
    "watch": "the watch that saw it",
}


@dataclass(frozen=True)
class Message:
    """What one delivery sends: text for people, a JSON payload for webhooks."""

    title: str
    body: str
    keys: tuple[str, ...]  # the events it carries
    payload: dict[str, Any] = field(default_factory=dict)  # added to a JSON webhook's body

    @property
    def key(self) -> str:
        """Return the key a receiver de-duplicates on (the event's, or the digest's)."""
        return self.payload.get("digest", {}).get("key") or self.keys[0]


# ---------------------------------------------------------------- details by kind

DetailsFn = Callable[[Event], str]
DETAILS = Registry("message details of")


def details(kind: str) -> Callable[[DetailsFn], DetailsFn]:
    """Register what events of one kind add to a message's body."""
    return DETAILS.decorator(kind)


def first_lines(text: str, lines: int = DIFF_LINES) -> str:
    """Return the first `lines` lines of a text, each cut to a phone's width, and '…' if more."""
    all_lines = [line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…" for line in text.splitlines()]
    return "\n".join(all_lines[:lines] + (["…"] if len(all_lines) > lines else []))


def default_details(event: Event) -> str:
    """The event's summary, and the first lines of its diff when it has one (a changed page)."""
    diff = event.data.get("diff")
    return event.summary + (f"\n\n{first_lines(diff)}" if isinstance(diff, str) and diff else "")


@details("response_published")
def response_details(event: Event) -> str:
    """The government's summary of its response."""
    response = event.data.get("response") or {}
    return response.get("summary") or event.summary


@details("debated")
def debated_details(event: Event) -> str:
    """The debate's date and overview, then its transcript and video links, one a line."""
    debate = event.data.get("debate") or {}
    if not debate.get("debated_on"):
        return event.summary
    lines = [f"Parliament debated this petition on {human_date(debate['debated_on'])}."]
    if debate.get("overview"):
        lines.append(first_lines(debate["overview"], 4))
    lines += [f"{label}: {debate[name]}" for label, name in (
        ("Transcript", "transcript_url"), ("Video", "video_url"), ("Debate pack", "debate_pack_url"),
    ) if debate.get(name)]  # fmt: skip
    return "\n".join(lines)


# ---------------------------------------------------------------- fields and templates


def _headline_parts(event: Event) -> tuple[str, str, str]:
    """Return what an event is about, its count as text and its date (each possibly empty)."""
    data = event.data
    subject = f"Petition {data['petition']}" if data.get("petition") else str(data.get("page") or event.watch_id)
    count = data.get("signature_count")
    count_text = f"{count:,} signatures" if isinstance(count, int) and not isinstance(count, bool) else ""
    date = human_date(event.occurred_at) if event.occurred_at else ""
    return subject, count_text, date


def headline(event: Event) -> str:
    """Return the petition or page, the count and the date in one line ("Petition 221342 · 11,406 signatures · …")."""
    return " · ".join(p for p in _headline_parts(event) if p)


def fields_of(event: Event) -> dict[str, str]:
    """Return the template fields of an event (every value text, possibly empty)."""
    subject, count_text, date = _headline_parts(event)
    return {
        "title": event.title, "summary": event.summary,
        "details": DETAILS.get(event.kind, default_details)(event),
        "headline": headline(event),
        "subject": subject, "count": count_text, "date": date, "detected": event.detected_at,
        "url": event.url, "kind": event.kind, "key": event.key, "watch": event.watch_id,
    }  # fmt: skip


def check_template(template: str) -> None:
    """Raise ValueError naming the problem if `template` uses anything but `FIELDS`."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as e:
        raise ValueError(f"not a valid template ({e}); write fields as {{title}}, braces as {{{{ }}}}") from None
    for _, name, _, _ in parsed:
        if name is not None and name not in FIELDS:
            raise ValueError(f"unknown field {{{name}}} (expected some of: {', '.join(FIELDS)})")


def fill(template: str, values: dict[str, str]) -> str:
    """Fill a checked template; drop the blank lines empty fields leave behind."""
    text = template.format_map(values)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def event_json(event: Event) -> dict[str, Any]:
    """Return the event fields a JSON webhook receives."""
    return {
        "key": event.key, "kind": event.kind, "watch": event.watch_id, "petition": event.petition_id,
        "title": event.title, "summary": event.summary, "url": event.url,
        "occurred_at": event.occurred_at, "detected_at": event.detected_at, "data": event.data,
    }  # fmt: skip


# ---------------------------------------------------------------- messages


def render_event(event: Event, title: str = DEFAULT_TITLE, body: str = DEFAULT_BODY) -> Message:
    """Return the message of one event; the body always carries the event key."""
    values = fields_of(event)
    text = fill(body, values)
    if event.key not in text:
        text += f"\n\nEvent: {event.key}"
    # A title is one line (an e-mail subject, a chat's first line), whatever the scraped text held.
    one_line = " ".join(fill(title, values).split())
    return Message(title=one_line or event.title, body=text, keys=(event.key,),
                   payload={"event": event_json(event)})  # fmt: skip


def render_digest(channel: str, events: list[Event], start: datetime, end: datetime) -> Message:
    """Return one message listing every event of a digest period, oldest first."""
    key = f"digest/{channel}/{iso(end)}"
    day = human_date(iso(start))
    period = f"{day}, {start:%H:%M}–{end:%H:%M} UTC"
    noun = "event" if len(events) == 1 else "events"
    blocks = []
    for event in events:
        blocks.append("\n".join(p for p in (f"• {event.title}", headline(event), event.url,
                                            f"Event: {event.key}") if p))  # fmt: skip
    body = f"{len(events)} {noun} from {period}:\n\n" + "\n\n".join(blocks) + f"\n\nDigest: {key}"
    return Message(
        title=f"govwatch: {len(events)} {noun}, {period}", body=body,
        keys=tuple(e.key for e in events),
        payload={"digest": {"key": key, "channel": channel, "from": iso(start), "until": iso(end)},
                 "events": [event_json(e) for e in events]},
    )  # fmt: skip


def render_test(channel: str, at: datetime) -> Message:
    """Return the message `govwatch alerts test` sends to a channel."""
    key = f"test/{channel}/{iso(at)}"
    event = {"key": key, "kind": "test", "watch": None, "petition": None,
             "title": f"govwatch test message for {channel}",
             "summary": "If you can read this, govwatch can send alerts to this channel.",
             "url": "", "occurred_at": iso(at), "detected_at": iso(at), "data": {}}  # fmt: skip
    body = f"{event['summary']}\nSent {human_date(iso(at))} at {at:%H:%M:%S} UTC.\nEvent: {key}"
    return Message(title=event["title"], body=body, keys=(key,), payload={"event": event})


def period_of(moment: datetime, seconds: float) -> tuple[datetime, datetime]:
    """Return the digest period holding `moment`: periods are aligned on the Unix epoch (UTC)."""
    start = moment.timestamp() // seconds * seconds
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(start + seconds, UTC)
