"""`python -m eval tune`: choose the answer stage's numbers on the DEV split (never test/held-out).

    python -m eval tune [--split dev] [--index DIR] [--model PATH] [--reranker DIR]

For every question of the split it runs retrieval and the relevance model once (kind bonus 0,
depth 40) and keeps, per candidate, the model's probability, the kind match and whether it
overlaps a gold span. Then, with no further model calls, it sweeps:

- `depth` (how many retrieved sentences the model reads), `rank_k`, `model_weight` and
  `kind_bonus` (see `bot.rank`): hit@1, hit@3 and MRR of the candidate order over answerable
  questions;
- the abstention signal: balanced accuracy (mean of answerable kept and unanswerable declined)
  of the best relevance and of the best centred cosine, each at its best threshold;
- `quote_min` and `quote_share` (relevance a quote after the first needs): quote hit@3 and the
  share of shown quotes that overlap a gold span, through `bot.select` itself.

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

GRID_DEPTH = (10, 20, 30)
GRID_K = (5.0, 10.0, 30.0)
GRID_WEIGHT = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
GRID_BONUS = (0.0, 0.01, 0.02, 0.03, 0.05)
GRID_CREDIT = (0.05, 0.1, 0.13, 0.15, 0.2)
GRID_QUOTE_MIN = (0.0, 0.1, 0.2, 0.3, 0.5)
GRID_SHARE = (0.0, 0.25, 0.5)


def add_tune_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "tune", help="sweep the answer stage's settings on the dev split and print the best"
    )
    p.add_argument("--split", default="dev", help="gold split to tune on (only 'dev' is allowed)")
    p.add_argument("--index", help="index folder (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--model", help="local sentence-transformers folder")
    p.add_argument("--reranker", type=Path, help="relevance model folder (default: the shipped one)")
    p.add_argument("--adapter", type=Path, help="query adapter folder (default: the shipped one, if any)")
    p.set_defaults(target="eval.tune:main")
    return p


Cand = tuple[float, float, bool, int, float, float]  # relevance, kind match, gold?, id, fused, cosine


def _order(c: list[Cand], k: float, weight: float, bonus: float) -> list[int]:
    """Candidate indexes in the order `bot.rank` gives them (rank fusion + kind bonus)."""
    by_model = sorted(range(len(c)), key=lambda j: (-c[j][0], j))
    model_rank = {j: r for r, j in enumerate(by_model)}
    score = {j: weight / (k + 1 + model_rank[j]) + 1.0 / (k + 1 + j) + bonus * c[j][1] for j in range(len(c))}
    return sorted(score, key=lambda j: (-score[j], j))


def _order_figures(
    rows: list[dict[str, Any]], setting: tuple[int, float, float, float]
) -> tuple[float, float, float]:
    depth, k, weight, bonus = setting
    h1 = h3 = mrr = 0.0
    ans = [r for r in rows if r["type"] == "answerable"]
    for r in ans:
        c = r["cands"][:depth]
        rel = [c[j][2] for j in _order(c, k, weight, bonus)]
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
    from bot.rank import retrieve_story
    from bot.story import find_question
    from eval.grounding_metrics import find_spans, spans_overlap

    data = engine.data
    rows = []
    for q in questions:
        text = clean_question(q.question).search_text
        story = find_question(text)
        retrieval = retrieve_story(engine.retriever, engine.encode, story)
        ranking = ranker.rank(story.texts, retrieval)
        spans = [
            (a.doc_id, s, e) for a in q.answers for s, e in find_spans(data.documents[a.doc_id].text, a.text)
        ]
        by_rank = sorted(ranking.scored, key=lambda c: c.fused_rank)
        cands = []
        for c in by_rank:
            u = data.sentences[c.sentence_id]
            gold = any(d == u.doc_id and spans_overlap((a, b), (u.start, u.end)) for d, a, b in spans)
            fused = retrieval.hits[c.fused_rank].score
            cands.append((c.relevance, float(c.kind_match), gold, c.sentence_id, fused, c.similarity))
        rows.append(
            {"id": q.id, "type": q.type, "sim": retrieval.best_similarity, "cands": cands, "ranking": ranking}
        )
    return rows


def main(args: argparse.Namespace) -> int:
    if args.split != "dev":
        print("error: tune only on the dev split; test and held-out are for reporting", file=sys.stderr)
        return 2
    from bot.answer_settings import load_answer_settings
    from bot.engine import Engine
    from bot.rank import AnswerRanker
    from eval.gold import load_gold
    from eval.sets import GOLD
    from index.adapter import DEFAULT_ADAPTER_DIR
    from index.embedder import set_offline_env
    from index.rerank import Reranker
    from index.settings import Paths

    set_offline_env()
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    engine = Engine.load(paths.index_dir, paths.model_path, reranker=None)
    settings = load_answer_settings()
    ranker = AnswerRanker(engine.data, Reranker.load(args.reranker) if args.reranker else Reranker.load(),
                          settings=replace(settings.rank, depth=max(GRID_DEPTH)))  # fmt: skip
    questions = [q for q in load_gold(GOLD).questions if q.split == "dev" and q.type != "emergency"]
    rows = collect(engine, ranker, questions)
    print(f"dev: {sum(r['type'] == 'answerable' for r in rows)} answerable, "
          f"{sum(r['type'] == 'unanswerable' for r in rows)} unanswerable\n")  # fmt: skip
    print(
        "| depth | rank_k | model_weight | kind_bonus | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|---|"
    )
    grid = [
        ((d, k, w, b), _order_figures(rows, (d, k, w, b)))
        for d in GRID_DEPTH
        for k in GRID_K
        for w in GRID_WEIGHT
        for b in GRID_BONUS
    ]
    for setting, figs in grid:
        print("| {} | {} | {} | {} | ".format(*setting) + " | ".join(f"{x:.3f}" for x in figs) + " |")
    # MRR first (it rewards the first quote, which patients read), then hit@3, then the smaller setting
    best, figs = max(grid, key=lambda g: (round(g[1][2], 6), round(g[1][1], 6), tuple(-x for x in g[0])))
    depth = best[0]
    print(f"\nchosen (best MRR, then hit@3): depth, rank_k, model_weight, kind_bonus = {best}: {figs}\n")
    keep_rel = [
        max((c[0] for c in r["cands"][:depth]), default=0.0) for r in rows if r["type"] == "answerable"
    ]
    rej_rel = [
        max((c[0] for c in r["cands"][:depth]), default=0.0) for r in rows if r["type"] == "unanswerable"
    ]
    keep_sim = [r["sim"] for r in rows if r["type"] == "answerable"]
    rej_sim = [r["sim"] for r in rows if r["type"] == "unanswerable"]
    signals = [("relevance", keep_rel, rej_rel), ("similarity", keep_sim, rej_sim)]
    for credit in GRID_CREDIT:  # cosine + credit when retrieval's best sentence has the asked shape

        def shifted(r: dict[str, Any], credit: float = credit) -> float:
            return float(r["sim"] + (credit if r["cands"] and r["cands"][0][1] else 0.0))

        signals.append(
            (
                f"similarity + kind_credit {credit}",
                [shifted(r) for r in rows if r["type"] == "answerable"],
                [shifted(r) for r in rows if r["type"] == "unanswerable"],
            )
        )
    for name, keep, rej in signals:
        t, ba = _balanced(keep, rej)
        kept = sum(k >= t for k in keep) / max(len(keep), 1)
        declined = sum(x < t for x in rej) / max(len(rej), 1)
        print(
            f"abstention on {name}: threshold {t:.2f}, balanced accuracy {ba:.3f} (kept {kept:.3f}, declined {declined:.3f})"
        )
    _quote_sweep(engine, rows, settings, best)
    _without_model(engine, rows, settings)
    if args.adapter is not None or DEFAULT_ADAPTER_DIR.is_dir():
        from eval.adapter_sweep import sweep

        print("\n" + "\n".join(sweep(engine, questions, args.adapter)))
    return 0


def _quote_sweep(
    engine: Any, rows: list[dict[str, Any]], settings: Any, best: tuple[int, float, float, float]
) -> None:
    from bot.rank import Ranking, Scored

    depth, k, weight, bonus = best

    def ordered(r: dict[str, Any]) -> Ranking:
        rk: Ranking = r["ranking"]
        c = r["cands"][:depth]
        by_id = {x.sentence_id: x for x in rk.scored}
        return replace(rk, scored=tuple[Scored, ...](by_id[c[j][3]] for j in _order(c, k, weight, bonus)))

    print("\n| quote_min | quote_share | quote hit@3 | shown quotes on gold | quotes per answer |")
    print("|---|---|---|---|---|")
    ans = [r for r in rows if r["type"] == "answerable"]
    for qmin in GRID_QUOTE_MIN:
        for share in GRID_SHARE:
            print(_quote_row(engine, ans, ordered, settings.select, qmin, share))


def _quote_row(
    engine: Any, ans: list[dict[str, Any]], ordered: Any, base: Any, qmin: float, share: float
) -> str:
    """One row of a quote sweep: the quotes `bot.select` shows for each question's ranking in the
    order under test (`ordered(row)`), with `quote_min` / `quote_share` set on the `base` settings."""
    from bot.cautions import stance
    from bot.select import select

    sel = replace(base, quote_min=qmin, quote_share=share)
    hits = shown = good = 0
    for r in ans:
        picks = select(ordered(r), engine.data, sel, [], sel.max_quotes, stance)
        gold = {x[3]: x[2] for x in r["cands"]}
        flags = [gold.get(p.candidate.sentence_id, False) for p in picks]
        hits += any(flags[:3])
        shown += len(flags)
        good += sum(flags)
    n = max(len(ans), 1)
    return f"| {qmin} | {share} | {hits / n:.3f} | {good / max(shown, 1):.3f} | {shown / n:.2f} |"


def _without_model(engine: Any, rows: list[dict[str, Any]], settings: Any) -> None:
    """The same questions without the relevance model: retrieval's fused score + kind bonus,
    quotes after the first on the centred cosine (`select_without_model`)."""
    from bot.rank import Ranking, Scored

    ans = [r for r in rows if r["type"] == "answerable"]
    print("\nwithout the model:\n\n| kind_bonus_fused | hit@1 | hit@3 | MRR |\n|---|---|---|---|")
    for bonus in (0.0, 0.005, 0.01, 0.02):
        h1 = h3 = mrr = 0.0
        for r in ans:
            c = r["cands"]
            order = sorted(range(len(c)), key=lambda j: (-(c[j][4] + bonus * c[j][1]), j))
            rel = [c[j][2] for j in order]
            h1 += bool(rel[:1] and rel[0])
            h3 += any(rel[:3])
            mrr += next((1.0 / (i + 1) for i, x in enumerate(rel[:10]) if x), 0.0)
        print(f"| {bonus} | {h1 / len(ans):.3f} | {h3 / len(ans):.3f} | {mrr / len(ans):.3f} |")
    bonus = settings.rank.kind_bonus_fused
    print(
        f"\n| quote_min (cosine) | quote_share | quote hit@3 | shown quotes on gold | quotes per answer |  (kind_bonus_fused {bonus})"
    )
    print("|---|---|---|---|---|")

    def ordered(r: dict[str, Any]) -> Ranking:
        rk: Ranking = r["ranking"]
        c = r["cands"]
        by_id = {x.sentence_id: x for x in rk.scored}
        idx = sorted(range(len(c)), key=lambda j: (-(c[j][4] + bonus * c[j][1]), j))
        cosine_order: list[Scored] = [replace(by_id[c[j][3]], relevance=c[j][5]) for j in idx]
        return replace(rk, scored=tuple(cosine_order))

    for qmin in (0.0, 0.2, 0.3, 0.4):
        for share in (0.0, 0.5, 0.75):
            print(_quote_row(engine, ans, ordered, settings.select_without_model, qmin, share))
