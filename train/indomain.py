"""In-domain training pairs for the query adapter: spent patient-style questions -> gold sentences.

MedQuAD's templated questions ("What are the symptoms of X ?") are another distribution than a
patient's ("can I take it with my sertraline?"); the adapter fitted on them ties dense retrieval
(eval/README.md). This module builds pairs from the project's *spent* question sets instead
(their failures have informed decisions already, so they are dev sets): each answerable
question, its gold sentences as positives (index sentences overlapping a gold span, the same
test `python -m eval sets` scores a hit with) and the retriever's own top non-gold sentences as
hard negatives (on topic, ranked high, not an answer: the error the adapter should correct).
Unanswerable questions have no positive and are left out.

Which sets may be read is the caller's choice (`python -m train adapter --in-domain --set ...`);
`check_sets` refuses the gold `test` split and any set not named as spent, so a fresh held-out
set cannot be trained on by mistake.

Trade-off: the pairs come from the bundled corpus's own sentences, so the fit can learn "this
corpus's answering sentences" rather than "what answers"; the transfer check is another
medicine's corpus (`eval/corpora/melatonin`), never trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Sets whose questions have informed decisions already (eval/README.md); only these may be read.
# heldout7 is spent too but kept out: session 11 judged the in-domain adapter on it.
SPENT_SETS = ("dev", "heldout", "heldout3", "heldout4", "heldout5", "heldout6")


class InDomainError(ValueError):
    """A set that may not be trained on was asked for."""


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class PairExample:
    """One answerable question: index sentence ids of its gold (positives) and of the
    retriever's top non-gold sentences (hard negatives, best first)."""

    question: str
    positives: tuple[int, ...]
    negatives: tuple[int, ...]
    group: str  # the set it comes from


def check_sets(names: Iterable[str], spent: Sequence[str] = SPENT_SETS) -> tuple[str, ...]:
    """`names` in order, refusing any set not listed as spent (e.g. `test`, a fresh held-out set).

    >>> check_sets(["dev", "heldout"])
    ('dev', 'heldout')
    """
    out = tuple(dict.fromkeys(names))
    bad = [n for n in out if n not in spent]
    if bad:
        raise InDomainError(f"in-domain data: {bad} not spent sets (allowed: {list(spent)})")
    return out


def gold_sentence_ids(sentences: Sequence[Span], gold: Sequence[Span]) -> tuple[int, ...]:
    """Ids (positions in `sentences`) of the sentences sharing a character with a gold span.

    >>> s = [Span("a", 0, 10), Span("a", 10, 20), Span("b", 0, 10)]
    >>> gold_sentence_ids(s, [Span("a", 12, 15), Span("b", 10, 12)])
    (1,)
    """
    out = []
    for i, s in enumerate(sentences):
        if any(g.doc_id == s.doc_id and g.start < s.end and s.start < g.end for g in gold):
            out.append(i)
    return tuple(out)


def hard_negatives(ranked: Sequence[int], positives: Sequence[int], count: int) -> tuple[int, ...]:
    """The first `count` of retrieval's ranked sentence ids that are not gold.

    >>> hard_negatives([5, 3, 9, 1], [3], 2)
    (5, 9)
    """
    gold = set(positives)
    return tuple(i for i in ranked if i not in gold)[:count]


def build_pairs(
    questions: Sequence[tuple[str, str, Sequence[Span]]],
    sentences: Sequence[Span],
    ranked: Callable[[str], Sequence[int]],
    negatives: int = 8,
    unanswerable: bool = False,
) -> list[PairExample]:
    """Examples from (set name, question, gold spans); a question with no gold sentence in the
    index (unanswerable, or a span the splitter cut away) is skipped, or with `unanswerable`
    kept with no positive (its retrieved sentences are all negatives: a relevance model learns
    to score low where the bot should decline). `ranked(question)`: the retriever's sentence
    ids, best first."""
    out = []
    for group, question, gold in questions:
        pos = gold_sentence_ids(sentences, gold)
        if not pos and not (unanswerable and not gold):
            continue
        out.append(PairExample(question, pos, hard_negatives(ranked(question), pos, negatives), group))
    return out


@dataclass(frozen=True)
class PairArrays:
    """Row r: query vector, one positive, the question's hard negatives (masked), and which
    in-batch positives are gold for the row's question too (so not negatives)."""

    queries: np.ndarray  # (n, d)
    positives: np.ndarray  # (n, d)
    negatives: np.ndarray  # (n, h, d)
    neg_mask: np.ndarray  # (n, h) bool
    positive_id: np.ndarray  # (n,) sentence id of the row's positive
    gold: tuple[frozenset[int], ...]  # per row: every gold sentence id of its question


def labelled_pairs(
    examples: Sequence[PairExample], text: Callable[[int], str]
) -> list[tuple[str, str, float]]:
    """(question, sentence text, label) for a cross-encoder: gold 1.0, hard negatives 0.0.

    >>> labelled_pairs([PairExample("q", (1,), (0,), "dev")], ["no", "yes"].__getitem__)
    [('q', 'yes', 1.0), ('q', 'no', 0.0)]
    """
    out = []
    for e in examples:
        out += [(e.question, text(i), 1.0) for i in e.positives]
        out += [(e.question, text(i), 0.0) for i in e.negatives]
    return out


def pair_arrays(
    examples: Sequence[PairExample],
    qvec: Callable[[str], np.ndarray],
    vectors: np.ndarray,
    hard: int,
    max_positives: int = 4,
) -> PairArrays:
    """One row per (question, positive), at most `max_positives` per question."""
    d = vectors.shape[1]
    qs, ps, ns, ms, pid, gold = [], [], [], [], [], []
    for e in examples:
        q = qvec(e.question)
        neg = np.zeros((hard, d), np.float32)
        mask = np.zeros(hard, bool)
        k = min(hard, len(e.negatives))
        if k:
            neg[:k] = vectors[list(e.negatives[:k])]
            mask[:k] = True
        for p in e.positives[:max_positives]:
            qs.append(q)
            ps.append(vectors[p])
            ns.append(neg)
            ms.append(mask)
            pid.append(p)
            gold.append(frozenset(e.positives))
    return PairArrays(
        np.stack(qs).astype(np.float32),
        np.stack(ps).astype(np.float32),
        np.stack(ns),
        np.stack(ms),
        np.array(pid),
        tuple(gold),
    )
