"""Which ranked sentences are shown as quotes, and in what order.

Input: a `bot.rank.Ranking` (candidates best first, each with a relevance and a score).
Rules, in order (numbers in `bot/data/answer.toml`, chosen on the dev split; rule 1 on dev and a
transfer-dev corpus together, `python -m eval.transfer`):

1. the first quote is the candidate that looks most like an answer among the first
   `first_depth`: the best of its position in the ranking (1 / (first_k + 1 + position)),
   `first_similarity` x its centred cosine to the question and `first_kind` for each feature of
   the answer asked it has (`bot.intent`), up to `first_kind_cap`. The ranking fuses BM25 and passage lists, which
   reward shared words ("taking", "night") and put sentences that share the question's topic
   first; the cosine of the sentence itself and its answer shape say more about whether it
   answers. Only the first place is re-chosen: the other quotes keep the ranking's order (on
   dev + the melatonin corpus this kept hit@3 where re-ordering every quote lost it, see
   bot/data/answer.toml). Both weights 0: the ranking's first candidate. Before all this: when
   the question names a medicine and a candidate names it (or its class) in a caution's context
   (`bot.named_medicines`), the best placed such candidate is first: the caution the person
   needs, which the cosine of a long list of medicines would never put first;
2. further candidates in score order while their relevance reaches `quote_share` of the
   best's and `quote_min`, at most `per_doc` from one document, no overlapping spans;
3. when every quote comes from one source, the best candidate of another source whose
   relevance reaches `other_source_min` (and `other_source_share` of the best), so a patient
   sees where sources differ;
4. conflict shape: when the quotes only claim a benefit or only doubt it
   (`bot.cautions.stance`), the best candidate of the other stance from *another* source
   whose relevance reaches `conflict_min` is shown too (taking the last place when the quotes
   are full), so both sides appear, each with its source, and the engine's conflict caveat
   fires.

The relevance threshold replaces the old cosine "floor" that hid answering sentences with a
modest cosine: with a relevance model, a quote needs to be judged an answer, not to look like
the best one. Without a model the old cosine rules apply (`select_without_model`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.answer_settings import SelectSettings
from bot.backref import standalone
from bot.rank import Ranking, Scored
from index.store import IndexData

Span = tuple[str, int, int]  # doc_id, start, end


@dataclass(frozen=True)
class Pick:
    """A chosen quote: the sentence's span and the candidate it came from."""

    doc_id: str
    start: int
    end: int
    candidate: Scored
    reason: str  # "best", "relevant", "other_source", "other_stance"


def select(
    ranking: Ranking,
    data: IndexData,
    settings: SelectSettings,
    taken: list[Span],
    limit: int,
    stance: Callable[[str], str],
) -> list[Pick]:
    """Quotes for `ranking`; `taken` holds spans already shown (pinned cautions), and grows."""
    if not ranking.scored or limit < 1:
        return []
    before = list(taken)  # a quote that starts "This ..." gets the sentence before (bot.backref)
    return standalone(data, _Chooser(data, settings, taken, limit, stance).run(ranking.scored), before)


class _Chooser:
    def __init__(
        self,
        data: IndexData,
        settings: SelectSettings,
        taken: list[Span],
        limit: int,
        stance: Callable[[str], str],
    ):
        self.data, self.s, self.taken, self.limit, self.stance = data, settings, taken, limit, stance
        self.per_doc: dict[str, int] = {}
        self.out: list[Pick] = []

    def span(self, c: Scored) -> Span:
        u = self.data.sentences[c.sentence_id]
        return u.doc_id, u.start, u.end

    def fits(self, c: Scored, ignore_doc_limit: bool = False) -> bool:
        doc_id, start, end = self.span(c)
        if any(d == doc_id and a < end and start < b for d, a, b in self.taken):
            return False
        return ignore_doc_limit or self.per_doc.get(doc_id, 0) < self.s.per_doc

    def take(self, c: Scored, reason: str) -> None:
        doc_id, start, end = self.span(c)
        self.per_doc[doc_id] = self.per_doc.get(doc_id, 0) + 1
        self.taken.append((doc_id, start, end))
        self.out.append(Pick(doc_id, start, end, c, reason))

    def drop_last(self) -> None:
        p = self.out.pop()
        self.per_doc[p.doc_id] -= 1
        self.taken.remove((p.doc_id, p.start, p.end))

    def first(self, cands: tuple[Scored, ...]) -> int:
        """The position of the candidate shown first (rule 1 of the module doc)."""
        s = self.s
        fits = [j for j in range(min(s.first_depth, len(cands))) if self.fits(cands[j])]
        named = [j for j in fits if cands[j].medicine_match]
        if named:  # a caution naming the medicine the person asks about comes first
            return named[0]
        if s.first_similarity == 0 and s.first_kind == 0:
            return 0
        key = lambda j: (  # noqa: E731
            1.0 / (s.first_k + 1 + j)
            + s.first_similarity * cands[j].similarity
            + s.first_kind * min(cands[j].kind_strength, s.first_kind_cap)
        )
        return max(fits, key=lambda j: (key(j), -j), default=0)

    def run(self, cands: tuple[Scored, ...]) -> list[Pick]:
        s, out = self.s, self.out
        best = cands[0].relevance
        floor = max(s.quote_min, s.quote_share * best)
        lead = self.first(cands)
        if self.fits(cands[lead]):
            self.take(cands[lead], "best")
        for c in cands:
            if len(out) >= self.limit:
                break
            if (not out or c.relevance >= floor) and self.fits(c):
                self.take(c, "relevant" if out else "best")
        if not out:
            return out
        if len(self.per_doc) == 1 and len(out) < self.limit:
            other_floor = max(s.other_source_min, s.other_source_share * best)
            for c in cands:
                if self.span(c)[0] not in self.per_doc and c.relevance >= other_floor and self.fits(c):
                    self.take(c, "other_source")
                    break
        self.other_stance(cands)
        return out

    def other_stance(self, cands: tuple[Scored, ...]) -> None:
        text = lambda c: self.data.sentences[c.sentence_id].text  # noqa: E731
        present = {self.stance(text(p.candidate)) for p in self.out} & {"hedge", "positive"}
        if len(present) != 1:
            return
        wanted = "hedge" if present == {"positive"} else "positive"
        shown_docs = {p.doc_id for p in self.out}
        for c in cands:
            if c.relevance < self.s.conflict_min or self.span(c)[0] in shown_docs:
                continue
            if self.stance(text(c)) != wanted or not self.fits(c, ignore_doc_limit=True):
                continue
            if len(self.out) >= self.limit:
                if len(self.out) == 1:
                    return  # never replace the best quote
                self.drop_last()
            self.take(c, "other_stance")
            return
