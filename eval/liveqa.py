"""LiveQA-Med 2017: rank each test question's judged MedQuAD answers; nDCG@10 and the TREC score.

Data (public, `shared/medqa/`, see its PROVENANCE.md): the 104 TREC 2017 LiveQA medical test
questions (real consumer messages, typos kept, with NLM summaries) and 2,479 MedQuAD answers judged
for them (1 Incorrect, 2 Related, 3 Incomplete, 4 Excellent). Each method ranks the judged answers
of each question (a re-ranking task: the candidates are fixed, so methods differ only in order):

- `bm25`: the project's BM25 (`index.bm25`, same tokenizer and stop words as the bot), fitted on
  all 2,479 answers.
- `dense`: cosine of MiniLM vectors (the bot's embedder) of question and answer.
- `hybrid`: reciprocal-rank fusion (k=60) of the two, as the bot fuses them.
- `rerank`: the cross-encoder of `index/rerank.py` on the answer's opening (first 160 word pieces).
- `rerank-sent`: the same model, the best of the answer's first eight sentences (how the bot uses
  it: its units are sentences) and its opening.
- `adapter`: cosine of the question's MiniLM vector mapped by the query adapter
  (`index.adapter`, `W q`) and the answer's vector; `hybrid+adapter`: RRF of BM25, dense and it
  (how the bot fuses it: one more list).

Metrics: nDCG@10 with graded gains 4→3, 3→2, 2→1, 1→0 (ranx), and TREC's "average score": the top
answer's judgment minus one (0..3), averaged over all 104 questions (0 where a question has no
judged answer), which is the figure published for LiveQA. Questions are asked as written
(subject + message) and as NLM summaries. Answers are the MedQuAD answer text without its
"Question:" line: the methods judge whether the text answers, not whether two questions match.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PUBLISHED = {"original": 0.711, "summary": 1.125}  # Ben Abacha & Demner-Fushman, AMIA 2019 (IR + RQE)


@dataclass(frozen=True)
class LiveQA:
    questions: dict[str, dict[str, str]]  # "1".."104" -> {"original": ..., "summary": ...}
    judged: dict[str, dict[str, int]]  # question -> answer id -> judgment 1..4
    answers: dict[str, str]  # answer id -> answer text


def load(folder: Path) -> LiveQA:
    root = ET.parse(folder / "liveqa_med_2017_test.xml").getroot()
    questions: dict[str, dict[str, str]] = {}
    for q in root.iter("NLM-QUESTION"):
        num = q.attrib["qid"].removeprefix("TQ")
        orig = q.find("Original-Question")
        subject = (orig.findtext("SUBJECT") if orig is not None else "") or ""
        message = (orig.findtext("MESSAGE") if orig is not None else "") or ""
        summary = q.findtext("NLM-Summary") or message
        questions[num] = {
            "original": f"{subject.strip()}. {message.strip()}".strip(". "),
            "summary": summary.strip(),
        }
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (folder / "liveqa_med_2017_medquad_qrels.txt").read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            judged[parts[0]][parts[2]] = int(parts[1].split("-")[0])
    csv.field_size_limit(1 << 24)
    answers: dict[str, str] = {}
    with (folder / "liveqa_med_2017_medquad_judged_answers.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            answers[row["AnswerID"]] = " ".join(row["Answer"].split("Answer:", 1)[-1].split())
    return LiveQA(questions, dict(judged), answers)


Scorer = Callable[[str, list[str]], np.ndarray]  # (question, answer ids) -> one score per id


def rrf(*runs: dict[str, float]) -> dict[str, float]:
    """Reciprocal-rank fusion (`index.fusion`, k=60, as the bot fuses) of runs over the same ids."""
    from index.fusion import reciprocal_rank_fusion

    ids = sorted(runs[0])
    pos = {a: i for i, a in enumerate(ids)}
    rankings = [[pos[d] for d in sorted(run, key=lambda d: (-run[d], d))] for run in runs]
    return {ids[i]: score for i, score in reciprocal_rank_fusion(rankings).items()}


def evaluate(data: LiveQA, runs: dict[str, dict[str, float]], n_questions: int) -> dict[str, float]:
    """nDCG@10 (ranx, gains judgment-1) and the TREC average score of the top answer.

    The average divides by `n_questions` (all 104 in a full run), so a question without judged
    answers counts 0, as in TREC.
    """
    from ranx import Qrels, Run
    from ranx import evaluate as rx_evaluate

    qrels = Qrels({q: {a: j - 1 for a, j in data.judged[q].items()} for q in runs})
    ndcg = float(rx_evaluate(qrels, Run(runs), "ndcg@10"))
    top = [data.judged[q][max(r, key=lambda d: (r[d], d))] - 1 for q, r in runs.items()]
    return {"ndcg@10": round(ndcg, 4), "trec_avg_score": round(sum(top) / n_questions, 4)}


def method_scorers(
    data: LiveQA,
    reranker_dir: Path | None,
    needed: set[str],
    sentences: bool = True,
    rerank: bool = True,
    adapter_dir: Path | None = None,
) -> dict[str, Scorer]:
    from corpus.segment import segment
    from index.bm25 import Bm25Index
    from index.embedder import load_embedder
    from index.rerank import Reranker

    ids = sorted(data.answers)
    pos = {a: i for i, a in enumerate(ids)}
    bm25 = Bm25Index.build([data.answers[a] for a in ids])
    embedder = load_embedder(threads=2)
    vecs = np.zeros((len(ids), embedder.dimension), dtype=np.float32)
    wanted = sorted(needed)
    vecs[[pos[a] for a in wanted]] = embedder.encode([data.answers[a] for a in wanted])
    scorers: dict[str, Scorer] = {
        "bm25": lambda q, c: bm25.scores(q)[[pos[a] for a in c]],
        "dense": lambda q, c: vecs[[pos[a] for a in c]] @ embedder.encode([q])[0],
    }
    if adapter_dir is not None:
        from index.adapter import load_adapter

        adapter = load_adapter(adapter_dir, embedder.dimension)
        scorers["adapter"] = lambda q, c: adapter.scores(embedder.encode([q])[0], vecs[[pos[a] for a in c]])
    if not rerank:
        return scorers
    rr = Reranker.load(reranker_dir, threads=2)
    sents = {a: [s.text for s in segment(data.answers[a]).sentences][:8] for a in wanted}

    def rerank_sent(q: str, cands: list[str]) -> np.ndarray:
        texts = [t for a in cands for t in [data.answers[a], *sents[a]]]
        probs, out, lo = rr.score(q, texts), [], 0
        for a in cands:
            n = 1 + len(sents[a])
            out.append(float(probs[lo : lo + n].max()))
            lo += n
        return np.array(out)

    scorers["rerank"] = lambda q, c: rr.score(q, [data.answers[a] for a in c])
    if sentences:
        scorers["rerank-sent"] = rerank_sent
    return scorers


def run(
    data: LiveQA,
    reranker_dir: Path | None,
    limit: int | None = None,
    sentences: bool = True,
    rerank: bool = True,
    adapter_dir: Path | None = None,
) -> dict[str, object]:
    qs = sorted(data.judged, key=int)[:limit]
    n_questions = len(data.questions) if limit is None else len(qs)
    needed = {a for q in qs for a in data.judged[q]}
    scorers = method_scorers(data, reranker_dir, needed, sentences, rerank, adapter_dir)
    results: dict[str, object] = {}
    for form in ("original", "summary"):
        runs: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
        seconds: dict[str, float] = defaultdict(float)
        for q in qs:
            cands = sorted(data.judged[q])
            for name, scorer in scorers.items():
                t = time.perf_counter()
                runs[name][q] = dict(
                    zip(cands, map(float, scorer(data.questions[q][form], cands)), strict=True)
                )
                seconds[name] += time.perf_counter() - t
            runs["hybrid"][q] = rrf(runs["bm25"][q], runs["dense"][q])
            if rerank:
                best = "rerank-sent" if sentences else "rerank"
                runs[f"hybrid+{best}"][q] = rrf(runs["bm25"][q], runs["dense"][q], runs[best][q])
            if "adapter" in scorers:
                runs["hybrid+adapter"][q] = rrf(runs["bm25"][q], runs["dense"][q], runs["adapter"][q])
        results[form] = {
            name: {**evaluate(data, r, n_questions), "seconds": round(seconds.get(name, 0.0), 1)}
            for name, r in runs.items()
        }
    results["published_trec_avg_score"] = PUBLISHED
    results["reranker"] = str(reranker_dir or "shipped") if rerank else "not run"
    results["adapter"] = str(adapter_dir) if adapter_dir is not None else "not run"
    results["questions"] = len(data.questions)
    results["judged_questions"] = len(qs)
    return results


def table(results: dict[str, object]) -> str:
    lines = ["| method | nDCG@10 (as written) | avg score (as written) | nDCG@10 (summary) | avg score (summary) |",
             "|---|---|---|---|---|"]  # fmt: skip
    orig, summ = results["original"], results["summary"]
    assert isinstance(orig, dict) and isinstance(summ, dict)
    for name in orig:
        o, s = orig[name], summ[name]
        lines.append(
            f"| {name} | {o['ndcg@10']:.3f} | {o['trec_avg_score']:.3f} | {s['ndcg@10']:.3f} | {s['trec_avg_score']:.3f} |"
        )
    lines.append(
        f"| published IR+RQE (AMIA 2019) | – | {PUBLISHED['original']:.3f} | – | {PUBLISHED['summary']:.3f} |"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    if not (folder / "liveqa_med_2017_test.xml").is_file():
        print(f"error: no LiveQA-Med files in {folder} (expected shared/medqa)", file=sys.stderr)
        return 2
    adapter = args.adapter
    if adapter is None and not args.no_adapter:
        from index.adapter import DEFAULT_ADAPTER_DIR

        adapter = DEFAULT_ADAPTER_DIR if DEFAULT_ADAPTER_DIR.is_dir() else None
    results = run(
        load(folder),
        args.reranker,
        args.limit,
        sentences=not args.no_sentences,
        rerank=not args.no_rerank,
        adapter_dir=adapter,
    )
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0
