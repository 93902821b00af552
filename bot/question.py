"""Turn whatever a person typed into a question the engine can use, or say why not.

- Control characters (NUL and friends) are removed; white space is folded.
- HTML tags, Markdown link/image syntax and web addresses are removed *for retrieval only*;
  the question echoed back is the cleaned text, and every front end shows it as text.
- Empty input, input over `MAX_CHARS`, or input with no word in a Latin script gets an
  `invalid` status with a fixed message (the sources and the model are English).

>>> clean_question("  What\\x00 is <b>LDN</b>?  ").text
'What is <b>LDN</b>?'
>>> clean_question("What is <b>LDN</b>?").search_text
'What is LDN ?'
>>> clean_question("").problem
'empty'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_TAG = re.compile(r"<[^>]{0,500}>")
_MD_LINK = re.compile(r"!?\[([^\]]{0,300})\]\([^)]{0,2000}\)")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+@\S+\.\w+\b", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


@dataclass(frozen=True)
class CleanQuestion:
    text: str  # what we echo back
    search_text: str  # what retrieval and triage read
    problem: str | None = None  # "empty", "too_long", "no_words"


def clean_question(raw: object) -> CleanQuestion:
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return CleanQuestion("", "", "empty")
    if len(text) > MAX_CHARS:
        return CleanQuestion(text[:200] + "…", "", "too_long")
    search = _URL.sub(" ", _TAG.sub(" ", _MD_LINK.sub(r"\1", text)))
    search = re.sub(r"\s+", " ", search).strip()
    letters = [ch for ch in search if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if not _LATIN_WORD.search(search) or (letters and latin < len(letters) / 2):
        return CleanQuestion(text, search, "no_words")
    return CleanQuestion(text, search)
