"""The page detectors, case by case (cases in tests/data/page_detector_cases.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.watchlist.config import PageWatch
from monitor.detect.pages import PAGE_DETECTORS, detect_page, page_detector
from monitor.items import PageContent

CASES = tomllib.loads((Path(__file__).parent / "data" / "page_detector_cases.toml").read_text())["case"]
URL = "https://www.amnesty.org.uk/blogs/open-letter"


def page(fields: dict) -> PageContent:
    lines, items = tuple(fields.get("lines", ())), tuple(fields.get("items", ()))
    rest = {k: v for k, v in fields.items() if k not in ("lines", "items")}
    return PageContent(title="Open letter", lines=lines, line_paths=("p",) * len(lines), items=items,
                       item_paths=("li",) * len(items), **rest)


def watch(case: dict) -> PageWatch:
    return PageWatch(id="letter", kind="page", url=URL, entry="test", keywords=tuple(case.get("keywords", ())),
                     thresholds=tuple(case.get("thresholds", ())))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_page_detector_case(case):
    previous = page(case["previous"]) if "previous" in case else None
    events = detect_page(previous, page(case["new"]), watch(case))
    assert sorted(e.kind for e in events) == sorted(case["expect"])
    for e in events:
        assert e.key.startswith("page/letter/") and e.title and e.summary and e.url == URL


def case(name: str) -> dict:
    return next(c for c in CASES if c["name"].startswith(name))


def run(name: str):
    c = case(name)
    return detect_page(page(c["previous"]) if "previous" in c else None, page(c["new"]), watch(c))


def test_a_new_signatory_is_named():
    [event] = run("a new signatory is one")
    assert event.data["item"] == "Ma Jian, writer" and "Ma Jian, writer" in event.title
    assert event.key == run("a new signatory is one")[0].key  # stable: detecting twice stores once


def test_page_changed_carries_a_line_and_word_diff_linked_to_the_list():
    events = {e.kind: e for e in run("a new signatory and a new heading count")}
    changed = events["page_changed"]
    assert "- Signatories (1)" in changed.data["diff"] and "+ Signatories (2)" in changed.data["diff"]
    assert changed.data["items_added"] == ["Ma Jian, writer"]
    [edit] = run("an edited paragraph")
    assert edit.data["words"] == ["Xi Jinping [-will make-]{+made+} an official State Visit."]
    assert "[-will make-]{+made+}" in edit.summary


def test_keyword_event_quotes_the_line_and_thresholds_are_once_each():
    [appeared] = [e for e in run("a keyword appears") if e.kind == "keyword_appeared"]
    assert appeared.data["line"] == "Update: the government RESPONDED on 20 October."
    keys = sorted(e.key for e in run("a count jumping over two thresholds"))
    assert keys == ["page/letter/threshold/10000", "page/letter/threshold/100000"]


def test_every_page_detector_has_a_help_line_and_kinds_are_unique():
    assert set(PAGE_DETECTORS) >= {"page_changed", "keyword_appeared", "keyword_disappeared", "list_item_added",
                                   "list_item_removed", "threshold_crossed"}
    for kind, registered in PAGE_DETECTORS.items():
        assert registered.help, f"page detector {kind} has no docstring"
    with pytest.raises(ValueError):
        page_detector("page_changed")(lambda p, n, w: [])
