"""Cautions the sources state themselves, found by general warning language when the index is loaded.

- Opioid warnings: a sentence that names an opioid (any medicine `bot.medicines` resolves to the
  opioid class, or a class word such as "opioids" or "narcotics") *and* uses warning language
  ("contraindicated", "do not combine", "should not be taken with", "avoid", "wait ... before",
  "withdrawal", ...).
- Immunosuppressant/transplant cautions: the same with the immunosuppressant class.
- Standing caveats: not approved / off-label / experimental, and limited evidence (small trials,
  no replication, more research needed).

All phrase lists live in `bot/data/warning_language.toml` (with their public sources), so a new
document's "Do not combine X with opioid painkillers." or "contraindicated in patients taking
opioids" is found as well as the bundled documents' wording. A caution sentence followed by one
that continues it ("This interaction can cause ...") is quoted together with it: the span is still
one verbatim slice of the document. Every caution is a quote with its source; only the selection
is ours.

>>> is_caution("Do not combine this medicine with opioid painkillers.")
True
>>> stance("multiple sclerosis however benefit is weak for multiple sclerosis")
'hedge'
>>> stance("Some patients report an improvement in their symptoms of up to 90%.")
'positive'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.medicines import find_pins
from corpus.datafile import read_toml
from corpus.models import Sentence
from index.store import IndexData

WARNING_LANGUAGE = Path(__file__).resolve().parent / "data" / "warning_language.toml"
_KINDS = ("caution", "not_caution", "not_approved", "limited_evidence", "specific", "hedge", "positive")
_CONTINUES = re.compile(r"^(?:This|These|That|It|Such)\b")


class WarningLanguageError(ValueError):
    """bot/data/warning_language.toml is missing or malformed."""


@cache
def language(path: Path = WARNING_LANGUAGE) -> dict[str, re.Pattern[str]]:
    """One compiled alternation per kind, validated at load."""
    raw = read_toml(path, WarningLanguageError)
    try:
        out = {}
        for kind in _KINDS:
            table = raw[kind]
            if not table.get("source") or not table.get("patterns"):
                raise WarningLanguageError(f"{path}: [{kind}] needs 'source' and 'patterns'")
            out[kind] = re.compile("|".join(f"(?:{p})" for p in table["patterns"]), re.I)
        return out
    except (KeyError, re.error) as exc:
        raise WarningLanguageError(f"{path}: {exc}") from exc


def is_caution(text: str) -> bool:
    """Warning language that is not inside benefit wording (`not_caution`: "reduced the risk of").

    >>> is_caution("It reduced the risk of seizures."), is_caution("There is a risk of seizures.")
    (False, True)
    """
    words = language()
    benefit = [m.span() for m in words["not_caution"].finditer(text)]
    return any(not any(s <= m.start() < e for s, e in benefit) for m in words["caution"].finditer(text))


@dataclass(frozen=True)
class Caution:
    kind: str  # "opioid", "immunosuppressant", "not_approved", "small_trials"
    doc_id: str
    start: int
    end: int
    text: str
    sentence_id: int


def caution_rank(c: Caution) -> tuple[int, str, int]:
    """Sort key: specific statements first, then document order."""
    return (0 if language()["specific"].search(c.text) else 1, c.doc_id, c.start)


def _with_continuation(data: IndexData, s: Sentence, following: dict[int, Sentence]) -> tuple[int, int]:
    nxt = following.get(s.sentence_id)
    doc = data.documents[s.doc_id].text
    if nxt is not None and _CONTINUES.match(nxt.text) and not doc[s.end : nxt.start].strip():
        return s.start, nxt.end
    return s.start, s.end


def sentence_kinds(text: str) -> list[str]:
    """The caution kinds one sentence states."""
    lang = language()
    kinds: list[str] = []
    if is_caution(text):
        pins = find_pins(text)
        kinds += [k for k in ("opioid", "immunosuppressant") if k in pins]
    if lang["not_approved"].search(text):
        kinds.append("not_approved")
    if lang["limited_evidence"].search(text):
        kinds.append("small_trials")
    return kinds


def find_cautions(data: IndexData) -> list[Caution]:
    following = {
        a.sentence_id: b
        for a, b in zip(data.sentences, data.sentences[1:], strict=False)
        if a.doc_id == b.doc_id
    }
    out: list[Caution] = []
    for s in data.sentences:
        for kind in sentence_kinds(s.text):
            start, end = (
                _with_continuation(data, s, following)
                if kind in ("opioid", "immunosuppressant")
                else (s.start, s.end)
            )
            out.append(
                Caution(kind, s.doc_id, start, end, data.documents[s.doc_id].text[start:end], s.sentence_id)
            )
    return out


def stance(text: str) -> str:
    """ "hedge" when the text doubts or limits a benefit, "positive" when it claims one, else "neutral"."""
    lang = language()
    if lang["hedge"].search(text):
        return "hedge"
    return "positive" if lang["positive"].search(text) else "neutral"
