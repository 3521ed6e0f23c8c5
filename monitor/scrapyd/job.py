"""A Scrapyd job's document: the polls a node runs and the part of the watchlist they need.

The monitor plans polls from its database; a node has no database. So a job
carries its polls and a reduced watchlist (the watches polled, with each
host's politeness share of the cluster) in one spider argument, ``job``:
``z:`` then base64 of zlib-compressed JSON. A spider given ``job`` writes no
database; its Observations leave through Scrapy's feed exports (Scrapyd's
``items_dir``) and the monitor turns them back into Observations here.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import tomllib
import types
import typing
import zlib
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from monitor.watchlist.config import Config, Politeness, parse_config
from monitor.errors import ConfigError
from monitor.items import Observation, PetitionDetails, Poll
from monitor.jsonable import dumps, loads, to_jsonable

PREFIX = "z:"
# Scrapyd hands spider arguments to `scrapy crawl` on its command line, where Linux allows one
# argument 128 KiB (MAX_ARG_STRLEN): a job whose document is bigger is split in two.
MAX_ARGUMENT = 120_000
# Polls of one job: each job is a new process on the node (~1 s of CPU to start: an eighth of a node's CPU
# in jobs of 2,000 detail polls), so fewer is cheaper; the monitor records a job's items while it runs (a
# full detail observation is ~14 KB there, the place names sent once a job), and a job lost with its node
# gives back the polls it had not done. 5,000 polls make an argument of ~60 KB (a longer one is halved).
MAX_POLLS = 5000
JOB_PATH = Path("<scrapyd job>")


class BadJob(ValueError):
    """A job document that cannot be read."""


def encode(document: dict[str, Any]) -> str:
    """Return a job document as the text of the ``job`` spider argument."""
    packed = zlib.compress(dumps(document).encode("utf-8"), 6)
    return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii")


def decode(text: str) -> dict[str, Any]:
    """Read the ``job`` spider argument back into its document (BadJob when it is not one)."""
    if not text.startswith(PREFIX):
        raise BadJob(f"a job argument starts with {PREFIX!r}")
    try:
        return loads(zlib.decompress(base64.urlsafe_b64decode(text[len(PREFIX):])))
    except (ValueError, zlib.error) as e:
        raise BadJob(f"the job argument is not a govwatch job document: {e}") from None


def document(watchlist: dict[str, Any], polls: list[Poll]) -> dict[str, Any]:
    """Return the document of a job: its reduced watchlist and its polls."""
    return {"watchlist": watchlist, "polls": [to_jsonable(p) for p in polls]}


def read(text: str) -> tuple[Config, list[Poll]]:
    """Return the watchlist and polls a ``job`` spider argument carries."""
    doc = decode(text)
    try:
        config = parse_config(doc["watchlist"], JOB_PATH)
        polls = [from_jsonable(Poll, p) for p in doc["polls"]]
    except (KeyError, TypeError) as e:
        raise BadJob(f"the job document lacks a part: {e}") from None
    except ConfigError as e:
        raise BadJob(f"the job's watchlist is invalid: {e}") from None
    return config, polls


# ---------------------------------------------------------------- the reduced watchlist


def watch_tables(config: Config) -> dict[str, tuple[str, dict[str, Any]]]:
    """Return each watch's own TOML table, by watch id, as (kind, table) read again from the watchlist file."""
    data = tomllib.loads(config.path.read_text(encoding="utf-8"))
    tables = {}
    for watch in config.watches:
        kind, number = watch.entry.removeprefix("[[").split("]] #")
        tables[watch.id] = (kind, data[kind][int(number) - 1])
    return tables


def politeness_table(rules: Politeness) -> dict[str, Any]:
    """Return a host's politeness as a [hosts."…"] table (every field written out)."""
    return dataclasses.asdict(rules)


def reduced_watchlist(config: Config, tables: dict[str, tuple[str, dict[str, Any]]], watch_ids: list[str],
                      hosts: dict[str, Politeness]) -> dict[str, Any]:  # fmt: skip
    """Return the watchlist a job needs: its watches, the contact, and the politeness of its hosts."""
    data: dict[str, Any] = {"polite": politeness_table(config.polite),
                            "hosts": {h: politeness_table(r) for h, r in hosts.items()}}  # fmt: skip
    if config.settings.contact:
        data["govwatch"] = {"contact": config.settings.contact}
    for watch_id in dict.fromkeys(watch_ids):
        kind, table = tables[watch_id]
        data.setdefault(kind, []).append(table)
    return data


# ---------------------------------------------------------------- items out, and back to Observations


class ObservationExporter:
    """Scrapy's ``jsonlines`` feed format on a node: each Observation as one orjson line, flushed at once.

    Scrapy's own exporter walks nested dataclasses through ItemAdapter and the
    standard json module, several times slower than the crawl; flushing each
    line keeps the observations a killed job had finished.

    A detail document's place names and MPs (`PetitionDetails.labels`, five
    sixths of its JSON) leave once per job: a later observation carries only
    the labels of places the job has not sent yet. The monitor records a job's
    items in order, and its store checks every label it is given the first time
    and then only places not in the database yet (store.petitions): a place a
    later line names without its label was stored with an earlier line (or
    before the job), so nothing it would have used is lost.
    """

    def __init__(self, file: Any, **kwargs: Any):
        self.file = file
        self._sent: dict[str, set[Any]] = {}  # kind -> codes of the places whose labels this job has written

    def start_exporting(self) -> None:
        """Begin the file (nothing to write: JSON lines have no header)."""

    def finish_exporting(self) -> None:
        """End the file (nothing to write)."""

    def export_item(self, item: Any) -> None:
        """Write one item as a JSON line."""
        self.file.write(orjson.dumps(self._unsent_labels(item)) + b"\n")
        self.file.flush()

    def _unsent_labels(self, item: Any) -> Any:
        """Return the item with only the labels of places this job has not sent yet."""
        details = getattr(item, "details", None)
        if not isinstance(item, Observation) or not isinstance(details, PetitionDetails) or not details.labels:
            return item
        labels = []
        counts = {"country": details.by_country, "constituency": details.by_constituency, "region": details.by_region}
        for kind, key, entries in details.labels:  # each entry has its code (checked by spiders.petition_json)
            sent = self._sent.setdefault(kind, set())
            # the usual case after a job's first detail: the breakdown's keys are the entries' codes, tested in C
            if kind in counts and sent.issuperset(counts[kind]):
                labels.append((kind, key, []))
                continue
            codes = list(map(itemgetter(key), entries))
            labels.append((kind, key, [e for e, code in zip(entries, codes) if code not in sent]))
            sent.update(codes)
        return dataclasses.replace(item, details=dataclasses.replace(details, labels=tuple(labels)))



def observation(item: dict[str, Any]) -> Observation:
    """Rebuild an Observation from one exported item (a JSON line of a job's items)."""
    return from_jsonable(Observation, item)


def from_jsonable(cls: Any, value: Any) -> Any:
    """Rebuild a value of type `cls` (dataclasses, tuples, lists, dicts, optionals) from JSON-ready data."""
    return _converter(cls)(value)


_PLAIN = (str, int, float, bool, type(None), Any)


def _same(value: Any) -> Any:
    return value


@functools.cache
def _converter(cls: Any) -> Any:
    """Return a function that rebuilds values of `cls`, made once per type (a detail document has ~1,000 places)."""
    if cls in _PLAIN or isinstance(cls, typing.TypeVar):
        return _same
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        fields = {name: _converter(tp) for name, tp in typing.get_type_hints(cls).items()}

        def rebuild(value: Any) -> Any:
            if value is None:
                return None
            return cls(**{k: fields[k](v) for k, v in value.items() if k in fields})

        return rebuild
    origin, args = typing.get_origin(cls), typing.get_args(cls)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return _same
        one = _converter(inner[0])
        return lambda value: None if value is None else one(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])
            if item is _same:
                return lambda value: None if value is None else tuple(value)
            return lambda value: None if value is None else tuple(item(v) for v in value)
        items = [_converter(a) for a in args]
        return lambda value: None if value is None else tuple(f(v) for f, v in zip(items, value, strict=True))
    if origin in (set, frozenset):
        item = _converter(args[0])
        return lambda value: None if value is None else origin(item(v) for v in value)
    if origin is list:
        item = _converter(args[0])
        return _same if item is _same else (lambda value: None if value is None else [item(v) for v in value])
    if origin is dict:
        item = _converter(args[1])
        return _same if item is _same else (lambda value: None if value is None else
                                            {k: item(v) for k, v in value.items()})  # fmt: skip
    return _same
