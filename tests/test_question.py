"""Cleaning raw input into a question (bot.question)."""

from __future__ import annotations

import pytest

from bot.question import MAX_CHARS, clean_question


@pytest.mark.parametrize("raw", ["", "   ", "\t\n  \r\n", "\x00", "\x00\x00 \x00", None, "\u200b\ufeff"])
def test_empty(raw: object) -> None:
    q = clean_question(raw)
    assert q.problem == "empty"
    assert q.text == ""


def test_too_long() -> None:
    q = clean_question("Is LDN safe? " * (MAX_CHARS // 5))
    assert q.problem == "too_long"
    assert q.search_text == ""
    assert len(q.text) <= 201


def test_exactly_max_chars_is_fine() -> None:
    raw = ("a" * (MAX_CHARS - 4)) + " LDN"
    assert len(raw) == MAX_CHARS
    assert clean_question(raw).problem is None


@pytest.mark.parametrize("raw", ["我能吃低剂量纳曲酮吗", "هل يمكنني تناول النالتريكسون؟", "12345 ??? !!!"])
def test_no_latin_words(raw: str) -> None:
    assert clean_question(raw).problem == "no_words"


def test_html_tags_stripped_from_search_but_kept_in_text() -> None:
    q = clean_question("<script>alert(1)</script> Does <b>LDN</b> help MS?")
    assert q.problem is None
    assert "<script>" in q.text and "<b>LDN</b>" in q.text
    assert "<" not in q.search_text and ">" not in q.search_text
    assert "Does" in q.search_text and "LDN" in q.search_text and "MS?" in q.search_text


def test_markdown_link_stripped_from_search() -> None:
    q = clean_question("See [this page](http://example.com/ldn) about the LDN dose")
    assert q.text == "See [this page](http://example.com/ldn) about the LDN dose"
    assert q.search_text == "See this page about the LDN dose"


def test_control_characters_removed() -> None:
    q = clean_question("Is\x07 LDN\x1b safe\x00 for\u202e kids?\x7f")
    assert q.text == "Is LDN safe for kids?"
    assert q.search_text == "Is LDN safe for kids?"
    assert q.problem is None


def test_whitespace_folded() -> None:
    assert clean_question("  What   is\n\nLDN ?  ").text == "What is LDN ?"
