"""Which index pages a sweep fetches side by side: only on the first page's host, bounded by links.last."""

from __future__ import annotations

import pytest

from monitor.items import Poll
from spiders.index_pages import MAX_PAGES, IndexPasses, other_pages

FIRST = "https://petition.parliament.uk/petitions.json?state=open&count=50"


def test_pages_two_to_last_keep_the_query():
    last = "https://petition.parliament.uk/petitions.json?page=3&state=open&count=50"
    assert other_pages(FIRST, last) == [
        "https://petition.parliament.uk/petitions.json?page=2&state=open&count=50",
        "https://petition.parliament.uk/petitions.json?page=3&state=open&count=50",
    ]


@pytest.mark.parametrize("first, last", [
    (FIRST, "https://evil.example/petitions.json?page=3&state=open&count=50"),  # another host
    (FIRST, "http://petition.parliament.uk/petitions.json?page=3&state=open"),  # another scheme
    (FIRST, "https://petition.parliament.uk/other.json?page=3"),  # another path
    (FIRST, f"https://petition.parliament.uk/petitions.json?page={MAX_PAGES + 1}"),  # absurd
    (FIRST, "https://petition.parliament.uk/petitions.json?page=1"),  # one page only
    (FIRST, "https://petition.parliament.uk/petitions.json?page=x"),
    (FIRST, None), (FIRST, 7),
    ("https://petition.parliament.uk/petitions.json?page=2&state=open",  # not the first page
     "https://petition.parliament.uk/petitions.json?page=9"),
    ("javascript:alert(1)?page=1", "javascript:alert(1)?page=3"),
])  # fmt: skip
def test_untrusted_or_useless_last_links_give_no_pages(first, last):
    assert other_pages(first, last) == []


def test_a_pass_completes_with_its_last_page_only_when_none_failed():
    passes, poll = IndexPasses(), Poll("w", FIRST, "sweep")
    passes.begin(poll, 2)
    assert passes.arrived(poll, failed=False) is False and passes.arrived(poll, failed=False) is True
    passes.begin(poll, 2)
    assert passes.arrived(poll, failed=True) is False and passes.arrived(poll, failed=False) is False
