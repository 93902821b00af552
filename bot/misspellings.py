"""Misspelt and run-together medicine names: the last step of `bot.medicines`, for words no
dictionary matched.

- A typo of a class member ("oxycodon", "percoset", "fentynal", "co-codamole"): a word of six
  letters or more, same first letter, length within one, at most one optimal-string-alignment edit
  (a swap of neighbours is one edit; `rapidfuzz`), or two for names of eight letters or more
  ("tapendatol", "fentynal"), that is not an inflected English word ("morphing" is not "morphine").
- A compound: a class generic, or its INN spelling without the final "e" ("codein", "morphin"),
  at the start of a longer word ("codeinphosphat", "tramadolhydrochlorid", "fentanylpflaster").

Neither is tried on a word that any dictionary knows (a word of another medicine's name, such as
"procaine" or "proline", is a real word) nor on a common English word (`is_english`). A typo is
also not read into a word that `wordfreq`'s English list knows (`is_real_word`, from the extract
`bot/data/medicines/real_words.tsv` made by `bot.real_words_extract`: "morphea",
"atopic", "fontanel", "rectocele" are conditions and body parts, not misspelt morphine,
Atopica, fentanyl or a steroid brand), unless the word is one edit from a generic name: the
commonest misspellings of generics are on the web often enough to be in that list ("codine").
Trade-off: a typo that lands on a rare real word is missed; two edits on a short name are not tried.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

TYPO_MIN_LEN = 6
TYPO_MAX_EDITS = 2  # optimal-string-alignment edits; 2 only for names of 8+ letters, lengths within 1
ENGLISH_MIN_COUNT = 100  # pyspellchecker's English list holds rare junk ("methadon": 50)
COMPOUND_MIN_TAIL = 3  # letters after a generic in one word ("hcl", "phosphat")
_INFLECTED = re.compile(r"(?:ing|ed|ly|tion|ness|ment|ful|less)$")


def nearest(word: str, by_letter: dict[str, tuple[str, ...]]) -> str | None:
    """The closest target (one word) within the edit limits, or None."""
    from rapidfuzz.distance import OSA

    if len(word) < TYPO_MIN_LEN or _INFLECTED.search(word):
        return None
    near = [t for t in by_letter.get(word[0], ()) if abs(len(t) - len(word)) <= 1]
    scored = sorted((OSA.distance(word, t, score_cutoff=TYPO_MAX_EDITS), t) for t in near)
    ok = [t for d, t in scored if d <= 1 or (d == 2 and max(len(t), len(word)) >= 8)]
    return ok[0] if ok else None


def by_letter(targets: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Typo targets grouped by first letter (`nearest` compares a word with one group)."""
    out: dict[str, list[str]] = {}
    for t in targets:
        out.setdefault(t[0], []).append(t)
    return {k: tuple(v) for k, v in out.items()}


def short_tail(name: str) -> bool:
    """A two-word name whose second word is a letter or two ("sinutab c", "atasol 8")."""
    return name.count(" ") == 1 and len(name.split()[1]) <= 2


def compound_generic(word: str, stems: tuple[tuple[str, str], ...]) -> str | None:
    """The generic whose stem starts `word` with at least `COMPOUND_MIN_TAIL` letters after it."""
    for stem, generic in stems:
        if word.startswith(stem) and len(word) >= len(stem) + COMPOUND_MIN_TAIL:
            return None if is_english(word) else generic
    return None


def stems(generics: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(stem, generic), longest first: one-word generics of `TYPO_MIN_LEN`+ letters and their
    spelling without a final "e"."""
    out = {}
    for g in generics:
        if " " not in g and len(g) >= TYPO_MIN_LEN:
            out[g] = g
            out[g.removesuffix("e")] = g
    return tuple(sorted(out.items(), key=lambda sg: (-len(sg[0]), sg[0])))


@cache
def english() -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(distance=1).word_frequency


def is_english(word: str) -> bool:
    """A common English word ("install", "program", "heroine") is never read as a misspelt name:
    at least `ENGLISH_MIN_COUNT` occurrences in pyspellchecker's English word frequency list."""
    return len(word) >= TYPO_MIN_LEN and english()[word] >= ENGLISH_MIN_COUNT


REAL_WORDS = Path(__file__).resolve().parent / "data" / "medicines" / "real_words.tsv"


@cache
def real_words(path: Path = REAL_WORDS) -> frozenset[str]:
    """The words of `bot.real_words_extract`'s list (wordfreq's English words near a typo target)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read ({exc}); rerun python -m bot.real_words_extract") from None
    return frozenset(line.split("\t", 1)[0] for line in lines if line and not line.startswith("#"))


def is_real_word(word: str, generics: tuple[str, ...]) -> bool:
    """A word `wordfreq` knows in English (`real_words`), and not one edit from any of `generics`
    (the names the typo would be read as): such a word is what the person meant, not a misspelt
    medicine.

    >>> is_real_word("morphea", ("morphine",)), is_real_word("codine", ("codeine",))
    (True, False)
    """
    from rapidfuzz.distance import OSA

    if any(OSA.distance(word, g, score_cutoff=1) <= 1 for g in generics):
        return False
    return word in real_words()
