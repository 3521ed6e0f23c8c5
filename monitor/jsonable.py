"""JSON for govwatch: dataclasses to JSON-ready values, fast encoding and decoding, stable hashes.

Encoding and decoding go through orjson: a poll of 10,000 petitions decodes
and encodes hundreds of megabytes of JSON, and orjson does it several times
faster than the standard library (bench/sweep.py). Text is compact UTF-8.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def dumps(value: Any) -> str:
    """Encode a value (dataclasses, tuples and dicts with str keys included) as compact JSON text."""
    return orjson.dumps(value).decode("utf-8")


def loads(data: bytes | str) -> Any:
    """Decode JSON text or UTF-8 bytes (raises JSONDecodeError, a ValueError)."""
    return orjson.loads(data)

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_PLAIN = (str, int, float, bool, type(None))


def to_jsonable(value: Any) -> Any:
    """Turn nested dataclasses, tuples and dicts into JSON-ready values."""
    if isinstance(value, _PLAIN):
        return value
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None and hasattr(cls, "__dataclass_fields__"):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_jsonable(v) for v in value)  # sorted: the same set is the same text
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def stable_hash(value: Any) -> str:
    """Hash a JSON-ready value independently of key order."""
    return hashlib.sha1(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()
