"""Quotes of one answer: the pinned cautions first, then the ranked sentences, then the caveats.

`QuoteMaker` turns spans of the index into `Quote`s (verbatim `document.text[start:end]`, with
title, source, page, evidence labels and the passage shown as context) in three steps the engine
calls in order:

1. `pinned(pins, retrieval)`: for each pin (a named opioid, a transplant), the sources' own
   cautions of that kind (`bot.cautions`), those the retrieval ranks higher first; at most two per
   document and three per kind, never overlapping;
2. `found(ranking, pinned, parts)`: the quotes after the pinned ones, chosen by `bot.select` from
   one ranking, or shared round-robin between several questions (`bot.multi.choose`), each then
   marked with the question it answers; together at most `max_quotes`, at least one;
3. `caveats(quotes, pins)`: the standing cautions and notes of `bot.caveats`, their quotes made
   here too, so every word shown comes from a span of a document.

Pure over the index: no model call, no state between answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.answer_settings import SelectSettings
from bot.cautions import Caution, stance
from bot.caveats import caveats_for
from bot.evidence import label_evidence
from bot.models import Caveat, PinKind, Quote
from bot.multi import Part, choose
from bot.rank import Ranking
from bot.retrieve import Retrieval
from bot.select import Pick, select
from index.store import IndexData

PER_DOC = 2  # pinned cautions from one document
PER_KIND = 3  # pinned cautions of one kind


class QuoteMaker:
    def __init__(
        self,
        data: IndexData,
        cautions: Sequence[Caution],
        passages_of: Mapping[int, list[int]],
        settings: SelectSettings,
    ):
        self.data, self.cautions, self.passages_of, self.settings = data, cautions, passages_of, settings

    def quote(
        self, doc_id: str, start: int, end: int, score: float, passage_id: int, pinned: PinKind | None = None
    ) -> Quote:
        """The quote of `doc_id[start:end]`; its context is the passage `passage_id` (-1: itself)."""
        doc = self.data.documents[doc_id]
        text = doc.text[start:end]
        context = self.data.passages[passage_id].text if passage_id >= 0 else text
        return Quote(
            doc_id=doc_id,
            title=doc.meta.title,
            source=doc.meta.display_source(doc_id),
            page=doc.page_at(start),
            start=start,
            end=end,
            text=text,
            score=score,
            evidence=label_evidence(text),
            context=context,
            credibility=doc.meta.credibility,
            pinned=pinned,
        )

    def pinned(self, pins: set[PinKind], retrieval: Retrieval) -> list[Quote]:
        """The cautions of each pinned kind, in `PinKind` order."""
        out: list[Quote] = []
        rank = {h.unit_id: k for k, h in enumerate(retrieval.hits)}
        for kind in PinKind:
            if kind not in pins:
                continue
            cautions = [c for c in self.cautions if c.kind == kind]
            cautions.sort(key=lambda c: (rank.get(c.sentence_id, len(rank)), c.doc_id, c.start))
            per_doc: dict[str, int] = {}
            for c in cautions:
                overlaps = any(q.doc_id == c.doc_id and q.start < c.end and c.start < q.end for q in out)
                if per_doc.get(c.doc_id, 0) >= PER_DOC or overlaps:
                    continue
                per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
                pid = self.passages_of.get(c.sentence_id, [-1])[0]
                out.append(self.quote(c.doc_id, c.start, c.end, 1.0, pid, kind))
                if sum(1 for q in out if q.pinned == kind) >= PER_KIND:
                    break
        return out

    def found(self, ranking: Ranking, pinned: Sequence[Quote], parts: Sequence[Part] = ()) -> list[Quote]:
        """Quotes after `pinned`: of `ranking`, or of each of `parts` (each marked with its index)."""
        s = self.settings
        limit = max(1, s.max_quotes - len(pinned))
        taken = [(q.doc_id, q.start, q.end) for q in pinned]
        picks: list[tuple[int | None, Pick]] = []
        if parts:
            picks += choose(parts, self.data, s, taken, limit, stance)
        else:
            picks += [(None, p) for p in select(ranking, self.data, s, taken, limit, stance)]
        out = []
        for question, p in picks:
            q = self.quote(p.doc_id, p.start, p.end, p.candidate.score, p.candidate.passage_id)
            out.append(replace(q, question=question))
        return out

    def caveats(self, quotes: Sequence[Quote], pins: set[PinKind]) -> tuple[Caveat, ...]:
        """The caveats of an answer made of `quotes` (`bot.caveats`)."""
        return caveats_for(
            quotes, pins, self.cautions, self.data, lambda c: self.quote(c.doc_id, c.start, c.end, 0.0, -1)
        )
