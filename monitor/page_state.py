"""A page as govwatch keeps it: the extracted content of an HTML page and what the fetch learned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from monitor.jsonable import stable_hash


@dataclass(frozen=True, slots=True)
class PageContent:
    """What the pages spider extracts from an HTML page: its state, plus what the fetch learned.

    The state is the main content's lines (each with the element path it came
    from, so learned noise can be dropped by place), the list items, the count
    and the title. `encoding`, `noise` and `learned` describe the fetch and
    are part of neither the content hash nor a snapshot.
    """

    title: str | None = None
    lines: tuple[str, ...] = ()
    line_paths: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    item_paths: tuple[str, ...] = ()
    count: int | None = None
    count_text: str | None = None  # the count as written ("11,406"), left out of the hash
    encoding: str | None = None
    noise: tuple[str, ...] = ()  # lines that differed between two immediate fetches
    learned: tuple[str, ...] = ()  # noise rules learned from them (see monitor.detect.page_noise)

    @property
    def text(self) -> str:
        """Return the normalized main text, one block (paragraph, item, heading) a line."""
        return "\n".join(self.lines)

    @property
    def empty(self) -> bool:
        """Tell whether nothing was extracted (the selector matched nothing, or no text)."""
        return not self.lines

    @property
    def numbers(self) -> tuple[int, ...]:
        """Return the whole numbers written in the text ("11,406" is 11406), in order."""
        return tuple(parse_number(m) for m in NUMBER.findall(self.text))[:MAX_NUMBERS]

    def masked_lines(self) -> list[str]:
        """Return the lines with the count's digits masked: a moving count is a time series, not a change."""
        if not self.count_text:
            return list(self.lines)
        return [line.replace(self.count_text, "#") for line in self.lines]

    def content_hash(self) -> str:
        """Hash what deserves a snapshot: the lines and items, the count's digits left out."""
        return stable_hash({"lines": self.masked_lines(), "items": sorted(set(self.items))})

    def state(self) -> dict[str, Any]:
        """Return the part worth a snapshot, JSON-ready (paths stored once each)."""
        paths = sorted(set(self.line_paths) | set(self.item_paths))
        index = {p: i for i, p in enumerate(paths)}
        return {
            "title": self.title,
            "lines": [[t, index[p]] for t, p in zip(self.lines, self.line_paths, strict=True)],
            "items": [[t, index[p]] for t, p in zip(self.items, self.item_paths, strict=True)],
            "paths": paths,
            "count": self.count,
            "count_text": self.count_text,
        }

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> PageContent:
        """Rebuild a PageContent from `state()` output (a stored snapshot)."""
        paths = d.get("paths") or []
        lines, items = d.get("lines") or [], d.get("items") or []
        return cls(
            title=d.get("title"),
            lines=tuple(t for t, _ in lines), line_paths=tuple(paths[i] for _, i in lines),
            items=tuple(t for t, _ in items), item_paths=tuple(paths[i] for _, i in items),
            count=d.get("count"), count_text=d.get("count_text"),
        )  # fmt: skip


# A number as pages write them: "11,406", "2,000,000", "11\u202f406" or "42" (a decimal part is not kept).
NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?!\d)|(?<![\d.,])\d+(?!\d)")
MAX_NUMBERS = 500


def parse_number(text: str) -> int:
    """Turn "11,406" (or "11 406") into 11406."""
    return int(re.sub(r"\D", "", text))
