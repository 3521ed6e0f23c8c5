"""Crawl on Scrapyd nodes: plan here, poll there, record here.

`crawl_on_nodes` is what `monitor.run.crawl.crawl` does when the watchlist has a
``[scrapyd]`` table. It plans the polls from the database as an in-process
crawl does, makes sure each node holds this version of the project (deploys
the egg when it lacks it), splits the polls over the nodes' free slots
(monitor.scrapyd.split), runs the jobs within each host's cluster-wide
concurrency, and records each job's items through the recorder while the job
runs, each item once (monitor.scrapyd.ingest). A node that fails is left out of
the rest of the crawl and the polls its unfinished jobs had not done go to the
other nodes once; what no node could run stays due for the next crawl. The
database is written by this process only.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from monitor.clock import now_iso
from monitor.watchlist.config import Config, Watch
from monitor.run.crawl_report import CrawlReport, failures
from monitor.items import Poll
from monitor.run.plan import plan
from monitor.scrapyd.egg import build_egg
from monitor.scrapyd.ingest import Ingester, job_lost, job_scheduled, node_failed, node_ok
from monitor.scrapyd.node import NodeClient, NodeError
from monitor.scrapyd.split import Job, split
from store.db import open_db
from store.watches import sync_watches

logger = logging.getLogger(__name__)
WALKS = {"sweep", "responses", "trending"}  # poll modes that fetch many pages


@dataclass
class Running:
    """A job scheduled on a node and not yet ingested."""

    id: str
    job: Job
    started: float
    requeued: bool
    offset: int = 0  # bytes of its items file recorded
    done: set[str] = field(default_factory=set)  # the watches whose polls it recorded


class Cluster:
    """The nodes of one crawl: who is up, how many of our jobs each runs, which host budgets are in use."""

    def __init__(self, config: Config):
        self.config = config
        self.settings = config.scrapyd
        self.clients = {n.url: NodeClient(n, self.settings) for n in self.settings.nodes}
        self.up: dict[str, int] = {}  # node URL -> slots we may fill
        self.busy: dict[str, int] = defaultdict(int)
        self.in_flight: dict[str, int] = defaultdict(int)  # host -> concurrency our running jobs use
        self.version = ""
        self.ingester = Ingester(config)  # one connection and recorder for every read of the crawl's jobs

    async def prepare(self) -> None:
        """Ask every node its free slots and make sure it holds this version of the project."""
        self.version, egg = build_egg()
        results = await asyncio.gather(*(self._prepare(url, client, egg) for url, client in self.clients.items()))
        self.up = {url: slots for url, slots in results if slots is not None}

    async def _prepare(self, url: str, client: NodeClient, egg: bytes) -> tuple[str, int | None]:
        try:
            status = await asyncio.to_thread(client.status)
            if self.version not in await asyncio.to_thread(client.versions):
                await asyncio.to_thread(client.deploy, self.version, egg)
                logger.info("scrapyd node %s: deployed %s %s", url, self.settings.project, self.version)
            await asyncio.to_thread(node_ok, self.config, url, status.running, status.pending, self.version)
        except NodeError as e:
            await asyncio.to_thread(node_failed, self.config, url, str(e))
            return url, None
        # A node busy with other work still takes one job (Scrapyd queues it).
        return url, max(1, status.free)

    def slots(self) -> list[str]:
        """Return one node URL per slot we may fill, interleaved across nodes."""
        order = sorted(self.up, key=lambda u: -self.up[u])
        return [url for i in range(max(self.up.values(), default=0)) for url in order if self.up[url] > i]

    def fits(self, job: Job) -> bool:
        """Tell whether a job may start now: a free slot on its node, and room in each of its hosts' budgets."""
        if self.busy[job.node] >= self.up.get(job.node, 0):
            return False
        return all(self.in_flight[h] == 0 or self.in_flight[h] + share.concurrency
                   <= self.config.politeness(h).concurrency for h, share in job.hosts.items())  # fmt: skip

    def take(self, job: Job, sign: int) -> None:
        """Count a job in (sign 1) or out (sign -1) of its node's slots and its hosts' budgets."""
        self.busy[job.node] += sign
        for host, share in job.hosts.items():
            self.in_flight[host] += sign * share.concurrency

    def down(self, url: str) -> None:
        """Leave a node out of the rest of the crawl."""
        self.up.pop(url, None)


async def crawl_on_nodes(config: Config, watches: tuple[Watch, ...], *, force: bool = False, sync: bool = True,
                         on_observation: Callable[[], None] | None = None) -> CrawlReport:  # fmt: skip
    """Poll `watches` once on the Scrapyd nodes and record what they found."""
    report = CrawlReport(started_at=now_iso())
    clock = time.monotonic()
    db = open_db(config.settings.database)
    try:
        if sync:
            sync_watches(db, config)
        polls, report.skipped = plan(db, config, watches, at=report.started_at, force=force)
    finally:
        db.close()
    report.watches = len(polls)
    report.polled = tuple(p.watch_id for p in polls)
    if polls:
        cluster = Cluster(config)
        await cluster.prepare()
        observed: set[str] = set()
        if not cluster.up:
            logger.error("scrapyd: no node can run this crawl; its %d polls stay due", len(polls))
        else:
            try:
                await _run(cluster, polls, report, observed, on_observation)
            finally:
                cluster.ingester.close()
        report.failed = failures(config, report.started_at, {p.watch_id for p in polls})
        report.failed += [(p.watch_id, "not polled: no Scrapyd node ran it to the end; it is due again")
                          for p in polls if p.watch_id not in observed]  # fmt: skip
    report.duration = time.monotonic() - clock
    return report


async def _run(cluster: Cluster, polls: list[Poll], report: CrawlReport, observed: set[str],
               on_observation: Callable[[], None] | None) -> None:  # fmt: skip
    config = cluster.config
    waiting: deque[tuple[Job, bool]] = deque((job, False) for job in split(config, polls, cluster.slots()))
    running: dict[str, Running] = {}
    while waiting or running:
        await _fill(cluster, running, waiting)
        if not cluster.up:
            lost = sum(len(job.polls) for job, _ in waiting)
            if lost:
                logger.error("scrapyd: no node left for %d polls; they stay due", lost)
            waiting.clear()
        if not running:
            if waiting and not any(cluster.fits(j) for j, _ in waiting):
                raise RuntimeError("scrapyd: a job fits no node")  # cannot happen: an idle cluster fits any job
            continue
        await asyncio.sleep(cluster.settings.poll_interval)
        for url in {r.job.node for r in running.values()}:
            await _collect(cluster, url, running, waiting, report, observed, on_observation)


async def _fill(cluster: Cluster, running: dict[str, Running], waiting: deque) -> None:
    """Start every waiting job that fits now (a free slot on its node, room in its hosts' budgets)."""
    for _ in range(len(waiting)):
        job, requeued = waiting.popleft()
        if job.node not in cluster.up:  # its node went away before it started
            _requeue(cluster, job, requeued, waiting)
        elif cluster.fits(job):
            await _start(cluster, job, requeued, running, waiting)
        else:
            waiting.append((job, requeued))


async def _start(cluster: Cluster, job: Job, requeued: bool, running: dict[str, Running],
                 waiting: deque) -> None:  # fmt: skip
    job_id = uuid.uuid4().hex
    client = cluster.clients[job.node]
    await asyncio.to_thread(job_scheduled, cluster.config, job_id, job.node, job.spider, len(job.polls))
    try:
        await asyncio.to_thread(client.schedule, job.spider, job_id, cluster.version, {"job": job.argument})
    except NodeError as e:
        await asyncio.to_thread(job_lost, cluster.config, job_id, str(e))
        await _node_down(cluster, job.node, str(e), running, waiting)
        _requeue(cluster, job, requeued, waiting)
        return
    cluster.take(job, 1)
    running[job_id] = Running(job_id, job, time.monotonic(), requeued)


async def _collect(cluster: Cluster, url: str, running: dict[str, Running], waiting: deque, report: CrawlReport,
                   observed: set[str], on_observation: Callable[[], None] | None) -> None:  # fmt: skip
    client = cluster.clients[url]
    try:
        jobs = await asyncio.to_thread(client.jobs)
    except NodeError as e:
        await _node_down(cluster, url, str(e), running, waiting)
        return
    for job_id, run in list(running.items()):
        if run.job.node != url or job_id not in running:  # another node's, or lost meanwhile (its polls requeued)
            continue
        state = jobs.get(job_id, {}).get("state")
        items_url = jobs.get(job_id, {}).get("items_url")
        if state != "finished":
            if state is None:  # the node forgot it (restarted): its items are out of reach
                await _lose(cluster, run, f"{url}: the node no longer knows job {job_id}", running, waiting)
                continue
            if state == "running" and items_url:  # record what it has done so far: events come as it goes
                await _stream(cluster, run, items_url, report, observed, on_observation)
            if time.monotonic() - run.started > cluster.settings.job_timeout:
                logger.warning("scrapyd node %s: job %s ran past job_timeout; cancelling it", url, job_id)
                try:
                    await asyncio.to_thread(client.cancel, job_id)
                except NodeError as e:
                    await _node_down(cluster, url, str(e), running, waiting)
                    return
            continue
        try:
            if not items_url:
                raise NodeError(f"{url}: job {job_id} has no items (set items_dir in the node's scrapyd.conf)")
            data = await asyncio.to_thread(client.items, items_url, run.offset)
        except NodeError as e:
            await _lose(cluster, run, str(e), running, waiting)
            await asyncio.to_thread(node_failed, cluster.config, url, str(e))
            continue
        # The job is over: its slot and its hosts' budgets go to the next job before its last items are
        # recorded, so the node fetches while this process records (bench/scrapyd.py).
        del running[job_id]
        cluster.take(run.job, -1)
        await _fill(cluster, running, waiting)
        result = await asyncio.to_thread(cluster.ingester.ingest, job_id, data, offset=run.offset)
        _note(run, result, report, observed, on_observation)


async def _stream(cluster: Cluster, run: Running, items_url: str, report: CrawlReport, observed: set[str],
                  on_observation: Callable[[], None] | None) -> None:  # fmt: skip
    """Record the whole lines a running job has written since the last look."""
    try:
        data = await asyncio.to_thread(cluster.clients[run.job.node].items, items_url, run.offset, running=True)
    except NodeError:  # read again at the next look; a node gone for good is found by its listjobs.json
        return
    if b"\n" in data:
        result = await asyncio.to_thread(cluster.ingester.ingest, run.id, data, offset=run.offset, final=False)
        _note(run, result, report, observed, on_observation)


def _note(run: Running, result, report: CrawlReport, observed: set[str],
          on_observation: Callable[[], None] | None) -> None:  # fmt: skip
    if result.already:
        return
    run.offset = result.consumed
    run.done.update(o.watch_id for o in result.observations)
    observed.update(o.watch_id for o in result.observations)
    _count(report, result, on_observation)


def _count(report: CrawlReport, result, on_observation: Callable[[], None] | None) -> None:
    report.requests += len(result.observations)
    report.responses += sum(1 for o in result.observations if o.status is not None)
    report.not_modified += sum(1 for o in result.observations if o.not_modified)
    report.errors += sum(1 for o in result.observations if o.error)
    report.events += len(result.events)
    report.record_errors += result.record_errors
    for event in result.events:
        logger.info("event %s: %s", event.kind, event.title)
    if on_observation is not None:
        for _ in result.observations:
            on_observation()


async def _lose(cluster: Cluster, run: Running, error: str, running: dict[str, Running], waiting: deque) -> None:
    running.pop(run.id, None)
    cluster.take(run.job, -1)
    await asyncio.to_thread(job_lost, cluster.config, run.id, error)
    # What the job recorded before it was lost stays recorded; the rest goes to the other nodes. A walk
    # of index pages (sweep, responses, trending) is one poll of many pages: it is walked again whole.
    left = [p for p in run.job.polls if p.watch_id not in run.done or p.mode in WALKS]
    if left:
        _requeue(cluster, replace(run.job, polls=left), run.requeued, waiting)


async def _node_down(cluster: Cluster, url: str, error: str, running: dict[str, Running], waiting: deque) -> None:
    """Leave a failed node out; its running jobs' polls go to the other nodes (once)."""
    cluster.down(url)
    await asyncio.to_thread(node_failed, cluster.config, url, error)
    for run in [r for r in running.values() if r.job.node == url]:
        await _lose(cluster, run, error, running, waiting)


def _requeue(cluster: Cluster, job: Job, requeued: bool, waiting: deque) -> None:
    """Give a lost job's polls to the nodes still up, once; otherwise they stay due."""
    if requeued or not cluster.up:
        logger.warning("scrapyd: %d polls of a lost %s job stay due", len(job.polls), job.spider)
        return
    for again in split(cluster.config, job.polls, cluster.slots()):
        waiting.append((again, True))
