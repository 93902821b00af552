"""Longest-first matching of word phrases, shared by the pins (`bot.medicines`) and the answer
stage's medicine names (`bot.named_medicines`): "Tylenol #3" wins over "Tylenol", "Nurofen Plus"
over "Nurofen". Trade-off: a name longer than `MAX_WORDS` words is only found by its first words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

MAX_WORDS = 4
T = TypeVar("T")
_TOKEN = re.compile(r"#\d+|[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lower-case words, accents folded ("Poléry" -> "polery": names are typed both ways);
    hyphens and slashes separate words; "# 3" is kept as "#3"."""
    low = _fold(text.lower()).replace("’", "'").replace("&", " and ")
    return _TOKEN.findall(re.sub(r"#\s+(?=\d)", "#", low))


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def key(text: str) -> str:
    """The words of `text` joined by single spaces: how names are compared."""
    return " ".join(tokens(text))


def longest_first(words: list[str], match: Callable[[str], T | None]) -> tuple[list[T], list[bool]]:
    """`match` of every phrase of up to `MAX_WORDS` words, longest first, each word in at most one
    matched phrase ("Tylenol #3" before "Tylenol"): the matches in the order found, and which
    words they cover.

    >>> longest_first(["nurofen", "plus", "x"], lambda k: k if k in {"nurofen", "nurofen plus"} else None)
    (['nurofen plus'], [True, True, False])
    """
    used = [False] * len(words)
    out: list[T] = []
    for n in range(min(MAX_WORDS, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i : i + n]):
                continue
            found = match(" ".join(words[i : i + n]))
            if found is not None:
                used[i : i + n] = [True] * n
                out.append(found)
    return out, used
