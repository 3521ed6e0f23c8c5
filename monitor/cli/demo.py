"""`govwatch demo`: the whole pipeline in about a minute, on replicas of the sites, without internet.

It starts the e-petitions replica and the advocacy-site replica on 127.0.0.1,
writes a watchlist pointing at them (politeness lifted for 127.0.0.1, polls
every few seconds) into a folder it leaves behind, serves the feeds and
Datasette, and runs the monitor `govwatch run` runs while the story of
`monitor.cli.scenario` plays on the replicas; each event is printed as it arrives.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.cli import scenario
from monitor.watchlist.config import Config, load_config
from monitor.run.crawl import CrawlReport
from monitor.errors import ConfigError, Interrupted
from monitor.replica import AdvocacyReplica, EPetitionsReplica
from monitor.replica.letter import PATH as LETTER_PATH
from store.db import open_db

MARKER = "# govwatch demo:"  # the first line of the watchlist the demo writes; a folder with it may be reused
DEMO_FILES = ("watchlist.toml", "govwatch.db", "govwatch.db-wal", "govwatch.db-shm", "feeds")


@dataclass(frozen=True)
class DemoOptions:
    """How to run the demo: where, how long, on which ports."""

    folder: Path | None = None  # None: a new temporary folder
    duration: float = scenario.LENGTH
    host: str = "127.0.0.1"
    port: int = 8080  # the feeds; 0: any free port
    datasette_port: int | None = 8001  # 0: any free port; None: no Datasette
    keep_serving: bool = False  # go on polling and serving after the story, until Ctrl-C

    @property
    def interval(self) -> float:
        """Seconds between two polls of a watch: a twentieth of the demo, at least one."""
        return max(1.0, self.duration / 20)


@dataclass(frozen=True)
class SeenEvent:
    """An event the demo's database holds."""

    kind: str
    watch: str
    title: str


@dataclass
class DemoResult:
    """What the demo did: where it left its files, the events it stored, the scripted ones missing."""

    folder: Path
    events: list[SeenEvent] = field(default_factory=list)
    missing: list[scenario.Expected] = field(default_factory=list)
    started: bool = False  # the monitor and the story started
    finished: bool = False  # the story played to its end (not stopped early by Ctrl-C)


def prepare_folder(folder: Path | None) -> Path:
    """Return an empty folder for the demo (a new temporary one, or `folder` with an earlier demo's files removed)."""
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="govwatch-demo-"))
    folder = folder.expanduser().resolve()
    if folder.exists() and any(folder.iterdir()):
        watchlist = folder / "watchlist.toml"
        if not (watchlist.is_file() and watchlist.read_text(encoding="utf-8").startswith(MARKER)):
            raise ConfigError(f"{folder}: the folder is not empty and holds no earlier demo",
                              hint="pick a new or empty folder for --dir, or leave --dir out for a temporary one")  # fmt: skip
        for name in DEMO_FILES:
            path = folder / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def watchlist_text(petitions_url: str, pages_url: str, feeds_url: str, interval: float) -> str:
    """Return the demo's watchlist: the racing petition, the seed petition and the open letter, on the replicas."""
    return f"""{MARKER} what `govwatch demo` watched, on replicas of the sites at 127.0.0.1.
# The replicas stopped with the demo; the database and the feeds stay here.

[govwatch]
database = "govwatch.db"
feeds_dir = "feeds"
feeds_url = "{feeds_url}"
interval = "{interval:g}s"          # every few seconds: the demo compresses days into a minute

[hosts."127.0.0.1"]              # the replicas are ours: politeness lifted
delay = 0
concurrency = 16
autothrottle = false
retries = 1
backoff = "0.2s"
timeout = "5s"

[[petition]]                     # the petition racing past 10,000 signatures
url = "{petitions_url}/petitions/{scenario.NUMBER}"
name = "{scenario.PETITION_WATCH}"
tags = ["china"]

[[petition]]                     # the seed petition, archived: its history is backfilled on the first poll
url = "{petitions_url}/petitions/221342"
name = "{scenario.SEED_WATCH}"
tags = ["china"]

[[page]]                         # the open letter and its signatories
url = "{pages_url}{LETTER_PATH}"
name = "{scenario.LETTER_WATCH}"
selector = "article"
ignore = ["aside", ".latest-posts", "footer"]
list = "article li"
tags = ["china"]
"""


class EventPrinter:
    """After each crawl, print the events stored since the last crawl: one line each."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.last_id = 0

    def __call__(self, config: Config, _report: CrawlReport) -> None:
        db = open_db(config.settings.database)
        try:
            rows = list(db.query("SELECT id, kind, watch_id, title, occurred_at, detected_at FROM events"
                                 " WHERE id > ? ORDER BY id", [self.last_id]))  # fmt: skip
        finally:
            db.close()
        for row in rows:
            self.last_id = row["id"]
            when = row["occurred_at"] or ""
            past = f" (happened {when[:10]})" if when[:10] < (row["detected_at"] or "")[:10] else ""
            self.say(f"event {row['kind']}: {row['title']}{past}")


def run_demo(options: DemoOptions, say: Callable[[str], None] = print) -> DemoResult:
    """Run the demo to its end (or Ctrl-C); return what it stored and which scripted events are missing."""
    from monitor.run.crawl import install_reactor

    install_reactor()  # before anything imports twisted.internet.reactor
    result = DemoResult(prepare_folder(options.folder))
    try:
        return _run(options, result, say)
    except (KeyboardInterrupt, Interrupted):
        if not result.started:
            if options.folder is None:
                shutil.rmtree(result.folder, ignore_errors=True)
            raise
        result.finished = False  # Ctrl-C outside the monitor's own handling: the story was cut short
        result.events = stored_events(result.folder / "govwatch.db")
        result.missing = missing(result.events)
        return result
    except BaseException:
        if options.folder is None and not result.started:
            shutil.rmtree(result.folder, ignore_errors=True)  # nothing to look at: leave no folder behind
        raise


def _run(options: DemoOptions, result: DemoResult, say: Callable[[str], None]) -> DemoResult:
    from monitor.publish.feed_server import FeedServer
    from monitor.publish.serve import Service, datasette_service

    started = time.monotonic()
    lock = threading.Lock()

    def timed(text: str) -> None:
        elapsed = time.monotonic() - started
        with lock:  # the story's thread and the monitor's loop both print
            say(f"[{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {text}")

    with EPetitionsReplica(max_age=0) as petitions, AdvocacyReplica() as pages:
        stage = scenario.Stage(petitions, pages)
        scenario.set_stage(stage)
        services: list[Service] = [FeedServer(result.folder / "feeds", options.host, options.port)]
        try:
            services[0].start()
            path = result.folder / "watchlist.toml"
            path.write_text(watchlist_text(petitions.url, pages.url, services[0].url, options.interval),
                            encoding="utf-8")  # fmt: skip
            config = load_config(path)
            if options.datasette_port is not None:
                services.append(datasette_service(config.settings.database, options.host, options.datasette_port))
                services[-1].start()
            say(f"Replicas: e-petitions at {petitions.url}, the open letter at {pages.url}{LETTER_PATH}")
            say(f"Feeds: {services[0].url} (everything: {services[0].url}all.atom)")
            if len(services) > 1:
                say(f"Datasette: {services[1].url}/govwatch")
            say(f"Watchlist, database and feeds: {result.folder}")
            say(f"The story takes {options.duration:g} s; polls every {options.interval:g} s.")
            started, result.started = time.monotonic(), True
            try:
                result.finished = _play(config, stage, options, timed)
            except (KeyboardInterrupt, Interrupted):  # Ctrl-C before the monitor took the signal over
                result.finished = False
        finally:
            for service in reversed(services):
                service.stop()
            if result.started:
                config = settle_feeds(config)
    result.events = stored_events(config.settings.database)
    result.missing = missing(result.events)
    return result


def settle_feeds(config: Config) -> Config:
    """Point the folder's feeds at where `govwatch serve` serves them by default, not at the demo's dead port.

    During the story the feeds' self links and OPML name the demo's own server; once it has
    stopped, those addresses are dead, so the watchlist's feeds_url becomes the default and
    every feed is rendered again.
    """
    from monitor.watchlist.config import DEFAULT_FEEDS_URL
    from monitor.publish.feeds_dir import rebuild

    text = config.path.read_text(encoding="utf-8")
    served = f'feeds_url = "{config.settings.feeds_url}"'
    if config.settings.feeds_url == DEFAULT_FEEDS_URL or served not in text:
        return config
    config.path.write_text(text.replace(served, f'feeds_url = "{DEFAULT_FEEDS_URL}"  # where `govwatch serve`'
                                                " serves them by default"), encoding="utf-8")  # fmt: skip
    settled = load_config(config.path)
    rebuild(settled)
    return settled


def _play(config: Config, stage: scenario.Stage, options: DemoOptions, say: Callable[[str], None]) -> bool:
    """Run the monitor on the reactor while the story plays; tell whether it played to its end."""
    from monitor.run.crawl import run_on_reactor
    from monitor.run.scheduler import standard_monitor

    monitor = standard_monitor(config.path, tick=min(0.5, options.interval / 4), keep_going=True,
                               after_crawl=[EventPrinter(say)], config=config)  # fmt: skip
    stop = threading.Event()
    story = threading.Thread(target=scenario.play, args=(stage, options.duration, lambda t: say(f"replica: {t}"), stop),
                             name="govwatch-demo-story", daemon=True)  # fmt: skip
    ended = threading.Event()

    def the_end() -> None:
        ended.set()
        left = missing(stored_events(config.settings.database))
        say("the story is over: " + ("every scripted event arrived" if not left else
                                     "missing " + ", ".join(f"{e.kind} ({e.watch})" for e in left)))  # fmt: skip
        if options.keep_serving:
            say("still polling and serving until Ctrl-C")
        else:
            monitor.stop()

    async def main() -> None:
        asyncio.get_running_loop().call_later(options.duration, the_end)
        story.start()
        await monitor.run()

    try:
        run_on_reactor(main)
    finally:
        stop.set()
        if story.is_alive():
            story.join(timeout=5)
    return ended.is_set()


def stored_events(database: Path) -> list[SeenEvent]:
    """Return the events in the demo's database, oldest first."""
    db = open_db(database)
    try:
        return [SeenEvent(r["kind"], r["watch_id"], r["title"])
                for r in db.query("SELECT kind, watch_id, title FROM events ORDER BY id")]  # fmt: skip
    finally:
        db.close()


def missing(events: list[SeenEvent]) -> list[scenario.Expected]:
    """Return the scripted events that are not among `events`."""
    return [e for e in scenario.EXPECTED
            if not any(s.kind == e.kind and s.watch == e.watch and e.title_has in s.title for s in events)]  # fmt: skip
