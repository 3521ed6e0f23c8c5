"""A local replica of petition.parliament.uk: petitions you script, served over real HTTP.

    with EPetitionsReplica(max_age=0) as site:
        site.add_petition(700001, "Fund more buses", signature_count=9_990)
        site.sign(700001, 10_050)          # crosses the 10,000 threshold
        urlopen(f"{site.url}/petitions/700001.json")

Every state-changing call stamps the petition's `updated_at` with now (UTC),
unless the caller passes `updated_at` to pin it (tests of 304s need the past).
The HTTP routes live in `routes.py`; the documents in `documents.py`.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.replica import seed as seed_petition
from monitor.replica.documents import BREAKDOWNS, OTHER_BUSINESS, iso, parse_iso
from monitor.replica.places import DEPARTMENTS, person_name
from monitor.replica.routes import Routes
from monitor.replica.server import Fault, FaultBook, LoggedRequest, ReplicaServer, ServedSite

RESPONSE_THRESHOLD = 10_000
DEBATE_THRESHOLD = 100_000
# Periods of earlier Parliaments: government and dissolution (00:01 local time, in UTC).
PARLIAMENTS = {
    "2010-2015": ("Conservative – Liberal Democrat coalition", "2015-03-29T23:01:00.000Z"),
    "2015-2017": ("Conservative", "2017-05-02T23:01:00.000Z"),
    "2017-2019": ("Conservative", "2019-11-06T00:01:00.000Z"),
    "2019-2024": ("Conservative", "2024-05-29T23:01:00.000Z"),
}
# How long a petition is open for: six months, as on the real site.
OPEN_FOR = timedelta(days=182)
_AUTO: Any = object()  # "make up a plausible value", distinct from an explicit None


@dataclass
class PetitionRecord:
    """One petition in the replica: its API attributes plus what the site keeps beside them."""

    number: int
    attributes: dict[str, Any]
    parliament: dict[str, Any] | None = None
    removed: bool = False
    # (time.time(), signature_count) samples of the last hour, for /trending.json.
    history: list[tuple[float, int]] = field(default_factory=list)
    # Rendered bodies by kind ("detail", "entry", "count", "page"), dropped on every change.
    rendered: dict[str, bytes] = field(default_factory=dict)

    @property
    def state(self) -> str | None:
        """Return the petition's state attribute."""
        return self.attributes.get("state")


def _now() -> str:
    return iso(datetime.now(UTC))


def _jsonable(value: Any) -> Any:
    """Turn datetimes and dates given by a caller into the API's text forms."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _closing_date(opened_at: str) -> str:
    end = parse_iso(opened_at) + OPEN_FOR
    return iso(end.replace(hour=23, minute=59, second=59, microsecond=999000))


class EPetitionsReplica(ServedSite):
    """The e-petitions site on 127.0.0.1: JSON API, HTML pages, faults and a request log."""

    def __init__(self, max_age: int = 60, archived_max_age: int = 120, host: str = "127.0.0.1", port: int = 0):
        self.max_age = max_age
        self.archived_max_age = archived_max_age
        self.robots_txt = "User-agent: *\nDisallow:\n"
        self._address = (host, port)
        self._lock = threading.RLock()
        self._petitions: dict[int, PetitionRecord] = {}
        self._log: list[LoggedRequest] = []
        self._faults = FaultBook()

    # -- serving ---------------------------------------------------------------------------

    def _make_server(self) -> ReplicaServer:
        return ReplicaServer(self._address, Routes(self), self._faults, self._record)

    def _started(self, url: str) -> None:
        with self._lock:
            for record in self._petitions.values():
                record.rendered.clear()  # bodies embed the URL, which a restart changes

    # -- petitions -------------------------------------------------------------------------

    def add_petition(self, number: int, action: str | None = None, signature_count: int = 0,
                     state: str = "open", **attributes: Any) -> None:
        """Add (or replace) a petition; every attribute not given gets a plausible value."""
        moment = _jsonable(attributes.get("updated_at")) or _now()
        created = _jsonable(attributes.get("created_at")) or moment
        opened = created if state in ("open", "closed", "stopped") else None
        department, topic = DEPARTMENTS[number % len(DEPARTMENTS)]
        values: dict[str, Any] = {
            "action": action or f"Replica petition {number}",
            "background": f"Background of replica petition {number}.",
            "additional_details": f"More details about replica petition {number}.",
            "committee_note": None,
            "state": state,
            "signature_count": signature_count,
            "closing_date": _closing_date(opened or created),
            "created_at": created,
            "updated_at": moment,
            "rejected_at": moment if state == "rejected" else None,
            "opened_at": opened,
            "closed_at": moment if state in ("closed", "stopped") else None,
            "moderation_threshold_reached_at": None if state in ("pending", "validated") else created,
            "response_threshold_reached_at": moment if signature_count >= RESPONSE_THRESHOLD else None,
            "government_response_at": None,
            "debate_threshold_reached_at": moment if signature_count >= DEBATE_THRESHOLD else None,
            "debate_scheduled_on": None,
            "scheduled_debate_date": None,
            "debate_outcome_at": None,
            "creator_name": person_name(number),
            "rejection": {"code": "duplicate", "details": "There's already a petition about this issue."}
            if state == "rejected" else None,
            "government_response": None,
            "debate": None,
            "departments": [dict(department)],
            "topics": [topic],
            OTHER_BUSINESS: [],
        }
        values.update({name: _jsonable(value) for name, value in attributes.items()})
        record = PetitionRecord(number, values, history=[(time.time(), signature_count)])
        with self._lock:
            self._petitions[number] = record

    def seed(self) -> None:
        """Add the archived seed petition 221342 (the Uyghur petition, 2017-2019 Parliament)."""
        attributes = seed_petition.attributes()
        record = PetitionRecord(
            seed_petition.NUMBER, attributes, parliament=dict(seed_petition.PARLIAMENT),
            history=[(time.time(), attributes["signature_count"])],
        )
        with self._lock:
            self._petitions[record.number] = record

    def petition(self, number: int) -> dict[str, Any]:
        """Return a copy of a petition's current attributes."""
        with self._lock:
            return copy.deepcopy(self._get(number).attributes)

    def sign(self, number: int, count: int, *, updated_at: str | datetime | None = None) -> None:
        """Set the signature count; stamp a threshold the first time the count reaches it."""
        with self._changing(number, updated_at) as (record, moment):
            attributes = record.attributes
            attributes["signature_count"] = count
            response_threshold, debate_threshold = self._thresholds(record)
            # The site stamps a threshold once and never clears it, even if fraud removal drops the count.
            if count >= response_threshold and not attributes.get("response_threshold_reached_at"):
                attributes["response_threshold_reached_at"] = moment
            if count >= debate_threshold and not attributes.get("debate_threshold_reached_at"):
                attributes["debate_threshold_reached_at"] = moment
            for name in BREAKDOWNS:
                attributes.pop(name, None)  # pinned breakdowns give way to ones derived from the new count
            now = time.time()
            record.history.append((now, count))
            self._prune(record, now)

    def set(self, number: int, **attributes: Any) -> None:
        """Set attributes directly (datetimes become API text); `updated_at` pins the stamp."""
        with self._changing(number, attributes.pop("updated_at", None)) as (record, _):
            record.attributes.update({name: _jsonable(value) for name, value in attributes.items()})

    def respond(self, number: int, summary: str, details: str, responded_on: str | None = None,
                *, updated_at: str | datetime | None = None) -> None:
        """Publish a government response (government_response and government_response_at)."""
        with self._changing(number, updated_at) as (record, moment):
            record.attributes["government_response"] = {
                "responded_on": _jsonable(responded_on) or moment[:10],
                "summary": summary,
                "details": details,
                "created_at": moment,
                "updated_at": moment,
            }
            record.attributes["government_response_at"] = moment

    def edit_response(self, number: int, summary: str | None = None, details: str | None = None,
                      *, updated_at: str | datetime | None = None) -> None:
        """Revise the response; its earlier text reappears in other_parliamentary_business."""
        with self._changing(number, updated_at) as (record, moment):
            earlier = record.attributes.get("government_response")
            if not earlier:
                raise ValueError(f"petition {number} has no government response to edit; respond() first")
            record.attributes["government_response"] = {
                **earlier,
                "summary": earlier["summary"] if summary is None else summary,
                "details": earlier["details"] if details is None else details,
                "updated_at": moment,
            }
            # A new list, not an append: rendering may hold a shallow copy of the old attributes.
            record.attributes[OTHER_BUSINESS] = [*(record.attributes.get(OTHER_BUSINESS) or []), {
                "subject": "The Government's earlier response to this petition",
                "body": f"The Government responded on {earlier.get('responded_on')}:\n\n"
                        f"{earlier.get('summary')}\n\n{earlier.get('details')}",
                "occurred_on": moment[:10],
                "created_at": moment,
                "updated_at": moment,
            }]

    def schedule_debate(self, number: int, date: str, *, updated_at: str | datetime | None = None) -> None:
        """Schedule a debate on `date` (YYYY-MM-DD): scheduled_debate_date and debate_scheduled_on."""
        with self._changing(number, updated_at) as (record, moment):
            record.attributes["scheduled_debate_date"] = _jsonable(date)
            record.attributes["debate_scheduled_on"] = moment

    def debate(self, number: int, debated_on: str | None, transcript_url: str | None = _AUTO,
               video_url: str | None = _AUTO, debate_pack_url: str | None = _AUTO, overview: str | None = _AUTO,
               public_engagement_url: str | None = None, debate_summary_url: str | None = None,
               *, updated_at: str | datetime | None = None) -> None:
        """Record the debate outcome; `debated_on=None` records a decision not to debate."""
        debated_on = _jsonable(debated_on)
        held = debated_on is not None

        def pick(value: str | None, made_up: str) -> str | None:
            return (made_up if held else None) if value is _AUTO else value

        with self._changing(number, updated_at) as (record, moment):
            record.attributes["debate"] = {
                "debated_on": debated_on,
                "transcript_url": pick(transcript_url, f"https://hansard.parliament.uk/commons/{debated_on}"
                                                       f"/debates/replica-{number}/Petition{number}"),
                "video_url": pick(video_url, f"https://parliamentlive.tv/Event/Index/replica-{number}"),
                "debate_pack_url": pick(debate_pack_url, f"https://commonslibrary.parliament.uk/research-briefings"
                                                         f"/cdp-{(debated_on or '')[:4]}-{number % 1000:04d}/"),
                "public_engagement_url": public_engagement_url,
                "debate_summary_url": debate_summary_url,
                "overview": (f"MPs debated e-petition {number}." if held else
                             "The Petitions Committee decided not to debate this petition.")
                if overview is _AUTO else overview,
            }
            record.attributes["debate_outcome_at"] = moment

    def close(self, number: int, *, updated_at: str | datetime | None = None) -> None:
        """Close a petition (state closed, closed_at now; closing_date is then null)."""
        with self._changing(number, updated_at) as (record, moment):
            record.attributes.update(state="closed", closed_at=moment)

    def reject(self, number: int, code: str, details: str, *, updated_at: str | datetime | None = None) -> None:
        """Reject a petition with a rejection code (e.g. "duplicate", "no-action") and details."""
        with self._changing(number, updated_at) as (record, moment):
            record.attributes.update(state="rejected", rejected_at=moment,
                                     rejection={"code": code, "details": details})

    def archive(self, number: int, period: str = "2019-2024", government: str | None = None,
                dissolution_at: str | None = None, response_threshold: int = RESPONSE_THRESHOLD,
                debate_threshold: int = DEBATE_THRESHOLD, *, updated_at: str | datetime | None = None) -> None:
        """Move a petition to an earlier Parliament: it then lives under /archived/petitions/."""
        known_government, known_dissolution = PARLIAMENTS.get(period, (None, None))
        with self._changing(number, updated_at) as (record, moment):
            record.parliament = {
                "period": period,
                "government": government or known_government,
                "dissolution_at": _jsonable(dissolution_at) or known_dissolution,
                "response_threshold": response_threshold,
                "debate_threshold": debate_threshold,
            }
            # Dissolution closes whatever was still open.
            if record.state == "open":
                record.attributes.update(state="closed", closed_at=moment)

    def remove(self, number: int) -> None:
        """Take a petition down: every URL of it answers 410 Gone from now on."""
        with self._changing(number, None) as (record, _):
            record.removed = True

    # -- faults and the request log --------------------------------------------------------

    def fault(self, kind: str, path: str | None = None, times: int | None = None,
              retry_after: int | None = 1, delay: float = 5.0) -> None:
        """Make matching requests fail: `path` is a regex searched in the request path, or in path?query (None: all)."""
        pattern = re.compile(path) if path is not None else None
        self._faults.add(Fault(kind, pattern, times, retry_after, delay))

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    @property
    def requests(self) -> list[LoggedRequest]:
        """Return a copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._log.clear()

    # -- internals shared with the routes --------------------------------------------------

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._log.append(entry)

    def _get(self, number: int) -> PetitionRecord:
        try:
            return self._petitions[number]
        except KeyError:
            raise KeyError(f"the replica has no petition {number}; add_petition({number}) first") from None

    @contextmanager
    def _changing(self, number: int, updated_at: str | datetime | None) -> Iterator[tuple[PetitionRecord, str]]:
        """Hold the lock over one change; then stamp updated_at and drop the rendered bodies."""
        with self._lock:
            record = self._get(number)
            moment = _jsonable(updated_at) or _now()
            yield record, moment
            record.attributes["updated_at"] = moment
            record.rendered.clear()

    @staticmethod
    def _thresholds(record: PetitionRecord) -> tuple[int, int]:
        parliament = record.parliament or {}
        return (parliament.get("response_threshold") or RESPONSE_THRESHOLD,
                parliament.get("debate_threshold") or DEBATE_THRESHOLD)

    @staticmethod
    def _prune(record: PetitionRecord, now: float) -> None:
        # Keep the hour plus the last sample before it: that sample is the hour's baseline.
        cutoff = now - 3600
        while len(record.history) > 1 and record.history[1][0] <= cutoff:
            record.history.pop(0)
