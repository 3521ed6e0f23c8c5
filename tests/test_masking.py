"""Secrets are masked in every logger's lines, and every ${VAR} value whatever its length."""

from __future__ import annotations

import logging

import pytest

from monitor.watchlist.config import load_config
from monitor.masking import SecretFilter, mask
from tests.support.receivers import MailServer, Webhook

TOKEN = "tok-Heron-7719"


@pytest.fixture
def hook():
    with Webhook() as server:
        yield server


def test_a_secret_in_a_webhook_path_never_reaches_the_debug_log(gw, hook, monkeypatch):
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    gw.add(f'[[alert]]\nname = "team-hook"\nurl = "{hook.url(path="/hook/${HOOK_TOKEN}")}"')
    done = gw.run("-vv", "alerts", "test")
    assert hook.posts[0].path == f"/hook/{TOKEN}"  # it was sent there...
    assert "POST /hook/****" in done.stderr  # ...and urllib3's debug line said so, masked
    assert TOKEN not in done.stderr + done.stdout


def test_a_short_variable_value_is_masked_where_it_stands_alone(gw, monkeypatch):
    monkeypatch.setenv("SMTP_USER", "me")
    monkeypatch.setenv("SMTP_PASS", "pw")
    with MailServer() as mail:
        gw.add(f'[[alert]]\nname = "team-mail"\nurl = "{mail.url(user="${SMTP_USER}", password="${SMTP_PASS}")}"')
        [channel] = load_config(gw.config).alerts
        assert "me:" not in channel.display_url and "****" in channel.display_url
        assert channel.mask("login me failed: pw wrong; see the message") == "login **** failed: **** wrong; see the message"
        listing = gw.run("alerts").stdout
    assert "mailto://****:****@" in listing or "mailtos://****:****@" in listing, listing


def test_the_filter_masks_messages_arguments_and_exceptions():
    secrets = SecretFilter()
    secrets.add(["Zebra-9471", "me"])
    try:
        raise ValueError("bad password Zebra-9471 for me")
    except ValueError:
        record = logging.LogRecord("urllib3", logging.DEBUG, __file__, 1, "POST /x/%s by %s", ("Zebra-9471", "me"),
                                   exc_info=__import__("sys").exc_info())
    secrets.filter(record)
    assert record.getMessage() == "POST /x/**** by ****"
    assert "Zebra-9471" not in record.exc_text and str(record.exc_info[1]) == "bad password **** for ****"
    assert mask("some message", ["me"]) == "some message"
