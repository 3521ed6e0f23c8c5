"""[[page]] entries: valid ones load, wrong ones fail naming file, entry, key and problem."""

from __future__ import annotations

import re

import pytest

from monitor.watchlist.config import PageWatch, load_config
from monitor.errors import ConfigError
from tests.test_config import readme_watchlists, write

AMNESTY = ("https://www.amnesty.org.uk/blogs/yes-minister-it-human-rights-issue/"
           "stand-international-principles-and-call-china-end-its-human")  # fmt: skip


def test_a_full_page_entry_loads(tmp_path):
    config = load_config(write(tmp_path, f"""
[[page]]
url = "{AMNESTY}"
selector = "article"
ignore = ["aside", ".latest-posts", "footer"]
keywords = ["Government responded", "response"]
list = "article li"
count = {{ selector = ".count", pattern = "([\\\\d,]+) signatures", thresholds = [100000, 10000] }}
tags = ["china"]
interval = "1h"
cron = "0 9 * * 1-5"
"""))
    [page] = config.watches
    assert isinstance(page, PageWatch) and page.kind == "page"
    assert page.id == "www.amnesty.org.uk/blogs/yes-minister-it-human-rights-issue/" \
        "stand-international-principles-and-call-china-end-its-human"
    assert page.ignore == ("aside", ".latest-posts", "footer") and page.list == "article li"
    assert page.count.selector == ".count" and page.count.pattern == r"([\d,]+) signatures"
    assert page.thresholds == (10000, 100000) and page.interval == 3600 and page.tags == ("china",)
    assert page.cron == "0 9 * * 1-5"
    assert config.select("china") == (page,)


def test_a_page_needs_only_a_url(tmp_path):
    [page] = load_config(write(tmp_path, '[[page]]\nurl = "https://example.org/news?id=4"\nname = "news"\n')).watches
    assert page.id == "news" and page.selector is None and page.count is None and page.thresholds == ()


def test_the_readme_documents_the_amnesty_page(tmp_path):
    blocks = [block for block in readme_watchlists() if "[[page]]" in block]
    pages = [w for block in blocks for w in load_config(write(tmp_path, block)).watches if isinstance(w, PageWatch)]
    assert any(p.url == AMNESTY and p.list and p.keywords for p in pages)


@pytest.mark.parametrize(("text", "message"), [
    ('[[page]]\nselector = "article"\n', r"\[\[page\]\] #1, key 'url': missing"),
    ('[[page]]\nurl = "ftp://example.org/"\n', r"key 'url': expected an http\(s\) URL of a page"),
    ('[[page]]\nurl = "https://example.org/"\nselector = "div["\n',
     r"\[\[page\]\] #1, key 'selector': not a valid CSS selector .*'div\['"),
    ('[[page]]\nurl = "https://example.org/"\nselector = "xpath://div[@class="\n',
     r"key 'selector': not a valid XPath"),
    ('[[page]]\nurl = "https://example.org/"\nignore = ["aside", "a >> b"]\n', r"key 'ignore': not a valid CSS selector"),
    ('[[page]]\nurl = "https://example.org/"\nignore = "aside"\n', r"key 'ignore': expected a list"),
    ('[[page]]\nurl = "https://example.org/"\nlist = ""\n', r"key 'list': expected a CSS selector"),
    ('[[page]]\nurl = "https://example.org/"\nkeywords = ["", "x"]\n', r"key 'keywords': expected a list of non-empty"),
    ('[[page]]\nurl = "https://example.org/"\ncount = { thresholds = [10000] }\n', r"key 'count': give selector"),
    ('[[page]]\nurl = "https://example.org/"\ncount = { pattern = "([\\\\d,]+" }\n',
     r"\[\[page\]\] #1, count, key 'pattern': not a valid regular expression"),
    ('[[page]]\nurl = "https://example.org/"\ncount = { pattern = "(\\\\d+) of (\\\\d+)" }\n',
     r"count, key 'pattern': expected at most one group"),
    ('[[page]]\nurl = "https://example.org/"\ncount = { selector = ".c", thresholds = [0] }\n',
     r"count, key 'thresholds': expected a list of positive whole numbers"),
    ('[[page]]\nurl = "https://example.org/"\ncount = { selector = ".c", treshold = 5 }\n',
     r"count, key 'treshold': unknown key"),
    ('[[page]]\nurl = "https://example.org/"\nthresholds = [10000]\n', r"key 'thresholds': unknown key"),
    ('[[page]]\nurl = "https://example.org/a"\n[[page]]\nurl = "https://example.org/a"\n',
     r"\[\[page\]\] #2: duplicate watch 'example.org/a'"),
])  # fmt: skip
def test_invalid_pages_name_file_entry_and_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert re.search(message, str(error.value)), str(error.value)


def test_alerts_can_ask_for_page_events(tmp_path):
    config = load_config(write(tmp_path, f"""
[[page]]
name = "letter"
url = "{AMNESTY}"
[[alert]]
name = "signatories"
url = "json://127.0.0.1:9/hook"
kinds = ["list_item_added", "keyword_appeared", "page_changed"]
watches = ["letter"]
"""))
    [channel] = config.alerts
    assert channel.wants("list_item_added", "letter", ()) and not channel.wants("threshold_crossed", "letter", ())
