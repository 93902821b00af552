"""Suggested questions under an answer: a few the sources *can* answer, nearest to what was asked.

Three steps, all pure except the one that runs the engine:

1. `load_templates`: generic patient questions from ``bot/data/suggestions.toml`` with a
   ``{topic}`` slot (validated: each has exactly one slot, ends with "?", no duplicates);
2. `topic_label` + `fill`: the slot gets the corpus's main topic term in the spelling the
   sources use most ("LDN", not "ldn"); no topic word is written in code;
3. `check`: each filled question is put to the engine once (when the engine loads, or when an
   index is built); only those answered with quotes are kept, with their query vector and the
   spans they quote. A question that ends in "the sources do not answer", an emergency or an
   invalid reply is dropped here, so it can never be suggested;
4. `nearest`: for one answer, the `k` kept questions whose vectors are closest to the asked
   question's vector, leaving out the question itself, questions already asked in this chat,
   near-copies of it (cosine >= `same_cosine`), and questions whose quotes were all shown already
   (a suggestion must lead somewhere new).

Trade-off: suggestions come from a fixed list, so they read the same for every corpus and may
miss what a collection is best at; in exchange every one is known to be answerable and none is
written by a model.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.datafile import read_toml

DATA_FILE = Path(__file__).resolve().parent / "data" / "suggestions.toml"
SLOT = "{topic}"
FORMAT_VERSION = 1
SHOWN = 2  # suggestions under one answer: a couple keeps the reply short on a phone

Span = tuple[str, int, int]
_CHECKED: weakref.WeakKeyDictionary[Any, tuple[Suggestion, ...]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class SuggestionsError(ValueError):
    """The suggestions data file is missing or malformed (names the file and the problem)."""


@dataclass(frozen=True)
class Suggestion:
    text: str
    vector: tuple[float, ...]
    spans: frozenset[Span]  # (doc_id, start, end) of the quotes its answer shows


def load_templates(path: Path = DATA_FILE) -> tuple[str, ...]:
    """The question templates, validated (raises `SuggestionsError` naming the problem)."""
    data = read_toml(path, SuggestionsError)
    templates = data.get("templates")
    if not isinstance(templates, list) or not templates:
        raise SuggestionsError(f"{path}: 'templates' must be a non-empty list")
    seen: set[str] = set()
    for t in templates:
        if not isinstance(t, str) or t.count(SLOT) != 1 or not t.rstrip().endswith("?"):
            raise SuggestionsError(f"{path}: {t!r} must be a question with exactly one {SLOT}")
        if t.lower() in seen:
            raise SuggestionsError(f"{path}: {t!r} is listed twice")
        seen.add(t.lower())
    return tuple(templates)


def topic_label(texts: Iterable[str], term: str) -> str:
    """The spelling of `term` the texts use most (whole words, any case); `term` if absent.

    >>> topic_label(["LDN helps.", "Take LDN at night", "ldn is cheap"], "ldn")
    'LDN'
    >>> topic_label(["nothing here"], "aspirin")
    'aspirin'
    """
    if not term:
        return ""
    pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.I)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(pattern.findall(text))
    return max(sorted(counts), key=lambda w: counts[w]) if counts else term


def fill(templates: Sequence[str], topic: str) -> tuple[str, ...]:
    """Each template with its slot filled; none without a topic.

    >>> fill(["What is {topic}?"], "LDN"), fill(["What is {topic}?"], "")
    (('What is LDN?',), ())
    """
    return tuple(t.replace(SLOT, topic) for t in templates) if topic else ()


def check(
    questions: Sequence[str],
    answer: Callable[[str], Any],
    encode: Callable[[str], np.ndarray],
) -> tuple[Suggestion, ...]:
    """The questions the engine answers with quotes (status "answered"), with vector and spans.

    `answer` returns a `bot.models.Answer`; `encode` the engine's query vector."""
    out: list[Suggestion] = []
    for text in questions:
        result = answer(text)
        if getattr(result.status, "value", result.status) != "answered" or not result.quotes:
            continue
        spans = frozenset((q.doc_id, int(q.start), int(q.end)) for q in result.quotes)
        vec = np.asarray(encode(text), dtype=np.float32)
        out.append(Suggestion(text, tuple(float(x) for x in vec), spans))
    return tuple(out)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def nearest(
    query_vector: np.ndarray,
    suggestions: Sequence[Suggestion],
    asked: Iterable[str] = (),
    shown: Iterable[Span] = (),
    k: int = 3,
    same_cosine: float = 0.92,
) -> tuple[str, ...]:
    """Up to `k` suggestion texts, nearest first (see module doc for what is left out).

    >>> s = [Suggestion("A?", (1.0, 0.0), frozenset({("d", 0, 5)})),
    ...      Suggestion("B?", (0.6, 0.8), frozenset({("d", 9, 12)})),
    ...      Suggestion("C?", (0.0, 1.0), frozenset({("d", 20, 30)}))]
    >>> nearest(np.array([0.9, 0.44]), s, k=2)
    ('A?', 'B?')
    >>> nearest(np.array([0.9, 0.44]), s, asked=["b"], shown=[("d", 0, 5)], k=2)
    ('C?',)
    """
    if not suggestions or k <= 0:
        return ()
    asked_norm = {_norm(a) for a in asked}
    shown_spans = set(shown)
    q = np.asarray(query_vector, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-9)
    matrix = np.asarray([s.vector for s in suggestions], dtype=np.float32)
    matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    cosines = matrix @ q
    order = sorted(range(len(suggestions)), key=lambda i: (-float(cosines[i]), suggestions[i].text))
    out: list[str] = []
    for i in order:
        s = suggestions[i]
        if _norm(s.text) in asked_norm or cosines[i] >= same_cosine or s.spans <= shown_spans:
            continue
        out.append(s.text)
        if len(out) >= k:
            break
    return tuple(out)


def to_json(suggestions: Sequence[Suggestion]) -> str:
    """A JSON file body (kept next to an index): texts, vectors and quoted spans."""
    rows = [
        {"text": s.text, "vector": [round(x, 6) for x in s.vector], "spans": sorted(map(list, s.spans))}
        for s in suggestions
    ]
    return json.dumps({"version": FORMAT_VERSION, "suggestions": rows}, ensure_ascii=False)


def from_json(body: str) -> tuple[Suggestion, ...]:
    """The inverse of `to_json` (raises `SuggestionsError` on another version or shape)."""
    try:
        data = json.loads(body)
        if data.get("version") != FORMAT_VERSION:
            raise SuggestionsError(f"suggestions format {data.get('version')!r}, expected {FORMAT_VERSION}")
        return tuple(
            Suggestion(
                str(r["text"]),
                tuple(float(x) for x in r["vector"]),
                frozenset((str(d), int(a), int(b)) for d, a, b in r["spans"]),
            )
            for r in data["suggestions"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, SuggestionsError):
            raise
        raise SuggestionsError(f"suggestions file is malformed ({exc})") from exc


def for_engine(engine: Any, path: Path = DATA_FILE) -> tuple[Suggestion, ...]:
    """The checked suggestions for a loaded `bot.engine.Engine`, computed once per engine (each
    template is answered once: ~1 s for 20 templates on the bundled corpus; the web page calls
    this right after the engine loads, so no question waits for it)."""
    with _LOCK:
        cached = _CHECKED.get(engine)
        if cached is None:
            data = engine.data
            topic = topic_label((p.text for p in data.passages), getattr(engine.retriever, "topic_name", ""))
            cached = check(fill(load_templates(path), topic), engine.answer, engine.encode)
            _CHECKED[engine] = cached
    return cached


def for_answer(engine: Any, answer: Any, asked: Iterable[str] = (), k: int = SHOWN) -> tuple[str, ...]:
    """Up to `k` suggestions under `answer` (none unless it was answered with quotes)."""
    if getattr(answer.status, "value", answer.status) != "answered" or not answer.quotes:
        return ()
    shown = [(q.doc_id, q.start, q.end) for q in answer.quotes]
    return nearest(engine.encode(answer.question), for_engine(engine), [answer.question, *asked], shown, k)
