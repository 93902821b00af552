"""Word coverage: how much of what a question names do retrieval's first sentences mention.

Abstention evidence beside the cosine (`bot.rank`, `coverage_weight`). The question's content
words (BM25 tokens: lower-cased, stop words out, Snowball stems; the corpus's topic terms out, as
in `bot.retrieve`) are weighted by their IDF over the corpus's sentences, so a rare word counts
more and a word found nowhere in the corpus (the "hair loss" or "dog" the documents never
mention) weighs most and can never be covered. Coverage = the weighted share of those words
found in the best of retrieval's first `top` sentences; 1.0 when the question has no content
word left (nothing to miss).

Why: the cosine says a sentence is *about* the question's topic; when the words the question
turns on appear in none of the sentences retrieval puts first, the sources are less likely to
answer it. Chosen on dev + the transfer-dev corpus (`python -m eval.transfer`, eval/README.md).
Trade-off: lexical, so a synonym the corpus uses ("alcohol" for "wine") is not credited; it
only adds to the cosine, never answers on its own. Cost: one tokenisation of the corpus at
load (~1 ms per 100 sentences) and of each question.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.bm25 import tokenize
from index.store import IndexData


@dataclass(frozen=True, eq=False)
class WordCoverage:
    tokens: tuple[frozenset[str], ...]  # per sentence id
    df: Counter[str]
    topic: frozenset[str]

    @classmethod
    def from_texts(cls, texts: Sequence[str], topic: frozenset[str] = frozenset()) -> WordCoverage:
        tokens = tuple(frozenset(tokenize(t)) for t in texts)
        return cls(tokens, Counter(t for toks in tokens for t in toks), topic)

    @classmethod
    def from_index(cls, data: IndexData) -> WordCoverage:
        """Sentence tokens of the index; topic terms found the way `bot.retrieve` finds them."""
        from bot.retrieve import topic_terms

        terms = topic_terms([p.text for p in data.passages])
        topic = frozenset(t for term in terms for t in tokenize(term))
        return cls.from_texts([s.text for s in data.sentences], topic)

    def __call__(self, question: str, sentence_ids: Sequence[int]) -> float:
        """Coverage of `question`'s content words by the best of `sentence_ids`.

        >>> c = WordCoverage.from_texts(["Alcohol can make drowsiness worse.", "Take it at night."])
        >>> c("Is alcohol ok with it?", [0, 1]), c("Does it cause hair loss?", [0, 1])
        (1.0, 0.0)
        >>> round(c("Can I drink alcohol with it?", [0, 1]), 2)  # "drink": in no sentence, rare
        0.28
        """
        words = [t for t in dict.fromkeys(tokenize(question)) if t not in self.topic]
        if not words:
            return 1.0
        n = len(self.tokens)
        weight = {t: math.log((n + 1) / (self.df[t] + 0.5)) for t in words}
        total = sum(weight.values()) or 1.0
        return max(
            (sum(weight[t] for t in words if t in self.tokens[i]) / total for i in sentence_ids), default=0.0
        )
