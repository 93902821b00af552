"""The answer contract: what `answer(question)` returns to the chat, the CLI and the evaluation.

An `Answer` holds only quotes (verbatim spans of source documents, checkable by offsets),
evidence labels and caveats, the one fixed advice and fixed system messages. `to_dict` gives
the JSON object of `python -m bot ask --json` and of the web API, with exactly the fields
`status, question, message, quotes[doc_id,title,source,page,start,end,text,score,evidence,pinned],
caveats, advice, triage, triage_categories` (`triage`: "definite", "possible" or null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    EMERGENCY = "emergency"
    INVALID = "invalid"


@dataclass(frozen=True)
class Quote:
    """A verbatim span: `document.text[start:end] == text`."""

    doc_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float
    evidence: tuple[str, ...]
    context: str = ""  # the surrounding passage (verbatim), for "show more"
    credibility: str = ""  # the corpus manifest's note on this source
    pinned: str | None = None  # "opioid" / "immunosuppressant" when shown because of a pin

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 4),
            "evidence": list(self.evidence),
            "pinned": self.pinned,
        }


@dataclass(frozen=True)
class Caveat:
    """A caveat: a fixed system text, or a quote from a source (then `quote` is set)."""

    text: str
    kind: str
    quote: Quote | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.quote is not None:
            out["doc_id"], out["start"], out["end"] = self.quote.doc_id, self.quote.start, self.quote.end
            out["source"] = self.quote.source
        return out


@dataclass(frozen=True)
class Answer:
    status: Status
    question: str
    message: str
    quotes: tuple[Quote, ...]
    caveats: tuple[Caveat, ...]
    advice: str
    signals: dict[str, float] = field(default_factory=dict, compare=False)  # retrieval evidence, for eval
    triage: str | None = None  # "definite" (emergency message alone), "possible" (guidance first), None
    triage_categories: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "question": self.question,
            "message": self.message,
            "quotes": [q.to_dict() for q in self.quotes],
            "caveats": [c.to_dict() for c in self.caveats],
            "advice": self.advice,
            "triage": self.triage,
            "triage_categories": list(self.triage_categories),
        }
