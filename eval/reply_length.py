"""How long an answered reply is: words and phone screens, on the gold questions.

    python -m eval.reply_length [--index DIR] [--gold FILE] [--out FILE] [--compare BEFORE.json]

Every gold question is answered by the engine; each *answered* reply is rendered exactly as the
chat renders it as the first reply of a new chat (`bot.render`), then laid out in headless
Chromium at a phone's width (390 px, the chat's own CSS, the chat's side paddings) and measured:

- words: the reply's visible text (``innerText``: closed ``<details>`` are not counted, since a
  patient does not see them without a click), split on white space;
- phone screens: the reply's height / 844 px (a 390x844 phone screen).

The figures (median, quartiles, max) and per-question rows with the quoted spans go to `--out`
(JSON). `--compare` reads an earlier run and adds the ratio of medians and how many questions
show exactly the same quotes (doc_id, start, end) in both runs.

Trade-off: the layout is the chat's CSS in a plain page rather than the live Gradio app (no
queue, no server, ~10 s for 150 replies); the bubble chrome Gradio adds is a few pixels per reply.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_GOLD = EVAL_DIR / "gold" / "questions.jsonl"
DEFAULT_OUT = EVAL_DIR / "out" / "reply_length.json"
CHROMIUM = Path("/usr/bin/chromium")
PHONE: Any = {"width": 390, "height": 844}
STATIC = EVAL_DIR.parent / "bot" / "static"
# What Gradio puts around a reply on a phone: page side padding (2.5vw ~ 10 px) and bubble padding.
_FRAME_CSS = (
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:18px;}"
    ".gradio-container{padding:0 10px;} #ldn-chat .bot.message{padding:6px;}"
)


def render_replies(answers: Sequence[Any], engine: Any, layout: str, chat: int) -> list[str]:
    """Each answer as the chat shows it.

    ``classic``: `bot.render.answer_html` (every reply carries everything). ``compact``:
    `bot.compact.reply_html` in chats of `chat` consecutive answered questions (a standing caveat
    is shown once per chat; ``--chat 1`` makes every reply the first of its chat), with the
    suggested questions the chat would show under it."""
    if layout == "classic":
        from bot import render

        return [render.answer_html(a) for a in answers]
    from bot import compact, suggest

    data = engine.data
    sources = {doc_id: doc.meta for doc_id, doc in data.documents.items()}
    out, memory = [], compact.ChatMemory()
    for k, a in enumerate(answers):
        if k % chat == 0:
            memory = compact.ChatMemory()
        near = suggest.for_answer(engine, a)
        html, memory = compact.reply_html(a, memory=memory, sources=sources, suggestions=near)
        out.append(html)
    return out


def _page(replies: Sequence[str]) -> str:
    css = (STATIC / "chat.css").read_text(encoding="utf-8")
    rows = "".join(
        f'<div class="message-row bot-row"><div class="bot message" data-k="{k}">'
        f'<div class="prose chatbot md">{html}</div></div></div>'
        for k, html in enumerate(replies)
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><style>{_FRAME_CSS}{css}</style></head>'
        f'<body><div class="gradio-container"><div id="ldn-chat">{rows}</div></div></body></html>'
    )


def measure(replies: Sequence[str]) -> list[tuple[int, float]]:
    """(words, height in px) of each reply, laid out at the phone width."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=PHONE)
            page.set_content(_page(replies), wait_until="load")
            found = page.evaluate(
                """() => [...document.querySelectorAll('#ldn-chat .bot.message')].map((el) => {
                    const reply = el.querySelector('.ldn-reply') || el;
                    reply.querySelectorAll('.ldn-sr-only').forEach((x) => x.remove());  // not seen
                    const words = reply.innerText.split(/\\s+/).filter(Boolean).length;
                    return [words, reply.getBoundingClientRect().height];
                })"""
            )
        finally:
            browser.close()
    return [(int(w), float(h)) for w, h in found]


def _stats(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {
        "median": round(statistics.median(values), 2),
        "q1": round(q[0], 2),
        "q3": round(q[2], 2),
        "max": round(max(values), 2),
    }


def run(index_dir: Path | None, gold: Path, layout: str = "compact", chat: int = 8) -> dict[str, Any]:
    from bot.engine import BotSettings, Engine
    from bot.models import Status
    from eval.gold import load_questions
    from index.settings import Paths

    paths = Paths.resolve(index_dir=str(index_dir) if index_dir else None)
    engine = Engine.load(paths.index_dir, paths.model_path, BotSettings())
    rows: list[dict[str, Any]] = []
    answers: list[Any] = []
    for q in load_questions(gold):
        a = engine.answer(q.question)
        if a.status is Status.ANSWERED:
            answers.append(a)
            rows.append({"id": q.id, "quotes": [[x.doc_id, x.start, x.end] for x in a.quotes]})
    sizes = measure(render_replies(answers, engine, layout, chat))
    for row, (words, height) in zip(rows, sizes, strict=True):
        row["words"], row["screens"] = words, round(height / PHONE["height"], 3)
    return {
        "layout": layout,
        "chat": chat,
        "answered": len(rows),
        "words": _stats([r["words"] for r in rows]),
        "phone_screens": _stats([r["screens"] for r in rows]),
        "rows": rows,
    }


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Ratio of medians and the share of questions with identical quotes in both runs."""
    old = {r["id"]: r for r in before["rows"]}
    common = [r for r in after["rows"] if r["id"] in old]
    same = sum(1 for r in common if r["quotes"] == old[r["id"]]["quotes"])
    return {
        "questions_in_both": len(common),
        "same_quotes": same,
        "median_words_ratio": round(after["words"]["median"] / max(before["words"]["median"], 1e-9), 3),
        "median_screens_ratio": round(
            after["phone_screens"]["median"] / max(before["phone_screens"]["median"], 1e-9), 3
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.reply_length", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, help="index folder (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--compare", type=Path, help="an earlier --out file to compare with")
    p.add_argument(
        "--layout", choices=("classic", "compact"), default="compact", help="reply layout (default: compact)"
    )
    p.add_argument(
        "--chat", type=int, default=8, help="questions per chat for the compact layout (default: 8)"
    )
    args = p.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"error: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    result = run(args.index, args.gold, args.layout, max(1, args.chat))
    if args.compare:
        result["compare"] = compare(json.loads(args.compare.read_text(encoding="utf-8")), result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
