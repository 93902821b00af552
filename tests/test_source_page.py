"""The source viewer (`bot.source_page`): whole text, highlight, page numbers, bad links."""

from __future__ import annotations

import html
import re

import pytest

from bot import messages
from bot.source_page import parse_range, render_source, source_url
from corpus.ingest import load_corpus
from corpus.models import Document, DocumentMeta, PageSpan
from tests.conftest import SEED_CORPUS_DIR

META = DocumentMeta(
    title="A <b>title</b>",
    publisher="Pub & Co",
    kind="leaflet",
    date="2024-01-02",
    credibility="Peer reviewed.",
)
TEXT = "Intro line.\n\nSide effects are rare. <script>x</script> It is cheap.\n"
DOC = Document("d1", "d1.txt", TEXT, "h", META)
PDF_TEXT = "First page text. More words.\nSecond page starts here. End."
PDF = Document(
    "p1", "p1.pdf", PDF_TEXT, "h", META, pages=(PageSpan(1, 0, 29), PageSpan(2, 29, len(PDF_TEXT)))
)
DOCS = {"d1": DOC, "p1": PDF}


def _visible(page_html: str) -> str:
    """The text a person sees in the page body (tags removed, entities decoded)."""
    body = page_html.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def _marked(page_html: str) -> str:
    inside = re.findall(r"<mark[^>]*>(.*?)</mark>", page_html, flags=re.S)
    return html.unescape("".join(inside))


def test_highlights_exactly_the_quoted_span_and_escapes_everything() -> None:
    start = TEXT.index("Side effects")
    end = TEXT.index("It is cheap.") + len("It is cheap.")
    page = render_source(DOCS, "d1", str(start), str(end))
    assert page.status == 200
    assert _marked(page.html) == TEXT[start:end]
    assert '<mark id="quote"' in page.html and 'href="#quote"' in page.html
    assert "<script>" not in page.html and "<b>title</b>" not in page.html  # source text and titles escaped
    shown = _visible(page.html)
    assert TEXT in shown  # the whole document, every character, in order
    for value in ("A <b>title</b>", "Pub & Co", "leaflet", "2024-01-02", "Peer reviewed."):
        assert value in shown
    assert messages.SOURCE_PAGE_INTRO in shown


def test_pdf_quote_names_its_page_and_marks_page_starts() -> None:
    start = PDF_TEXT.index("Second page")
    page = render_source(DOCS, "p1", str(start), str(start + 11))
    assert page.status == 200
    shown = _visible(page.html)
    assert messages.SOURCE_PAGE_ON_PAGE.format(page=2) in shown
    assert messages.SOURCE_PAGE_MARK.format(page=2) in shown
    assert messages.SOURCE_PAGE_MARK.format(page=1) not in shown  # no marker before the first page


def test_a_quote_across_a_page_break_stays_highlighted_on_both_pages() -> None:
    start, end = PDF_TEXT.index("More words"), PDF_TEXT.index("starts here")
    page = render_source(DOCS, "p1", str(start), str(end))
    assert _marked(page.html) == PDF_TEXT[start:end]
    assert page.html.count("<mark") == 2 and page.html.count("</mark>") == 2
    assert messages.SOURCE_PAGE_MARK.format(page=2) not in _marked(page.html)


def test_without_offsets_the_whole_document_is_shown_unmarked() -> None:
    page = render_source(DOCS, "d1")
    assert page.status == 200 and "<mark" not in page.html
    assert messages.SOURCE_PAGE_WHOLE in _visible(page.html)


def test_unknown_document_is_a_clear_404() -> None:
    page = render_source(DOCS, "../etc/passwd", "0", "4")
    assert page.status == 404
    assert messages.SOURCE_NOT_FOUND in _visible(page.html)
    assert "passwd" not in page.html


@pytest.mark.parametrize(
    ("start", "end"),
    [("0", None), (None, "3"), ("x", "3"), ("-1", "3"), ("3", "3"), ("5", "2"), ("0", str(len(TEXT) + 1)),
     ("1e3", "2000"), ("٣", "9"), ("0", "9" * 30)],
)  # fmt: skip
def test_bad_offsets_are_a_clear_400(start: str | None, end: str | None) -> None:
    page = render_source(DOCS, "d1", start, end)
    assert page.status == 400
    assert messages.SOURCE_BAD_LINK in _visible(page.html)


def test_range_edges() -> None:
    assert parse_range("0", str(len(TEXT)), len(TEXT)) == (0, len(TEXT))
    assert parse_range(" 2 ", "5", 10) == (2, 5)


def test_url_round_trips_through_the_parser() -> None:
    url = source_url("d1", 13, 35)
    path, query = url.split("#")[0].split("?")
    assert path == "/source/d1" and url.endswith("#quote")
    params = dict(p.split("=") for p in query.split("&"))
    assert parse_range(params["start"], params["end"], len(TEXT)) == (13, 35)


def test_every_sentence_of_every_bundled_document_can_be_shown() -> None:
    """The viewer works on the real sources: each indexed sentence is highlighted verbatim."""
    from corpus.segment import segment

    corpus = load_corpus(SEED_CORPUS_DIR)
    docs = {d.doc_id: d for d in corpus.documents}
    assert docs
    for doc in docs.values():
        for span in segment(doc.text).sentences[::7]:
            page = render_source(docs, doc.doc_id, str(span.start), str(span.end))
            assert page.status == 200
            assert _marked(page.html) == doc.text[span.start : span.end]


def test_docstring_examples() -> None:
    import doctest

    import bot.source_page

    assert doctest.testmod(bot.source_page).failed == 0
