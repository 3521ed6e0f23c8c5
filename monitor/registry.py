"""Registries: tables of named pieces (detectors, renderers, entry kinds...) filled by decorators.

A name can be registered once; a second registration is a programming error
and fails at import, the way sqlite-utils refuses a migration registered twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Registry(dict[str, Any]):
    """A dict of named pieces that refuses a name twice."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def add(self, name: str, value: Any) -> None:
        """Register `value` under `name` (ValueError if the name is taken)."""
        if name in self:
            raise ValueError(f"{self.what} {name!r} is already registered")
        self[name] = value

    def decorator(self, name: str, wrap: Callable[[F], Any] | None = None) -> Callable[[F], F]:
        """Return a decorator that registers a function (or `wrap(function)`) under `name`."""

        def register(fn: F) -> F:
            self.add(name, wrap(fn) if wrap else fn)
            return fn

        return register
