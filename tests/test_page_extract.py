"""Extraction and decoding of HTML pages, on small documents (no network)."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.watchlist.config import CountRule, PageWatch
from monitor.replica import letter
from monitor.replica.pages import AdvocacyReplica, Encoding
from spiders.page_decode import decode_html
from spiders.page_extract import extract


def watch(**rules) -> PageWatch:
    return PageWatch(id="w", kind="page", url="https://example.org/", entry="test", **rules)


CHROME = """<!DOCTYPE html><html><head><title>Open letter | Amnesty</title><style>p {{color: red}}</style>
<script>var built = "10:00:01"</script></head><body>
<div class="cookie-banner">We use cookies</div>
<header><p>Amnesty International UK</p><a href="/login">Log in</a></header>
<nav><ul><li><a href="/act">Act now</a></li><li><a href="/donate">Donate</a></li></ul></nav>
<div class="wrap">{main}<aside><h2>Latest posts</h2><ul><li><a href="/1">Hong Kong</a></li></ul></aside></div>
<form class="newsletter"><input type="hidden" name="csrf" value="s3cr3t-token"><p>Sign up to our newsletter</p></form>
<footer><p>Page built 10:00:01</p></footer></body></html>"""
ARTICLE = ("<article><h1>Stand Up for International Principles</h1><p>Dear Members of Parliament,</p>"
           "<p hidden>Draft paragraph</p><p style='display: none'>Hidden too</p><ul><li>Padma Dolma, activist</li>"
           "<li>Ma Jian,\n   writer</li></ul><footer><p>Viewed 3,001 times</p></footer></article>")


def test_the_article_is_the_main_content_without_chrome():
    page = extract(CHROME.format(main=ARTICLE), watch())
    assert page.title == "Open letter | Amnesty"
    assert page.lines == ("Stand Up for International Principles", "Dear Members of Parliament,",
                          "Padma Dolma, activist", "Ma Jian, writer", "Viewed 3,001 times")
    assert page.items == ("Padma Dolma, activist", "Ma Jian, writer")
    assert page.line_paths[2] == "div.wrap/article/ul/li"


def test_scripts_styles_forms_tokens_nav_header_footer_and_banners_are_dropped_from_the_whole_body():
    text = extract(CHROME.format(main=ARTICLE), watch(selector="body")).text
    for gone in ("color: red", "10:00:01", "cookies", "Log in", "Act now", "newsletter", "s3cr3t", "Draft",
                 "Hidden too"):
        assert gone not in text, gone
    assert "Latest posts" in text and "Viewed 3,001 times" in text  # not chrome by default: noise learning's job


def test_without_semantic_markup_the_densest_block_wins():
    soup = ("<div id='content'><h1>Call on China to end its human rights violations</h1>"
            "<p>" + "We, the undersigned, urge you to take action. " * 20 + "</p></div>"
            "<div class='sidebar'><a href='/a'>Related</a> <a href='/b'>Most read</a> <p>Follow us</p></div>")
    page = extract(CHROME.format(main=soup), watch())
    assert page.lines[0] == "Call on China to end its human rights violations"
    assert "Follow us" not in page.text and "Related" not in page.text


def test_selectors_css_and_xpath_ignore_list_and_count():
    html = CHROME.format(main=ARTICLE + "<div class='count'><span>11,406</span> signatures</div>")
    assert extract(html, watch(selector="xpath://article//li")).lines == ("Padma Dolma, activist", "Ma Jian, writer")
    assert "Viewed" not in extract(html, watch(selector="article", ignore=("article footer",))).text
    assert extract(html, watch(list="nav li")).items == ("Act now", "Donate")  # a selector may point into chrome
    by_selector = extract(html, watch(count=CountRule(selector=".count span")))
    by_pattern = extract(html, watch(count=CountRule(pattern=r"([\d,]+) signatures")))
    assert (by_selector.count, by_selector.count_text) == (by_pattern.count, by_pattern.count_text) == (11406, "11,406")
    assert extract(html, watch(selector=".nothing-here")).empty


def test_text_is_nfc_with_whitespace_collapsed_and_every_script_kept():
    decomposed = unicodedata.normalize("NFD", "Café naïve")
    html = (f"<article><p>{decomposed}\u00a0\u200b and   more</p><p lang='zh'>{letter.CHINESE_SIGNATORIES[0]}</p>"
            "<pre>line one\nline two</pre></article>")
    page = extract(html, watch())
    assert page.lines == ("Café naïve and more", "卓玛, 活动人士", "line one", "line two")
    assert unicodedata.is_normalized("NFC", page.text)


def test_a_page_wrapped_in_one_form_keeps_its_content():
    html = "<body><form id='aspnetForm'><input type='hidden' value='x'><article><p>" + "Text. " * 50 + "</p></article></form></body>"
    assert extract(html, watch()).lines == (("Text. " * 50).strip(),)


@pytest.mark.parametrize(("codec", "declared", "where", "bom"), [
    ("cp1252", "iso-8859-1", "header", False),   # Latin-1 declared: browsers read Windows-1252
    ("cp1252", None, None, False),               # nothing declared
    ("cp1252", "windows-1252", "meta", False),
    ("utf-8", "windows-1252", "header", False),  # UTF-8 declared as Windows-1252
    ("utf-8", "iso-8859-1", "both", True),       # a BOM wins over any label
    ("utf-8", "utf-8", "meta", False),
])  # fmt: skip
def test_encodings_are_decoded_right(codec, declared, where, bom):
    site = AdvocacyReplica()
    encoding = Encoding(codec, declared, where or "header", bom)
    html = site.letter_page(1, encoding)
    body = html.encode(codec, errors="xmlcharrefreplace")
    if bom:
        body = b"\xef\xbb\xbf" + body
    content_type = f"text/html; charset={declared}" if declared and where in ("header", "both") else "text/html"
    text, used = decode_html(body, content_type)
    page = extract(text, watch())
    assert "People’s Republic of China" in page.text and "“extremists”" in page.text
    assert "In Chinese (中文)" in page.text and "邵江, 活动人士" in page.items
    assert used == ("cp1252" if codec == "cp1252" else "utf-8")


def test_undecodable_bytes_fall_back_without_failing():
    text, used = decode_html(b"<p>Caf\xe9 \x81</p>", "text/html; charset=utf-8")
    assert used == "cp1252" and "Café" in text
