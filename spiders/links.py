"""Which links and redirects govwatch follows: http(s) only, and a petition or sweep stays on its site.

A watched site is untrusted input. An index page's ``links.next`` or a
redirect may point anywhere: to a local file, a ``data:`` URL, another host,
or an endless chain of new pages. Each refusal is one line that names the
site and what was refused, never what the local machine holds.

- `refusal(url, site)` says why a link from `site` is not followed (None: it is).
- `SweepPass` bounds one pass of a sweep: no page twice, at most a page cap.
- `OnlyWebLinks` is the downloader middleware that applies the same rules to
  every request, redirects included, before robots.txt or the network sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

WEB_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
SAME_SITE = "govwatch_same_site"  # request meta: the site (scheme://host) a request must stay on


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # a port that is not a number
        port = None
    return (parts.hostname or "").lower(), port


def _same_site(url: str, site: str) -> bool:
    (host, port), (site_host, site_port) = _host_port(url), _host_port(site)
    if host != site_host:
        return False
    # http → https of the same host is the one change of port a site may ask for.
    return port == site_port or {port, site_port} <= set(_DEFAULT_PORTS.values())


def scheme_of(url: str) -> str:
    """Return the lower-case scheme of a URL ("" when it has none)."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url.strip())
    return match.group(1).lower() if match else ""


def refusal(url: str, site: str) -> str | None:
    """Return why a link found on `site` is not followed, or None when it may be."""
    scheme = scheme_of(url)
    if scheme not in WEB_SCHEMES:
        what = f"a {scheme}: URL" if scheme else "a URL without a scheme"
        return f"{site} links to {what}; govwatch fetches only http and https pages of the watched site"
    if not _same_site(url, site):
        host = urlsplit(url).hostname or "?"
        return f"{site} links to another site ({host}); a petition or sweep stays on its own site"
    return None


def page_number(url: str | None) -> int | None:
    """Return the ``page`` query parameter of an index URL, or None."""
    if not url:
        return None
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page" and value.isdigit():
            return int(value)
    return None


@dataclass
class SweepPass:
    """One pass of a sweep: the index pages asked for so far, and how many it may ask for."""

    max_pages: int
    cap: int | None = None  # set from the first page's links.last, never above max_pages
    seen: set[str] = field(default_factory=set)

    def limit(self, last_url: str | None) -> int:
        """Return the page cap of this pass (fixed by the first page: a site cannot raise it later)."""
        if self.cap is None:
            last = page_number(last_url)
            # One page more than links.last announces: a petition published during the pass pushes one over.
            self.cap = min(self.max_pages, last + 1) if last is not None else self.max_pages
        return self.cap

    def stop_reason(self, next_url: str, last_url: str | None, site: str) -> str | None:
        """Return why the pass does not follow `next_url` (None: follow it, and count it)."""
        if next_url in self.seen:
            return f"the index of {site} links back to a page already read in this pass; the sweep stopped there"
        cap = self.limit(last_url)
        if len(self.seen) >= cap:
            return (f"the sweep of {site} stopped after {cap:,} index pages (its links.last, or max_pages);"
                    f" raise max_pages for this host if the site really has more")  # fmt: skip
        self.seen.add(next_url)
        return None


class OnlyWebLinks:
    """Downloader middleware: refuse any request that is not http(s), or that leaves its site."""

    def process_request(self, request: Request, spider: object = None) -> None:
        """Raise IgnoreRequest (recorded by the spider's errback) for a request govwatch must not send."""
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        site = request.meta.get(SAME_SITE)
        if scheme_of(request.url) not in WEB_SCHEMES:
            raise IgnoreRequest(f"{_site_of(first)} led to a {scheme_of(request.url) or 'schemeless'}: URL;"
                                f" govwatch fetches only http and https")  # fmt: skip
        if site and not _same_site(request.url, site):
            host = urlsplit(request.url).hostname or "?"
            raise IgnoreRequest(f"{site} redirected to another site ({host}); not followed:"
                                f" a petition or sweep stays on its own site")  # fmt: skip


def _site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in WEB_SCHEMES else "a link"
