"""Split a message into clauses, so an emergency buried in a long everyday message is scored alone.

A clause ends at sentence punctuation, a semicolon, a dash between spaces, or a line break; very
long sentences are split further at ", but", ", and", "and now", "but now". The whole message is
always scored as well (`units`), so context that spans clauses is not lost. At most `MAX_UNITS`
units are scored (the first ones; a message's end is usually its question, its start its story:
the cap keeps the cost per message bounded).

A short clause (fewer than `context_words` words) is scored together with the clause before it
(the first one with the clause after it), never alone: "He's fine." or "Should I stop?" says too
little for a classifier to place, and on dev such clauses alone were most of the false alarms
(eval/README.md, "safety"); with their neighbour they carry the context that says what they are
about (a dream, a past event, a dose). Long clauses are also scored alone, so an emergency clause
keeps its own score next to an everyday question. The suicide component alone also scores every
clause of `suicide_clause_words` or more words on its own (`lone_clauses`): indirect suicidal
wording is short and is the costliest miss, and on dev this showed no ordinary message more.

>>> clauses("I take LDN for MS. My husband can't lift his arm and his words are wrong! Is it the LDN?")
['I take LDN for MS.', "My husband can't lift his arm and his words are wrong!", 'Is it the LDN?']
>>> units("I dreamt he stopped breathing. He's fine. Is that the LDN?", context_words=4)[1:]
['I dreamt he stopped breathing.', "I dreamt he stopped breathing. He's fine.", 'Is that the LDN?']
"""

from __future__ import annotations

import re

MAX_UNITS = 12
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s+[-–—]+\s+|\n+")
_SOFT = re.compile(r",\s+(?=(?:but|and|so|because)\b)|\s+(?=(?:and|but) now\b)", re.I)
_LONG = 18  # words


def clauses(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        if len(part.split()) > _LONG:
            out.extend(p.strip() for p in _SOFT.split(part) if p.strip())
        else:
            out.append(part)
    return out


def units(text: str, context_words: int = 0) -> list[str]:
    """The whole message first, then its clauses when there is more than one (a clause shorter
    than `context_words` words joined with its neighbour; no repeats; capped)."""
    whole = re.sub(r"\s+", " ", text).strip()
    parts = clauses(whole)
    if len(parts) <= 1:
        return [whole]
    out: list[str] = []
    for i, part in enumerate(parts):
        if len(part.split()) < context_words:
            part = f"{parts[i - 1]} {part}" if i > 0 else f"{part} {parts[1]}"
        if part != whole and part not in out:
            out.append(part)
    return [whole, *out[: MAX_UNITS - 1]]


def lone_clauses(text: str, min_words: int, taken: list[str]) -> list[str]:
    """Clauses of at least `min_words` words that are not already in `taken` (the units), for the
    suicide component alone: a short farewell ("I've written letters to everyone.") joined with an
    everyday question after it reads as the question; alone it reads as what it is. Capped like
    the units; none for a one-clause message.

    >>> lone_clauses("I bought rope today. Is LDN ok with wine?", 4, units("I bought rope today. Is LDN ok with wine?", 14))
    ['I bought rope today.', 'Is LDN ok with wine?']
    """
    parts = clauses(re.sub(r"\s+", " ", text).strip())
    if len(parts) <= 1:
        return []
    return [p for p in dict.fromkeys(parts) if len(p.split()) >= min_words and p not in taken][:MAX_UNITS]


def all_units(text: str, context_words: int, suicide_clause_words: int) -> list[str]:
    """What triage encodes for one message: the scored units, then the lone clauses."""
    base = units(text, context_words)
    return base + lone_clauses(text, suicide_clause_words, base)
