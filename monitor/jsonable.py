"""Turn govwatch's dataclasses into JSON-ready values, and hash them stably."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from typing import Any

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
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def stable_hash(value: Any) -> str:
    """Hash a JSON-ready value independently of key order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
