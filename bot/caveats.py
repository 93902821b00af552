"""The caveats framing an answer's quotes (the last stage of `Engine.answer`).

In order: a fixed note for each kind of medicine pinned (the sources' cautions are quoted
first); a fixed note when the quoted sources disagree (one hedges where another claims a
benefit, `bot.cautions.stance`); the sources' own standing cautions, quoted (not approved,
always; small trials, only where a quote rests on studies or claims a benefit: a price or a
pharmacy needs no note about trial sizes), each the best-ranked one not already quoted; and a
note on each quoted source's credibility, once per source.

Everything here is a fixed message from `bot.messages` or a verbatim quote: no text of our own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import messages
from bot.cautions import Caution, caution_rank, stance
from bot.evidence import NOT_STUDIES
from bot.models import Caveat, CaveatKind, PinKind, Quote, SourceNote
from index.store import IndexData


def caveats_for(
    quotes: Sequence[Quote],
    pins: set[PinKind],
    cautions: Sequence[Caution],
    data: IndexData,
    quote_of: Callable[[Caution], Quote],
) -> tuple[Caveat, ...]:
    """The caveats of an answer made of `quotes`; `quote_of` turns a standing caution into the
    quote shown with it."""
    out: list[Caveat] = []
    if PinKind.OPIOID in pins:
        out.append(Caveat(messages.PINNED_OPIOID, CaveatKind.PINNED))
    if PinKind.IMMUNOSUPPRESSANT in pins:
        out.append(Caveat(messages.PINNED_IMMUNO, CaveatKind.PINNED))
    stances = {q.doc_id: stance(q.text) for q in quotes if q.pinned is None}
    by_stance = {st: {d for d, s in stances.items() if s == st} for st in ("hedge", "positive")}
    if by_stance["hedge"] and by_stance["positive"] and by_stance["hedge"] != by_stance["positive"]:
        out.append(Caveat(messages.CONFLICT, CaveatKind.CONFLICT))
    quoted = {(q.doc_id, q.start) for q in quotes}
    kinds = [CaveatKind.NOT_APPROVED]
    if any(q.pinned is None and (_rests_on_studies(q) or stance(q.text) == "positive") for q in quotes):
        kinds.append(CaveatKind.SMALL_TRIALS)
    for kind in kinds:
        c = _standing(cautions, kind, quoted)
        if c is not None:
            out.append(Caveat(c.text, kind, quote_of(c)))
    seen: set[str] = set()
    for q in quotes:
        if q.doc_id in seen:
            continue
        seen.add(q.doc_id)
        name = data.documents[q.doc_id].meta.display_source(q.doc_id)
        out.append(Caveat.about_source(SourceNote(q.doc_id, name, q.credibility)))
    return tuple(out)


def _standing(cautions: Sequence[Caution], kind: str, quoted: set[tuple[str, int]]) -> Caution | None:
    candidates = [c for c in cautions if c.kind == kind and (c.doc_id, c.start) not in quoted]
    return min(candidates, key=caution_rank) if candidates else None


def _rests_on_studies(q: Quote) -> bool:
    return any(label.key not in NOT_STUDIES for label in q.evidence)
