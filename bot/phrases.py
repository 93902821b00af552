"""Longest-first matching of word phrases, shared by the pins (`bot.medicines`) and the answer
stage's medicine names (`bot.named_medicines`): "Tylenol #3" wins over "Tylenol", "Nurofen Plus"
over "Nurofen". Trade-off: a name longer than `MAX_WORDS` words is only found by its first words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import TypeVar

MAX_WORDS = 4
T = TypeVar("T")
_TOKEN = re.compile(r"#\d+|[a-z0-9]+")
_WORD = re.compile(r"#\d+|[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lower-case words, accents folded ("Poléry" -> "polery": names are typed both ways);
    hyphens and slashes separate words; "# 3" is kept as "#3". Letters of other scripts
    (Cyrillic, Greek, Arabic, Hebrew, Japanese, Chinese, Korean ...) form words too, one word per
    run of one script, so that Japanese, written without spaces, splits where the script changes
    ("新ブロン液エース" -> 新, フロン, 液, エース; kana lose their voicing marks with the accents).
    Trade-off: a name in Japanese is found only when its own script runs are whole words.

    >>> tokens("Коделак и Нурофен Плюс"), tokens("トラマールを飲んでいます")
    (['коделак', 'и', 'нурофен', 'плюс'], ['トラマール', 'を', '飲', 'んています'])
    """
    low = _fold(text.lower()).replace("’", "'").replace("&", " and ")
    low = re.sub(r"#\s+(?=\d)", "#", low)
    if low.isascii():
        return _TOKEN.findall(low)
    return [w for m in _WORD.finditer(low) for w in _script_runs(m.group())]


def _script_runs(word: str) -> list[str]:
    """`word` split into ASCII words and runs of one non-Latin script; other Latin letters ("ø",
    "ß", left after folding) separate words, as before this split."""
    out: list[str] = []
    last = None
    for c in word:
        script = "ascii" if c.isascii() else _script(c)
        if script is None or (c.isdigit() and script != "ascii"):
            last = None
            continue
        if script == last or (script == "kana" and last in ("katakana", "hiragana")):
            out[-1] += c
        else:
            out.append(c)
            last = script if script != "kana" else "katakana"
    return out


@cache
def _script(c: str) -> str | None:
    """The script of a non-ASCII letter (first word of its Unicode name: "cyrillic", "katakana");
    None for a Latin one; "kana" for the prolonged-sound mark shared by both kana."""
    name = unicodedata.name(c, "")
    if name.startswith("KATAKANA-HIRAGANA"):
        return "kana"
    first = name.split(" ", 1)[0].lower()
    return None if first in ("", "latin") else first


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
