"""Reranker pairs with hard negatives mined by the retriever's own model (option B of issue #11).

From the query adapter's examples (`train.adapter_data`: MedQuAD minus every LiveQA-judged
document; nothing from `eval/`) and their MiniLM vectors (`train.adapter.encode_cached`), per
question: positives are sentences of its own answer (the first, and the one of the first three
MiniLM finds most similar to the question) and its opening (first three sentences); negatives are
the same-focus sentences answering other question types that MiniLM ranks *highest* for the
question (the topic-not-answer sentences retrieval puts first), plus one sentence of another
focus. Labels are 1/0 `train.data.Pair`s grouped by focus, for `train.fit.fit`.
"""

from __future__ import annotations

import random

import numpy as np

from train.adapter_data import Example
from train.data import Pair


def mined_pairs(
    examples: list[Example], vec: dict[str, np.ndarray], n_pairs: int, seed: int, hard: int = 2
) -> tuple[list[Pair], dict[str, int]]:
    """About `n_pairs` shuffled pairs (whole questions) and the count of each kind."""
    rng = random.Random(seed)
    order = list(range(len(examples)))
    rng.shuffle(order)
    firsts = [e.positives[0] for e in examples]
    pairs: list[Pair] = []
    for i in order:
        if len(pairs) >= n_pairs:
            break
        e = examples[i]
        q = vec[e.question]
        best = max(e.positives, key=lambda s: float(vec[s] @ q))
        group = e.group
        pairs.append(Pair(e.question, e.positives[0], 1.0, "pos-sentence", group))
        if best != e.positives[0]:
            pairs.append(Pair(e.question, best, 1.0, "pos-similar", group))
        pairs.append(Pair(e.question, " ".join(e.positives), 1.0, "pos-opening", group))
        for s in sorted(e.negatives, key=lambda s: -float(vec[s] @ q))[:hard]:
            pairs.append(Pair(e.question, s, 0.0, "neg-mined-same-focus", group))
        j = rng.randrange(len(examples))
        if examples[j].group != group:
            pairs.append(Pair(e.question, firsts[j], 0.0, "neg-other-focus", group))
    rng.shuffle(pairs)
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    return pairs, kinds
