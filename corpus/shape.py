"""Line shapes the line classes need: a sentence without a full stop, a lone list marker.

Two ways the line reader (`corpus.lines`) used to lose sentences of pages written by others:

- *a sentence on a line of its own without a full stop* ("Melatonin is regulated as a dietary
  supplement") was read as a heading, and headings are never quoted. `is_sentence_line` tells
  such a line by general features of English, read from `corpus/data/sentence_lines.toml`:
  enough words, a finite verb of a closed class (auxiliary, modal, copula, negation), sentence
  case, and not a question, a lead-in or a lone subordinate clause. Trade-off: a sentence with
  only a lexical verb ("LDN treats symptoms of fibromyalgia") stays a heading; no
  part-of-speech model is needed, and a heading that is a noun phrase is never quoted.
- *a list marker alone on a line* ("-", "•", "*": the item's text went to the next line, or the
  page had an empty item) made the whole list look like a navigation menu, so its real items
  were dropped. `is_lone_marker` lets the reader treat such a line as a blank line.

>>> is_sentence_line("Melatonin is regulated as a dietary supplement")
True
>>> [is_sentence_line(t) for t in ("What to Do if You Miss a Dose", "If you are pregnant or breastfeeding")]
[False, False]
>>> is_lone_marker(" - "), is_lone_marker("• |")
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.datafile import read_toml

DATA = Path(__file__).resolve().parent / "data" / "sentence_lines.toml"
LONE_MARKERS = frozenset("•·▪◦‣●○■□–—*+-")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LINE_BREAK = re.compile(r"[ \t]*\r?\n\s*(?=[A-Z])")


@dataclass(frozen=True)
class SentenceLineRules:
    """The vocabulary and thresholds of `corpus/data/sentence_lines.toml`."""

    version: int
    min_words: int
    max_title_case_share: float
    finite_verbs: frozenset[str]
    negations: frozenset[str]
    question_words: frozenset[str]
    subordinators: frozenset[str]


@cache
def rules(path: Path = DATA) -> SentenceLineRules:
    """Load and check the data file (cached: read once per process)."""
    raw = read_toml(path, ValueError)
    lists = ("finite_verbs", "negations", "question_words", "subordinators")
    for key in lists:
        words = raw.get(key)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
            raise ValueError(f"{path}: {key!r} must be a non-empty list of words")
    min_words, share = raw.get("min_words"), raw.get("max_title_case_share")
    if not isinstance(min_words, int) or min_words < 2:
        raise ValueError(f"{path}: 'min_words' must be an integer >= 2")
    if not isinstance(share, float | int) or not 0 <= share <= 1:
        raise ValueError(f"{path}: 'max_title_case_share' must be between 0 and 1")
    if not isinstance(raw.get("version"), int):
        raise ValueError(f"{path}: 'version' must be an integer")
    sets = {key: frozenset(w.lower() for w in raw[key]) for key in lists}
    return SentenceLineRules(raw["version"], min_words, float(share), **sets)


def _norm(word: str) -> str:
    return word.lower().replace("’", "'").strip("'-")


def is_sentence_line(line: str) -> bool:
    """A line without a full stop that is a sentence, not a title (see module doc)."""
    r = rules()
    body = line.strip()
    words = [_norm(w) for w in _WORD.findall(body)]
    if len(words) < r.min_words or body.endswith(("?", ":")):
        return False
    if words[0] in r.question_words or (words[0] in r.subordinators and "," not in body):
        return False
    if not any(w in r.finite_verbs or w in r.negations or w.endswith("n't") for w in words):
        return False
    later = [w for w in _WORD.findall(body)[1:] if len(w) >= 4]
    capitalised = sum(1 for w in later if w[0].isupper())
    return not later or capitalised / len(later) <= r.max_title_case_share


def split_at_sentence_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    r"""``text[start:end]`` cut after each line that is a sentence without a full stop.

    Pages saved one paragraph per line join up with the next line when no blank line is
    between ("... a dietary supplement\nIn the United States, ..."). A line break ends a
    sentence when the line before is sentence-shaped (`is_sentence_line`), does not end with a
    function word ("... studied by\nDr. Younger" is a hard wrap) and the next line starts with a
    capital. Offsets are absolute; each piece is trimmed.

    >>> t = "It is sold as a supplement in shops\nIn the US, it is a food."
    >>> [t[a:b] for a, b in split_at_sentence_lines(t, 0, len(t))]
    ['It is sold as a supplement in shops', 'In the US, it is a food.']
    """
    from corpus.glued import stop_words
    from corpus.sentences import trimmed

    pieces: list[tuple[int, int]] = []
    cur = start
    for m in _LINE_BREAK.finditer(text[start:end]):
        a, b = trimmed(text, cur, start + m.start())
        last = _WORD.findall(text, a, b)[-1:] or [""]
        if b == a or text[b - 1] in ".!?:;," or _norm(last[0]) in stop_words():
            continue
        if is_sentence_line(text[a:b]):
            pieces.append((a, b))
            cur = start + m.end()
    a, b = trimmed(text, cur, end)
    if b > a:
        pieces.append((a, b))
    return pieces


def is_lone_marker(line: str) -> bool:
    """A list marker alone on a line ("-", "•", "*"): an empty line, not a list item."""
    body = line.strip()
    return len(body) == 1 and body in LONE_MARKERS
