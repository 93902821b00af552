"""The answer contract: what `answer(question)` returns to the chat, the CLI and the evaluation.

An `Answer` holds only quotes (verbatim spans of source documents, checkable by offsets),
evidence labels and caveats, the one fixed advice and fixed system messages. `to_dict` gives
the JSON object of `python -m bot ask --json` and of the web API, with exactly the fields
`status, question, message, quotes[doc_id,title,source,page,start,end,text,score,evidence,pinned,
question], caveats, advice, triage, triage_categories, questions` (`triage`: "definite", "possible"
or null; `questions`: the questions of a message that asks several, each answered on its own, and
a quote's `question` the index of the one it answers, null otherwise).

Kinds are enums (`Status`, `PinKind`, `CaveatKind`, `bot.evidence.EvidenceLabel`); a quote's
evidence is label keys, a source caveat is its fields: the words shown for them are decided by
the renderers (`bot/render.py`: HTML and plain text) and by `to_dict` for the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.evidence import Label


class Status(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    EMERGENCY = "emergency"
    INVALID = "invalid"


class PinKind(StrEnum):
    """Why a quote is shown first: the question names a medicine the sources warn about."""

    OPIOID = "opioid"
    IMMUNOSUPPRESSANT = "immunosuppressant"


class CaveatKind(StrEnum):
    PINNED = "pinned"  # a fixed note: why pinned quotes come first
    CONFLICT = "conflict"  # a fixed note: the quoted sources disagree
    NOT_APPROVED = "not_approved"  # a quoted standing caution of the sources
    SMALL_TRIALS = "small_trials"  # a quoted standing caution of the sources
    SOURCE = "source"  # the corpus manifest's note on one quoted source (`Caveat.source`)


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
    evidence: tuple[Label, ...]  # label keys (with a participant count); words in `Label.display`
    context: str = ""  # the surrounding passage (verbatim), for "show more"
    credibility: str = ""  # the corpus manifest's note on this source
    pinned: PinKind | None = None  # set when shown first because of a pin
    question: int | None = None  # which of `Answer.questions` it answers (None: the whole message)

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
            "evidence": [label.display for label in self.evidence],
            "pinned": None if self.pinned is None else str(self.pinned),
            "question": self.question,
        }


@dataclass(frozen=True)
class SourceNote:
    """What the corpus manifest says about a quoted source: its name and credibility note."""

    doc_id: str
    name: str
    credibility: str


@dataclass(frozen=True)
class Caveat:
    """A caveat: a fixed system text (`text`), a quote from a source (`quote` set, `text` its
    words), or the note on a quoted source (kind SOURCE, `source` set, `text` empty)."""

    text: str
    kind: CaveatKind
    quote: Quote | None = None
    source: SourceNote | None = None

    @classmethod
    def about_source(cls, note: SourceNote) -> Caveat:
        return cls("", CaveatKind.SOURCE, source=note)

    def to_dict(self) -> dict[str, Any]:
        text = f"{self.source.name}: {self.source.credibility}" if self.source is not None else self.text
        out: dict[str, Any] = {"kind": str(self.kind), "text": text}
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
    # a message asking several questions (bot.questions): each, in the person's own words, answered
    # on its own (`Quote.question` indexes it); () when the message is answered as one question
    questions: tuple[str, ...] = ()
    # the triage's learned gate lowered a `possible` message to no guidance (bot.triage.gate): for
    # maintainers reading the JSON; nothing is shown for it
    triage_lowered: bool = False
    # the gate's probability of an emergency when it looked (a `possible` message that no red flag
    # and not the suicide component showed), else None: lets a maintainer see how near the cut it was
    triage_gate: float | None = None

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
            "triage_lowered": self.triage_lowered,
            "triage_gate": self.triage_gate,
            "questions": list(self.questions),
        }
