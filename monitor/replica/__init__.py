"""A local replica of the UK Parliament e-petitions site, for tests, benchmarks and `govwatch demo`.

    from monitor.replica import EPetitionsReplica

    with EPetitionsReplica(max_age=0) as site:
        site.seed()                                   # the archived petition 221342
        site.add_petition(700001, "Fund more buses", signature_count=9_990)
        site.sign(700001, 10_050)
        ...  # fetch f"{site.url}/petitions/700001.json"

Modules: `epetitions` (the site's state and scripting API), `routes` (URLs),
`documents` (pure JSON/HTML builders), `breakdowns` and `places` (signature
breakdowns), `server` (HTTP, faults, request log), `seed` (petition 221342),
`pages` (an advocacy site: the open letter of `letter`, another platform's petition page).
It stands in for the watched sites, so it imports nothing of govwatch but itself.
"""

from monitor.replica.epetitions import EPetitionsReplica, PetitionRecord
from monitor.replica.pages import AdvocacyReplica
from monitor.replica.server import FAULT_KINDS, LoggedRequest

__all__ = ["FAULT_KINDS", "AdvocacyReplica", "EPetitionsReplica", "LoggedRequest", "PetitionRecord"]
