"""The contracts between ingestion stages: documents, their sentences and passages.

Every span carries `start`/`end` character offsets into its document's text, and the
invariant every later stage relies on is::

    document.text[span.start:span.end] == span.text

For `.txt`/`.md` files the document text is the file's decoded text as is; for PDFs it is
the repaired text that `corpus.pdf` extracts (stored with the index, so quotes can be
checked against exactly what was indexed).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def stated(value: str) -> bool:
    """Whether a manifest field says something: not empty and not "unknown" (the page states none).

    >>> stated("LDN Research Trust"), stated("unknown"), stated("unknown (no title on the page)"), stated("")
    (True, False, False, False)
    """
    return bool(value) and not value.startswith("unknown")


@dataclass(frozen=True)
class DocumentMeta:
    """What the corpus manifest says about one document (shown to patients with every quote)."""

    title: str = "unknown"
    publisher: str = "unknown"
    kind: str = "unknown"
    date: str = "unknown"
    credibility: str = "No credibility note was given for this document."

    def display_source(self, doc_id: str) -> str:
        """Who says it, for people: the publisher, else the title, else the document id."""
        for value in (self.publisher, self.title):
            if stated(value):
                return value
        return doc_id


@dataclass(frozen=True)
class PageSpan:
    """Character range of one PDF page inside the document text (pages are 1-based)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str
    text: str
    content_hash: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    pages: tuple[PageSpan, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page that holds `offset`, or None for documents without pages."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return self.pages[-1].page if self.pages and offset >= self.pages[-1].start else None


@dataclass(frozen=True)
class Sentence:
    """One quotable unit: a sentence, or a lead-in sentence with the list it introduces."""

    sentence_id: int
    doc_id: str
    start: int
    end: int
    text: str
    page: int | None
    heading: str | None


@dataclass(frozen=True)
class Passage:
    """A window of consecutive sentences of one section; the unit retrieval ranks."""

    passage_id: int
    doc_id: str
    start: int
    end: int
    text: str
    page: int | None
    heading: str | None
    sentence_ids: tuple[int, ...]


@dataclass(frozen=True)
class Skipped:
    """A source file that could not be used, with a reason a person can act on."""

    path: str
    reason: str
