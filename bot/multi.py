"""Answer each question of a message that asks several (`bot.questions.split_questions`).

A message like "Does it cause insomnia? Also, can my husband pick up the prescription?" read as
one text matches neither topic well. Here each question gets what a message asking only it
would get, then the quotes are shared out:

1. retrieval and ranking per question (`bot.rank.retrieve_story` on the question alone, the
   medicines it names, `AnswerRanker.rank`), so each question's abstention is its own: a
   question the sources do not answer contributes no quote;
2. quotes per answered question by the usual rules (`bot.select.select`, its own budget);
3. round-robin in the order the person asked: every answered question's best quote first, then
   each one's second, ..., until the usual quote budget is full (at least one per answered
   question); a sentence already shown for an earlier question (or pinned) is not repeated;
4. the chosen quotes are shown grouped by question, in the order asked (`Answer.quotes` is in
   that order, so the evaluation scores what is shown), each group under the person's own
   question (`bot.render.quote_groups`).

Each quote records which question it answers (`Quote.question`, an index into
`Answer.questions`). The whole message is still retrieved once by the engine: pinned cautions
are ordered by it, as for any message.

Trade-off: the budget is shared, so with two questions each gets about two quotes rather than
four; a second quote from the same source for the first question can lose its place to the
other question's best one, which is the point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer_settings import SelectSettings
from bot.rank import AnswerRanker, Ranking, retrieve_story
from bot.retrieve import Retriever
from bot.select import Pick, Span, select
from bot.story import StoryQuestion
from index.store import IndexData


@dataclass(frozen=True)
class Part:
    """One question of the message with its own ranking (`ranking.answerable`: its abstention)."""

    question: str
    ranking: Ranking


def rank_each(
    questions: Sequence[str],
    retriever: Retriever,
    encode: Callable[[str], np.ndarray],
    ranker: AnswerRanker,
) -> list[Part]:
    """Retrieval, order and abstention of each question on its own."""
    out = []
    for q in questions:
        named, expand = ranker.medicines_named(q)
        retrieval = retrieve_story(retriever, encode, StoryQuestion(q, None), expand=expand)
        out.append(Part(q, ranker.rank((q,), retrieval, named)))
    return out


def interleave(
    lists: Sequence[Sequence[Pick]], limit: int, taken: Sequence[Span] = ()
) -> list[tuple[int, Pick]]:
    """(question index, pick) round-robin over `lists` (one per question, best first), at most
    `limit`, skipping a pick whose span overlaps one already chosen or `taken`."""
    spans, out = list(taken), list[tuple[int, Pick]]()
    for k in range(max((len(x) for x in lists), default=0)):
        for i, picks in enumerate(lists):
            if len(out) >= limit:
                return out
            if k >= len(picks):
                continue
            p = picks[k]
            if any(d == p.doc_id and a < p.end and p.start < b for d, a, b in spans):
                continue
            spans.append((p.doc_id, p.start, p.end))
            out.append((i, p))
    return out


def choose(
    parts: Sequence[Part],
    data: IndexData,
    settings: SelectSettings,
    taken: Sequence[Span],
    limit: int,
    stance: Callable[[str], str],
) -> list[tuple[int, Pick]]:
    """Quotes for the answered questions: each question's own selection, shared round-robin
    within `max(limit, number answered)` quotes, then grouped by question (stable: each
    question's own order); `taken`: pinned spans, never repeated."""
    lists = [
        select(p.ranking, data, settings, list(taken), limit, stance) if p.ranking.answerable else []
        for p in parts
    ]
    answered = sum(1 for x in lists if x)
    chosen = interleave(lists, max(limit, answered), taken)
    return sorted(chosen, key=lambda x: x[0])  # shown grouped by question, in the order asked
