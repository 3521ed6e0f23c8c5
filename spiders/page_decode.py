"""Turn an HTML page's bytes into text, whatever its charset says.

The order, and why:
1. a byte-order mark wins, as in browsers;
2. bytes that decode as UTF-8 are UTF-8, whatever the label says: a page
   mislabelled as Latin-1 or Windows-1252 is far more common than Latin text
   whose accented bytes happen to form valid UTF-8 sequences;
3. otherwise the declared charset (the Content-Type header, then a
   ``<meta charset>``), with the WHATWG aliases (ISO-8859-1 and ASCII mean
   Windows-1252);
4. otherwise Windows-1252, the legacy default of the Western web.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
)

FALLBACK = "cp1252"


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return the page's text and the name of the encoding used to decode it."""
    encoding, bom = read_bom(body)
    if encoding is not None:
        return body[len(bom):].decode(encoding, errors="replace"), encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for declared in (http_content_type_encoding(content_type), html_body_declared_encoding(body)):
        if declared and _usable(declared) and declared != "utf-8":
            return body.decode(declared, errors="replace"), declared
    return body.decode(FALLBACK, errors="replace"), FALLBACK


def _usable(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
