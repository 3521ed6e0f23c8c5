"""Response deadlines: the wording, the settings, and the store's search for responses falling due."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.watchlist.config import RESPONSE_DUE, load_config
from monitor.detect.deadlines import response_due_at, span, timing
from monitor.errors import ConfigError
from monitor.items import GovernmentResponse, PetitionState
from store.db import open_db
from store.deadlines import overdue_events, responses_falling_due
from store.record import Recorder
from store.watches import sync_watches

CROSSED = "2024-03-01T10:00:00.000Z"


def _state(**kw) -> PetitionState:
    return PetitionState(site="https://site.test", number=9, action="Wait", state="open", signature_count=12_000,
                         response_threshold_reached_at=CROSSED, **kw)  # fmt: skip


@pytest.mark.parametrize(("answered", "due", "line"), [
    ("2024-04-12T09:00:00.000Z", RESPONSE_DUE, "answered after 42 days, 21 days late"),  # 1 March -> 12 April
    ("2024-03-21T09:00:00.000Z", RESPONSE_DUE, "answered after 20 days, in time (due within 21 days)"),
    ("2024-03-22T10:00:00.000Z", RESPONSE_DUE, "answered after 21 days, in time (due within 21 days)"),  # on the dot
    ("2024-03-22T10:00:01.000Z", RESPONSE_DUE, "answered after 21 days, 1 s late"),
    ("2024-03-01T10:00:05.000Z", 3.0, "answered after 5 s, 2 s late"),  # shortened settings read as seconds
])  # fmt: skip
def test_the_response_says_how_long_it_took_and_how_late(answered, due, line):
    when = timing(_state(government_response_at=answered, government_response=GovernmentResponse(summary="S")), due)
    assert when.line(due) == line
    assert response_due_at(CROSSED, RESPONSE_DUE) == "2024-03-22T10:00:00.000Z"


def test_no_timing_below_the_threshold():
    assert timing(replace(_state(), response_threshold_reached_at=None, signature_count=9_000), RESPONSE_DUE) is None
    assert span(CROSSED, "2024-03-02T09:00:00.000Z") == "23 h"


def _config(tmp_path: Path, text: str):
    path = tmp_path / "watchlist.toml"
    path.write_text('[govwatch]\ndatabase = "g.db"\n' + text)
    return load_config(path)


def test_response_due_is_a_setting_overridden_per_watch(tmp_path):
    config = _config(tmp_path, 'response_due = "14d"\napproaching_within = "0"\nrate_window = "2h"\n'
                     '[[petition]]\nid = 1\n[[petition]]\nid = 2\nresponse_due = "30d"\n'
                     '[[sweep]]\nstate = "open"\nresponse_due = "10d"\n')  # fmt: skip
    assert config.settings.response_due == 14 * 86_400 and config.settings.approaching_within == 0
    assert config.settings.rate_window == 7_200
    assert [w.response_due / 86_400 for w in config.watches] == [14, 30, 10]
    defaults = _config(tmp_path, "")
    assert (defaults.settings.response_due, defaults.settings.approaching_within, defaults.settings.rate_window) == (
        21 * 86_400, 86_400, 21_600)


@pytest.mark.parametrize(("text", "message"), [
    ('response_due = "soon"', "key 'response_due'"),
    ('rate_window = "0s"', "key 'rate_window': expected a duration above zero"),
    ('[[page]]\nurl = "https://example.org/"\nresponse_due = "3d"', "key 'response_due': unknown key"),
])  # fmt: skip
def test_wrong_deadline_settings_say_where(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, text)


def test_alerts_may_name_the_new_kinds(tmp_path):
    config = _config(tmp_path, '[[alert]]\nname = "late"\nurl = "json://localhost/x"\n'
                     'kinds = ["response_overdue", "threshold_approaching"]\n')  # fmt: skip
    assert config.alerts[0].kinds == ("response_overdue", "threshold_approaching")


def test_the_store_gives_the_event_once_and_only_after_a_look_past_the_due_time(tmp_path):
    config = _config(tmp_path, '[[petition]]\nurl = "https://site.test/petitions/9"\n')
    with closing(open_db(config.settings.database)) as db:
        sync_watches(db, config)
        recorder = Recorder(db, config)
        from monitor.items import Observation

        def poll(at: str, state: PetitionState) -> None:
            recorder.record(Observation(watch_id=config.watches[0].id, url=config.watches[0].url, kind="petition",
                                        fetched_at=at, status=200, petition=state))  # fmt: skip

        poll("2024-03-10T00:00:00.000Z", _state())
        assert responses_falling_due(db, config, ["site.test/9"]) == {"site.test/9": "2024-03-22T10:00:00.000Z"}
        assert overdue_events(db, config, "2024-03-30T00:00:00.000Z") == []  # not looked at since it fell due
        poll("2024-03-25T00:00:00.000Z", _state())
        [event] = overdue_events(db, config, "2024-03-30T00:00:00.000Z")
        assert event.occurred_at == "2024-03-22T10:00:00.000Z" and event.kind == "response_overdue"
        assert len(recorder.store_events([event], "2024-03-30T00:00:00.000Z")) == 1
        assert overdue_events(db, config, "2024-04-30T00:00:00.000Z") == []  # stored: never again
        assert responses_falling_due(db, config, ["site.test/9"]) == {}


def _entry(state: PetitionState):
    from monitor.items import IndexEntry

    return IndexEntry(key=state.key, signature_count=state.signature_count, entry_hash=state.content_hash(),
                      decode=lambda: state)  # fmt: skip


def test_a_sweep_found_petition_overdue_before_the_sweep_saw_it_is_history_not_news(tmp_path):
    config = _config(tmp_path, '[[sweep]]\nsite = "https://site.test"\nstate = "all"\n')
    [sweep] = config.watches
    from monitor.items import Observation

    with closing(open_db(config.settings.database)) as db:
        sync_watches(db, config)
        recorder = Recorder(db, config)
        late, fresh = _state(), replace(_state(), number=10, response_threshold_reached_at="2024-03-24T00:00:00.000Z")
        for at in ("2024-03-25T00:00:00.000Z", "2024-04-20T00:00:00.000Z"):  # found after 9's due date, before 10's
            recorder.record(Observation(watch_id=sweep.id, url=sweep.url, kind="index", fetched_at=at, status=200,
                                        entries=[_entry(late), _entry(fresh)], last_page=True))  # fmt: skip
        events = overdue_events(db, config, "2024-04-20T00:00:00.000Z")
    assert [e.petition_id for e in events] == ["site.test/10"]
    assert events[0].occurred_at == "2024-04-14T00:00:00.000Z"


@pytest.mark.parametrize(("deadline", "fresh_until", "expected"), [
    ("2024-03-22T10:00:00.000Z", None, "2024-03-22T10:00:00.000Z"),          # before the regular poll: look then
    ("2024-03-22T10:00:00.000Z", "2024-03-22T10:01:00.000Z", "2024-03-22T10:01:00.000Z"),  # not before the site allows
    ("2024-03-23T10:00:00.000Z", None, "2024-03-23T00:00:00.000Z"),          # after the regular poll: no change
    ("2024-03-21T10:00:00.000Z", None, "2024-03-23T00:00:00.000Z"),          # already past: the tick's check tells
    (None, None, "2024-03-23T00:00:00.000Z"),
])  # fmt: skip
def test_the_scheduler_looks_when_a_response_falls_due(deadline, fresh_until, expected):
    from monitor.run.schedule import Due, at_deadline

    regular = Due("2024-03-23T00:00:00.000Z", "interval")
    assert at_deadline(regular, deadline, now="2024-03-22T00:00:00.000Z", fresh_until=fresh_until).at == expected


@pytest.mark.parametrize(("watchlist", "on_sight"), [
    ('[[petition]]\nurl = "https://site.test/petitions/9"\n', True),
    # a sweep listed first holds the petition too: the event is the sweep's, given by the scheduler's pass
    ('[[sweep]]\nsite = "https://site.test"\nstate = "all"\n[[petition]]\nurl = "https://site.test/petitions/9"\n',
     False),
])  # fmt: skip
def test_a_first_poll_past_the_due_time_gives_the_overdue_event_with_the_poll(tmp_path, watchlist, on_sight):
    from monitor.items import Observation

    config = _config(tmp_path, watchlist)
    petition = config.watches[-1]
    with closing(open_db(config.settings.database)) as db:
        sync_watches(db, config)
        recorder = Recorder(db, config)
        if not on_sight:
            [sweep] = config.watches[:1]
            for at in ("2024-03-02T00:00:00.000Z", "2024-03-25T00:00:00.000Z"):  # found in time, looked at since
                recorder.record(Observation(watch_id=sweep.id, url=sweep.url, kind="index", status=200,
                                            last_page=True, fetched_at=at, entries=[_entry(_state())]))
        events = recorder.record(Observation(watch_id=petition.id, url=petition.url, kind="petition", status=200,
                                             fetched_at="2024-03-30T00:00:00.000Z", petition=_state()))
        overdue = [e for e in events if e.kind == "response_overdue"]
        later = overdue_events(db, config, "2024-03-30T00:00:00.000Z")
        if on_sight:
            assert [(e.watch_id, e.occurred_at) for e in overdue] == [(petition.id, "2024-03-22T10:00:00.000Z")]
            assert later == []  # stored with the poll: the pass has nothing left to give
        else:
            assert overdue == []
            assert [(e.watch_id, e.occurred_at) for e in later] == [(config.watches[0].id, "2024-03-22T10:00:00.000Z")]
            recorder.store_events(later, "2024-03-30T00:00:00.000Z")
        answered = _state(government_response_at="2024-04-02T09:00:00.000Z",
                          government_response=GovernmentResponse(summary="S"))
        events = recorder.record(Observation(watch_id=petition.id, url=petition.url, kind="petition", status=200,
                                             fetched_at="2024-04-03T00:00:00.000Z", petition=answered))
        assert "response_overdue" not in [e.kind for e in events]  # once only
