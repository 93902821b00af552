"""Lay shortenings of the corpus's own words, completed for the dense query ("fibro" -> "fibromyalgia").

People shorten long medical words ("fibro", "chemo"); BM25 already completes such a word to the
index terms it begins (`index.bm25.Bm25Index.expand`), but the sentence model reads "fibro" as
something else: "I've had fibro for 10 years ... does LDN help?" got a best cosine below the
abstention cut while the same message with "fibromyalgia" was answered.

A word of the question is completed when all of these hold (no word list of our own):

- it has at least `MIN_LETTERS` letters and is not a word of the corpus;
- it is not a common English word (pyspellchecker's frequency list, the bar of `bot.misspellings`),
  so "night" never becomes "nightmares" nor "give" "given";
- it begins corpus words of exactly one stem (several stems: ambiguous, left alone); the
  completion is that stem's commonest spelling in the corpus.

Only prefixes: a misspelling ("fibromyalga") is left to BM25, whose close-spelling matches also
turn "friend" into "find". Trade-off: a shortening the corpus never completes, or one that is
also a common word, stays as typed.

>>> s = Shortenings(["Fibromyalgia pain fell.", "LDN helped fibromyalgia."])
>>> s.complete("Does LDN help fibro?")
'Does LDN help fibromyalgia?'
>>> s.complete("Does LDN help at night?")
'Does LDN help at night?'
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable

from index.bm25 import stopwords, tokenize

MIN_LETTERS = 4
_LETTERS = re.compile(r"[^\W\d_]+")


class Shortenings:
    def __init__(self, texts: Iterable[str]):
        counts: Counter[str] = Counter(w.lower() for t in texts for w in _LETTERS.findall(t))
        self.words = sorted(counts)
        self.known = frozenset(counts)
        by_stem: dict[str, Counter[str]] = {}
        for w, n in counts.items():
            stem = tokenize(w)
            if stem:
                by_stem.setdefault(stem[0], Counter())[w] += n
        self.spelling = {stem: c.most_common(1)[0][0] for stem, c in by_stem.items()}

    def completion(self, word: str) -> str | None:
        """The corpus word `word` shortens, or None (see the module doc)."""
        w = word.lower()
        if len(w) < MIN_LETTERS or w in self.known or w in stopwords() or is_common(w):
            return None
        i = bisect.bisect_left(self.words, w)
        stems = set()
        while i < len(self.words) and self.words[i].startswith(w):
            stem = tokenize(self.words[i])
            stems.update(stem[:1])
            i += 1
        return self.spelling[stems.pop()] if len(stems) == 1 else None

    def complete(self, text: str) -> str:
        """`text` with every shortening completed (unchanged when there is none)."""
        return _LETTERS.sub(lambda m: self.completion(m.group()) or m.group(), text)


def is_common(word: str) -> bool:
    """A common English word (pyspellchecker's list, the bar of `bot.misspellings`)."""
    from bot.misspellings import ENGLISH_MIN_COUNT, english

    return bool(english()[word] >= ENGLISH_MIN_COUNT)
