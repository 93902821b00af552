"""The source viewer: one whole source document with the quoted words highlighted.

A pure function from the index's documents and a request (`doc_id`, ``start``, ``end`` as they
arrive in the URL) to a `SourcePage` (HTTP status + a complete HTML page); the web layer only
returns it. The link form is stable and shareable, because the offsets are the same ones every
quote carries (``document.text[start:end] == quote``)::

    /source/<doc_id>?start=<int>&end=<int>#quote

- the whole document text as indexed (for PDFs, the repaired text), escaped, with white space
  kept (``pre-wrap``); ``start..end`` wrapped in ``<mark id="quote">`` so the ``#quote``
  fragment scrolls to it (and a "Go to the quoted words" link does the same without it);
- title, publisher, kind, date and the manifest's credibility note above the text;
- for PDFs, the page of the quote and a "Page N" marker where each page starts;
- no ``start``/``end``: the whole document without a highlight; an unknown id: 404; offsets that
  are missing one of the pair, not whole numbers, or outside the text: 400. Both error pages say
  in plain words what happened.

No script on the page; its style is `static/source.css`, inlined (one request, and the page
prints on its own). Trade-off: a 50k-character document makes a page of ~60 kB; fine for the
small collections this app serves, and the browser renders it at once.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote as url_quote

from bot import messages
from corpus.models import Document

ROUTE_PREFIX = "/source/"
ANCHOR = "quote"
STATIC = Path(__file__).resolve().parent / "static"
_MAX_DIGITS = 9  # offsets beyond a billion characters are not real


@dataclass(frozen=True)
class SourcePage:
    status: int  # 200, 400 or 404
    html: str


def source_url(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    """The stable link to a document, scrolled to ``start..end`` when given.

    >>> source_url("002_ab", 10, 42)
    '/source/002_ab?start=10&end=42#quote'
    >>> source_url("a b")
    '/source/a%20b'
    """
    base = ROUTE_PREFIX + url_quote(doc_id, safe="")
    if start is None or end is None:
        return base
    return f"{base}?start={int(start)}&end={int(end)}#{ANCHOR}"


def _offset(raw: str | None) -> int | None:
    """A whole non-negative number as typed in a URL, else None."""
    if raw is None:
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    return int(text)


def parse_range(start: str | None, end: str | None, length: int) -> tuple[int, int] | str | None:
    """``(start, end)`` inside a text of `length` characters; None when neither is given;
    the string ``"bad"`` for anything else (one missing, not numbers, empty or out of range).

    >>> parse_range("3", "9", 10), parse_range(None, None, 10)
    ((3, 9), None)
    >>> parse_range("3", None, 10), parse_range("-1", "4", 10), parse_range("4", "11", 10), parse_range("5", "5", 10)
    ('bad', 'bad', 'bad', 'bad')
    """
    if start is None and end is None:
        return None
    a, b = _offset(start), _offset(end)
    if a is None or b is None or not 0 <= a < b <= length:
        return "bad"
    return a, b


def render_source(
    documents: Mapping[str, Document], doc_id: str, start: str | None = None, end: str | None = None
) -> SourcePage:
    """The page for one request (see module doc for statuses)."""
    doc = documents.get(doc_id)
    if doc is None:
        return SourcePage(404, error_page(messages.SOURCE_NOT_FOUND_TITLE, messages.SOURCE_NOT_FOUND))
    span = parse_range(start, end, len(doc.text))
    if span == "bad":
        return SourcePage(400, error_page(messages.SOURCE_BAD_LINK_TITLE, messages.SOURCE_BAD_LINK))
    assert not isinstance(span, str)
    return SourcePage(200, _document_page(doc, span))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _title(doc: Document) -> str:
    title = doc.meta.title
    return messages.UNTITLED if not title or title.startswith("unknown") else title


def _details(doc: Document) -> str:
    meta = doc.meta
    rows = "".join(
        f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>"
        for label, value in zip(messages.SOURCE_FIELDS, (meta.publisher, meta.kind, meta.date), strict=True)
    )
    rows += f"<dt>{_e(messages.SOURCE_NOTE)}</dt><dd>{_e(meta.credibility)}</dd>"
    return f'<dl class="src-meta">{rows}</dl>'


def _body(doc: Document, span: tuple[int, int] | None) -> str:
    """The escaped text with page markers (PDFs) and the highlight; offsets never shift."""
    cuts: list[tuple[int, int, str]] = []  # (offset, order, markup): order keeps "</mark>" before a page mark
    for page in doc.pages:
        if page.start > 0 or page.page > 1:
            mark = messages.SOURCE_PAGE_MARK.format(page=page.page)
            cuts.append((page.start, 2, f'<span class="src-page" role="note">{_e(mark)}</span>'))
    if span is not None:
        cuts.append((span[0], 3, f'<mark id="{ANCHOR}" tabindex="-1">'))
        cuts.append((span[1], 1, "</mark>"))
    cuts.sort()
    out, at, inside = [], 0, False
    for offset, order, markup in cuts:
        out.append(_e(doc.text[at:offset]))
        at = offset
        if order == 2 and inside:  # a page break inside the quote: close and reopen the highlight
            out.append(f'</mark>{markup}<mark class="src-cont">')
            continue
        inside = order == 3 or (inside and order != 1)
        out.append(markup)
    out.append(_e(doc.text[at:]))
    return "".join(out)


def _document_page(doc: Document, span: tuple[int, int] | None) -> str:
    title = _title(doc)
    lines = [
        f'<p class="src-intro">{_e(messages.SOURCE_PAGE_INTRO if span else messages.SOURCE_PAGE_WHOLE)}</p>'
    ]
    if span is not None:
        page = doc.page_at(span[0])
        if page is not None:
            lines.append(f'<p class="src-on-page">{_e(messages.SOURCE_PAGE_ON_PAGE.format(page=page))}</p>')
        lines.append(f'<p><a class="src-jump" href="#{ANCHOR}">{_e(messages.SOURCE_PAGE_JUMP)}</a></p>')
    main = (
        f"<h1>{_e(title)}</h1>{_details(doc)}{''.join(lines)}"
        f'<h2 class="src-text-heading">{_e(messages.SOURCE_PAGE_TEXT_HEADING)}</h2>'
        f'<div class="src-text" lang="en">{_body(doc, span)}</div>'
    )
    return _page(title, main)


def error_page(title: str, text: str) -> str:
    return _page(title, f'<h1>{_e(title)}</h1><p class="src-error">{_e(text)}</p>')


def _page(title: str, main: str) -> str:
    link = f'<a href="/">{_e(messages.SOURCE_PAGE_BACK)}</a>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)} · {_e(messages.WEB_TITLE)}</title><style>{_css()}</style></head>"
        f'<body><nav class="src-nav">{link}</nav><main>{main}</main>'
        f'<footer class="src-nav">{link}</footer></body></html>'
    )


@cache
def _css() -> str:
    path = STATIC / "source.css"
    return path.read_text(encoding="utf-8") if path.is_file() else ""
