"""Quotes that stand alone (`bot.backref`): back-references get their antecedent; "(R)" explained."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import bot.backref
from bot import messages
from bot.backref import (
    SentenceSpan,
    back_reference_words,
    conventions_in,
    starts_with_back_reference,
    with_antecedent,
)

TEXT = "Intro\n\nOpioids block it. This interaction is rare.\n\nNew part\n\nThese are other words."


def _spans() -> list[SentenceSpan]:
    out = []
    for sentence, heading in (
        ("Opioids block it.", "Intro"),
        ("This interaction is rare.", "Intro"),
        ("These are other words.", "New part"),
    ):
        a = TEXT.index(sentence)
        out.append(SentenceSpan(a, a + len(sentence), heading))
    return out


def test_a_back_reference_is_quoted_with_the_sentence_before() -> None:
    s = _spans()
    a, b = with_antecedent(TEXT, s, s[1].start, s[1].end)
    assert TEXT[a:b] == "Opioids block it. This interaction is rare."


def test_never_across_a_heading_or_from_the_first_sentence() -> None:
    s = _spans()
    assert with_antecedent(TEXT, s, s[2].start, s[2].end) == (s[2].start, s[2].end)
    assert with_antecedent(TEXT, s, s[0].start, s[0].end) == (s[0].start, s[0].end)


def test_a_quote_that_does_not_start_a_sentence_is_left_alone() -> None:
    s = _spans()
    inside = TEXT.index("interaction")
    assert with_antecedent(TEXT, s, inside, s[1].end) == (inside, s[1].end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("It helps.", True), ("Its cost is low.", True), ("Items vary.", False), ("Italy", False),
     ("The latter is rare.", True), ("They-know", False), ("LDN helps.", False)],
)  # fmt: skip
def test_back_reference_words(text: str, expected: bool) -> None:
    assert starts_with_back_reference(text) is expected


def test_word_list_is_validated(tmp_path: Path) -> None:
    assert "This" in back_reference_words()
    bad = tmp_path / "w.toml"
    bad.write_text('words = ["This", "This"]', encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        back_reference_words(bad)


def test_source_conventions_are_explained_with_a_fixed_message() -> None:
    notes = conventions_in(["LDN helps (R).", "More (R)."])
    assert notes == (messages.SOURCE_CONVENTIONS[0][1],)


def test_every_back_reference_quote_in_the_bundled_documents_reads_whole() -> None:
    """Over every bundled document: each sentence opening with a back-reference word, once
    extended, starts with a sentence that does not (or at a section start)."""
    from corpus.ingest import load_corpus
    from corpus.segment import segment
    from tests.conftest import SEED_CORPUS_DIR

    grown = 0
    for doc in load_corpus(SEED_CORPUS_DIR).documents:
        seg = segment(doc.text)
        spans = [SentenceSpan(x.start, x.end, x.heading) for x in seg.sentences]
        for x in spans:
            a, b = with_antecedent(doc.text, spans, x.start, x.end)
            assert doc.text[a:b].endswith(doc.text[x.start : x.end])
            if a != x.start:
                grown += 1
                assert not doc.text[a : x.start].strip().endswith(":")
    assert grown >= 5  # the bundled sources do use "This …" sentences


def test_docstring_examples() -> None:
    assert doctest.testmod(bot.backref).failed == 0


def test_antecedents_over_an_index(built_index: Path) -> None:
    from bot.backref import Antecedents
    from index.store import read_index

    data = read_index(built_index)
    grow = Antecedents(data)
    grown = 0
    for s in data.sentences:
        a, b = grow.grow(s.doc_id, s.start, s.end)
        assert b == s.end and a <= s.start
        if a < s.start:
            grown += 1
            text = data.documents[s.doc_id].text
            assert starts_with_back_reference(text[s.start : s.end])
            assert not starts_with_back_reference(text[a:b]) or a < s.start
    assert grown >= 5
    assert grow.grow("no-such-doc", 0, 5) == (0, 5)
