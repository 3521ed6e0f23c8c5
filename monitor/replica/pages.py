"""A local advocacy site: the seed open letter and another platform's petition page, with real chrome.

    with AdvocacyReplica() as site:
        site.add_signatory("Ma Jian, writer")          # a new individual signs the letter
        site.edit_paragraph(0, "In October 2015, …")   # an edit of the letter's text
        site.add_update("Government responded: …")     # a note above the signatories
        site.set_signatures(11_406)                    # the petition page's count
        urlopen(site.url + site.letter_path)

Every answer carries chrome that changes on every request, as real sites do:
a "latest posts" box that rotates, a view counter, a footer with the time and
a CSRF token (also in a hidden input and a meta tag), a cookie banner with a
fresh id. Pages are served with `Cache-Control: no-cache` and no Last-Modified, so
a page's `interval` alone says when govwatch polls it (the e-petitions replica,
by contrast, sends max-age=60 unless told otherwise, and govwatch waits for it).

Controls: `serve_as` (the letter again at another path, in another encoding,
declared right or wrong, with or without a BOM), `big_page` (the letter with
comments up to a size), `redesign` (the letter's <article> becomes a <div>, so
a selector "article" stops matching), `remove` (404), and the e-petitions
replica's faults (`fault`).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from monitor.replica import letter
from monitor.replica.server import Fault, FaultBook, LoggedRequest, ReplicaServer, Reply, ServedSite

LATEST_POSTS = (
    "Hong Kong: five years on from the umbrella protests",
    "Why we are standing with Uyghur families",
    "Tibet: the monks who would not be silenced",
    "Human rights defenders in China: who they are",
    "Write for Rights: the letters that freed prisoners",
    "The death penalty in 2015: a record year",
    "Refugees returned to North Korea: what happens next",
)
SIGNERS = ("Jane from Leeds", "Amir from Bradford", "Chen from London", "Siobhan from Derry", "Owen from Cardiff",
           "Priya from Leicester", "Tom from Hull")  # fmt: skip
PETITION_PATH = "/petitions/put-pressure-on-china-uyghur-camps"
PETITION_TITLE = "Put pressure on the Chinese Government over the treatment of Uyghur Muslims"
BIG_PATH = "/blogs/yes-minister-it-human-rights-issue/open-letter-with-comments"


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a page's bytes are written and labelled."""

    codec: str = "utf-8"
    declared: str | None = "utf-8"  # the charset the page claims (None: no claim)
    where: str = "header"  # "header" (Content-Type), "meta" (<meta charset>) or "both"
    bom: bool = False


class AdvocacyReplica(ServedSite):
    """The advocacy site on 127.0.0.1: the open letter, a petition page, controls and a request log."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.letter_path = letter.PATH
        self.petition_path = PETITION_PATH
        self.big_path = BIG_PATH
        self.paragraphs = list(letter.PARAGRAPHS)
        self.organisations = list(letter.ORGANISATIONS)
        self.individuals = list(letter.INDIVIDUALS)
        self.chinese_signatories = list(letter.CHINESE_SIGNATORIES)
        self.updates: list[str] = []
        self.signatures = 11_406
        self.redesigned = False
        self.big_size = 5 * 1024 * 1024
        self.encodings: dict[str, Encoding] = {letter.PATH: Encoding()}
        self.removed: set[str] = set()
        self._address = (host, port)
        self._lock = threading.RLock()
        self._requests = itertools.count()
        self._log: list[LoggedRequest] = []
        self._faults = FaultBook()

    # -- serving ---------------------------------------------------------------------------

    def _make_server(self) -> ReplicaServer:
        return ReplicaServer(self._address, self._answer, self._faults, self._log.append)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Return the requests received so far (robots.txt included)."""
        return list(self._log)

    # -- controls ----------------------------------------------------------------------------

    def add_signatory(self, name: str, *, organisation: bool = False, chinese: bool = False) -> None:
        """Add a signatory at the end of its list."""
        with self._lock:
            (self.chinese_signatories if chinese else self.organisations if organisation else self.individuals).append(name)

    def remove_signatory(self, name: str) -> None:
        """Remove a signatory from whichever list holds it."""
        with self._lock:
            for names in (self.organisations, self.individuals, self.chinese_signatories):
                if name in names:
                    names.remove(name)
                    return
        raise KeyError(f"no signatory {name!r}")

    def edit_paragraph(self, index: int, text: str) -> None:
        """Replace one paragraph of the letter's English text."""
        with self._lock:
            self.paragraphs[index] = text

    def add_update(self, text: str) -> None:
        """Add a dated note to the letter (such as "Government responded: …")."""
        with self._lock:
            self.updates.append(text)

    def set_signatures(self, count: int) -> None:
        """Set the count the petition page shows."""
        self.signatures = count

    def serve_as(self, path: str, codec: str = "utf-8", declared: str | None = "utf-8", where: str = "header",
                 bom: bool = False) -> None:  # fmt: skip
        """Serve the letter at `path` too, written in `codec` and claiming `declared` (rightly or not)."""
        with self._lock:
            self.encodings[path] = Encoding(codec, declared, where, bom)

    def big_page(self, size: int) -> None:
        """Make the page at `big_path` (the letter with readers' comments) about `size` bytes long."""
        self.big_size = size

    def redesign(self) -> None:
        """Move the letter from an <article> into a <div class="post">, as a site redesign would."""
        self.redesigned = True

    def remove(self, path: str) -> None:
        """Answer 404 for a path from now on."""
        self.removed.add(path)

    def fault(self, kind: str, path: str | None = None, times: int | None = None) -> None:
        """Break answers (see monitor.replica.server.FAULT_KINDS) on paths matching `path`."""
        import re

        self._faults.add(Fault(kind, re.compile(path) if path else None, times, retry_after=1, delay=3.0))

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    # -- pages ---------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, query: str, headers: dict[str, str]) -> Reply:
        if path == "/robots.txt":
            return Reply(200, (("Content-Type", "text/plain"),), b"User-agent: *\nDisallow:\n")
        if path in self.removed:
            return _html(404, "<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
                              "<p>Sorry, we could not find that page.</p></body></html>", Encoding())  # fmt: skip
        turn = next(self._requests)
        with self._lock:
            if path in self.encodings:
                return _html(200, self.letter_page(turn, self.encodings[path]), self.encodings[path])
            if path == PETITION_PATH:
                return _html(200, self.petition_page(turn), Encoding())
            if path == BIG_PATH:
                return _html(200, self.letter_page(turn, Encoding(), comments=self.big_size), Encoding())
        return _html(404, "<html><body><h1>Page not found</h1></body></html>", Encoding())

    def letter_page(self, turn: int, encoding: Encoding, comments: int = 0) -> str:
        """Return the letter's page as the site renders it on request number `turn`."""
        e = escape
        container = "div class=\"post\"" if self.redesigned else "article class=\"blog-post node-2415\""
        close = "div" if self.redesigned else "article"
        updates = "".join(f'<div class="update"><p><strong>Update:</strong> {e(u)}</p></div>' for u in self.updates)
        body = "".join(f"<p>{e(p)}</p>" for p in self.paragraphs)
        chinese = "".join(f"<p>{e(p)}</p>" for p in letter.CHINESE_PARAGRAPHS)
        article = (
            f"<{container}><header><h1>{e(letter.TITLE)}</h1>"
            f'<p class="byline">Blog post by the Tibetan Uyghur Chinese Solidarity group, 2 October 2015</p></header>'
            f'<div class="field-body"><p>{e(letter.GREETING)}</p>{body}{updates}'
            f"<h2>Signatories</h2><h3>Organisations</h3>{_list('organisations', self.organisations)}"
            f"<h3>Individuals</h3>{_list('individuals', self.individuals)}"
            f'<div lang="zh-Hans"><h2>{e(letter.CHINESE_HEADING)}</h2>{chinese}'
            f"{_list('chinese', self.chinese_signatories)}</div></div>"
            f'{_comments(comments)}<footer class="post-footer"><p>Viewed {3_000 + turn:,} times</p>'
            f"<p>Tags: China, Human rights defenders</p></footer></{close}>"
        )  # fmt: skip
        latest = "".join(f'<li><a href="/blogs/{i}">{e(LATEST_POSTS[(turn + i) % len(LATEST_POSTS)])}</a></li>'
                         for i in range(3))  # fmt: skip
        main = (
            f'<main id="main">{article}<aside class="latest-posts"><h2>Latest posts</h2><ul>{latest}</ul></aside>'
            f'</main><section class="about"><h2>{e(letter.ABOUT_HEADING)}</h2><p>{e(letter.ABOUT)}</p>'
            f'<a href="/blogs">View latest posts</a></section>'
        )
        return _chrome(letter.TITLE, main, turn, encoding)

    def petition_page(self, turn: int) -> str:
        """Return the petition page of another platform (the count only in its HTML)."""
        signers = "".join(f"<li>{escape(SIGNERS[(turn + i) % len(SIGNERS)])} signed {(turn + i) % 9 + 1} minutes ago</li>"
                          for i in range(3))  # fmt: skip
        main = (
            f'<main><div class="petition"><h1>{escape(PETITION_TITLE)}</h1><p class="target">To: the Foreign Secretary</p>'
            f'<div class="progress"><p><span class="count">{self.signatures:,}</span> signatures</p>'
            f"<p>Our goal: 15,000</p></div>"
            f"<p>Reports suggest the Chinese government is holding Uyghur Muslims in “re-education” camps. "
            f"We call on the Foreign Secretary to raise the camps with China at the highest level.</p>"
            f'<aside class="recent-signers"><h3>Recent signers</h3><ul>{signers}</ul></aside>'
            f'<form class="sign" method="post"><input type="hidden" name="token" value="{secrets.token_hex(16)}">'
            f'<label>Your name <input name="name"></label><button>Sign this petition</button></form></div></main>'
        )  # fmt: skip
        return _chrome(f"{PETITION_TITLE} | CampaignHub", main, turn, Encoding(), site="CampaignHub")


def _list(kind: str, names: list[str]) -> str:
    return f'<ul class="signatories {kind}">' + "".join(f"<li>{escape(n)}</li>" for n in names) + "</ul>"


def _comments(size: int) -> str:
    if not size:
        return ""
    comment = ('<div class="comment"><p class="author">A reader, {n}</p><p>I signed because the people of Tibet, '
               "East Turkestan and Hong Kong deserve the rights we take for granted. Comment number {n}.</p></div>")
    parts, total, n = ['<section class="comments"><h2>Comments</h2>'], 0, 0
    while total < size:
        n += 1
        parts.append(comment.format(n=n))
        total += len(parts[-1])
    return "".join(parts) + "</section>"


def _chrome(title: str, main: str, turn: int, encoding: Encoding, site: str = letter.SITE_NAME) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    token = secrets.token_urlsafe(24)
    meta = f'<meta charset="{encoding.declared}">' if encoding.declared and encoding.where in ("meta", "both") else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head>{meta}<title>{escape(title)}</title>'
        f'<meta name="csrf-token" content="{token}"><style>.hidden{{display:none}}</style>'
        f'<script>window.pageBuilt = "{now}"; window.turn = {turn};</script></head><body>'
        f'<div class="cookie-banner" id="cookie-{turn}"><p>We use cookies to improve your visit ({turn}).</p>'
        f"<button>Accept</button></div>"
        f'<a class="skip-link" href="#main">Skip to main content</a>'
        f'<header class="site-header"><p class="logo">{escape(site)}</p><a href="/user/login">Log in</a></header>'
        f'<nav class="main-menu"><ul><li><a href="/act">Act now</a></li><li><a href="/donate">Donate</a></li>'
        f'<li><a href="/blogs">Blogs</a></li><li><a href="/about">About us</a></li></ul></nav>'
        f'<div class="page">{main}</div>'
        f'<footer class="site-footer"><p>© {escape(site)}</p><p>Page built {now}</p>'
        f'<form class="newsletter"><input type="hidden" name="csrf_token" value="{token}">'
        f'<input type="email" name="email"><button>Sign up</button></form>'
        f'<p class="session">Session {token}</p></footer></body></html>'
    )  # fmt: skip


def _html(status: int, page: str, encoding: Encoding) -> Reply:
    body = page.encode(encoding.codec, errors="xmlcharrefreplace")
    if encoding.bom:
        body = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe"}.get(encoding.codec, b"") + body
    content_type = "text/html"
    if encoding.declared and encoding.where in ("header", "both"):
        content_type += f"; charset={encoding.declared}"
    headers = (("Content-Type", content_type), ("Cache-Control", "no-cache"))
    return Reply(status, headers, body)
