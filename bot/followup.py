"""Turn a short follow-up ("and for MS?") into a stand-alone question for retrieval.

Retrieval reads one question at a time, so "what about side effects?" on its own would search
for side effects of anything. When a message *looks like* a follow-up, it is combined with the
previous question of the same chat, and the chat shows the combined question ("Answered as:
…") so the person can see what was searched.

A message is a follow-up only when all of these hold (rules, no model):

1. it starts with a follow-up cue: "and", "also", "plus", "what about", "how about",
   "and for", "same for", "what if" (a leading "ok"/"so"/"but" is ignored);
2. it is short: at most ``MAX_WORDS`` words after the cue;
3. it has no subject of its own: it does not name the medicine (LDN, naltrexone);
4. it is not an emergency, and neither was the previous question (emergency text is always
   answered on its own; triage also runs on the raw text in the engine).

The rewrite keeps the previous question's medicine name (``S``, default "LDN") and, when
there is one, its condition phrase ("for fibromyalgia", "in people with MS"):

- a pronoun ("is it safe?") is replaced by ``S``: "Is LDN safe?";
- a new condition ("and for MS?") replaces the old one when the previous question has one with
  the same kind of preposition ("for"/"in" count as one kind), else it becomes
  "What about S for MS?";
- anything else ("the dose", "side effects", "kids", "can I drink alcohol") becomes
  "S <condition>: what about …?" / "S <condition>: …?".

Trade-off: rules miss some follow-ups (no cue: "side effects?" is answered as typed), which
is safer than merging a new question into an old one. A full question is never rewritten.

>>> resolve_follow_up("and for MS?", "Is LDN used for fibromyalgia?")
('Is LDN used for MS?', True)
>>> resolve_follow_up("what about side effects?", "Does LDN help fibromyalgia?")
('LDN: what about side effects?', True)
>>> resolve_follow_up("and the dose?", "Can low dose naltrexone help in Crohn's disease?")
("low dose naltrexone in Crohn's disease: what about the dose?", True)
>>> resolve_follow_up("how about kids", "Is LDN safe?")
('LDN: what about kids?', True)
>>> resolve_follow_up("and is it safe?", "Does LDN help fibromyalgia?")
('Is LDN safe?', True)
>>> resolve_follow_up("and for MS?", "Does LDN help with fibromyalgia?")
('What about LDN for MS?', True)
>>> resolve_follow_up("Does LDN cause vivid dreams?", "Is LDN safe?")
('Does LDN cause vivid dreams?', False)
>>> resolve_follow_up("and does naltrexone help MS?", "Is LDN safe?")
('and does naltrexone help MS?', False)
>>> resolve_follow_up("and I took too many pills", "Is LDN safe?")
('and I took too many pills', False)
>>> resolve_follow_up("and for MS?", None)
('and for MS?', False)
"""

from __future__ import annotations

import re

from bot.question import MAX_CHARS
from bot.safety import detect_emergency

MAX_WORDS = 6

_CUE = re.compile(
    r"^(?:(?:ok(?:ay)?|so|but|hmm|well)[,\s]+)?"
    r"(?P<cue>and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|what\s+of|what\s+if|"
    r"same(?=\s+(?:for|with|in)\b)|and\s+also|and|also|plus)\b[,:\s]*",
    re.I,
)
_SUBJECT = re.compile(r"low[-\s]?dose\s+naltrexone(?:\s*\(LDN\))?|\bLDN\b|\bnaltrexone\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|them)\b", re.I)
_CLAUSE = re.compile(
    r"^(?:can|could|should|do|does|is|are|will|would|may|how|what|when|why|where|which)\b", re.I
)
_PREP = re.compile(r"^(?P<prep>for|in|with|during|while|on|after|before)\s+(?P<rest>.+)$", re.I)
# The last condition phrase of a question: "for fibromyalgia", "in people with MS" (up to : ; , ? . !)
_CONDITION = re.compile(r"\b(?P<prep>for|in|with|during|while|on)\s+(?P<obj>[^:;,?.!]+)", re.I)
_EQUIVALENT = ({"for", "in"},)


def _strip(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip("?.!").strip()


def _last_condition(question: str) -> re.Match[str] | None:
    subject = _SUBJECT.search(question)
    after = subject.end() if subject else 0
    found = [m for m in _CONDITION.finditer(question) if m.start() >= after]
    return found[-1] if found else None


def _same_kind(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or any(a in group and b in group for group in _EQUIVALENT)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def resolve_follow_up(question: str, previous_question: str | None) -> tuple[str, bool]:
    """Return ``(question_used, was_rewritten)``; see the module doc for the rules."""
    if not previous_question or not question or detect_emergency(question).is_emergency:
        return question, False
    if detect_emergency(previous_question).is_emergency:
        return question, False
    text = re.sub(r"\s+", " ", question).strip()
    cue = _CUE.match(text)
    if cue is None or _SUBJECT.search(text):
        return question, False
    rest = _strip(text[cue.end() :])
    if not rest or len(rest.split()) > MAX_WORDS:
        return question, False
    previous = _strip(previous_question)
    found = _SUBJECT.search(previous)
    subject = found.group() if found else "LDN"
    condition = _last_condition(previous)

    what_if = "if" in cue.group("cue").lower().split()
    if _PRONOUN.search(rest):
        rest = _PRONOUN.sub(subject, rest, count=1)
        lead = "What if " if what_if else ("" if _CLAUSE.match(rest) else "What about ")
        rewritten = f"{lead}{rest}?" if lead else f"{_capitalise(rest)}?"
    elif (prep := _PREP.match(rest)) is not None and not what_if:
        if condition is not None and _same_kind(condition.group("prep"), prep.group("prep")):
            head, tail = previous[: condition.start()], previous[condition.end("obj") :]
            rewritten = f"{head}{rest}{tail}?"  # the person's own preposition and words
        else:
            rewritten = f"What about {subject} {rest}?"
    else:
        keep = condition is not None and condition.group("prep").lower() in {"for", "in"}
        where = f" {condition.group().strip()}" if keep and condition is not None else ""
        ask = f"what if {rest}" if what_if else (rest if _CLAUSE.match(rest) else f"what about {rest}")
        rewritten = f"{subject}{where}: {ask}?"
    if len(rewritten) > MAX_CHARS:
        return question, False
    return rewritten, True
