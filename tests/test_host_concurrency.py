"""A host's `concurrency` holds, with a delay or none (Scrapy 2.19 alone would start a host's whole queue)."""

from __future__ import annotations

import pytest

from tests.support.govwatch import LOCAL_HOST_RULES, most_in_flight


@pytest.mark.parametrize("delay", ["0", '"0.02s"'])
def test_no_more_requests_in_flight_to_a_host_than_its_concurrency(replica, gw, delay):
    numbers = range(1, 9)
    for n in numbers:
        replica.add_petition(n, signature_count=50)
    replica.fault("timeout", path=r"^/petitions/\d+\.json$", delay=0.3)  # slow answers: requests overlap
    gw.hosts = LOCAL_HOST_RULES.replace("concurrency = 8", "concurrency = 2").replace("delay = 0", f"delay = {delay}")
    for n in numbers:
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')
    gw.check()
    details = [r for r in replica.requests if r.path.startswith("/petitions/") and r.path.endswith(".json")]
    assert len(details) == len(numbers)
    assert most_in_flight(details) <= 2
