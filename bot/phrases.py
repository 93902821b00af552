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
_ALIF = str.maketrans(dict.fromkeys("اأإ", "a"))  # anyascii drops the written long vowel
_ARTICLE = re.compile(r"^ال(?=\w{3})")  # the Arabic article, written joined to its noun ("الترامادول")


def tokens(text: str) -> list[str]:
    """Lower-case words, accents folded ("Poléry" -> "polery": names are typed both ways);
    hyphens and slashes separate words; "# 3" is kept as "#3". Words in other scripts (Cyrillic,
    Greek, Arabic, Hebrew, Japanese, Chinese, Korean ...) are transliterated to Latin letters by
    `anyascii`, one word per run of one script (Japanese, written without spaces, splits where the
    script changes), so "Трамадол" is "tramadol" and "Кодеин" is "kodein", a name the dictionaries
    know. Trade-off: scripts without written vowels (Arabic, Hebrew) give consonants only
    ("ترامادول" -> "trmdwl"), found only when a data file lists the name in that script; the
    Arabic article joined to a noun is dropped ("الترامادول" is "ترامادول") and the alif, a
    written vowel, is kept as "a" ("ترامال" is "tramal", not "trml" like "ترمل", widowhood).

    >>> tokens("Коделак и Нурофен Плюс"), tokens("トラマールを飲んでいます")
    (['kodelak', 'i', 'nurofen', 'plyus'], ['toramaru', 'o', 'yin', 'ndeimasu'])
    """
    return [w for w, _ in words_and_scripts(text)]


def words_and_scripts(text: str) -> list[tuple[str, bool]]:
    """The words of `tokens`, each with whether it was transliterated from another script
    (`bot.medicines` matches those exactly, never as a typo: "статей" is not "stadol")."""
    low = text.lower().replace("’", "'").replace("&", " and ")
    low = re.sub(r"#\s+(?=\d)", "#", low)
    if low.isascii():
        return [(w, False) for w in _TOKEN.findall(low)]
    from anyascii import anyascii

    out: list[tuple[str, bool]] = []
    for run, script in _runs(low):
        if script == "latin":
            out += [(w, False) for w in _TOKEN.findall(_fold(run))]
        elif word := re.sub(
            r"[^a-z0-9]", "", anyascii(_ARTICLE.sub("", run).translate(_ALIF)).lower()
        ):  # "mst'd": one word
            out.append((word, True))
    return out


def _runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into runs of one script ("latin", "cyrillic", "katakana" ...); anything that is
    neither a letter, a digit, a combining mark nor "#" separates runs. Both kana share a run with
    their prolonged-sound mark."""
    runs: list[tuple[str, str]] = []
    cur, script = "", ""
    for c in text:
        s = _script(c)
        if s == "mark" and cur:
            cur += c
            continue
        if s == "kana" and script in ("katakana", "hiragana"):
            s = script
        if s != script and cur:
            runs.append((cur, script))
            cur = ""
        script, cur = (s, cur + c) if s else ("", "")
    if cur:
        runs.append((cur, script))
    return runs


@cache
def _script(c: str) -> str:
    """ "latin" for ASCII letters, digits, "#" and other Latin letters; the first word of the
    Unicode name of a letter or digit of another script ("cyrillic", "arabic"); "mark" for a
    combining mark; "kana" for the mark shared by both kana; "" for anything else."""
    if c.isascii():
        return "latin" if c.isalnum() or c == "#" else ""
    if unicodedata.combining(c):
        return "mark"
    name = unicodedata.name(c, "")
    if name.startswith("KATAKANA-HIRAGANA"):
        return "kana"
    if not (c.isalnum()):
        return ""
    first = name.split(" ", 1)[0].lower()
    return "latin" if first in ("", "latin") else first


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
