"""A real change that lands between the two fetches of the noise check is a change, not noise.

Found by bench/crash.py: a signatory who joined the letter between the two
immediate fetches was learned as noise, and its list_item_added never came.
"""

from __future__ import annotations

import pytest

from monitor.replica.pages import AdvocacyReplica
from tests.test_pages import EDITED, kinds, new_events, page

SIGNER = "Ma Jian, writer"


@pytest.mark.slow
def test_a_signatory_joining_between_the_two_fetches_of_a_changed_page_is_an_event(gw):
    with AdvocacyReplica() as site:
        site.remove_signatory(SIGNER)
        url = site.url + site.letter_path
        gw.add(page("article", url, 'selector = "article"', 'ignore = ["aside", ".latest-posts", "footer"]',
                    'list = "article li"'))  # fmt: skip
        gw.check()  # the baseline
        before = set(gw.event_keys())
        render, armed = site.letter_page, [True]

        def letter_page(*args, **kwargs):  # serves this fetch, then the signatory joins (before the next one)
            html = render(*args, **kwargs)
            if armed:
                armed.clear()
                site.individuals.append(SIGNER)  # the replica's lock is held while it renders
            return html

        site.letter_page = letter_page
        site.edit_paragraph(0, EDITED)  # the page changed: govwatch fetches it again to check for noise
        gw.check()
        found = new_events(gw, before)["article"]
        assert kinds(found) == ["list_item_added", "page_changed"]
        assert [e["data"]["item"] for e in found if e["kind"] == "list_item_added"] == [SIGNER]
        assert not gw.query("SELECT rule FROM page_noise WHERE example = ?", (SIGNER,))
