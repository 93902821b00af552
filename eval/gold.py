"""Load and validate a gold evaluation set: questions (JSON Lines) and optional evidence labels.

The format is described in `eval/gold/README.md`. Any user can point `python -m eval run --gold`
at their own file for their own corpus, so validation is strict and every problem is reported
at once, each as ``<file>:<line>: <what is wrong>``, instead of failing on the first one or,
worse, producing numbers from a half-read file.

What is checked here (no corpus needed): each line is a JSON object with the required keys and
no unknown ones, values have the right types, ids and questions are unique, ``type`` and
``pin`` use the allowed values, answerable questions list at least one answer and the others
list none, evidence labels come from `bot.evidence.LABEL_KEYS` and ``no_study_cited`` stands
alone. `check_against_documents` then checks, once an index is loaded, that every cited
document exists and every answer text is a verbatim substring of it.

Trade-offs: key *order* is not enforced (JSON objects are unordered; the bundled file keeps
the README's order anyway); lines holding only white space are skipped rather than rejected,
because hand-edited files often end with one; the id prefix convention (a/u/e) is the bundled
set's habit, not a rule, so other sets may name questions as they like.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evidence import LABEL_KEYS
from eval.split import OPTIONAL_KEYS, check_optional_fields

TYPES = ("answerable", "unanswerable", "emergency")
PINS = ("opioid", "immunosuppressant")
QUESTION_KEYS = ("id", "question", "type", "answers", "pin", "tags")
LABEL_FILE_KEYS = ("doc_id", "text", "labels", "n", "note")
_LABEL_OPTIONAL = frozenset({"n", "note"})
MAX_ERRORS_SHOWN = 30


class GoldError(ValueError):
    """A gold file is missing or malformed; the message lists every problem with its line."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(shown) + tail)


@dataclass(frozen=True)
class GoldAnswer:
    doc_id: str
    text: str


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    type: str
    answers: tuple[GoldAnswer, ...]
    pin: str | None
    tags: tuple[str, ...]
    line: int
    kind: str | None = None
    split: str | None = None
    source_url: str | None = None

    @property
    def doc_ids(self) -> set[str]:
        return {a.doc_id for a in self.answers}


@dataclass(frozen=True)
class LabelledPassage:
    doc_id: str
    text: str
    labels: tuple[str, ...]
    n: int | None
    note: str
    line: int


@dataclass(frozen=True)
class GoldSet:
    questions: tuple[GoldQuestion, ...]
    labels: tuple[LabelledPassage, ...]
    path: Path
    sha256: str
    labels_path: Path | None = None
    labels_sha256: str | None = None

    def of_type(self, kind: str) -> list[GoldQuestion]:
        return [q for q in self.questions if q.type == kind]

    def of_split(self, split: str) -> list[GoldQuestion]:
        """Rows of one split ("dev", "test", "heldout"); tune on "dev" only."""
        return [q for q in self.questions if q.split == split]


def _is_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _lines(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each parseable non-blank line; problems are appended."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GoldError(path, ["file not found"]) from None
    except OSError as exc:
        raise GoldError(path, [f"cannot read the file ({exc.strerror})"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GoldError(path, [f"not UTF-8 (byte {exc.start}); save the file as UTF-8"]) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {number}: expected a JSON object, got {type(obj).__name__}")
            continue
        yield number, obj


def _check_keys(
    obj: Mapping[str, Any], number: int, keys: tuple[str, ...], optional: frozenset[str]
) -> list[str]:
    out = []
    missing = [k for k in keys if k not in obj and k not in optional]
    unknown = [k for k in obj if k not in keys]
    if missing:
        out.append(f"line {number}: missing key(s) {', '.join(missing)}")
    if unknown:
        out.append(f"line {number}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(keys)})")
    return out


def _parse_question(obj: Mapping[str, Any], n: int, problems: list[str]) -> GoldQuestion | None:
    errs = _check_keys(obj, n, QUESTION_KEYS + OPTIONAL_KEYS, frozenset(OPTIONAL_KEYS))
    if errs:
        problems.extend(errs)
        return None
    qid, question, kind, answers, pin, tags = (obj[k] for k in QUESTION_KEYS)
    before = len(problems)
    if not _is_str(qid):
        problems.append(f"line {n}: 'id' must be a non-empty string")
    if not _is_str(question):
        problems.append(f"line {n}: 'question' must be a non-empty string")
    if kind not in TYPES:
        problems.append(f"line {n}: 'type' is {kind!r}; expected one of {', '.join(TYPES)}")
    if pin is not None and pin not in PINS:
        problems.append(f"line {n}: 'pin' is {pin!r}; expected null or one of {', '.join(PINS)}")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(f"line {n}: 'tags' must be a list of strings")
    parsed: list[GoldAnswer] = []
    if not isinstance(answers, list):
        problems.append(f"line {n}: 'answers' must be a list")
    else:
        for i, a in enumerate(answers, start=1):
            if not isinstance(a, dict) or set(a) != {"doc_id", "text"}:
                problems.append(f"line {n}: answer {i} must be an object with exactly 'doc_id' and 'text'")
            elif not _is_str(a["doc_id"]) or not _is_str(a["text"]):
                problems.append(f"line {n}: answer {i} needs a non-empty string 'doc_id' and 'text'")
            else:
                parsed.append(GoldAnswer(a["doc_id"], a["text"]))
        if kind == "answerable" and not answers:
            problems.append(f"line {n}: an answerable question needs at least one answer")
        if kind in ("unanswerable", "emergency") and answers:
            problems.append(f"line {n}: a {kind} question must have 'answers': []")
    problems.extend(check_optional_fields(obj, n))
    if len(problems) > before:
        return None
    extra = (obj.get("kind"), obj.get("split"), obj.get("source_url"))
    return GoldQuestion(qid, question, kind, tuple(parsed), pin, tuple(tags), n, *extra)


def load_questions(path: Path) -> tuple[GoldQuestion, ...]:
    """Parse and validate a questions file; raises `GoldError` listing every problem."""
    problems: list[str] = []
    out: list[GoldQuestion] = []
    first_line: dict[str, int] = {}
    first_question: dict[str, int] = {}
    for n, obj in _lines(path, problems):
        q = _parse_question(obj, n, problems)
        if q is None:
            continue
        if q.id in first_line:
            problems.append(f"line {n}: duplicate id {q.id!r} (first on line {first_line[q.id]})")
            continue
        key = " ".join(q.question.lower().split())
        if key in first_question:
            problems.append(f"line {n}: duplicate question (same as line {first_question[key]})")
        first_line[q.id] = n
        first_question.setdefault(key, n)
        out.append(q)
    if not out and not problems:
        problems.append("no questions (the file is empty)")
    unsplit = [q.line for q in out if q.split is None]
    if any(q.split is not None for q in out) and unsplit:
        problems.append(f"'split' is set on some rows but missing on line(s) {unsplit[:10]}")
    if problems:
        raise GoldError(path, problems)
    return tuple(out)


def _parse_label(obj: Mapping[str, Any], n: int, problems: list[str]) -> LabelledPassage | None:
    errs = _check_keys(obj, n, LABEL_FILE_KEYS, _LABEL_OPTIONAL)
    if errs:
        problems.extend(errs)
        return None
    before = len(problems)
    labels, count, note = obj["labels"], obj.get("n"), obj.get("note", "")
    if not _is_str(obj["doc_id"]) or not _is_str(obj["text"]):
        problems.append(f"line {n}: 'doc_id' and 'text' must be non-empty strings")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        problems.append(f"line {n}: 'labels' must be a non-empty list of strings")
    else:
        unknown = [x for x in labels if x not in LABEL_KEYS]
        if unknown:
            problems.append(
                f"line {n}: unknown label(s) {', '.join(unknown)} (allowed: {', '.join(LABEL_KEYS)})"
            )
        if "no_study_cited" in labels and len(labels) > 1:
            problems.append(f"line {n}: 'no_study_cited' must be the only label")
        if len(set(labels)) != len(labels):
            problems.append(f"line {n}: a label is listed twice")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        problems.append(f"line {n}: 'n' must be null or a positive integer")
    if not isinstance(note, str):
        problems.append(f"line {n}: 'note' must be a string")
    if len(problems) > before:
        return None
    return LabelledPassage(obj["doc_id"], obj["text"], tuple(labels), count, note, n)


def load_labels(path: Path) -> tuple[LabelledPassage, ...]:
    """Parse and validate an evidence-labels file; raises `GoldError` listing every problem."""
    problems: list[str] = []
    out = [p for n, obj in _lines(path, problems) if (p := _parse_label(obj, n, problems)) is not None]
    if not out and not problems:
        problems.append("no labelled passages (the file is empty)")
    if problems:
        raise GoldError(path, problems)
    return tuple(out)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_gold(path: Path, labels_path: Path | None = None) -> GoldSet:
    """The questions at `path` and, when given and present, the evidence labels."""
    questions = load_questions(path)
    labels: tuple[LabelledPassage, ...] = ()
    labels_sha: str | None = None
    if labels_path is not None:
        labels = load_labels(labels_path)
        labels_sha = file_sha256(labels_path)
    return GoldSet(questions, labels, path, file_sha256(path), labels_path if labels else None, labels_sha)


def check_against_documents(gold: GoldSet, document_text: Callable[[str], str | None]) -> None:
    """Every cited document must exist and every quoted text must be a verbatim substring of it.

    `document_text(doc_id)` returns the indexed text, or None for an unknown document.
    """
    problems: list[str] = []
    for q in gold.questions:
        for i, a in enumerate(q.answers, start=1):
            text = document_text(a.doc_id)
            if text is None:
                problems.append(f"line {q.line}: answer {i} cites unknown document {a.doc_id!r}")
            elif a.text not in text:
                problems.append(f"line {q.line}: answer {i} is not a verbatim substring of {a.doc_id}")
    if problems:
        raise GoldError(gold.path, problems)
    label_problems: list[str] = []
    for p in gold.labels:
        text = document_text(p.doc_id)
        if text is None:
            label_problems.append(f"line {p.line}: unknown document {p.doc_id!r}")
        elif p.text not in text:
            label_problems.append(f"line {p.line}: 'text' is not a verbatim substring of {p.doc_id}")
    if label_problems:
        raise GoldError(gold.labels_path or gold.path, label_problems)
