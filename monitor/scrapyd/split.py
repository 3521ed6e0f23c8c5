"""Split a crawl's polls into Scrapyd jobs, keeping each host's politeness for the whole cluster.

A host's `concurrency` and `delay` are the cluster's budget, not a node's:
the polls of a host go to at most `concurrency` jobs, each job gets its share
of the concurrency, and its delay is multiplied by the number of jobs that
poll the host, so the cluster's requests to the host never come faster than
one job alone would send them. The dispatcher also never runs at once more
jobs on a host than its concurrency allows (`Job.hosts`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from monitor.scrapyd import job as scrapyd_job
from monitor.watchlist.config import Config, Politeness
from monitor.watchlist.scrapyd import ScrapydSettings
from monitor.items import Poll
from monitor.jsonable import to_jsonable


@dataclass
class Job:
    """One Scrapyd job to run: a spider, its polls, the node it is meant for and its host shares."""

    node: str
    spider: str
    polls: list[Poll]
    hosts: dict[str, Politeness] = field(default_factory=dict)  # each host's share of the cluster's politeness
    argument: str = ""  # the ``job`` spider argument (monitor.scrapyd.job)


def spider_of(poll: Poll) -> str:
    """Return the spider that runs a poll."""
    return "pages" if poll.mode == "page" else "petitions"


def host_of(poll: Poll) -> str:
    """Return the host a poll fetches from (its politeness key)."""
    return urlsplit(poll.url).hostname or ""


def split(config: Config, polls: list[Poll], slots: list[str]) -> list[Job]:
    """Split polls into jobs over `slots` (one node URL per free process slot), each job's argument encoded."""
    if not slots:
        return []
    groups: dict[tuple[str, str], list[Poll]] = defaultdict(list)
    for poll in polls:
        groups[(host_of(poll), spider_of(poll))].append(poll)
    spiders_of_host: dict[str, int] = defaultdict(int)
    for host, _ in groups:
        spiders_of_host[host] += 1
    units: dict[tuple[int, str], Job] = {}
    offset = 0
    for (host, spider), batch in sorted(groups.items()):
        rules = config.politeness(host)
        budget = max(1, rules.concurrency // spiders_of_host[host])  # jobs this host may have for this spider
        n = min(budget, len(slots), len(batch))
        share = replace(rules, concurrency=max(1, budget // n), delay=rules.delay * n * spiders_of_host[host])
        for i in range(n):
            slot = (offset + i) % len(slots)
            job = units.setdefault((slot, spider), Job(slots[slot], spider, []))
            job.polls.extend(batch[i::n])
            job.hosts[host] = share
        offset += n
    tables = scrapyd_job.watch_tables(config)
    jobs: list[Job] = []
    for job in units.values():
        jobs.extend(_encoded(config, tables, job))
    return jobs


def _encoded(config: Config, tables: dict, job: Job) -> list[Job]:
    """Encode a job's argument; split a job whose argument is too long for a command line."""
    if len(job.polls) > scrapyd_job.MAX_POLLS:
        return [piece for start in range(0, len(job.polls), scrapyd_job.MAX_POLLS)
                for piece in _encoded(config, tables, replace(job, polls=job.polls[start:start + scrapyd_job.MAX_POLLS]))]  # fmt: skip
    if len(job.polls) > 1 and _seconds(job) > _job_timeout(config) / 2:  # cancelled before its end otherwise
        return _halves(config, tables, job)
    watchlist = scrapyd_job.reduced_watchlist(config, tables, [p.watch_id for p in job.polls], job.hosts)
    job.argument = scrapyd_job.encode({"watchlist": watchlist, "polls": [_compact(p) for p in job.polls]})
    if len(job.argument) <= scrapyd_job.MAX_ARGUMENT:
        return [job]
    if len(job.polls) == 1:
        poll = job.polls[0]
        if poll.page_hashes:  # a sweep of thousands of pages: without its page hashes, it decodes every page
            return _encoded(config, tables, replace(job, polls=[replace(poll, page_hashes=())]))
        return [job]
    return _halves(config, tables, job)


def _halves(config: Config, tables: dict, job: Job) -> list[Job]:
    """Encode a job as two, each with half its polls (and split further if need be)."""
    half = len(job.polls) // 2
    return [*_encoded(config, tables, replace(job, polls=job.polls[:half])),
            *_encoded(config, tables, replace(job, polls=job.polls[half:]))]  # fmt: skip


def _seconds(job: Job) -> float:
    """Return the least time a job takes: a request a poll, each host's polls its share's delay apart."""
    per_host: dict[str, int] = defaultdict(int)
    for poll in job.polls:
        per_host[host_of(poll)] += 1
    return sum(n * job.hosts[h].delay for h, n in per_host.items() if h in job.hosts)


def _job_timeout(config: Config) -> float:
    return config.scrapyd.job_timeout if config.scrapyd is not None else ScrapydSettings.job_timeout


def _compact(poll: Poll) -> dict:
    """Return a poll as JSON without its default fields (a job's argument stays short)."""
    return {k: v for k, v in to_jsonable(poll).items() if v not in (None, [])}  # an empty known_numbers too
