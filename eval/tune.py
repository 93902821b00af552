"""`python -m eval tune`: choose the answer stage's numbers on the DEV split (never test/held-out).

    python -m eval tune [--split dev] [--index DIR] [--model PATH] [--reranker DIR]

For every question of the split it runs retrieval and the relevance model once (kind bonus 0,
depth 40) and keeps, per candidate, the model's probability, the kind match and whether it
overlaps a gold span. Then, with no further model calls, it sweeps:

- `depth` (how many retrieved sentences the model reads) and `kind_bonus`: hit@1, hit@3 and MRR
  of the candidate order over answerable questions;
- the abstention signal: balanced accuracy (mean of answerable kept and unanswerable declined)
  of the best relevance and of the best centred cosine, each at its best threshold;
- `quote_min` (relevance a quote after the first needs): quote hit@3 and the share of shown
  quotes that overlap a gold span, through `bot.select` itself.

It prints the tables and the values it would choose; copy them into `bot/data/answer.toml`
(with the date and this command in the comment). Running it on `test` or `heldout` is refused:
those sets are for reporting only.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

GRID_DEPTH = (10, 20, 30, 40)
GRID_BONUS = (0.0, 0.05, 0.1, 0.2, 0.3)
GRID_FUSED = (0.0, 0.1, 0.2, 0.3, 0.5)
GRID_QUOTE_MIN = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def add_tune_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "tune", help="sweep the answer stage's settings on the dev split and print the best"
    )
    p.add_argument("--split", default="dev", help="gold split to tune on (only 'dev' is allowed)")
    p.add_argument("--index", help="index folder (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--model", help="local sentence-transformers folder")
    p.add_argument("--reranker", type=Path, help="relevance model folder (default: the shipped one)")
    p.set_defaults(target="eval.tune:main")
    return p


def _score(c: tuple[float, float, bool, int, float], bonus: float, fused: float) -> float:
    return c[0] + bonus * c[1] + fused * c[4]


def _order_figures(
    rows: list[dict[str, Any]], depth: int, bonus: float, fused: float
) -> tuple[float, float, float]:
    h1 = h3 = mrr = 0.0
    ans = [r for r in rows if r["type"] == "answerable"]
    for r in ans:
        c = r["cands"][:depth]
        order = sorted(range(len(c)), key=lambda j: (-_score(c[j], bonus, fused), j))
        rel = [c[j][2] for j in order]
        h1 += bool(rel[:1] and rel[0])
        h3 += any(rel[:3])
        mrr += next((1.0 / (i + 1) for i, x in enumerate(rel[:10]) if x), 0.0)
    n = max(len(ans), 1)
    return h1 / n, h3 / n, mrr / n


def _balanced(keep: list[float], reject: list[float]) -> tuple[float, float]:
    from eval.grounding_metrics import best_threshold, threshold_curve, threshold_grid

    point = best_threshold(threshold_curve(keep, reject, threshold_grid(0.0, 1.0, 0.01)))
    return point.threshold, point.balanced_accuracy


def collect(engine: Any, ranker: Any, questions: list[Any]) -> list[dict[str, Any]]:
    """Per question: type, best similarity and (relevance, kind match, gold overlap) per candidate."""
    from bot.question import clean_question
    from bot.story import find_question
    from eval.grounding_metrics import find_spans, spans_overlap

    data = engine.data
    rows = []
    for q in questions:
        text = clean_question(q.question).search_text
        story = find_question(text)
        retrieval = engine.retrieve_story(story)
        ranking = ranker.rank(story.texts, retrieval)
        spans = [
            (a.doc_id, s, e) for a in q.answers for s, e in find_spans(data.documents[a.doc_id].text, a.text)
        ]
        by_rank = sorted(ranking.scored, key=lambda c: c.fused_rank)
        top = max((h.score for h in retrieval.hits), default=1.0)
        cands = []
        for c in by_rank:
            u = data.sentences[c.sentence_id]
            gold = any(d == u.doc_id and spans_overlap((a, b), (u.start, u.end)) for d, a, b in spans)
            prior = retrieval.hits[c.fused_rank].score / max(top, 1e-12)
            cands.append((c.relevance, float(c.kind_match), gold, c.sentence_id, prior))
        rows.append(
            {"id": q.id, "type": q.type, "sim": retrieval.best_similarity, "cands": cands, "ranking": ranking}
        )
    return rows


def main(args: argparse.Namespace) -> int:
    if args.split != "dev":
        print("error: tune only on the dev split; test and held-out are for reporting", file=sys.stderr)
        return 2
    from index.rerank import Reranker

    from bot.engine import Engine
    from bot.rank import AnswerRanker, load_answer_settings
    from eval.gold import load_gold
    from eval.sets import GOLD
    from index.embedder import set_offline_env
    from index.settings import Paths

    set_offline_env()
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    engine = Engine.load(paths.index_dir, paths.model_path, reranker=None)
    settings = load_answer_settings()
    ranker = AnswerRanker(engine.data, Reranker.load(args.reranker) if args.reranker else Reranker.load(),
                          settings=replace(settings.rank, depth=max(GRID_DEPTH), kind_bonus=0.0))  # fmt: skip
    questions = [q for q in load_gold(GOLD).questions if q.split == "dev" and q.type != "emergency"]
    rows = collect(engine, ranker, questions)
    print(f"dev: {sum(r['type'] == 'answerable' for r in rows)} answerable, "
          f"{sum(r['type'] == 'unanswerable' for r in rows)} unanswerable\n")  # fmt: skip
    print("| depth | kind_bonus | fused_weight | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|")
    grid = [
        (d, b, f, *_order_figures(rows, d, b, f)) for d in GRID_DEPTH for b in GRID_BONUS for f in GRID_FUSED
    ]
    for row in grid:
        print("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} |".format(*row))
    # MRR first (it rewards the first quote, which patients read), then hit@3, then the simpler setting
    best = max(grid, key=lambda t: (round(t[5], 6), round(t[4], 6), -t[0], -t[1], -t[2]))
    depth, bonus, fused = best[0], best[1], best[2]
    print(
        f"\nchosen (best MRR, then hit@3, then smaller): depth {depth}, kind_bonus {bonus}, fused_weight {fused}\n"
    )
    keep_rel = [
        max((c[0] for c in r["cands"][:depth]), default=0.0) for r in rows if r["type"] == "answerable"
    ]
    rej_rel = [
        max((c[0] for c in r["cands"][:depth]), default=0.0) for r in rows if r["type"] == "unanswerable"
    ]
    keep_sim = [r["sim"] for r in rows if r["type"] == "answerable"]
    rej_sim = [r["sim"] for r in rows if r["type"] == "unanswerable"]
    for name, keep, rej in (("relevance", keep_rel, rej_rel), ("similarity", keep_sim, rej_sim)):
        t, ba = _balanced(keep, rej)
        kept = sum(k >= t for k in keep) / max(len(keep), 1)
        declined = sum(x < t for x in rej) / max(len(rej), 1)
        print(
            f"abstention on {name}: threshold {t:.2f}, balanced accuracy {ba:.3f} (kept {kept:.3f}, declined {declined:.3f})"
        )
    _quote_sweep(engine, rows, settings, depth, bonus, fused)
    return 0


def _quote_sweep(
    engine: Any, rows: list[dict[str, Any]], settings: Any, depth: int, bonus: float, fused: float
) -> None:
    from bot.cautions import stance
    from bot.rank import Ranking, Scored
    from bot.select import select

    print("\n| quote_min | quote hit@3 | shown quotes on gold | quotes per answer |\n|---|---|---|---|")
    for qmin in GRID_QUOTE_MIN:
        hits = shown = good = 0
        ans = [r for r in rows if r["type"] == "answerable"]
        for r in ans:
            rk: Ranking = r["ranking"]
            gold = {c[3]: c[2] for c in r["cands"]}
            cands = [c for c in rk.scored if c.fused_rank < depth]
            prior = {c[3]: c[4] for c in r["cands"]}
            cands = sorted(
                (
                    replace(c, score=c.relevance + bonus * c.kind_match + fused * prior[c.sentence_id])
                    for c in cands
                ),
                key=lambda c: -c.score,
            )
            ranking = replace(rk, scored=tuple[Scored, ...](cands))
            picks = select(ranking, engine.data, replace(settings.select, quote_min=qmin), [], 4, stance)
            flags = [gold.get(p.candidate.sentence_id, False) for p in picks]
            hits += any(flags[:3])
            shown += len(flags)
            good += sum(flags)
        n = max(len(ans), 1)
        print(f"| {qmin} | {hits / n:.3f} | {good / max(shown, 1):.3f} | {shown / n:.2f} |")
