"""Alerts delivered for real: `govwatch check` against the replica, Apprise to an SMTP server and a webhook."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor.clock import iso, parse_iso
from tests.support.receivers import MailServer, Webhook

SECRET = "Zebra/9471@pw"  # a '/' and an '@': it must be percent-encoded in the URL, and masked in both forms
ENCODED = "Zebra%2F9471%40pw"
HOOK_SECRET = "hook-Otter-5512"


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture
def hook():
    with Webhook() as server:
        yield server


def watch_petitions(replica, gw, numbers, count=12_000):
    """Put petitions past 10,000 signatures on the replica and watch each: one event per petition."""
    for n in numbers:
        replica.add_petition(n, action=f"Fund project number {n}", signature_count=count)
        gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/{n}"')


def channel(gw, name, url, **keys):
    lines = [f'name = "{name}"', f'url = "{url}"'] + [f"{k} = {v}" for k, v in keys.items()]
    gw.add("[[alert]]\n" + "\n".join(lines))


def plain(message) -> str:
    """Return the text part of an e-mail, with its CRLF line ends as \\n."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def detected(gw):
    return [e["key"] for e in gw.events()]


def test_each_event_arrives_once_by_mail_and_by_webhook(replica, gw, mail, hook):
    replica.seed()
    gw.add(f'[[petition]]\nurl = "{replica.url}/petitions/221342"')
    channel(gw, "team-mail", mail.url())
    channel(gw, "team-hook", hook.url())

    out = gw.check().stdout
    events = gw.events()
    assert [e["kind"] for e in events] == ["threshold_crossed", "response_published"]
    assert "Alerts: 4 sent (4 deliveries)" in out

    assert mail.keys() == [e["key"] for e in events]
    for message, e in zip(mail.messages, events, strict=True):
        assert message["Subject"] == e["title"] and message["To"] == "team@example.org"
        body = plain(message)
        assert body.startswith("Petition 221342 · ") and f"\n{e['url']}\nEvent: {e['key']}" in body
    response_mail = plain(mail.messages[1])
    assert "30 November 2018" in response_mail and "This is a priority area of concern in China." in response_mail

    assert hook.keys() == [e["key"] for e in events]
    for post, e in zip(hook.posts, events, strict=True):
        assert post.path == "/hook" and post.headers["Content-Type"] == "application/json"
        assert post.body["title"] == e["title"] and e["key"] in post.body["message"]
        sent = post.body["event"]
        assert {k: sent[k] for k in ("key", "kind", "title", "summary", "url", "occurred_at", "detected_at")} == \
            {k: e[k] for k in ("key", "kind", "title", "summary", "url", "occurred_at", "detected_at")}
        assert sent["data"] == e["data"] and sent["petition"] == e["petition_id"]

    gw.check()  # nothing new: nothing sent again
    assert len(mail.messages) == 2 and len(hook.posts) == 2
    assert gw.query("SELECT status, count(*) AS n FROM deliveries GROUP BY status") == [{"status": "delivered", "n": 4}]
    assert "Nothing pending or failed." in gw.run("alerts").stdout


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["refusing-and-500", "gone-and-hanging"])
def test_a_channel_down_while_20_events_are_detected_gets_all_20_once_in_order(replica, gw, mail, hook, failure):
    watch_petitions(replica, gw, range(710001, 710021))
    channel(gw, "team-mail", mail.url(), backoff='"0.1s"')
    channel(gw, "team-hook", hook.url(), backoff='"0.1s"')
    if failure == "refusing-and-500":
        mail.refusing, hook.mode = True, "error"
    else:
        mail.stop()
        hook.mode = "hang"

    out = gw.check().stdout
    keys = detected(gw)
    assert len(keys) == 20 and "Alerts: 0 sent (0 deliveries), 2 to retry" in out
    # the error each channel met is shown, and kept on the delivery row
    if failure == "refusing-and-500":
        assert 'team-mail: Sending email to "team@example.org" failed.' in out and "error=500" in out
    else:
        assert "team-mail: Connection error" in out and "team-hook: A Connection error occurred" in out
    assert mail.messages == [] and hook.posts == []
    listing = gw.run("alerts").stdout
    assert listing.count("pending ") == 40 and "team-mail" in listing

    if failure == "refusing-and-500":
        mail.refusing, hook.mode = False, "ok"
    else:
        mail.start()
        hook.mode = "ok"
    time.sleep(0.1)  # the retry is due after 50-100 ms
    assert "Alerts: 40 sent (40 deliveries)" in gw.run("alerts", "send").stdout
    assert mail.keys() == keys and hook.keys() == keys  # each once, in order of detection
    [row] = gw.query("SELECT min(attempts) AS lo, max(attempts) AS hi, count(*) AS n FROM deliveries"
                     " WHERE status = 'delivered'")  # fmt: skip
    assert row == {"lo": 1, "hi": 2, "n": 40}  # the head of each channel was tried twice, the rest once


def _wait_clear_of_the_hour() -> None:
    """Keep detection and the check's dispatch inside one digest period."""
    now = datetime.now(UTC)
    if now.minute == 59 and now.second >= 50:
        time.sleep(61 - now.second)


def test_a_digest_sends_one_message_listing_every_event_of_its_period(replica, gw, mail, hook):
    watch_petitions(replica, gw, range(720001, 720004))
    channel(gw, "digest-mail", mail.url(), digest='"1h"')
    channel(gw, "digest-hook", hook.url(), digest='"1h"')
    _wait_clear_of_the_hour()

    assert "Alerts: 0 sent (0 deliveries)" in gw.check().stdout  # the hour is not over
    keys = detected(gw)
    [row] = gw.query("SELECT DISTINCT digest_until FROM deliveries")
    end = row["digest_until"]
    assert parse_iso(end) - parse_iso(gw.events()[0]["detected_at"]) <= timedelta(hours=1) and end.endswith(":00:00.000Z")

    assert "Alerts: 0 sent" in gw.run("alerts", "send", "--now", iso(parse_iso(end) - timedelta(seconds=1))).stdout
    assert "Alerts: 2 sent (6 deliveries)" in gw.run("alerts", "send", "--now", end).stdout
    [message] = mail.messages
    start = parse_iso(end) - timedelta(hours=1)
    assert message["Subject"] == f"govwatch: 3 events, {start.day} {start:%B %Y}, {start:%H:00}–{parse_iso(end):%H:00} UTC"
    body = plain(message)
    assert all(f"Event: {key}" in body for key in keys) and body.count("• 10,000 signatures: Fund project") == 3
    assert message["X-Govwatch-Event"] == f"digest/digest-mail/{end}"
    [post] = hook.posts
    assert [e["key"] for e in post.body["events"]] == keys and post.body["digest"]["until"] == end

    assert "Alerts: 0 sent" in gw.run("alerts", "send", "--now", iso(parse_iso(end) + timedelta(hours=3))).stdout
    assert len(mail.messages) == 1 and len(hook.posts) == 1


def test_alerts_test_sends_to_each_channel_and_prints_each_result(gw, mail, hook):
    channel(gw, "team-mail", mail.url())
    channel(gw, "team-hook", hook.url())
    channel(gw, "dead-hook", "json://127.0.0.1:9/nothing?cto=0.5")
    proc = gw.run("alerts", "test", check=False)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["team-mail: sent", "team-hook: sent"] and lines[2].startswith("dead-hook: FAILED: ")
    assert mail.messages[0]["Subject"] == "govwatch test message for team-mail"
    assert hook.posts[0].body["event"]["key"].startswith("test/team-hook/")
    assert gw.run("alerts", "test", "--name", "team-hook").stdout == "team-hook: sent\n"
    assert len(hook.posts) == 2 and len(mail.messages) == 1
    proc = gw.run("alerts", "test", "--name", "nope", check=False)
    assert proc.returncode == 2 and "no alert channel named 'nope'" in proc.stderr


def test_a_channel_password_never_appears_in_output_logs_errors_or_the_database(replica, gw, hook, monkeypatch):
    monkeypatch.setenv("SMTP_USER", "campaign-team")
    monkeypatch.setenv("SMTP_PASS", SECRET)
    monkeypatch.setenv("HOOK_PASS", HOOK_SECRET)
    monkeypatch.setenv("WRONG_PASS", "Wrong-Badger-0042")
    with MailServer(user="campaign-team", password=SECRET) as mail:
        watch_petitions(replica, gw, [730001])
        channel(gw, "team-mail", mail.url(user="${SMTP_USER}", password="${SMTP_PASS}"), backoff='"0.1s"')
        channel(gw, "bad-login", mail.url(user="${SMTP_USER}", password="${WRONG_PASS}"), backoff='"0.1s"')
        channel(gw, "team-hook", hook.url(auth="hookuser:${HOOK_PASS}@"), backoff='"0.1s"')
        mail.refusing, hook.mode = True, "error"
        outputs = [gw.run("-vv", "check"), gw.run("-vv", "alerts"), gw.run("-vv", "alerts", "test", check=False)]
        mail.refusing, hook.mode = False, "ok"
        time.sleep(0.1)
        outputs += [gw.run("-vv", "alerts", "send"), gw.run("-vv", "alerts")]
        monkeypatch.delenv("SMTP_PASS")
        outputs.append(gw.run("alerts", check=False))
    # the secrets were really used...
    assert ("campaign-team", SECRET) in mail.logins and ("campaign-team", "Wrong-Badger-0042") in mail.logins
    assert len(mail.messages) == 1  # the event, through team-mail (the test message was refused)
    authorization = hook.posts[0].headers["Authorization"]
    assert base64.b64decode(authorization.split()[1]).decode() == f"hookuser:{HOOK_SECRET}"
    # ...and shown nowhere
    text = "\n".join(p.stdout + p.stderr for p in outputs)
    assert "bad-login" in text and "team-mail: ****" not in text
    assert "the environment variable SMTP_PASS is not set" in outputs[-1].stderr
    stored = b"".join(path.read_bytes() for path in gw.folder.glob("govwatch.db*"))
    assert gw.query("SELECT count(*) AS n FROM deliveries WHERE last_error IS NOT NULL")[0]["n"] >= 1
    for secret in (SECRET, ENCODED, HOOK_SECRET, "Wrong-Badger-0042"):
        assert secret not in text
        assert secret.encode() not in stored
