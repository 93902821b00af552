"""Sentence splitting with exact offsets: `split_sentences(text, start, end)`.

A rule-based splitter (no model): a sentence ends at ". ! ?" (with closing quotes or brackets)
before white space and a capital, digit or bullet; or glued to a capitalised word when the page
lost the space ("patients.During"); a full stop may carry footnote numbers ("pain.2,3 Further").
Known abbreviations ("Dr.", "e.g.") and single capitals ("J. Smith") do not end a sentence, and a
fragment of under two words ("(R).") joins the sentence before it. Trade-off: a fixed list of
abbreviations is predictable and fast but misses rare ones; offsets never move, because the text
is never rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of a document: `text == document[start:end]`, under section `heading`."""

    start: int
    end: int
    text: str
    heading: str | None = None


_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "al",
    "approx",
    "no",
    "fig",
    "vol",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "u.s",
    "ph.d",
    "cf",
    "ca",
    "dept",
    "univ",
    "min",
    "max",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by white space, or glued to a
# capitalised word when the page lost the space ("patients.During").
# A full stop may carry footnote numbers ("reduction of pain.2,3,6 Furthermore ...").
_BOUNDARY = re.compile(
    r"(?:[.!?][\"”’')\]]*|(?<=[a-z)])\.\d{1,3}(?:[,–-]\d{1,3})*)(?=\s+[\"“‘(\[]?[A-Z0-9•–-]|[A-Z][a-z]|(?<=[a-z%)]\.)[A-Z]{2})"
)
_WORDS = re.compile(r"[^\W\d_]{2,}")


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """`(start, end)` moved inwards past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of `text[start:end]`.

    >>> t = "Dr. Bihari saw it. Results were 4.5 mg.Later work (R).They agreed.2,3 It is fine."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Dr. Bihari saw it.', 'Results were 4.5 mg.', 'Later work (R).', 'They agreed.2,3', 'It is fine.']
    >>> t = "Up to 90%.MS patients improve. It is used in the U.S.A. today."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Up to 90%.', 'MS patients improve.', 'It is used in the U.S.A. today.']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if text[m.start()] == "." and _is_abbreviation(text, cur, m.start()):
            continue
        _append(spans, text, *trimmed(text, cur, stop))
        cur = stop
    _append(spans, text, *trimmed(text, cur, end))
    return spans


def _append(spans: list[tuple[int, int]], text: str, a: int, b: int) -> None:
    """Add a sentence; a fragment with under two words ("(R).") joins the sentence before it."""
    if b <= a:
        return
    if spans and len(_WORDS.findall(text[a:b])) < 2:
        spans[-1] = (spans[-1][0], b)
    else:
        spans.append((a, b))


def _is_abbreviation(text: str, floor: int, dot: int) -> bool:
    i = dot
    while i > floor and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    token = text[i:dot].lower()
    if not token:
        return text[dot - 1].isdigit() and (dot - 1 == floor or text[dot - 2].isspace())  # "1. item"
    return token in _ABBREVIATIONS or (len(token) == 1 and text[i].isupper())
