"""Synthetic two-question messages from a gold split, and their figures per sub-question.

`build_pairs` joins two one-sentence questions of one split of `eval/gold` the way people write
them ("Q1? Also, q2?"): answerable+answerable pairs (the answerable questions shuffled and paired
in twos, `rounds` times) and answerable+unanswerable pairs (each unanswerable question with a
seeded answerable partner, either first), deterministic for a seed. `score_pairs` answers each
message and scores each sub-question (eval/README.md, "Session 8: messages with two questions"):

- `hit` / `hit@3`: an answerable sub-question's gold span among the shown quotes / the first 3;
- `answered`: the message is answered and, when the answer names its questions
  (`Answer.questions`), a quote is attributed to this one;
- `both`: answerable+answerable messages with both sub-questions' gold among the shown quotes;
- `contaminated`: answerable+unanswerable messages with a shown quote nearer (raw cosine, `similarity`)
  to the unanswerable question than to its partner; `attributed`: those with a quote attributed to the
  unanswerable sub-question (only the new code attributes).

Trade-off: the pairs are synthetic (two gold questions glued), so they measure the mechanics of
answering each question, not how often people write such messages; `contaminated` judges a quote's
topic by the same model that retrieves it, a proxy a reader should check on the listed failures.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.models import Answer, Status
from eval.gold import GoldQuestion
from eval.grounding_metrics import find_spans, spans_overlap

PAIRS_DATA = Path(__file__).resolve().parent / "data" / "pairs.toml"
_FIRST_WORD = re.compile(r"^(\S+)")
_ONE_SENTENCE = re.compile(r"[.!?]\s+\S")


@dataclass(frozen=True)
class Pair:
    id: str  # "<id1>+<id2>"
    text: str  # the message
    parts: tuple[GoldQuestion, GoldQuestion]  # in the order asked
    shape: str  # "AA" or "AU"


def load_connectors(path: Path = PAIRS_DATA) -> tuple[str, ...]:
    from corpus.datafile import read_toml

    raw = read_toml(path, ValueError, keys={"version", "connectors"}, version=1)
    out = raw.get("connectors")
    if not isinstance(out, list) or not out or not all(isinstance(c, str) for c in out):
        raise ValueError(f"{path}: connectors must be a non-empty list of strings")
    return tuple(out)


def as_question(text: str) -> str:
    """One question sentence ending in "?"."""
    return text.strip().rstrip(".! ").rstrip() + ("" if text.strip().endswith("?") else "?")


def joined(first: str, second: str, connector: str) -> str:
    """ "Q1? Also, q2?": the second question's first word lower-cased after a connector, unless
    it is "I..." or written in capitals (a name, an acronym)."""
    if connector:
        m = _FIRST_WORD.match(second)
        word = m.group(1) if m else ""
        if word[:1].isupper() and word[1:] == word[1:].lower() and not re.match(r"I\b|I['’]", word):
            second = second[0].lower() + second[1:]
    return f"{as_question(first)} {connector}{as_question(second)}"


def eligible(q: GoldQuestion) -> bool:
    """An answerable or unanswerable question without a pin, in one sentence."""
    return (
        q.type in ("answerable", "unanswerable")
        and q.pin is None
        and not _ONE_SENTENCE.search(q.question.strip())
    )


def build_pairs(
    questions: Sequence[GoldQuestion], connectors: Sequence[str], seed: int = 8, rounds: int = 2
) -> list[Pair]:
    """Answerable+answerable and answerable+unanswerable messages from `questions` (one split)."""
    rng = random.Random(seed)
    ans = [q for q in questions if eligible(q) and q.type == "answerable"]
    una = [q for q in questions if eligible(q) and q.type == "unanswerable"]
    out: list[Pair] = []
    seen: set[str] = set()

    def add(a: GoldQuestion, b: GoldQuestion, shape: str) -> None:
        key = f"{a.id}+{b.id}"
        if a.id != b.id and key not in seen:
            seen.add(key)
            out.append(Pair(key, joined(a.question, b.question, rng.choice(list(connectors))), (a, b), shape))

    for _ in range(rounds):
        order = rng.sample(ans, len(ans))
        for k in range(0, len(order) - 1, 2):
            add(order[k], order[k + 1], "AA")
        if ans:
            for u in una:
                a = rng.choice(ans)
                add(*((u, a) if rng.random() < 0.5 else (a, u)), "AU")
    return out


def load_two_questions(path: Path) -> list[Pair]:
    """Messages written with two questions (`eval/heldout5/two_questions.jsonl`: `id`, `message`,
    `parts` with `question`, `type`, `answers`, `kind`) as `Pair`s, in file order."""
    import json

    from eval.gold import GoldAnswer

    out: list[Pair] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        parts = tuple(
            GoldQuestion(
                id=f"{row['id']}.{i + 1}",
                question=part["question"],
                type=part["type"],
                answers=tuple(GoldAnswer(a["doc_id"], a["text"]) for a in part["answers"]),
                pin=None,
                tags=(),
                line=n,
                kind=part.get("kind"),
            )
            for i, part in enumerate(row["parts"])
        )
        if len(parts) != 2 or any(q.type not in ("answerable", "unanswerable") for q in parts):
            raise ValueError(f"{path}:{n}: two parts, each answerable or unanswerable")
        shape = "AA" if all(q.type == "answerable" for q in parts) else "AU"
        out.append(Pair(row["id"], row["message"], (parts[0], parts[1]), shape))
    return out


def _rank(answer: Answer, spans: list[tuple[str, int, int]]) -> int | None:
    for i, q in enumerate(answer.quotes, start=1):
        if any(d == q.doc_id and spans_overlap((a, b), (q.start, q.end)) for d, a, b in spans):
            return i
    return None


def _rate(xs: Sequence[bool]) -> dict[str, Any]:
    return {"hits": sum(xs), "total": len(xs), "rate": (sum(xs) / len(xs)) if xs else None}


def score_pairs(
    answer: Callable[[str], Answer],
    pairs: Sequence[Pair],
    document_text: Callable[[str], str],
    similarity: Callable[[str, list[str]], list[float]],
) -> dict[str, Any]:
    """Figures per sub-question over `pairs` (module doc) and one record per message;
    `similarity(question, texts)`: the cosine of each text to the question."""
    subs: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for p in pairs:
        a = answer(p.text)
        asked = getattr(a, "questions", ())  # () on code before session 8 (the baseline)
        named = len(asked) == len(p.parts)  # the answer says which quote answers which question
        rec: dict[str, Any] = {
            "id": p.id,
            "shape": p.shape,
            "status": a.status.value,
            "split": bool(asked),
        }
        rec["quotes"] = [getattr(q, "question", None) for q in a.quotes]
        parts = []
        for i, g in enumerate(p.parts):
            spans = [
                (x.doc_id, s, e) for x in g.answers for s, e in find_spans(document_text(x.doc_id), x.text)
            ]
            mine = [q for q in a.quotes if q.question == i] if named else list(a.quotes)
            r = {
                "id": g.id,
                "type": g.type,
                "rank": _rank(a, spans) if g.type == "answerable" else None,
                "answered": a.status is Status.ANSWERED and bool(mine),
                "attributed": sum(1 for q in a.quotes if named and q.question == i),
            }
            parts.append(r)
            subs.append(r)
        if p.shape == "AU" and a.quotes:
            u = next(i for i, g in enumerate(p.parts) if g.type == "unanswerable")
            texts = [q.text for q in a.quotes]
            to_u = similarity(p.parts[u].question, texts)
            to_a = similarity(p.parts[1 - u].question, texts)
            rec["contaminated"] = any(x > y for x, y in zip(to_u, to_a, strict=True))
        else:
            rec["contaminated"] = False
        rec["parts"] = parts
        messages.append(rec)
    ans = [s for s in subs if s["type"] == "answerable"]
    una = [s for s in subs if s["type"] == "unanswerable"]
    aa = [m for m in messages if m["shape"] == "AA"]
    au = [m for m in messages if m["shape"] == "AU"]
    return {
        "messages": {"AA": len(aa), "AU": len(au)},
        "hit": _rate([s["rank"] is not None for s in ans]),
        "hit@3": _rate([s["rank"] is not None and s["rank"] <= 3 for s in ans]),
        "hit@1": _rate([s["rank"] == 1 for s in ans]),
        "answered": _rate([s["answered"] for s in ans]),
        "both": _rate([all(x["rank"] is not None for x in m["parts"]) for m in aa]),
        "contaminated": _rate([m["contaminated"] for m in au]),
        "attributed": _rate([s["attributed"] > 0 for s in una]),
        "au_declined": _rate([m["status"] != Status.ANSWERED.value for m in au]),
        "split": _rate([m["split"] for m in messages]),
        "records": messages,
    }


ROWS = ("hit", "hit@3", "hit@1", "answered", "both", "contaminated", "attributed", "au_declined", "split")
OPTIONAL_ROWS = ("unanswerable_alone_answered",)


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The figures of each run side by side."""
    names = list(results)
    fmt = lambda x: "—" if x["rate"] is None else f"{x['rate']:.3f} ({x['hits']}/{x['total']})"  # noqa: E731
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines.append(
        "| messages AA / AU | "
        + " | ".join("{AA} / {AU}".format(**results[n]["messages"]) for n in names)
        + " |"
    )
    lines += [f"| {r} | " + " | ".join(fmt(results[n][r]) for n in names) + " |" for r in ROWS]
    lines += [
        f"| {r} | " + " | ".join(fmt(results[n][r]) if r in results[n] else "—" for n in names) + " |"
        for r in OPTIONAL_ROWS
        if any(r in results[n] for n in names)
    ]
    return "\n".join(lines) + "\n"
