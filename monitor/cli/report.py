"""What the CLI prints: summaries, tables, histories, progress and one-line logs.

Each function returns text or plain data, so tests call them without a terminal.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from monitor.clock import iso, now, now_iso, parse_iso
from monitor.watchlist.config import Config, PetitionWatch
from monitor.run.crawl import CrawlReport
from monitor.detect.diff import diff_text
from monitor.errors import GovwatchError, NotFound
from monitor.items import petition_key, to_jsonable
from monitor.publish.render import plain
from monitor.watchlist.validation import parse_duration
from store import queries
from store.db import open_db
from store.eta import eta_data, petition_etas
from store.outbox import pid_alive


class OneLineFormatter(logging.Formatter):
    """Format a log record on one line; tracebacks only when asked for."""

    def __init__(self, with_traceback: bool = False):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        self.with_traceback = with_traceback

    def format(self, record: logging.LogRecord) -> str:
        if not self.with_traceback and record.exc_info:
            exc = record.exc_info[1]
            message = record.getMessage() + (f" ({type(exc).__name__}: {exc})" if exc is not None else "")
            record = logging.makeLogRecord(
                record.__dict__ | {"exc_info": None, "exc_text": None, "msg": message, "args": ()}
            )
        return super().format(record)


def check_summary(result: CrawlReport, config: Config) -> str:
    """Return the summary `govwatch check` prints."""
    lines = [
        f"govwatch check ({shown_path(config.path)}): {plural(result.watches, 'watch')} polled, "
        f"{len(result.skipped)} skipped, {result.duration:.1f} s",
        "",
        f"  {'requests':>9} {'responses':>10} {'304s':>6} {'errors':>7} {'new events':>11}",
        f"  {result.requests:>9} {result.responses:>10} {result.not_modified:>6} {result.errors:>7} "
        f"{result.events:>11}",
    ]
    if result.record_errors:
        lines += ["", f"{result.record_errors} polls could not be stored in {config.settings.database}"
                      " (see the errors above); they are polled again next time."]
    if result.failed:
        lines += ["", "Unreachable or failing:"]
        lines += [f"  {watch}: {plain(error)}" for watch, error in result.failed]
    if result.skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {s.watch.id}: {s.reason}" for s in result.skipped]
    if result.events:
        db = open_db(config.settings.database)
        try:
            new = queries.events(db, since=result.started_at, limit=20)
        finally:
            db.close()
        lines += ["", "New events:"] + [f"  [{e.kind}] {plain(e.title)}" for e in new]
        if result.events > len(new):
            lines.append(f"  … and {result.events - len(new)} more (govwatch events)")
    return "\n".join(lines)


def since_to_iso(since: str) -> str:
    """Turn "7d"/"2h" or an ISO date/time into ISO text."""
    try:
        return iso(now() - timedelta(seconds=parse_duration(since)))
    except ValueError:
        pass
    try:
        return iso(parse_iso(since))
    except ValueError:
        raise GovwatchError(f"--since {since!r}: expected an ISO date/time or an age like 2h or 7d") from None


def known_kinds(db: Any) -> list[str]:
    """Return every event kind govwatch detects, and any other kind already stored."""
    from monitor.detect.petitions import DETECTORS
    from monitor.detect.pages import PAGE_DETECTORS
    from monitor.detect.health import KINDS as HEALTH_KINDS
    from store.record import SWEEP_KINDS

    stored = {r["kind"] for r in db.query("SELECT DISTINCT kind FROM events")}
    return sorted(set(DETECTORS) | set(PAGE_DETECTORS) | set(HEALTH_KINDS) | set(SWEEP_KINDS) | stored)


def _check_filters(db: Any, config: Config, kind: str | None, watch: str | None) -> None:
    """Refuse a kind or watch that cannot match, naming the valid ones (not "No events yet.")."""
    if kind is not None and kind not in (kinds := known_kinds(db)):
        raise NotFound(f"--kind {kind!r}: no such event kind", hint="kinds: " + ", ".join(kinds))
    if watch is not None:
        stored = {r["watch_id"] for r in db.query("SELECT DISTINCT watch_id FROM events")}
        watches = sorted({w.id for w in config.watches} | {w for w in stored if w})
        if watch not in watches:
            raise NotFound(f"--watch {watch!r}: no such watch in {config.path.name} nor among the events",
                           hint="watches: " + (", ".join(watches) or "none yet"))  # fmt: skip


def list_events(config: Config, *, since: str | None = None, kind: str | None = None,
                watch: str | None = None, limit: int | None = 50) -> list[dict[str, Any]]:  # fmt: skip
    """Return events as JSON-ready dicts (key, kind, watch, petition, title, summary, url, times, data)."""
    db = open_db(config.settings.database)
    try:
        _check_filters(db, config, kind, watch)
        found = queries.events(db, since=since_to_iso(since) if since else None, kind=kind, watch=watch,
                               limit=limit)  # fmt: skip
    finally:
        db.close()
    return [
        {"key": e.key, "kind": e.kind, "watch": e.watch_id,
         "petition_id": e.data.get("petition"), "petition": e.petition_id, "title": e.title,
         "summary": e.summary, "url": e.url, "occurred_at": e.occurred_at, "detected_at": e.detected_at,
         "data": e.data}  # fmt: skip
        for e in found
    ]


def events_table(rows: list[dict[str, Any]], since: str | None = None) -> str:
    """Format events for a terminal: when each happened, and when govwatch detected it if that was later.

    `--since` filters on detection, so a backfilled event of 2018 shows under "the last 7 days":
    the heading says so.
    """
    start = _short(since_to_iso(since)) if since else ""
    if not rows:
        return f"No events detected since {start} UTC." if since else "No events yet."
    lines = [f"Events detected since {start} UTC (newest detection first; the date shown is when each happened)",
             ""] if since else []  # fmt: skip
    for r in rows:
        happened, detected = _short(r["occurred_at"]), _short(r["detected_at"])
        lines.append(f"{happened}  {r['kind']:<20} {plain(r['title'])}")
        later = f"  (detected {detected})" if detected[:10] != happened[:10] else ""
        lines.append(f"{'':18}{r['url']}{later}")
    return "\n".join(lines)


def petition_history(config: Config, name: str) -> dict[str, Any]:
    """Return a petition's curve, snapshot changes and events."""
    db = open_db(config.settings.database)
    try:
        row = queries.resolve_petition(db, name)
        curve = list(queries.signature_curve(db, row["id"]))
        snaps = queries.snapshots(db, row["id"])
        found = queries.events(db, petition=row["id"])
        eta = petition_etas(db, config, [row["id"]], at=now_iso()).get(row["id"])
    finally:
        db.close()
    changes = []
    for before, after in zip(snaps, snaps[1:]):
        fields = sorted(k for k in after["content"] if before["content"].get(k) != after["content"].get(k)
                        and k not in ("signature_count", "updated_at"))  # fmt: skip
        changes.append({
            "observed_at": after["observed_at"], "fields": fields,
            "diff": {k: diff_text(_text(before["content"].get(k)), _text(after["content"].get(k))) for k in fields},
        })  # fmt: skip
    return {
        "petition": row["id"], "action": row["action"], "url": row["url"], "state": row["state"],
        "signature_count": row["signature_count"], "curve": curve, "changes": changes,
        "events": [to_jsonable(e) for e in reversed(found)], "eta": eta_data(eta) if eta else None,
    }  # fmt: skip


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items() if v is not None)
    return "" if value is None else str(value)


def history_text(data: dict[str, Any]) -> str:
    """Format a petition history for a terminal."""
    lines = [f"{data['action']}", f"{data['url']}  ({data['state']}, {data['signature_count']:,} signatures)"]
    if data.get("eta"):
        lines.append(f"Next threshold at the recent rate: {data['eta']['line']}")
    lines += ["", "Signature count:"]
    lines += [f"  {p['observed_at'][:19].replace('T', ' ')}  {p['signature_count']:>10,}" for p in data["curve"]]
    if data["changes"]:
        lines += ["", "Changes:"]
        for change in data["changes"]:
            lines.append(f"  {change['observed_at'][:19].replace('T', ' ')}: {', '.join(change['fields'])}")
            for diff in change["diff"].values():
                lines += [f"    {line}" for line in diff.splitlines()]
    lines += ["", "Events:"] + [f"  {e['occurred_at'][:10]}  {e['title']}" for e in data["events"]]
    return "\n".join(lines)


def watches_table(config: Config) -> str:
    """Format the watches, with their last check, for a terminal."""
    db = open_db(config.settings.database)
    try:
        statuses = queries.watch_statuses(db)
    finally:
        db.close()
    lines = [f"{'watch':<44} {'kind':<9} {'last check':<17} {'outcome':<13} {'fails':>5}"]
    for watch in config.watches:
        s = statuses.get(watch.id)
        checked = s.last_checked_at[:16].replace("T", " ") if s and s.last_checked_at else "never"
        outcome = ("gone" if s.gone else s.last_outcome or "-") if s else "-"
        lines.append(f"{_id_column(watch.id)} {watch.kind:<9} {checked:<17} {outcome:<13} {s.failures if s else 0:>5}")
        if s and s.last_error:
            lines.append(f"{'':46}{s.last_error}")
    return "\n".join(lines)


def status_text(config: Config) -> str:
    """Format whether `govwatch run` is alive and each watch's last check, outcome and next poll."""
    db = open_db(config.settings.database)
    try:
        beat = queries.heartbeat(db)
        statuses = queries.watch_statuses(db)
        ids = [petition_key(w.site, w.number) for w in config.watches if isinstance(w, PetitionWatch)]
        etas = petition_etas(db, config, ids, at=now_iso())
    finally:
        db.close()
    lines = [_daemon_line(beat), ""]
    lines.append(f"{'watch':<44} {'last check':<17} {'outcome':<13} {'next poll':<17} {'fails':>5}")
    for watch in config.watches:
        s = statuses.get(watch.id)
        checked = _short(s.last_checked_at) if s else "never"
        outcome = ("gone" if s.gone else s.last_outcome or "-") if s else "-"
        due = "never (gone)" if s and s.gone else _short(s.next_due_at) if s and s.next_due_at else "now"
        lines.append(f"{_id_column(watch.id)} {checked:<17} {outcome:<13} {due:<17} {s.failures if s else 0:>5}")
        if s and s.last_error:
            lines.append(f"{'':46}{plain(s.last_error)}")
        if isinstance(watch, PetitionWatch) and (eta := etas.get(petition_key(watch.site, watch.number))):
            lines.append(f"{'':46}next: {eta.line()}")
    return "\n".join(lines)


def plural(count: int, word: str) -> str:
    """Return "1 watch", "2 watches", "1 crawl", "3 crawls"."""
    if count == 1:
        return f"1 {word}"
    return f"{count} {word}{'es' if word.endswith(('s', 'ch', 'sh', 'x')) else 's'}"


def shown_path(path: Path) -> str:
    """Return a watchlist's path as a user would type it: relative under the current folder, else absolute."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


ID_WIDTH = 44


def _id_column(watch_id: str) -> str:
    """Return the watch column: a longer id gets a line of its own, so the other columns stay aligned."""
    return f"{watch_id:<{ID_WIDTH}}" if len(watch_id) <= ID_WIDTH else f"{watch_id}\n{'':<{ID_WIDTH}}"


def _short(text: str | None) -> str:
    return text[:16].replace("T", " ") if text else "never"


def _daemon_line(beat: queries.Heartbeat | None) -> str:
    if beat is None:
        return "govwatch run: never started on this database"
    age = (now() - parse_iso(beat.heartbeat_at)).total_seconds()
    if beat.stopped_at:
        return f"govwatch run: stopped at {_short(beat.stopped_at)} (pid {beat.pid}, {plural(beat.crawls, 'crawl')})"
    alive = pid_alive(beat.pid)
    state = "running" if alive and age < 600 else "not responding" if alive else "not running (it did not stop cleanly)"
    line = (f"govwatch run: {state} (pid {beat.pid}, started {_short(beat.started_at)}, "
            f"last heartbeat {age:.0f} s ago, {plural(beat.crawls, 'crawl')})")  # fmt: skip
    return line + (f"\n  last {beat.last_crawl}" if beat.last_crawl else "")
