"""`python -m eval feedback`: what patients disliked, and draft gold rows to label.

    python -m eval feedback [--db FILE] [--corpus DIR] [--out DIR] [--all]

Reads the chat's feedback store (`bot.feedback`, ``LDN_FEEDBACK_DB`` or ``var/feedback.sqlite3``)
and writes to `--out` (default ``eval/out/feedback/``):

- ``report.md``: counts (likes, dislikes, by reason and by reply status), then each disliked
  answer with its time, question, reason, comment and the quotes it showed (their text is read
  back from the corpus by offsets, so a maintainer sees exactly what the patient saw);
- ``draft_gold.jsonl``: one row per distinct disliked question in the gold format of
  ``eval/gold/questions.jsonl`` with ``"type": "TODO"`` and no answers: a person decides the
  type and the expected quotes before moving a row into the gold set (the gold loader refuses
  "TODO", so an unlabelled row cannot slip in).

The same summary is printed. Nothing is sent anywhere; the file is only read.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "feedback"
TODO = "TODO"
QUOTE_CHARS = 300


def add_feedback_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "feedback",
        help="report of disliked chat answers and draft gold rows (from the feedback store)",
        description="Summarise the chat's like/dislike feedback; export disliked questions as draft gold rows.",
    )
    p.add_argument("--db", type=Path, help="feedback file (default: LDN_FEEDBACK_DB or var/feedback.sqlite3)")
    p.add_argument("--corpus", type=Path, help="corpus folder to show quoted text (default: LDN_CORPUS_DIR)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: eval/out/feedback)")
    p.add_argument("--all", action="store_true", help="list liked answers too")
    p.set_defaults(target="eval.feedback_report:main")
    return p


def _texts(corpus: Path | None) -> dict[str, str]:
    from corpus.ingest import load_corpus
    from index.settings import Paths

    folder = corpus or Paths.resolve().corpus_dir
    try:
        return {d.doc_id: d.text for d in load_corpus(folder).documents}
    except FileNotFoundError:
        return {}


def _quote_text(texts: Mapping[str, str], span: Mapping[str, Any]) -> str:
    text = texts.get(str(span.get("doc_id")), "")
    start, end = int(span.get("start", 0)), int(span.get("end", 0))
    if not text or not 0 <= start < end <= len(text):
        return "(this quote's source is not in the corpus folder any more)"
    quote = " ".join(text[start:end].split())
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…"


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def build_report(
    rows: Sequence[Mapping[str, Any]], texts: Mapping[str, str], include_liked: bool = False
) -> str:
    """The Markdown report (pure: rows as `bot.feedback.rows` returns them)."""
    liked = [r for r in rows if r.get("liked")]
    disliked = [r for r in rows if not r.get("liked")]
    reasons = Counter(str(r.get("reason") or "none given") for r in disliked)
    statuses = Counter(str(r.get("status")) for r in disliked)
    out = [
        "# Chat feedback",
        "",
        f"{len(rows)} clicks: {len(liked)} liked, {len(disliked)} disliked.",
        "",
        "| dislikes by reason | count |",
        "|---|---|",
        *(f"| {_cell(k)} | {v} |" for k, v in reasons.most_common()),
        "",
        "| dislikes by reply status | count |",
        "|---|---|",
        *(f"| {_cell(k)} | {v} |" for k, v in statuses.most_common()),
        "",
    ]
    listed = rows if include_liked else disliked
    out.append("## Answers " + ("with feedback" if include_liked else "patients disliked"))
    for r in listed:
        verdict = "liked" if r.get("liked") else "disliked"
        out += ["", f"### {_cell(r.get('question'))}", ""]
        out.append(f"- {verdict}, {_cell(r.get('time'))}, reply status: {_cell(r.get('status'))}")
        if r.get("reason"):
            out.append(f"- reason: {_cell(r.get('reason'))}")
        if r.get("comment"):
            out.append(f"- comment: {_cell(r.get('comment'))}")
        for span in r.get("quotes") or []:
            where = f"{span.get('doc_id')} {span.get('start')}-{span.get('end')}"
            out.append(f"- quoted ({_cell(where)}): “{_cell(_quote_text(texts, span))}”")
    return "\n".join(out) + "\n"


def draft_gold_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One gold-format row per distinct disliked question, for a person to label."""
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r.get("liked"):
            continue
        question = " ".join(str(r.get("question") or "").split())
        key = question.lower()
        if not question or key in seen:
            continue
        tags = ["from-feedback"] + ([str(r["reason"])] if r.get("reason") else [])
        seen[key] = {"id": f"f{len(seen) + 1:03d}", "question": question, "type": TODO,
                     "answers": [], "pin": None, "tags": tags}  # fmt: skip
    return list(seen.values())


def main(args: argparse.Namespace) -> int:
    from bot import feedback

    rows = feedback.rows(args.db)
    report = build_report(rows, _texts(args.corpus), include_liked=args.all)
    drafts = draft_gold_rows(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    body = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts)
    (args.out / "draft_gold.jsonl").write_text(body, encoding="utf-8")
    print(report.split("## ", 1)[0].rstrip())
    print(
        f"\nwrote {args.out / 'report.md'} and {len(drafts)} draft gold rows to {args.out / 'draft_gold.jsonl'}"
    )
    return 0
