"""`govwatch events`: an unknown kind or watch is an error naming the valid ones; --since says what it filters on."""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded(replica, gw):
    """A database holding the seed petition 221342's backfilled events (it was answered in 2018)."""
    replica.seed()
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/221342"')
    gw.check()
    assert gw.event_keys()
    return gw


def test_an_unknown_kind_is_an_error_listing_the_kinds(seeded):
    proc = seeded.run("events", "--kind", "threshold", check=False)
    assert proc.returncode == 1 and "No events yet." not in proc.stdout
    assert "--kind 'threshold': no such event kind" in proc.stderr
    assert "threshold_crossed" in proc.stderr and "response_published" in proc.stderr
    assert seeded.run("events", "--kind", "response_published").stdout.count("Government responded") >= 1


def test_an_unknown_watch_is_an_error_listing_the_watches(seeded):
    proc = seeded.run("events", "--watch", "nosuch", check=False)
    assert proc.returncode == 1 and "No events yet." not in proc.stdout
    assert "--watch 'nosuch': no such watch" in proc.stderr
    [watch] = {e["watch_id"] for e in seeded.events()}
    assert watch in proc.stderr
    assert seeded.run("events", "--watch", watch).stdout.strip()


def test_since_says_it_filters_on_detection_and_shows_both_times(seeded):
    out = seeded.run("events", "--since", "7d").stdout
    assert out.startswith("Events detected since ")
    assert "the date shown is when each happened" in out
    backfilled = [line for line in out.splitlines() if line.startswith("2018-")]
    assert backfilled  # happened in 2018 ...
    detected_today = [line for line in out.splitlines() if "(detected 20" in line]
    assert len(detected_today) == len(backfilled)  # ... each says it was detected now
