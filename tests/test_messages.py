"""Messages a person reads on a phone: what happened, which petition, the number, the date, a link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.items import Event
from monitor.alerts.messages import (
    DETAILS,
    FIELDS,
    check_template,
    period_of,
    render_digest,
    render_event,
    render_test,
)  # fmt: skip


def event(kind="threshold_crossed", key="petition/petition.parliament.uk/221342/threshold/10000", **data):
    return Event(
        key=key, kind=kind, watch_id="petition.parliament.uk/221342", petition_id="petition.parliament.uk/221342",
        title="10,000 signatures: Put pressure on the Chinese Government",
        summary="The petition passed 10,000 signatures on 18 October 2018 (11,406 now).",
        url="https://petition.parliament.uk/archived/petitions/221342",
        occurred_at="2018-10-18T21:47:33.000Z", detected_at="2026-01-05T09:00:00.000Z",
        data={"petition": 221342, "signature_count": 11406} | data,
    )  # fmt: skip


def test_an_event_message_says_what_which_how_many_when_where_and_its_key():
    message = render_event(event())
    assert message.title == "10,000 signatures: Put pressure on the Chinese Government"
    assert message.body.splitlines() == [
        "Petition 221342 · 11,406 signatures · 18 October 2018",
        "",
        "The petition passed 10,000 signatures on 18 October 2018 (11,406 now).",
        "",
        "https://petition.parliament.uk/archived/petitions/221342",
        "Event: petition/petition.parliament.uk/221342/threshold/10000",
    ]
    assert message.keys == ("petition/petition.parliament.uk/221342/threshold/10000",)
    assert message.payload["event"]["kind"] == "threshold_crossed"
    assert message.payload["event"]["data"]["signature_count"] == 11406


def test_a_response_shows_its_summary_an_edit_and_a_page_change_the_first_lines_of_the_diff():
    response = render_event(event("response_published", response={"summary": "We will press China."}))
    assert "We will press China." in response.body
    diff = "\n".join(f"+ added paragraph {i}" for i in range(30))
    edited = render_event(event("response_updated", diff=diff))
    assert "+ added paragraph 0" in edited.body and "+ added paragraph 7" in edited.body
    assert "+ added paragraph 8" not in edited.body and "…" in edited.body
    page = render_event(event("page_changed", diff="- old line\n+ new line", petition=None, page="Amnesty blog"))
    assert page.body.startswith("Amnesty blog · 11,406 signatures") and "- old line\n+ new line" in page.body


def test_a_debate_lists_its_links_one_a_line():
    debate = {"debated_on": "2027-03-12", "overview": "MPs discussed it.", "transcript_url": "https://t.example/1",
              "video_url": "https://v.example/1"}  # fmt: skip
    body = render_event(event("debated", debate=debate)).body
    assert "Parliament debated this petition on 12 March 2027.\nMPs discussed it.\n" in body
    assert "Transcript: https://t.example/1\nVideo: https://v.example/1" in body


def test_templates_are_overridable_and_the_key_always_travels():
    message = render_event(event(), title="[{kind}] {subject}", body="{count} on {date}: {url}")
    assert message.title == "[threshold_crossed] Petition 221342"
    assert message.body == ("11,406 signatures on 18 October 2018: https://petition.parliament.uk/archived/petitions/221342"
                            "\n\nEvent: petition/petition.parliament.uk/221342/threshold/10000")  # fmt: skip


@pytest.mark.parametrize("bad", ["{nope}", "{title.__class__}", "{title", "{0}"])
def test_templates_accept_only_known_fields(bad):
    with pytest.raises(ValueError):
        check_template(bad)
    check_template("".join(f"{{{name}}}" for name in FIELDS))


def test_a_digest_lists_every_event_of_its_period():
    events = [event(key=f"petition/x/{i}/threshold/10000", petition=i) for i in range(1, 4)]
    start, end = period_of(datetime(2026, 1, 5, 9, 40, tzinfo=UTC), 3600)
    assert (start.hour, end.hour, end.minute) == (9, 10, 0)
    message = render_digest("team", events, start, end)
    assert message.title == "govwatch: 3 events, 5 January 2026, 09:00–10:00 UTC"
    for i in range(1, 4):
        assert f"Event: petition/x/{i}/threshold/10000" in message.body and f"Petition {i} ·" in message.body
    assert [e["key"] for e in message.payload["events"]] == [e.key for e in events]
    assert message.key == "digest/team/2026-01-05T10:00:00.000Z"


def test_the_test_message_carries_a_key():
    message = render_test("team", datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    assert message.key == "test/team/2026-01-05T09:00:00.000Z" and message.key in message.body


def test_every_details_renderer_has_a_docstring():
    assert all((fn.__doc__ or "").strip() for fn in DETAILS.values())
