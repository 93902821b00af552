"""Training examples for the query adapter (`index.adapter`): question -> answer sentences.

Public data only. From MedQuAD (U.S. NLM, CC BY 4.0), per question:

- positives: the first `positives` quotable sentences of its own answer (the sentence that
  answers usually opens the answer; the fit uses, per question, the first sentence and the one of
  these most similar to the question);
- hard negatives: sentences of the answers to *other question types about the same focus*
  ("What causes X?" against a sentence on X's symptoms): on topic, not an answer, the failure
  MiniLM's cosine makes; in-batch answers of other foci are the easy negatives.
- the question is also given in a *neutral* form, without its focus words, as the bot encodes a
  question with and without the corpus's topic terms (`bot.retrieve.Retriever.query_texts`).

Exclusions, so that the LiveQA-Med measurement stays clean: `train.data.load_medquad` drops
every MedQuAD document with any answer judged for the TREC 2017 LiveQA medical questions and
any answer whose text equals a judged one. Nothing under the project's `eval/` folder is read.
Questions are taken by whole foci in a seeded order, and a seeded share of foci is held out for
the fit's own check, so no topic is on both sides.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from train.data import DataPaths, answer_sentences, check_path, load_exclusion, load_medquad


@dataclass(frozen=True)
class Example:
    question: str
    neutral: str  # the question without its focus words ("" when nothing is removed)
    positives: tuple[str, ...]  # the answer's first sentences, in order
    negatives: tuple[str, ...]  # sentences answering other question types on the same focus
    group: str  # the focus: examples of one focus stay on one side of the split
    source: str  # "medquad"


def neutral_form(question: str, focus: str) -> str:
    """The question without its focus, as the bot drops topic terms.

    >>> neutral_form("What are the symptoms of Celiac disease ?", "Celiac Disease")
    'What are the symptoms of ?'
    """
    if not focus.strip():
        return ""
    out = re.sub(re.escape(focus.strip()), " ", question, flags=re.IGNORECASE)
    out = re.sub(r"\s+", " ", out).strip()
    return out if out != question.strip() and re.search(r"[A-Za-z]{3,}", out) else ""


def build_examples(
    paths: DataPaths,
    questions: int,
    seed: int,
    positives: int = 3,
    negatives: int = 12,
) -> tuple[list[Example], dict[str, Any]]:
    """About `questions` examples (whole foci, seeded order) and a summary of what went in."""
    for p in (paths.medquad, paths.liveqa_qrels, paths.liveqa_answers):
        check_path(p)
    rng = random.Random(seed)
    exclusion = load_exclusion(paths)
    rows, dropped = load_medquad(paths, exclusion)
    by_focus: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_focus[r["focus"].strip().lower()].append(r)
    foci = sorted(f for f, rs in by_focus.items() if len({r["qtype"] for r in rs}) >= 2)
    rng.shuffle(foci)
    examples: list[Example] = []
    for focus in foci:
        if len(examples) >= questions:
            break
        group = by_focus[focus]
        sents = [tuple(answer_sentences(r["answer"], limit=positives + 1)) for r in group]
        for i, r in enumerate(group):
            own = sents[i][:positives]
            others = [
                s
                for j, o in enumerate(group)
                if o["qtype"] != r["qtype"] and sents[j][:1] != own[:1]
                for s in sents[j][:2]
            ]
            if not own or not others:
                continue
            rng.shuffle(others)
            examples.append(
                Example(
                    question=r["question"],
                    neutral=neutral_form(r["question"], r["focus"]),
                    positives=own,
                    negatives=tuple(dict.fromkeys(others))[:negatives],
                    group=focus,
                    source="medquad",
                )
            )
    summary = {
        "medquad_rows_excluded_liveqa": dropped,
        "liveqa_documents_excluded": len(exclusion.docs),
        "examples": len(examples),
        "foci": len({e.group for e in examples}),
        "seed": seed,
    }
    return examples, summary


def split_examples(
    examples: list[Example], seed: int, held_share: float = 0.1
) -> tuple[list[Example], list[Example]]:
    """(train, held-out) with whole foci on one side, by a seeded draw."""
    groups = sorted({e.group for e in examples})
    held = set(random.Random(seed + 1).sample(groups, max(1, int(len(groups) * held_share))))
    return [e for e in examples if e.group not in held], [e for e in examples if e.group in held]
