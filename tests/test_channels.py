"""[[alert]] tables: channels load with their secrets from the environment, wrong ones fail clearly."""

from __future__ import annotations

import re

import pytest

from monitor.alerts.channels import OPT_IN_KINDS, expand, known_kinds
from monitor.watchlist.config import load_config
from monitor.errors import ConfigError

SECRET = "pw-Zebra-9471"
PETITION = '[[petition]]\nurl = "https://petition.parliament.uk/petitions/1"\ntags = ["china"]\n'


def write(tmp_path, text):
    path = tmp_path / "watchlist.toml"
    path.write_text(text)
    return path


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SMTP_USER", "campaign@example.org")
    monkeypatch.setenv("SMTP_PASS", SECRET)


def test_a_channel_loads_with_its_filters_and_a_masked_url(tmp_path, env):
    config = load_config(write(tmp_path, PETITION + """
[[alert]]
name = "team-mail"
url = "mailtos://${SMTP_USER}:${SMTP_PASS}@smtp.example.org?to=team@example.org"
kinds = ["threshold_crossed", "response_published"]
tags = ["china"]
digest = "1h"
deadline = "6h"
backoff = "10s"
title = "[govwatch] {title}"
"""))
    [channel] = config.alerts
    assert channel.name == "team-mail" and channel.entry == "[[alert]] #1"
    assert channel.kinds == ("threshold_crossed", "response_published") and channel.tags == ("china",)
    assert (channel.digest, channel.deadline, channel.backoff) == (3600, 6 * 3600, 10)
    assert channel.title == "[govwatch] {title}"
    # the user lands percent-encoded in the URL, so its '@' does not end the user part
    assert channel.url.startswith("mailtos://campaign%40example.org:" + SECRET + "@smtp.example.org")
    assert SECRET not in channel.display_url and SECRET not in repr(channel) and SECRET not in repr(config)
    assert channel.display_url.startswith("mailtos://") and "smtp.example.org" in channel.display_url
    assert channel.mask(f"login {SECRET} refused") == "login **** refused"
    assert config.channel("team-mail") is channel


def test_wants_follows_kinds_tags_and_watches(tmp_path, env):
    config = load_config(write(tmp_path, PETITION + """
[[alert]]
name = "all"
url = "json://127.0.0.1:9/hook"
[[alert]]
name = "china-responses"
url = "json://127.0.0.1:9/hook"
kinds = ["response_published", "sweep_started"]
tags = ["china"]
[[alert]]
name = "one-watch"
url = "json://127.0.0.1:9/hook"
watches = ["petition.parliament.uk/1"]
"""))
    every, china, one = config.alerts
    assert every.wants("threshold_crossed", "w", ()) and not every.wants("sweep_started", "w", ())
    assert not every.wants("watch_failing", "w", ()) and OPT_IN_KINDS <= known_kinds()
    assert china.wants("response_published", "w", ("china", "x")) and china.wants("sweep_started", "w", ("china",))
    assert not china.wants("response_published", "w", ("uk",)) and not china.wants("debated", "w", ("china",))
    assert one.wants("debated", "petition.parliament.uk/1", ()) and not one.wants("debated", "other", ())


@pytest.mark.parametrize(("table", "message"), [
    ('name = "m"\nurl = "mailtos://${SMTP_USER}:${NOPE_PASS}@smtp.example.org"',
     r"\[\[alert\]\] #1, key 'url': the environment variable NOPE_PASS is not set"),
    ('name = "m"\nurl = "mailtos://u:${SMTP_PASS@smtp.example.org"', r"key 'url': write environment variables as"),
    ('name = "m"\nurl = "nosuchservice://u:${SMTP_PASS}@host"', r"key 'url': not a notification URL Apprise knows"),
    ('name = "m"\nurl = "json://h/x"\nkinds = ["threshold_crosed"]', r"key 'kinds': unknown event kind 'threshold_crosed'"),
    ('name = "m"\nurl = "json://h/x"\nbody = "{title} {signatures}"', r"key 'body': unknown field \{signatures\}"),
    ('name = "m"\nurl = "json://h/x"\ntitle = "{title"', r"key 'title': not a valid template"),
    ('name = "m"\nurl = "json://h/x"\ndigest = "soon"', r"key 'digest': expected a duration"),
    ('name = "m"\nurl = "json://h/x"\nwatches = ["nope"]', r"key 'watches': no watch named 'nope'"),
    ('name = "m"\nurl = "json://h/x"\nto = "x"', r"key 'to': unknown key"),
    ('url = "json://h/x"', r"key 'name': missing"),
    ('name = "m"\nurl = "json://h/x"\n[[alert]]\nname = "m"\nurl = "json://h/y"',
     r"\[\[alert\]\] #2, key 'name': duplicate channel 'm', already defined by \[\[alert\]\] #1"),
])  # fmt: skip
def test_wrong_channels_name_file_entry_and_key_never_the_secret(tmp_path, env, table, message):
    path = write(tmp_path, PETITION + "[[alert]]\n" + table + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = str(error.value) + str(error.value.hint)
    assert str(path) in text and re.search(message, text), text
    assert SECRET not in text


def test_a_literal_password_is_masked_too(tmp_path):
    config = load_config(write(tmp_path, '[[alert]]\nname = "h"\nurl = "json://bob:Lit3ral-Secret@127.0.0.1:9/x"\n'))
    [channel] = config.alerts
    assert "Lit3ral-Secret" not in channel.display_url
    assert channel.mask("auth Lit3ral-Secret failed") == "auth **** failed"
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, '[[alert]]\nname = "h"\nurl = "zzz://bob:Lit3ral-Secret@127.0.0.1:9/x"\n'))
    assert "Lit3ral-Secret" not in str(error.value) and "zzz://bob:****@" in str(error.value)


def test_expand_reads_variables_and_lists_what_to_mask():
    url, secrets = expand("json://${U}:${P}@${HOST}/x", {"U": "me", "P": "a/b@c", "HOST": "hooks.example.org"})
    assert url == "json://me:a%2Fb%40c@hooks.example.org/x"
    assert "a/b@c" in secrets and "a%2Fb%40c" in secrets and "hooks.example.org" in secrets
    assert "me" in secrets  # every value, whatever its length (masked where it stands alone)
    with pytest.raises(KeyError, match="P"):
        expand("json://${P}@h", {})


def test_the_readme_documents_every_alert_key_and_template_field(tmp_path, monkeypatch):
    from monitor.alerts.channels import _KEYS
    from monitor.alerts.messages import FIELDS
    from tests.test_config import ROOT, readme_watchlists

    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Alerts", 1)[1].split("\n## ", 1)[0]
    assert {m for m in re.findall(r"^\| `(\w+)` \|", section, re.M)} == _KEYS
    assert set(re.findall(r"`\{(\w+)\}`", section)) == set(FIELDS)
    [block] = [b for b in readme_watchlists() if "[[alert]]" in b]
    for name in re.findall(r"\$\{(\w+)\}", block):
        monkeypatch.setenv(name, f"example-{name.lower()}-value")
    config = load_config(write(tmp_path, block))
    assert [c.name for c in config.alerts] == ["team-mail", "newsroom-hook", "campaign-signal"]
    assert config.alerts[1].digest == 3600 and "example-hook_token-value" not in config.alerts[1].display_url
