"""A petition's whole life against the replica, one `govwatch check` per step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

N = 700001


class Steps:
    """Change the replica with updated_at moving 20 s a step, like a real site's clock."""

    def __init__(self, replica, gw):
        self.replica, self.gw = replica, gw
        self.clock = datetime.now(UTC) - timedelta(days=1)

    def stamp(self) -> None:
        self.clock += timedelta(seconds=20)
        self.replica.set(N, updated_at=self.clock.strftime("%Y-%m-%dT%H:%M:%S.000Z"))

    def then(self, change, *args, **kwargs) -> list[str]:
        """Apply a change, run a check, return the keys of the new events."""
        before = set(self.gw.event_keys())
        if change is not None:
            change(N, *args, **kwargs)
            self.stamp()
        self.gw.check()
        return sorted(k.rsplit(f"/{N}/", 1)[1] for k in set(self.gw.event_keys()) - before)


@pytest.mark.slow
def test_lifecycle_yields_each_event_once_and_nothing_else(replica, gw):
    replica.add_petition(N, action="Fund more school libraries", signature_count=9990)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    step = Steps(replica, gw)
    step.stamp()

    assert step.then(None) == []  # first sight at 9,990: nothing to backfill
    assert step.then(replica.sign, 10050) == ["threshold/10000"]
    assert step.then(replica.sign, 9995) == []
    assert step.then(replica.sign, 10100) == []  # crossing again is not news
    assert step.then(replica.respond, "We will consider it.", "The department is reviewing school libraries.") \
        == [f"response/{replica.petition(N)['government_response']['responded_on']}"]
    [updated] = step.then(replica.edit_response, details="The department will fund 500 school libraries.")
    assert updated.startswith("response-updated/")
    assert step.then(replica.sign, 100200) == ["threshold/100000"]
    assert step.then(replica.schedule_debate, "2027-03-12") == ["debate-scheduled/2027-03-12"]
    assert step.then(replica.debate, "2027-03-12") == ["debated/2027-03-12"]
    assert step.then(replica.close) == ["state/closed"]
    assert step.then(replica.archive) == ["state/archived"]

    snapshots, events = gw.count("petition_snapshots"), gw.event_keys()
    step.then(None)
    step.then(None)
    assert gw.event_keys() == events and gw.count("petition_snapshots") == snapshots

    kinds = [e["kind"] for e in gw.events()]
    assert kinds == ["threshold_crossed", "response_published", "response_updated", "threshold_crossed",
                     "debate_scheduled", "debated", "state_changed", "state_changed"]
    by_kind = {e["kind"]: e for e in gw.events()}
    diff = by_kind["response_updated"]["data"]["diff"]
    assert "- The department is reviewing school libraries." in diff
    assert "+ The department will fund 500 school libraries." in diff
    # the archived petition is now polled at its new address
    [watch] = gw.query("SELECT url FROM watches")
    assert watch["url"] == f"{replica.url}/archived/petitions/{N}.json"


def test_first_sight_of_the_seed_petition_backfills_its_history(replica, gw):
    replica.seed()
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/221342"')
    gw.check()
    events = {e["key"].rsplit("/221342/", 1)[1]: e for e in gw.events()}
    assert sorted(events) == ["response/2018-11-30", "threshold/10000"]
    response = events["response/2018-11-30"]
    assert response["occurred_at"].startswith("2018-11-30")
    # the real times (shared/data): 10,000 on 20 November 2018, answered on 30 November, within 21 days
    assert response["summary"].startswith("Answered after 10 days, in time (due within 21 days). "
                                           "This is a priority area of concern in China.")
    assert response["title"] == ("Government responded: Put pressure on the Chinese Government over the "
                                 "treatment of Uyghur Muslims")
    assert response["url"] == f"{replica.url}/archived/petitions/221342"
    assert events["threshold/10000"]["occurred_at"] == "2018-11-20T18:48:25.139Z"
    gw.check()
    assert len(gw.events()) == 2


def test_first_sight_of_the_seed_petition_with_a_shorter_response_due_backfills_its_overdue_response(replica, gw):
    replica.seed()
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/221342"\nresponse_due = "7d"')
    gw.check()
    events = {e["key"].rsplit("/221342/", 1)[1]: e for e in gw.events()}
    assert sorted(events) == ["response/2018-11-30", "response_overdue", "threshold/10000"]
    overdue = events["response_overdue"]
    assert overdue["kind"] == "response_overdue"
    assert overdue["occurred_at"] == "2018-11-27T18:48:25.139Z"  # 7 days after the real crossing
    assert "due within 7 days, by 27 November 2018" in overdue["summary"]
    assert "came on 30 November 2018, 3 days late" in overdue["summary"]
    response = events["response/2018-11-30"]
    assert response["summary"].startswith("Answered after 10 days, 3 days late. This is a priority")
    assert response["data"]["late"] is True and response["data"]["due_at"] == "2018-11-27T18:48:25.139Z"
    gw.check()
    assert len(gw.events()) == 3


def test_unchanged_polls_add_no_snapshot_and_collapse_observations(replica, gw):
    replica.add_petition(N, signature_count=50, updated_at="2026-01-01T00:00:00.000Z")
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    for _ in range(3):
        gw.check()
    assert gw.count("petition_snapshots") == 1 and gw.count("signature_counts") == 1
    runs = gw.query("SELECT url, outcome, polls FROM observations ORDER BY id")
    assert sum(r["polls"] for r in runs) == 3
    assert runs[-1]["outcome"] == "not_modified"  # If-Modified-Since was sent and answered 304
    assert any(r.headers.get("if-modified-since") for r in replica.requests)


def test_removed_petition_is_one_event_then_left_alone(replica, gw):
    replica.add_petition(N, signature_count=50)
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{N}"')
    gw.check()
    replica.remove(N)
    gw.check()
    assert [k.rsplit("/", 2)[-2:] for k in gw.event_keys()] == [["state", "removed"]]
    replica.clear_log()
    out = gw.check().stdout
    assert "gone since" in out
    assert [r for r in replica.requests if r.path != "/robots.txt"] == []


def test_a_never_seen_petition_is_an_error_not_gone(replica, gw):
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/799999"')
    first = gw.run("check", check=False)
    assert first.returncode == 4  # every watch failed
    assert "Unreachable or failing:" in first.stdout
    assert f"no petition 799999 on {replica.url}" in first.stdout
    assert gw.event_keys() == []
    [obs] = gw.query("SELECT status, outcome FROM observations")
    assert obs == {"status": 404, "outcome": "error"}
    assert gw.query("SELECT gone FROM watches") == [{"gone": 0}]
    replica.clear_log()
    gw.run("check", "--force", check=False)
    assert [r for r in replica.requests if r.path.startswith("/petitions/799999")]  # still polled: not given up
