"""A watched site is untrusted input: a hostile site on 127.0.0.1 cannot read local files,
make a sweep endless, slip an absurd value past the store, or leave an error unexplained."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.support.hostile import HostileSite, entry, index, json_answer


@pytest.fixture
def site():
    with HostileSite() as hostile:
        yield hostile


def sweep(gw, site) -> None:
    gw.add(f'[[sweep]]\nsite = "{site.url}"\nstate = "open"')


def errors(gw) -> list[str]:
    return [r["error"] for r in gw.query("SELECT error FROM observations WHERE error IS NOT NULL ORDER BY id")]


# ---------------------------------------------------------------- 1. local files


@pytest.mark.parametrize("scheme", ["file", "data"])
def test_a_sweep_never_follows_a_link_to_a_local_file_or_data_url(site, gw, tmp_path, scheme):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"links": {}, "data": [entry(666, action="THE SECRET")]}))
    link = secret.as_uri() if scheme == "file" else "data:application/json," + secret.read_text()
    site.route("/petitions.json", lambda q: index([entry(1)], link))
    sweep(gw, site)
    gw.check()
    assert [r["number"] for r in gw.query("SELECT number FROM petitions")] == [1]
    [error] = errors(gw)
    assert f"links to a {scheme}: URL" in error and "only http and https" in error
    assert str(tmp_path) not in error and "secret" not in error  # nothing about the local machine


def test_a_petition_redirected_to_another_host_is_refused(site, gw):
    other = HostileSite()
    with other:
        other.route("/petitions/1.json", lambda q: json_answer({"data": entry(1, action="ELSEWHERE")}))
        elsewhere = other.url.replace("127.0.0.1", "localhost") + "/petitions/1.json"
        site.route("/petitions/1.json", lambda q: (302, {"Location": elsewhere}, b""))
        gw.add(f'[[petition]]\nurl = "{site.url}/petitions/1"')
        gw.check()
        assert other.hits("/petitions/1.json") == 0
    [error] = errors(gw)
    assert "redirected to another site (localhost)" in error
    assert gw.query("SELECT id FROM petitions") == []


def test_a_redirect_to_a_local_file_is_not_followed(site, gw, tmp_path):
    (tmp_path / "1.json").write_text(json.dumps({"data": entry(1, action="THE SECRET")}))
    site.route("/petitions/1.json", lambda q: (302, {"Location": (tmp_path / "1.json").as_uri()}, b""))
    gw.add(f'[[petition]]\nurl = "{site.url}/petitions/1"')
    gw.check()
    assert gw.query("SELECT id FROM petitions") == []
    [error] = errors(gw)
    assert str(tmp_path) not in error


# ---------------------------------------------------------------- 2. endless sweeps


def test_an_index_that_never_ends_stops_at_the_cap_of_its_first_links_last(site, gw):
    def endless(q):  # every page links to a new one, and links.last keeps moving away
        page = int(q.get("page", 1))
        return index([entry(page)], f"{site.url}/petitions.json?state=open&page={page + 1}",
                     f"{site.url}/petitions.json?state=open&page={page + 2}")

    site.route("/petitions.json", endless)
    sweep(gw, site)
    gw.check()
    assert site.hits("/petitions.json") == 4  # the first links.last (page 3), and one page more for a petition published meanwhile
    [error] = errors(gw)
    assert "stopped after 4 index pages" in error and "max_pages" in error


def test_an_index_without_links_last_stops_at_max_pages(site, gw):
    gw.hosts = gw.hosts.replace("max_size =", "max_pages = 5\nmax_size =")
    site.route("/petitions.json", lambda q: index(
        [entry(int(q.get("page", 1)))], f"{site.url}/petitions.json?page={int(q.get('page', 1)) + 1}"))
    sweep(gw, site)
    gw.check()
    assert site.hits("/petitions.json") == 5
    assert "stopped after 5 index pages" in errors(gw)[0]


def test_an_index_that_links_back_is_read_once(site, gw):
    site.route("/petitions.json", lambda q: index([entry(1)], f"{site.url}/petitions.json?state=open&count=50"))
    sweep(gw, site)
    gw.check()
    assert site.hits("/petitions.json") == 1
    assert "already read in this pass" in errors(gw)[0]


# ---------------------------------------------------------------- 6. absurd values, unrecordable polls


def petition(site, gw, **attributes) -> None:
    site.route("/petitions/1.json", lambda q: json_answer({"data": entry(1, **attributes)}))
    gw.settings = "failing_after = 2\n"
    gw.add(f'[[petition]]\nurl = "{site.url}/petitions/1"')


@pytest.mark.parametrize(("attributes", "expected"), [
    ({"signature_count": 18446744073709551615}, "signature_count is out of range: 18446744073709551615"),
    ({"signature_count": -5}, "signature_count is out of range: -5"),
    ({"created_at": "yesterday"}, "created_at is not a date: 'yesterday'"),
], ids=["too-large", "negative", "date"])
def test_an_absurd_value_is_an_error_of_the_watch_naming_the_field(site, gw, attributes, expected):
    petition(site, gw, **attributes)
    first = gw.check()
    gw.check()
    assert gw.query("SELECT number FROM petitions") == []
    assert expected in errors(gw)[0]
    [watch] = gw.query("SELECT last_outcome, last_checked_at, failures FROM watches")
    assert watch["last_outcome"] == "error" and watch["last_checked_at"] and watch["failures"] == 2
    assert [e["kind"] for e in gw.events()] == ["watch_failing"]
    assert "Unreachable or failing" in first.stdout and expected in first.stdout


def test_a_poll_the_database_refuses_is_recorded_as_an_error_and_check_says_so(site, gw):
    petition(site, gw, signature_count=10)
    gw.check()
    conn = sqlite3.connect(gw.database)
    for verb in ("INSERT", "UPDATE"):  # a real refusal of the store, as a full disk or a broken row gives
        conn.execute(f"CREATE TRIGGER refuse_{verb} BEFORE {verb} ON petitions BEGIN SELECT RAISE(ABORT, 'no room'); END")
    conn.commit()
    conn.close()
    site.route("/petitions/1.json", lambda q: json_answer({"data": entry(1, signature_count=20)}))
    done = gw.check()
    assert "1 polls could not be stored" in done.stdout
    assert "could not record this poll" in done.stdout  # under "Unreachable or failing"
    [error] = errors(gw)
    assert "could not record this poll" in error and "no room" in error
    assert gw.query("SELECT signature_count FROM petitions") == [{"signature_count": 10}]


# ---------------------------------------------------------------- 7. errors say why


def test_a_body_over_max_size_without_content_length_says_why_it_stopped(site, gw):
    site.route("/petitions/1.json", lambda q: (200, {"Content-Type": "application/json", "Content-Length": ""},
                                              b" " * (3 * 1024 * 1024)))
    gw.add(f'[[petition]]\nurl = "{site.url}/petitions/1"')
    gw.check()
    [error] = errors(gw)
    assert "grew past max_size (2.0 MB) without announcing its size" in error
    assert "raise max_size" in error
