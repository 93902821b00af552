"""`python -m eval.transfer`: choose the abstention rule and the first-quote weights on dev AND a
transfer-dev corpus (another medicine), with cross-validation (`eval.transfer_cv`).

    python -m eval.transfer [--index DIR] [--model PATH] [--probes FILE] [--folds 10]

Tuning sets: the dev half of `eval/gold` (bundled corpus, `--index`) and each corpus named in
`TRANSFER_DEV` (`eval/corpora/<name>/`, indexed into a temporary folder with the same model). The
test half, the held-out set and any other corpus are never read here. Per question it runs the
shipped engine's retrieval and ranking (`Engine.load(..., reranker=None)`, `bot/data/answer.toml`)
and records retrieval's best centred cosine, the answer shape of retrieval's first sentence, two
word features (share of the question's content words unknown to the corpus; their IDF-weighted
coverage by the best of the top 3 sentences) and the ranked candidates with their gold flags.

Per corpus it also records a calibration computed with no gold at all: the mean best cosine of
`--probe-count` public MedQuAD questions (off-topic consumer-health questions, `shared/medqa`,
a fixed random sample) on that corpus, the "per-corpus offset" candidate of issue #11.

Prints two tables (markdown) and the values each would choose: the abstention signals (cut,
in-sample and cross-validated balanced accuracy / false no-answer / declined per corpus) and the
first-quote grid (hit@1 / hit@3 / MRR per corpus). About 30 s plus one index build of each
transfer corpus (~40 s); one core.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from eval.transfer_cv import Cand, Record, Signal, abstention_table, first_quote_grid

TRANSFER_DEV = ("melatonin",)  # corpora under eval/corpora/ that may be tuned on (eval/README.md)
REPO = Path(__file__).resolve().parent.parent
SIGNALS: dict[str, Signal] = {
    "cosine": lambda r, c: r.best,
    "cosine + kind credit 0.05": lambda r, c: r.best + 0.05 * r.top_kind,
    "cosine + kind credit 0.10": lambda r, c: r.best + 0.10 * r.top_kind,
    "cosine + kind credit 0.13 (before)": lambda r, c: r.best + 0.13 * r.top_kind,
    "cosine - probe mean (per-corpus offset)": lambda r, c: r.best - c["probe_mean"],
    "(cosine - probe mean) / probe sd": lambda r, c: (r.best - c["probe_mean"]) / c["probe_sd"],
    "cosine - 0.1 x unknown words": lambda r, c: r.best - 0.1 * r.unknown,
    "cosine - 0.2 x unknown words": lambda r, c: r.best - 0.2 * r.unknown,
    "cosine + 0.05 x word coverage": lambda r, c: r.best + 0.05 * r.coverage,
    "cosine + 0.1 x word coverage": lambda r, c: r.best + 0.1 * r.coverage,
    "cosine + 0.2 x word coverage": lambda r, c: r.best + 0.2 * r.coverage,
}
GRID = [
    (k, w, kb)
    for k in (5.0, 10.0, 20.0)
    for w in (0.0, 0.1, 0.2, 0.3, 0.5)
    for kb in (0.0, 0.01, 0.02, 0.03, 0.05)
]


def _default_probes() -> Path:
    for shared in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (shared / "medqa" / "medquad.jsonl").is_file():
            return shared / "medqa" / "medquad.jsonl"
    return REPO.parent / "shared" / "medqa" / "medquad.jsonl"


def probe_questions(path: Path, n: int, seed: int = 0) -> list[str]:
    """A fixed random sample of MedQuAD questions (seeded: the same sample every run)."""
    rows = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return random.Random(seed).sample(rows, min(n, len(rows)))


class _Collector:
    def __init__(self, engine: Any):
        from bot.coverage import WordCoverage
        from index.bm25 import tokenize

        self.engine, self.tokenize = engine, tokenize
        self.coverage = WordCoverage.from_index(engine.data)  # what serving computes (bot.rank)

    def run(
        self, text: str, spans: list[tuple[str, int, int]]
    ) -> tuple[Any, Any, tuple[Cand, ...], float, float]:
        from bot.question import clean_question
        from bot.rank import retrieve_story
        from bot.story import find_question
        from eval.grounding_metrics import spans_overlap

        e = self.engine
        story = find_question(clean_question(text).search_text)
        retrieval = retrieve_story(e.retriever, e.encode, story)
        ranking = e.ranker.rank(story.texts, retrieval)
        cands = []
        for c in ranking.scored[:20]:
            u = e.data.sentences[c.sentence_id]
            gold = any(d == u.doc_id and spans_overlap((a, b), (u.start, u.end)) for d, a, b in spans)
            cands.append(Cand(c.similarity, c.kind_match, gold))
        words = [t for t in dict.fromkeys(self.tokenize(story.texts[0])) if t not in self.coverage.topic]
        unknown = sum(self.coverage.df[t] == 0 for t in words) / len(words) if words else 0.0
        coverage = self.coverage(story.texts[0], [h.unit_id for h in retrieval.hits[:3]])
        return retrieval, ranking, tuple(cands), unknown, coverage


def collect(
    corpus: str, engine: Any, questions: list[Any], probes: list[str]
) -> tuple[list[Record], dict[str, float]]:
    import numpy as np

    from eval.grounding_metrics import find_spans

    col = _Collector(engine)
    records = []
    for q in questions:
        texts = engine.data.documents
        spans = [(a.doc_id, s, t) for a in q.answers for s, t in find_spans(texts[a.doc_id].text, a.text)]
        retrieval, ranking, cands, unknown, coverage = col.run(q.question, spans)
        top_kind = bool(any(c.kind_match for c in ranking.scored if c.fused_rank == 0))
        records.append(
            Record(
                corpus, q.type == "answerable", retrieval.best_similarity, top_kind, unknown, coverage, cands
            )
        )
    best = np.array([col.run(p, [])[0].best_similarity for p in probes])
    return records, {"probe_mean": float(best.mean()), "probe_sd": float(best.std()) or 1.0}


def _rate(x: tuple[float, float, float]) -> str:
    return f"{x[0]:.3f} ({x[1]:.2f} / {x[2]:.2f})"


def report(records: list[Record], calibration: dict[str, dict[str, float]], k: int) -> str:
    corpora = sorted(calibration)
    lines = ["calibration (mean / sd of the best cosine of the probes): " + ", ".join(
        f"{c} {calibration[c]['probe_mean']:.3f} / {calibration[c]['probe_sd']:.3f}" for c in corpora)]  # fmt: skip
    lines += ["", "abstention: balanced accuracy (false no-answer / declined) per corpus", ""]
    head = " | ".join(f"{c} in-sample | {c} 10 x {k}-fold CV" for c in corpora)
    lines += [f"| signal | cut | {head} | mean CV |", "|---|---|" + "---|---|" * len(corpora) + "---|"]
    rows = abstention_table(records, calibration, SIGNALS, k)
    for r in rows:
        cells = " | ".join(f"{_rate(r.in_sample[c])} | {_rate(r.cv[c])}" for c in corpora)
        lines.append(f"| {r.name} | {r.cut:.3f} | {cells} | {r.cv_mean:.3f} |")
    top = max(rows, key=lambda r: round(r.cv_mean, 9))
    lines += ["", f"best mean CV: {top.name} (cut {top.cut:.3f})", ""]
    table, chosen, cv, picks = first_quote_grid(records, GRID, k)
    lines += ["first quote (bot.select rule 1): hit@1 / hit@3 / MRR of answerable questions", ""]
    lines += ["| first_k | first_similarity | first_kind | " + " | ".join(corpora) + " | mean MRR |"]
    lines += ["|---|---|---|" + "---|" * len(corpora) + "---|"]
    for w in [*sorted(table, key=lambda w: -sum(table[w][c][2] for c in corpora))[:12], (10.0, 0.0, 0.0)]:
        cells = " | ".join("{:.3f} / {:.3f} / {:.3f}".format(*table[w][c]) for c in corpora)
        lines.append(
            f"| {w[0]:g} | {w[1]:g} | {w[2]:g} | {cells} | {sum(table[w][c][2] for c in corpora) / len(corpora):.3f} |"
        )
    lines += ["", f"chosen (best mean MRR): first_k, first_similarity, first_kind = {chosen}"]
    lines += [f"{k}-fold CV of that choice: " + ", ".join(
        "{} {:.3f} / {:.3f} / {:.3f}".format(c, *cv[c]) for c in corpora) + f"; folds chose {Counter(picks).most_common(3)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.transfer", description=__doc__.splitlines()[0])
    p.add_argument("--index", help="index of the bundled corpus (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--model", help="local sentence-transformers folder")
    p.add_argument("--probes", type=Path, default=_default_probes(), help="MedQuAD jsonl (shared/medqa)")
    p.add_argument("--probe-count", type=int, default=300)
    p.add_argument("--folds", type=int, default=10)
    args = p.parse_args(argv)
    from bot.engine import Engine
    from eval.gold import load_gold
    from eval.sets import CORPORA, GOLD
    from index.build import build_index
    from index.embedder import set_offline_env
    from index.settings import Paths

    set_offline_env()
    if not args.probes.is_file():
        print(f"error: no probe questions at {args.probes} (pass --probes)", file=sys.stderr)
        return 2
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    probes = probe_questions(args.probes, args.probe_count)
    engine = Engine.load(paths.index_dir, paths.model_path, reranker=None)
    dev = [
        q for q in load_gold(GOLD).questions if q.split == "dev" and q.type in ("answerable", "unanswerable")
    ]
    records, calibration = [], {}
    recs, calibration["dev"] = collect("dev", engine, dev, probes)
    records += recs
    with tempfile.TemporaryDirectory(prefix="eval-transfer-") as tmp:
        for name in TRANSFER_DEV:
            build_index(CORPORA / name / "documents", Path(tmp) / name, model_path=paths.model_path)
            other = Engine.load(Path(tmp) / name, paths.model_path, reranker=None)
            qs = [q for q in load_gold(CORPORA / name / "questions.jsonl").questions if q.type != "emergency"]
            recs, calibration[name] = collect(name, other, qs, probes)
            records += recs
    print(report(records, calibration, args.folds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
