"""Event renderers: readable titles and bodies, and nothing scraped can become markup or script."""

from __future__ import annotations

import re

import lxml.html
import pytest
from lxml import etree

from monitor.publish.chart import signature_svg
from monitor.detect.petitions import DETECTORS
from monitor.detect.pages import PAGE_DETECTORS
from monitor.detect.health import KINDS as HEALTH_KINDS
from monitor.items import Event
from monitor.publish.render import (
    RENDERERS,
    diff_html,
    page_url,
    plain,
    render,
    renderer,
    sanitize,
    xml_text,
)

# Every way a page could try to get markup or script into a reader.
HOSTILE = [
    "<script>alert('x')</script>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(2)",
    '<img src="x" onload="alert(3)" onerror="alert(4)">',
    '<body onload="alert(5)">',
    "]]><![CDATA[<script>alert(6)</script>]]>",
    "bell\x07 null\x00 vt\x0b esc\x1b c1\x85 nonchar\ufffe",
    '<svg onload="alert(7)"><iframe src="javascript:alert(8)"></iframe>',
    "<style>body{display:none}</style><object data=x></object>",
    '"><script>alert(9)</script>',
]
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def event(kind: str = "response_published", text: str = "", **data: object) -> Event:
    return Event(
        key=f"petition/example.org/1/{kind}", kind=kind, watch_id="w", petition_id="example.org/1",
        title=f"Government responded: {text}", summary=f"Summary {text}",
        url="https://example.org/petitions/1", occurred_at="2018-11-30T14:03:12.000Z",
        detected_at="2026-01-02T03:04:05.000Z", data={"signature_count": 12345} | data,
    )  # fmt: skip


def assert_inert(fragment: str) -> None:
    """Parse the HTML as a browser would and find nothing that can run or load script."""
    assert not FORBIDDEN.search(fragment)
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        assert element.tag not in ("script", "style", "iframe", "object", "svg", "embed", "body"), element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src"):
                assert value.startswith(("http://", "https://")), value


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_hostile_text_renders_inert(kind, text):
    debate = {"debated_on": "2027-03-12", "overview": text, "transcript_url": "javascript:alert(1)",
              "video_url": f"https://example.org/v?{text}"}  # fmt: skip
    rendered = render(event(kind, text, response={"summary": text, "details": text}, diff=f"- {text}\n+ {text}",
                            debate=debate, responded_on="2018-11-30", words=[f"a [-{text}-]{{+{text}+}} b"],
                            items=[text, text]))  # fmt: skip
    assert_inert(rendered.html)
    assert "<" not in rendered.title and ">" not in rendered.title
    assert not FORBIDDEN.search(rendered.title)


@pytest.mark.parametrize("text", HOSTILE)
def test_sanitizer_disarms_raw_html(text):
    assert_inert(sanitize(f"<p>{text}</p><a href='https://ok.example/'>ok</a>"))


def test_scraped_text_stays_readable_as_text():
    response = {"summary": "We <b>will</b> act", "details": "Para one.\n\nPara two."}
    rendered = render(event(text="a < b", response=response))
    root = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
    assert "We <b>will</b> act" in root.text_content()  # shown, not interpreted
    assert [p.text_content() for p in root.iter("p")][1:3] == ["Para one.", "Para two."]
    assert rendered.title == "Government responded: a ‹ b"


def test_entry_body_has_summary_response_count_dates_and_page_link():
    rendered = render(event(response={"summary": "This is a priority.", "details": "We raised it at the UN."},
                            responded_on="2018-11-30"))  # fmt: skip
    root = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
    text = root.text_content()
    assert "The government's response of 30 November 2018" in text
    assert "This is a priority." in text and "We raised it at the UN." in text
    assert "Signatures: 12,345" in text
    assert "Happened: 30 November 2018" in text and "Detected by govwatch: 2 January 2026" in text
    assert [a.get("href") for a in root.iter("a")] == ["https://example.org/petitions/1"]
    assert rendered.link == "https://example.org/petitions/1"


def test_addresses_in_text_become_links_without_trailing_punctuation():
    body = render(event("debated", debate={"debated_on": "2027-03-12", "overview": "See https://x.org/a?b=1&c=2."}))
    hrefs = [a.get("href") for a in lxml.html.fragment_fromstring(body.html, create_parent="div").iter("a")]
    assert "https://x.org/a?b=1&c=2" in hrefs


def test_debate_links_keep_only_web_addresses():
    body = render(event("debated", debate={"debated_on": "2027-03-12", "transcript_url": "javascript:alert(1)",
                                           "video_url": "https://parliamentlive.tv/x"}))  # fmt: skip
    links = {a.text_content(): a.get("href") for a in lxml.html.fragment_fromstring(body.html, "div").iter("a")}
    assert "Transcript" not in links and links["Video"] == "https://parliamentlive.tv/x"


def test_diff_shows_removed_and_added_paragraphs():
    root = lxml.html.fragment_fromstring(diff_html("Response:\n  kept\n- old text\n+ new text"), create_parent="div")
    assert [h.text for h in root.iter("h4")] == ["Response"]
    assert [d.text for d in root.iter("del")] == ["old text"]
    assert [i.text for i in root.iter("ins")] == ["new text"]


def test_plain_text_and_urls():
    assert xml_text("a\x00b\x1bc\td\ne") == "abc\td\ne"
    assert plain("Stop <script>alert(1)</script> the <b>bad</b>  thing\n") == "Stop the bad thing"
    assert page_url("https://example.org/petitions.json?state=open") == "https://example.org/petitions?state=open"
    assert page_url("javascript:alert(1)") is None and page_url(None) is None


def test_every_event_kind_has_a_renderer_with_a_feed_title_and_docstring():
    for kind in [*DETECTORS, *PAGE_DETECTORS, *HEALTH_KINDS, "sweep_started"]:
        assert kind in RENDERERS, f"no renderer for {kind}: add one to monitor/publish/render.py"
    for registered in RENDERERS.values():
        assert registered.label and (registered.fn.__doc__ or "").strip()


def test_a_page_change_strikes_edited_words_and_lines():
    rendered = render(event("page_changed", "x", words=["Xi Jinping [-will make-]{+made+} a State Visit."],
                            diff="  Dear Members of Parliament,\n- old line\n+ new line"))  # fmt: skip
    root = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
    assert [d.text for d in root.iter("del")] == ["will make", "old line"]
    assert [i.text for i in root.iter("ins")] == ["made", "new line"]


def test_a_renderer_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        renderer("debated", "Debates again")(lambda e, c: [])


def test_unknown_kind_gets_the_generic_body_with_its_diff():
    rendered = render(event("some_new_kind", "x", diff="- before\n+ after"))
    root = lxml.html.fragment_fromstring(rendered.html, create_parent="div")
    assert [d.text for d in root.iter("del")] == ["before"] and [i.text for i in root.iter("ins")] == ["after"]


def test_signature_curve_svg():
    assert signature_svg([("2026-01-01T00:00:00Z", 5)]) is None
    svg = signature_svg([("2026-01-01T00:00:00Z", 9990), ("2026-01-01T06:00:00Z", 10050),
                         ("2026-01-02T00:00:00Z", 10400)], threshold=10000)  # fmt: skip
    root = etree.fromstring(svg.encode())
    [line] = root.iter("{http://www.w3.org/2000/svg}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(points) == 3 and points[0][0] < points[1][0] < points[2][0]
    assert points[0][1] > points[1][1] > points[2][1]  # counts rise, so the line goes up the image
    assert "10,400 signatures" in svg
