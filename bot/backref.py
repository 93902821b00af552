"""Quotes that can be read on their own: a sentence that points back gets its antecedent.

"This interaction can cause bizarre side effects" means nothing without the sentence before it.
When a quote starts with a word of ``bot/data/back_references.toml`` ("This", "These", "It" …),
the quote grows backwards to the start of the previous sentence of the same section, provided
only white space lies between them: one verbatim slice ``text[start:end]``, so the offsets stay
checkable. At most `MAX_STEPS` sentences are added (a chain of "It … It … It …" stops there).

`conventions_in` finds the source conventions of `bot.messages.SOURCE_CONVENTIONS` ("(R)") in
quoted text, so the chat can explain each once per chat.

Trade-off: the previous sentence is not checked for being the real antecedent (that would need a
parser); in a section of consecutive sentences it nearly always is, and the quote stays verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from bot import messages
from corpus.datafile import read_toml

DATA_FILE = Path(__file__).resolve().parent / "data" / "back_references.toml"
MAX_STEPS = 1


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int
    heading: str | None = None


@cache
def _dummy_it(path: Path = DATA_FILE) -> re.Pattern[str]:
    verbs = read_toml(path, ValueError).get("dummy_it_verbs", [])
    if not isinstance(verbs, list) or not all(isinstance(v, str) and v.strip() for v in verbs):
        raise ValueError(f"{path}: 'dummy_it_verbs' must be a list of words")
    if not verbs:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(v) for v in sorted(verbs, key=len, reverse=True))
    return re.compile(rf"It (?:{alternatives})\b(?:\W+\w+){{0,5}}?\W+(?:that|whether)\b")


@cache
def back_reference_words(path: Path = DATA_FILE) -> tuple[str, ...]:
    """The words, validated (non-empty strings, no duplicates); raises ValueError naming the file."""
    data = read_toml(path, ValueError)
    words = data.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValueError(f"{path}: 'words' must be a non-empty list of words")
    if len(set(words)) != len(words):
        raise ValueError(f"{path}: a word is listed twice")
    return tuple(words)


def starts_with_back_reference(text: str, words: Iterable[str] | None = None) -> bool:
    """Whether `text` opens with one of `words` as a whole word (case-sensitive).

    >>> starts_with_back_reference("This interaction is rare."), starts_with_back_reference("Thistle grows.")
    (True, False)
    >>> starts_with_back_reference("“It helps,” he said.")
    True
    >>> starts_with_back_reference("It is noted that it is not approved.")
    False
    """
    body = text.lstrip(' \t\n"“‘(')
    if words is None and _dummy_it().match(body):
        return False  # "It is noted that ...": nothing to refer back to
    for w in back_reference_words() if words is None else words:
        if re.match(rf"{re.escape(w)}(?![\w-])", body):
            return True
    return False


def with_antecedent(
    text: str,
    sentences: Sequence[SentenceSpan],
    start: int,
    end: int,
    words: Iterable[str] | None = None,
) -> tuple[int, int]:
    """``(start, end)`` grown back over the previous sentence(s) when the quote points back.

    `sentences`: the document's quotable sentences in text order.

    >>> t = "LDN blocks microglia. This is a white cell. It calms them."
    >>> s = [SentenceSpan(0, 21), SentenceSpan(22, 43), SentenceSpan(44, 58)]
    >>> a, b = with_antecedent(t, s, 22, 43); t[a:b]
    'LDN blocks microglia. This is a white cell.'
    >>> a, b = with_antecedent(t, s, 44, 58); t[a:b]
    'This is a white cell. It calms them.'
    """
    chosen = None if words is None else tuple(words)
    starts = [s.start for s in sentences]
    for _ in range(MAX_STEPS):
        if not starts_with_back_reference(text[start:end], chosen):
            break
        k = _index_at(starts, start)
        if k is None or k == 0:
            break
        prev, cur = sentences[k - 1], sentences[k]
        if prev.heading != cur.heading or text[prev.end : cur.start].strip():
            break
        start = prev.start
    return start, end


def _index_at(starts: list[int], offset: int) -> int | None:
    import bisect

    k = bisect.bisect_left(starts, offset)
    return k if k < len(starts) and starts[k] == offset else None


def conventions_in(texts: Iterable[str]) -> tuple[str, ...]:
    """The plain-words notes for source conventions found in `texts`, in the messages' order.

    >>> len(conventions_in(["It helps (R)."])), conventions_in(["Nothing special."])
    (1, ())
    """
    joined = "\n".join(texts)
    return tuple(note for mark, note in messages.SOURCE_CONVENTIONS if mark in joined)


class Antecedents:
    """`with_antecedent` over an index's sentences, per document (built once per engine).

    `data` is an `index.store.IndexData` (``documents`` with ``text``, ``sentences`` with
    ``doc_id``, ``start``, ``end``, ``heading``)."""

    def __init__(self, data: object):
        by_doc: dict[str, list[SentenceSpan]] = {}
        for s in sorted(getattr(data, "sentences", ()), key=lambda s: (s.doc_id, s.start)):
            by_doc.setdefault(s.doc_id, []).append(SentenceSpan(s.start, s.end, s.heading))
        self._texts = {d: doc.text for d, doc in getattr(data, "documents", {}).items()}
        self._sentences = by_doc

    def grow(self, doc_id: str, start: int, end: int) -> tuple[int, int]:
        """``(start, end)`` with the sentence before when the quote points back (else as given)."""
        text, spans = self._texts.get(doc_id), self._sentences.get(doc_id)
        if text is None or not spans:
            return start, end
        return with_antecedent(text, spans, start, end)


_BY_DATA: dict[int, tuple[object, Antecedents]] = {}


def standalone(data: object, picks: Sequence[Any], taken: Sequence[tuple[str, int, int]] = ()) -> list[Any]:
    """`picks` (frozen dataclasses with ``doc_id``, ``start``, ``end``) grown over their antecedent
    (`Antecedents.grow`, one per index, kept while that index is alive); a grown pick that would
    now repeat words of an earlier pick or of `taken` (pinned quotes) is dropped."""
    held = _BY_DATA.get(id(data))
    if held is None or held[0] is not data:
        held = (data, Antecedents(data))
        _BY_DATA.clear()  # one live index per process; a reload replaces it
        _BY_DATA[id(data)] = held
    grow, out = held[1], []
    spans = list(taken)
    for p in picks:
        start, end = grow.grow(p.doc_id, p.start, p.end)
        if any(d == p.doc_id and a < end and start < b for d, a, b in spans):
            continue
        spans.append((p.doc_id, start, end))
        out.append(replace(p, start=start, end=end))
    return out
