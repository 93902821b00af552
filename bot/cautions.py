"""Cautions the sources state themselves, found by pattern when the index is loaded.

- Opioid warnings: a sentence that names an opioid (or "narcotic"/"opiate") *and* cautions
  ("cannot", "should not be combined", "would not take", "wait ... before", "withdrawal").
- Immunosuppressant/transplant cautions: the same with immunosuppressive medicines or transplants.
- Standing caveats: "not FDA approved" / "still under investigation" / "experimental", and
  "small trials" / "few replications" / "more research is needed".

A caution sentence followed by one that continues it ("This interaction can cause ...") is
quoted together with it: the span is still one verbatim slice of the document. Nothing here
is written by us: every caution is a quote with its source; only the *selection* is ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety import IMMUNO_TERMS, OPIOID_TERMS
from corpus.models import Sentence
from index.store import IndexData

_CAUTION = re.compile(
    r"\b(?:cannot|can ?not|can't|should not|shouldn't|must not|would not take|not (?:be )?(?:use|used|take|taken|"
    r"combined|prescribed)|avoid|wait|before (?:starting|they can|you start)|withdrawal|cautioned|caution|"
    r"interaction|flush)\b",
    re.I,
)
_OPIOID = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in OPIOID_TERMS if " " not in t) + r")\b", re.I)
_IMMUNO = re.compile(r"\b(?:immunosuppress\w*|transplant\w*|anti-rejection)\b", re.I)
_NOT_APPROVED = re.compile(
    r"\bnot (?:been )?(?:FDA[- ])?approved\b|\bstill under investigation\b|\bstill (?:highly )?experimental\b",
    re.I,
)
_SMALL_TRIALS = re.compile(
    r"\blow sample sizes?\b|\bfew replications?\b|\bmore research is needed\b|\b(?:trials|studies) (?:are|were|have been) small\b",
    re.I,
)
_CONTINUES = re.compile(r"^(?:This|These|That|It|Such)\b")
_ = IMMUNO_TERMS  # the question side of the same vocabulary lives in bot.safety


@dataclass(frozen=True)
class Caution:
    kind: str  # "opioid", "immunosuppressant", "not_approved", "small_trials"
    doc_id: str
    start: int
    end: int
    text: str
    sentence_id: int


# Among standing caveats of one kind, the most specific statement is quoted first: one about
# the trials themselves beats a general "more research is needed".
_SPECIFIC = re.compile(r"\b(?:sample sizes?|replications?|trials?|FDA)\b", re.I)


def caution_rank(c: Caution) -> tuple[int, str, int]:
    """Sort key: specific statements first, then document order."""
    return (0 if _SPECIFIC.search(c.text) else 1, c.doc_id, c.start)


def _with_continuation(data: IndexData, s: Sentence, following: dict[int, Sentence]) -> tuple[int, int]:
    nxt = following.get(s.sentence_id)
    doc = data.documents[s.doc_id].text
    if nxt is not None and _CONTINUES.match(nxt.text) and not doc[s.end : nxt.start].strip():
        return s.start, nxt.end
    return s.start, s.end


def find_cautions(data: IndexData) -> list[Caution]:
    following = {
        a.sentence_id: b
        for a, b in zip(data.sentences, data.sentences[1:], strict=False)
        if a.doc_id == b.doc_id
    }
    out: list[Caution] = []
    for s in data.sentences:
        kinds = []
        if _OPIOID.search(s.text) and _CAUTION.search(s.text):
            kinds.append("opioid")
        if _IMMUNO.search(s.text) and _CAUTION.search(s.text):
            kinds.append("immunosuppressant")
        if _NOT_APPROVED.search(s.text):
            kinds.append("not_approved")
        if _SMALL_TRIALS.search(s.text):
            kinds.append("small_trials")
        for kind in kinds:
            start, end = (
                _with_continuation(data, s, following)
                if kind in ("opioid", "immunosuppressant")
                else (s.start, s.end)
            )
            out.append(
                Caution(kind, s.doc_id, start, end, data.documents[s.doc_id].text[start:end], s.sentence_id)
            )
    return out


_HEDGE = re.compile(
    r"\b(?:weak|limited|little is known|very little|not (?:effective|proven|approved)|no (?:evidence|benefit)|"
    r"did not|experimental|more research|under investigation|unclear|uncertain|few replications|low sample)\b",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(?:effective|improv\w*|reduc\w*|reliev\w*|relief|success\w*|benefits?|remission|stopped the progression|"
    r"decreas\w*|helps?)\b",
    re.I,
)


def stance(text: str) -> str:
    """ "hedge" when the text doubts or limits a benefit, "positive" when it claims one, else "neutral".

    >>> stance("multiple sclerosis however benefit is weak for multiple sclerosis")
    'hedge'
    >>> stance("Some patients report an improvement in their symptoms of up to 90%.")
    'positive'
    """
    if _HEDGE.search(text):
        return "hedge"
    return "positive" if _POSITIVE.search(text) else "neutral"
