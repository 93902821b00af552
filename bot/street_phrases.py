"""The rule for multi-word street names (`kind = "street names"` tables of products.toml with a
space: "tango and cash", "captain cody", "murder 8"), shared by the loader (`bot.product_tables`,
the shape) and the data tests and selection (the lexicon checks, which need build-time data).

A multi-word street name is kept only when it is not an ordinary English phrase:

1. shape (checked at load): 2 to `MAX_WORDS` words; every word has 2+ characters, is a number,
   or is the possessive "s" after a word ("god's drug"); a one-letter word ("big h", "little c",
   "o bomb", "m-30s") is refused: a letter is part of too many ordinary phrases;
2. not lexicalised English: not a multi-word entry of WordNet 3.0 ("brown sugar", "witch hazel");
   its words closed up are not an English word (wordfreq Zipf >= 2.5: "pain killer" is
   "painkiller"); not a chain of common English bigrams (every adjacent pair, numbers spelled
   out, in symspellpy's English bigram list, Google Books pairs counted >= 6.4 million times:
   "number 3", "nice and easy", "white girl");
3. not made of the commonest English words only: one word (a number spelled out) is rarer than
   Zipf 5.0 in wordfreq's English list ("white stuff", "red rock", "china girl" are refused);
4. not an ordinary phrase of another Latin-script language: in no language wordfreq ships is every
   word at Zipf >= 3.0 and commoner there than in English ("la buena", "tigre blanco").

Matched like every street name: the whole phrase, its words in order, case-insensitive, never as
the target of a typo. Trade-off: code phrases made of the commonest words are missed, and a rare
code phrase can still be ordinary text (a hand review, named in the table's `source`, leaves out
phrases with another sense: "charlie horse", a leg cramp).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import pairwise

from bot.phrases import MAX_WORDS

NUMBERS = dict(
    zip(
        "0123456789",
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
        strict=True,
    )
)
COMMON_ZIPF = 5.0  # rule 3
WORD_ZIPF = 2.5  # rule 2, the closed-up form
OTHER_ZIPF = 3.0  # rule 4
# Latin-script languages of wordfreq 3.1 other than English (rule 4)
OTHER_LANGUAGES = (
    "ca",
    "cs",
    "da",
    "de",
    "es",
    "fi",
    "fil",
    "fr",
    "hu",
    "id",
    "is",
    "it",
    "lt",
    "lv",
    "ms",
    "nb",
    "nl",
    "pl",
    "pt",
    "ro",
    "sh",
    "sk",
    "sl",
    "sv",
    "tr",
    "vi",
)


def shape_error(words: list[str]) -> str | None:
    """Why a multi-word street name's words break rule 1, or None."""
    if not 2 <= len(words) <= MAX_WORDS:
        return f"needs 2 to {MAX_WORDS} words"
    for i, w in enumerate(words):
        if len(w) < 2 and not w.isdigit() and not (w == "s" and i > 0):
            return f"has a one-letter word {w!r}"
    return None


def ordinary_reason(
    words: list[str],
    zipf: Callable[[str, str], float],
    bigrams: Collection[str],
    wordnet: Collection[str],
) -> str | None:
    """Why the phrase is ordinary (rules 2-4), or None when it may be a street name. `zipf` is
    wordfreq's `zipf_frequency`, `bigrams` symspellpy's English bigrams ("brown sugar"),
    `wordnet` WordNet's multi-word entries with spaces ("witch hazel")."""
    spelled = [NUMBERS.get(w, w) for w in words]
    if " ".join(words) in wordnet or " ".join(spelled) in wordnet:
        return "a WordNet entry"
    if zipf("".join(words), "en") >= WORD_ZIPF:
        return "one English word closed up"
    if all(f"{a} {b}" in bigrams for a, b in pairwise(spelled)):
        return "common English bigrams"
    if all(zipf(w, "en") >= COMMON_ZIPF for w in spelled if w != "s"):
        return "the commonest English words only"
    words_ = [w for w in words if not w.isdigit()]
    for lang in OTHER_LANGUAGES:
        if all(zipf(w, lang) >= OTHER_ZIPF and zipf(w, lang) > zipf(w, "en") for w in words_):
            return f"ordinary words in {lang}"
    return None
