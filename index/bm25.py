"""BM25 over passages or sentences with `bm25s` (sparse matrices, saved as .npy + JSON).

Tokens: lower-cased words of two or more characters, English stop words removed, Snowball
stemmed (PyStemmer), so "dreams"/"dreaming" match "dream". The same `tokenize` is used at
build and at query time; its parameters are recorded in the index manifest.

>>> tokenize("Does LDN cause vivid dreams?")
['ldn', 'caus', 'vivid', 'dream']
"""

from __future__ import annotations

import bisect
import difflib
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

_PATTERN = r"(?u)\b\w\w+\b"
TOKENIZER: dict[str, object] = {
    "pattern": _PATTERN,
    "stopwords": "en+questions",
    "stemmer": "snowball-english",
    "version": 2,
}
# bm25s's English list is short; people's questions are full of auxiliaries and question words
# ("does", "what", "how much") that match any sentence using them ("it does this by ...").
_QUESTION_WORDS = (
    "do does did doing done can could would should shall may might must much many what how why when "
    "where which who whom whose i me my mine myself im ive id you your yours yourself we us our he him "
    "his she her they them their am been being has have had having get gets got getting ok okay anyone "
    "anybody someone something anything thing things really actually just also very so too any some "
    "there here than then about please know tell"
)
QUESTION_STOPWORDS = frozenset(_QUESTION_WORDS.split())
_TOKEN = re.compile(_PATTERN)
MAX_PREFIX_EXPANSIONS = 5
MAX_FUZZY_VOCAB = 200_000
EXPANSION_CACHE = 4096  # query tokens whose index terms are remembered (the vocabulary is fixed)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | QUESTION_STOPWORDS


def stopwords() -> frozenset[str]:
    """The stop words of `tokenize` (also what topic-term detection leaves out)."""
    return _stopwords()


def tokenize(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in _stopwords()]
    return list(_stemmer().stemWords(words))


class Bm25Index:
    """A bm25s retriever over a fixed list of texts, addressed by row number."""

    def __init__(self, retriever: Any, size: int):
        self._retriever = retriever
        self.size = size
        self._words: list[str] | None = None
        self._expansions: dict[str, tuple[str, ...]] = {}

    @classmethod
    def build(cls, texts: list[str]) -> Bm25Index:
        import bm25s

        retriever = bm25s.BM25()
        corpus_tokens = [tokenize(t) or ["\u2205"] for t in texts]
        if texts:
            retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        if self.size:
            self._retriever.save(str(folder), allow_pickle=False)
        else:
            folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25Index:
        import bm25s

        if size == 0:
            return cls(bm25s.BM25(), 0)
        return cls(bm25s.BM25.load(str(folder), allow_pickle=False, load_corpus=False), size)

    def scores(self, query: str, ignore: frozenset[str] = frozenset()) -> np.ndarray:
        """BM25 score of every row for `query` (zeros when nothing matches)."""
        tokens = [t for t in tokenize(query) if t not in ignore]
        if not self.size or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        known = [w for t in tokens for w in self.expand(t)]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    def expand(self, token: str) -> list[str]:
        """Index terms for a query token: itself if indexed, else the indexed words it begins
        (a lay shortening: "fibro" -> "fibromyalgia"), else one close spelling ("fibromyalga").

        Only tokens of four (prefix) or five (spelling) letters or more are expanded, so short
        words never match half the vocabulary.
        """
        vocab = self._retriever.vocab_dict
        if token in vocab:
            return [token]
        known = self._expansions.get(token)  # the close-spelling search costs ~1 ms per word
        if known is None:
            if len(self._expansions) >= EXPANSION_CACHE:
                self._expansions.clear()  # bounded; unknown words of real questions recur
            known = self._expansions[token] = tuple(self._expand(token))
        return list(known)

    def _expand(self, token: str) -> list[str]:
        words = self._sorted_vocab()
        if len(token) >= 4:
            i = bisect.bisect_left(words, token)
            starts: list[str] = []
            while i < len(words) and words[i].startswith(token) and len(starts) < MAX_PREFIX_EXPANSIONS:
                starts.append(words[i])
                i += 1
            if starts:
                return starts
        if len(token) >= 5 and len(words) <= MAX_FUZZY_VOCAB:
            same_start = [w for w in words[bisect.bisect_left(words, token[0]) :] if w[:1] == token[0]]
            return difflib.get_close_matches(token, same_start, n=1, cutoff=0.8)
        return []

    def has(self, term: str) -> bool:
        """Whether `term` (a token of `tokenize`) is in the index vocabulary, exactly."""
        return term in self._retriever.vocab_dict if self.size else False

    def _sorted_vocab(self) -> list[str]:
        if self._words is None:
            self._words = sorted(w for w in self._retriever.vocab_dict if isinstance(w, str))
        return self._words

    def top(self, query: str, k: int, ignore: frozenset[str] = frozenset()) -> list[tuple[int, float]]:
        """Best `k` rows with a positive score; `ignore` holds index terms left out of the query."""
        s = self.scores(query, ignore)
        if not len(s):
            return []
        k = min(k, len(s))
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return [(int(i), float(s[i])) for i in idx if s[i] > 0]
