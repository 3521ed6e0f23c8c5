"""The e-petitions replica's documents and routes, checked over real HTTP with urllib: no mocks."""

from __future__ import annotations

import json
import re

from monitor.replica import EPetitionsReplica
from monitor.replica.seed import RESPONSE_DETAILS, RESPONSE_SUMMARY
from tests.support.http import get, get_json

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ATTRIBUTES = {
    "action", "background", "additional_details", "committee_note", "state", "signature_count",
    "closing_date", "created_at", "updated_at", "rejected_at", "opened_at", "closed_at",
    "moderation_threshold_reached_at", "response_threshold_reached_at", "government_response_at",
    "debate_threshold_reached_at", "debate_scheduled_on", "scheduled_debate_date", "debate_outcome_at",
    "creator_name", "rejection", "government_response", "debate", "departments", "topics",
}
DETAIL_ONLY = {"signatures_by_country", "signatures_by_constituency", "signatures_by_region",
               "other_parliamentary_business"}


def test_detail_of_a_popular_petition_has_every_field_and_weighs_like_the_real_one(replica):
    replica.add_petition(700001, "Fund more buses", signature_count=150_000)
    status, headers, body = get(f"{replica.url}/petitions/700001.json")

    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert 60_000 <= len(body) <= 100_000
    document = json.loads(body)
    assert document["links"]["self"] == f"{replica.url}/petitions/700001.json"
    data = document["data"]
    assert (data["type"], data["id"]) == ("petition", 700001)
    attributes = data["attributes"]
    assert set(attributes) == ATTRIBUTES | DETAIL_ONLY
    assert attributes["action"] == "Fund more buses"
    assert attributes["creator_name"] and attributes["closing_date"]
    assert ISO_TIME.match(attributes["created_at"]) and ISO_TIME.match(attributes["closing_date"])
    assert ISO_TIME.match(attributes["response_threshold_reached_at"])
    assert ISO_TIME.match(attributes["debate_threshold_reached_at"])
    assert attributes["government_response"] is None and attributes["debate"] is None
    for name, size in (("signatures_by_constituency", 650), ("signatures_by_region", 12)):
        assert len(attributes[name]) == size
        assert sum(place["signature_count"] for place in attributes[name]) == 150_000
    assert len(attributes["signatures_by_country"]) >= 190
    assert sum(country["signature_count"] for country in attributes["signatures_by_country"]) == 150_000
    seat = attributes["signatures_by_constituency"][0]
    assert set(seat) == {"name", "ons_code", "mp", "signature_count"}
    assert re.match(r"^E14\d{6}$", seat["ons_code"])


def test_breakdowns_are_deterministic_and_follow_the_count(replica):
    replica.add_petition(5, signature_count=40_000)
    first = get_json(f"{replica.url}/petitions/5.json")["data"]["attributes"]
    again = get_json(f"{replica.url}/petitions/5.json")["data"]["attributes"]
    assert first["signatures_by_constituency"] == again["signatures_by_constituency"]
    replica.sign(5, 40_500)
    after = get_json(f"{replica.url}/petitions/5.json")["data"]["attributes"]
    assert sum(p["signature_count"] for p in after["signatures_by_region"]) == 40_500


def test_count_json_has_the_seven_fields(replica):
    replica.add_petition(12, signature_count=10)
    status, headers, body = get(f"{replica.url}/petitions/12/count.json")
    assert status == 200 and len(body) < 400
    assert json.loads(body) == {
        "signature_count": 10, "response_threshold_reached_at": None, "government_response_at": None,
        "debate_threshold_reached_at": None, "scheduled_debate_date": None, "debate_outcome_at": None,
        "debated": False,
    }
    assert headers["Cache-Control"] == "public, max-age=0, stale-while-revalidate=0, stale-if-error=0"


def test_thresholds_are_stamped_once_even_when_the_count_falls_back():
    replica = EPetitionsReplica()  # no server needed to script state
    replica.add_petition(9, signature_count=9_990)
    replica.sign(9, 10_050, updated_at="2024-01-01T10:00:00.000Z")
    replica.sign(9, 9_995)
    replica.sign(9, 10_100)
    attributes = replica.petition(9)
    assert attributes["response_threshold_reached_at"] == "2024-01-01T10:00:00.000Z"
    assert attributes["debate_threshold_reached_at"] is None
    assert attributes["signature_count"] == 10_100


def test_if_modified_since_gives_304_until_the_petition_changes():
    with EPetitionsReplica(max_age=60) as replica:
        replica.add_petition(3, updated_at="2024-05-01T12:00:07.123Z")
        status, headers, _ = get(f"{replica.url}/petitions/3.json")
        assert status == 200
        # updated_at rounded down to 10 seconds
        assert headers["Last-Modified"] == "Wed, 01 May 2024 12:00:00 GMT"
        assert headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=120, stale-if-error=300"

        status, headers, body = get(f"{replica.url}/petitions/3.json", {"If-Modified-Since": headers["Last-Modified"]})
        assert (status, body) == (304, b"")
        status, _, _ = get(f"{replica.url}/petitions/3/count.json", {"If-Modified-Since": "Wed, 01 May 2024 12:00:00 GMT"})
        assert status == 304

        replica.sign(3, 50, updated_at="2024-05-01T12:00:12.000Z")
        status, _, body = get(f"{replica.url}/petitions/3.json", {"If-Modified-Since": "Wed, 01 May 2024 12:00:00 GMT"})
        assert status == 200 and json.loads(body)["data"]["attributes"]["signature_count"] == 50


def test_index_pages_of_50_cover_120_petitions_with_links(replica):
    for number in range(1, 121):
        replica.add_petition(number, signature_count=1000 - number % 7)
    numbers, url, pages = [], f"{replica.url}/petitions.json?state=open&count=50", 0
    while url:
        document = get_json(url)
        pages += 1
        numbers += [entry["id"] for entry in document["data"]]
        for entry in document["data"]:
            assert entry["links"]["self"] == f"{replica.url}/petitions/{entry['id']}.json"
            assert not DETAIL_ONLY & set(entry["attributes"])
        links = document["links"]
        assert links["first"] == f"{replica.url}/petitions.json?page=1&state=open&count=50"
        assert links["last"] == f"{replica.url}/petitions.json?page=3&state=open&count=50"
        url = links["next"]
    assert pages == 3 and sorted(numbers) == list(range(1, 121))
    counts = [replica.petition(n)["signature_count"] for n in numbers]
    assert counts == sorted(counts, reverse=True)
    assert document["links"]["prev"] == f"{replica.url}/petitions.json?page=2&state=open&count=50"
    first = get_json(f"{replica.url}/petitions.json")
    assert len(first["data"]) == 25 and first["links"]["prev"] is None
    assert len(get_json(f"{replica.url}/petitions.json?count=500")["data"]) == 50
    beyond = get_json(f"{replica.url}/petitions.json?count=50&page=9")
    assert beyond["data"] == [] and beyond["links"]["next"] is None


def test_index_q_and_state_filters(replica):
    replica.add_petition(1, "Protect hedgehogs", signature_count=5)
    replica.add_petition(2, "Fund buses", background="Rural HEDGEHOG crossings too.")
    replica.add_petition(3, "Lower tax", signature_count=20_000)
    replica.respond(3, "We will not.", "Details.")
    replica.add_petition(4, "Ban fireworks", signature_count=12_000)
    replica.add_petition(5, "Debate it", signature_count=120_000)
    replica.debate(5, "2024-03-04")
    replica.add_petition(6, "Reject me", state="rejected")

    def ids(query: str) -> list[int]:
        return [entry["id"] for entry in get_json(f"{replica.url}/petitions.json?{query}")["data"]]

    assert ids("q=hedgehog") == [1, 2]
    assert get_json(f"{replica.url}/petitions.json?q=hedgehog")["links"]["first"].endswith("q=hedgehog")
    assert ids("state=with_response") == [3]
    assert ids("state=awaiting_response") == [5, 4]
    assert ids("state=debated") == [5]
    assert ids("state=rejected") == [6]
    assert 6 not in ids("state=published")
    status, headers, _ = get(f"{replica.url}/petitions.json?state=bogus")
    assert status == 302 and "state=all" in headers["Location"]


def test_archived_petition_redirects_and_has_no_count_route(replica):
    replica.seed()
    status, headers, _ = get(f"{replica.url}/petitions/221342.json")
    assert status == 302 and headers["Location"] == f"{replica.url}/archived/petitions/221342.json"
    status, headers, _ = get(f"{replica.url}/petitions/221342")
    assert status == 302 and headers["Location"] == f"{replica.url}/archived/petitions/221342"
    assert get(f"{replica.url}/petitions/221342/count.json")[0] == 404

    status, headers, body = get(f"{replica.url}/archived/petitions/221342.json")
    assert status == 200 and "max-age=120," in headers["Cache-Control"]
    data = json.loads(body)["data"]
    assert data["type"] == "archived-petition"
    assert data["parliament"] == {
        "period": "2017-2019", "government": "Conservative", "dissolution_at": "2019-11-06T00:01:00.000Z",
        "response_threshold": 10000, "debate_threshold": 100000,
    }
    attributes = data["attributes"]
    assert attributes["state"] == "closed" and attributes["signature_count"] == 11406
    assert attributes["government_response"]["summary"] == RESPONSE_SUMMARY
    assert attributes["government_response"]["responded_on"] == "2018-11-30"
    assert attributes["government_response"]["details"] == RESPONSE_DETAILS
    assert attributes["additional_details"].startswith("These camps are echoes")

    archived = get_json(f"{replica.url}/archived/petitions.json?parliament=2017-2019")
    assert [entry["id"] for entry in archived["data"]] == [221342]
    assert get_json(f"{replica.url}/petitions.json")["data"] == []


def test_archiving_a_petition_moves_it(replica):
    replica.add_petition(44, signature_count=100)
    replica.archive(44)
    status, headers, _ = get(f"{replica.url}/petitions/44.json")
    assert status == 302
    data = get_json(headers["Location"])["data"]
    assert data["parliament"]["period"] == "2019-2024" and data["attributes"]["state"] == "closed"


def test_bad_unknown_and_removed_ids(replica):
    replica.add_petition(77)
    assert get(f"{replica.url}/petitions/abc.json")[0] == 400
    assert get(f"{replica.url}/petitions/78.json")[0] == 404
    replica.remove(77)
    assert get(f"{replica.url}/petitions/77.json")[0] == 410
    assert get(f"{replica.url}/petitions/77/count.json")[0] == 410
    assert get_json(f"{replica.url}/petitions.json")["data"] == []


def test_petitions_in_moderation_redirect(replica):
    replica.add_petition(80, state="sponsored")
    status, headers, _ = get(f"{replica.url}/petitions/80.json")
    assert status == 302 and headers["Location"].endswith("/petitions/80/moderation-info")
    assert get(headers["Location"])[0] == 200


def test_response_edit_keeps_the_earlier_text(replica):
    replica.add_petition(90, signature_count=11_000)
    replica.respond(90, "First summary.", "First details.", responded_on="2024-02-01",
                 updated_at="2024-02-01T09:00:00.000Z")
    replica.edit_response(90, summary="Second summary.")
    attributes = get_json(f"{replica.url}/petitions/90.json")["data"]["attributes"]
    response = attributes["government_response"]
    assert response["summary"] == "Second summary." and response["details"] == "First details."
    assert response["updated_at"] > response["created_at"] == "2024-02-01T09:00:00.000Z"
    assert "First summary." in attributes["other_parliamentary_business"][0]["body"]


def test_debate_close_and_reject_show_in_the_documents(replica):
    replica.add_petition(60, signature_count=100_500)
    replica.schedule_debate(60, "2025-03-10")
    attributes = get_json(f"{replica.url}/petitions/60.json")["data"]["attributes"]
    assert attributes["scheduled_debate_date"] == "2025-03-10" and ISO_TIME.match(attributes["debate_scheduled_on"])
    assert [e["id"] for e in get_json(f"{replica.url}/petitions.json?state=awaiting_debate")["data"]] == [60]
    replica.debate(60, None)
    assert get_json(f"{replica.url}/petitions/60/count.json")["debated"] is False
    assert [e["id"] for e in get_json(f"{replica.url}/petitions.json?state=not_debated")["data"]] == [60]
    replica.debate(60, "2025-03-10")
    assert get_json(f"{replica.url}/petitions/60/count.json")["debated"] is True
    replica.close(60)
    attributes = get_json(f"{replica.url}/petitions/60.json")["data"]["attributes"]
    assert attributes["state"] == "closed" and attributes["closing_date"] is None
    assert attributes["creator_name"] is None and attributes["debate"]["transcript_url"].startswith("https://")

    replica.add_petition(61)
    replica.reject(61, "duplicate", "There's already a petition about this issue.")
    attributes = get_json(f"{replica.url}/petitions/61.json")["data"]["attributes"]
    assert attributes["rejection"] == {"code": "duplicate", "details": "There's already a petition about this issue."}
    assert ISO_TIME.match(attributes["rejected_at"]) and "signatures_by_country" not in attributes


def test_html_page_shows_action_count_and_response(replica):
    replica.seed()
    status, headers, body = get(f"{replica.url}/archived/petitions/221342")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Put pressure on the Chinese Government" in page and "11,406" in page
    assert "This is a priority area of concern in China." in page


def test_trending_lists_the_last_hours_gains(replica):
    replica.add_petition(1, signature_count=100)
    replica.add_petition(2, signature_count=100)
    replica.sign(1, 150)
    replica.sign(2, 400)
    data = get_json(f"{replica.url}/trending.json")["data"]
    assert [(row["id"], row["attributes"]["signatures_in_last_hour"]) for row in data] == [(2, 300), (1, 50)]
