"""Glued headings and footnote markers (`corpus.glued`): what is cut, and what never is."""

from __future__ import annotations

import doctest

import pytest

import corpus.glued
from corpus.glued import sentence_core


def _core(text: str) -> str:
    a, b = sentence_core(text, 0, len(text))
    return text[a:b]


@pytest.mark.parametrize(
    ("text", "core"),
    [
        ("Side effects In the clinical studies, few had any.", "In the clinical studies, few had any."),
        ("Other informationDosage Contact your doctor first.", "Contact your doctor first."),
        ("Storage The tablets keep for a year.", "The tablets keep for a year."),
        ("It reduced pain.2,3,6", "It reduced pain."),
        ("It works in two ways:2-4", "It works in two ways:"),
        ("Most patients improved (1/3).5", "Most patients improved (1/3)."),
        ("Call your provider. Warning", "Call your provider."),
        ("Side effects In most people, none.4", "In most people, none."),
    ],
)
def test_glued_parts_are_cut(text: str, core: str) -> None:
    assert _core(text) == core


@pytest.mark.parametrize(
    "text",
    [
        "The dose ranges from 1.5 to 4.5",
        "Vitamin A is taken daily.",
        "People in the US take it at night.",
        "Take it, In some cases, at night.",  # punctuation before the capital: not a heading
        "Crohn's disease and Ulcerative Colitis are both bowel diseases.",
        "Read more about Dr. Joe Jacko",
        "He saw it in 1984. It helped.",
        "LDN is cheap.",
        "Short one",
    ],
)
def test_ordinary_sentences_are_left_alone(text: str) -> None:
    assert _core(text) == text


def test_offsets_point_into_the_original_text() -> None:
    text = "Intro. Side effects In the studies, none."
    start = text.index("Side")
    a, b = sentence_core(text, start, len(text))
    assert text[a:b] == "In the studies, none." and a > start


def test_docstring_examples() -> None:
    assert doctest.testmod(corpus.glued).failed == 0


def test_no_quotable_sentence_of_any_bundled_document_carries_a_glued_heading_or_marker() -> None:
    """Over every bundled document: each sentence is its own core, and the glued headings the
    pages lost line breaks for are headings now (context, never quoted)."""
    from corpus.ingest import load_corpus
    from corpus.segment import segment
    from tests.conftest import SEED_CORPUS_DIR

    headings: list[str] = []
    for doc in load_corpus(SEED_CORPUS_DIR).documents:
        seg = segment(doc.text)
        headings += [h.text for h in seg.headings]
        for s in seg.sentences:
            assert sentence_core(doc.text, s.start, s.end) == (s.start, s.end), s.text[:80]
            assert doc.text[s.start : s.end] == s.text
    assert {"Side effects", "Other informationDosage", "Warning"} <= set(headings)
