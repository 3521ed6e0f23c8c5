"""Which links a sweep follows (spiders.links): http(s) on its own site, each page once, up to a cap."""

from __future__ import annotations

import pytest

from spiders.links import SweepPass, refusal
from spiders.petition_json import BadDocument, index_document

SITE = "https://petition.parliament.uk"


@pytest.mark.parametrize(("url", "why"), [
    ("https://petition.parliament.uk/petitions.json?page=2", None),
    ("http://petition.parliament.uk/petitions.json?page=2", None),  # http and https of one host
    ("HTTPS://Petition.Parliament.UK/petitions.json", None),
    ("file:///etc/passwd", "links to a file: URL"),
    ("data:application/json,{}", "links to a data: URL"),
    ("ftp://petition.parliament.uk/x", "links to a ftp: URL"),
    ("https://petition.parliament.uk.evil.org/petitions.json", "another site (petition.parliament.uk.evil.org)"),
    ("https://petition.parliament.uk:8443/petitions.json", "another site"),
])
def test_refusal_keeps_a_sweep_on_its_site(url, why):
    reason = refusal(url, SITE)
    assert (reason is None) if why is None else (why in reason)
    assert reason is None or "/etc" not in reason


def test_a_pass_stops_at_the_cap_of_its_first_links_last_and_never_repeats_a_page():
    sweep = SweepPass(max_pages=100)
    sweep.seen.add(f"{SITE}/p?page=1")
    assert sweep.stop_reason(f"{SITE}/p?page=2", f"{SITE}/p?page=2", SITE) is None
    assert "already read" in sweep.stop_reason(f"{SITE}/p?page=1", f"{SITE}/p?page=2", SITE)
    assert sweep.stop_reason(f"{SITE}/p?page=3", f"{SITE}/p?page=999", SITE) is None  # the first last counts
    assert "stopped after 3 index pages" in sweep.stop_reason(f"{SITE}/p?page=4", None, SITE)
    assert SweepPass(max_pages=2).limit(f"{SITE}/p?page=50") == 2


def test_links_that_are_not_urls_are_a_bad_document():
    with pytest.raises(BadDocument, match="links.next is not a URL"):
        index_document({"data": [], "links": {"next": {"href": "x"}}}, SITE)
