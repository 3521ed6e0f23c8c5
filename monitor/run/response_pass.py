"""Plan the with_response index passes that catch government response edits within one interval.

An open petition is polled through its count.json, which says when a response
is published but not when its text is edited: the count moves anyway, so a
changed Last-Modified proves nothing. The ``with_response`` index entries carry
the response (summary, details, `updated_at`), 50 petitions a request, so one
pass per site and interval covers every watched petition with a response for
a few requests instead of a full document each.

A site gets a pass when a crawl polls one of its answered petitions through
count.json and its last pass is at least 90% of that petition's interval old
(polls are at least an interval apart, with jitter on top), so an edit is seen
at the petition's next scheduled poll.
"""

from __future__ import annotations

from sqlite_utils import Database

from monitor.clock import later
from monitor.watchlist.config import Config, PetitionWatch
from monitor.items import Poll

SINCE_LAST = 0.9  # of the interval: a pass this recent still covers the next scheduled poll


def pass_url(site: str) -> str:
    """Return the first page of a site's with_response index, 50 entries a page."""
    return f"{site}/petitions.json?state=with_response&count=50"


def response_passes(db: Database, config: Config, polls: list[Poll], at: str) -> list[Poll]:
    """Return one "responses" poll per site whose answered petitions are polled through count.json."""
    watches = {w.id: w for w in config.watches}
    carriers: dict[str, str] = {}  # site: the watch whose poll the pass rides along (its first, by id)
    intervals: dict[str, float] = {}
    for poll in polls:
        watch = watches.get(poll.watch_id)
        if poll.mode != "count" or not isinstance(watch, PetitionWatch):
            continue
        if poll.known is None or not poll.known.government_response_at:
            continue  # no response to edit; a new one shows in count.json
        carriers[watch.site] = min(carriers.get(watch.site, watch.id), watch.id)
        interval = watch.interval or config.settings.interval
        intervals[watch.site] = min(intervals.get(watch.site, interval), interval)
    passes = []
    for site, carrier in sorted(carriers.items()):
        url = pass_url(site)
        row = db.conn.execute("SELECT max(last_at) FROM observations WHERE url = ? AND kind = 'responses'",
                              [url]).fetchone()  # fmt: skip
        if row[0] and later(row[0], SINCE_LAST * intervals[site]) > at:
            continue
        passes.append(Poll(carrier, url, "responses"))
    return passes
