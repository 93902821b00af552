"""`python -m train reranker --in-domain`: a cross-encoder on spent patient-style questions.

Pairs (`train.indomain.labelled_pairs`): each answerable question with its gold sentences
(label 1) and the retriever's top non-gold sentences (label 0); each unanswerable question with
its top retrieved sentences (label 0), so a high relevance means "this answers", not "on
topic". Base: the packaged MiniLM (the shipped reranker is ONNX only, not a torch checkpoint),
one epoch (`train.fit`, bounded by `--max-minutes`), exported and calibrated as
`python -m train reranker` does (`train.export`), the calibration fitted on `--held-set` pairs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from train.fit import FitConfig


def run_ce(
    index_dir: Path, sets: Sequence[str], held_sets: Sequence[str], out: Path, cfg: FitConfig, negatives: int
) -> dict[str, Any]:
    import random

    from index.embedder import resolve_model_path
    from train.data import Pair
    from train.export import export_fp32, finish_variant, quantize_int8
    from train.fit import fit
    from train.indomain import labelled_pairs
    from train.indomain_fit import load_examples

    t0 = time.perf_counter()
    engine, train_ex = load_examples(index_dir, sets, negatives, unanswerable=True)
    _, held_ex = load_examples(index_dir, held_sets, negatives, unanswerable=True)
    text = [s.text for s in engine.data.sentences].__getitem__

    def pairs(examples: Any, group: str) -> list[Pair]:
        return [Pair(q, t, y, "in-domain", group) for q, t, y in labelled_pairs(examples, text)]

    train_pairs, held = pairs(train_ex, "train"), pairs(held_ex, "held")
    random.Random(cfg.seed).shuffle(train_pairs)
    base = resolve_model_path(None)
    result = fit(base, train_pairs, cfg)
    fp32 = export_fp32(result.model, result.tokenizer, out / "fp32")
    int8 = quantize_int8(fp32, out / "int8")
    tag = f"minilm-l6-answer-reranker-indomain-s{cfg.seed}"
    reports = [
        finish_variant(n, f.parent, base / "tokenizer.json", held, cfg.max_length, f"{tag}-{n}")
        for n, f in (("fp32", fp32), ("int8", int8))
    ]
    record = {
        "sets": list(sets),
        "held_sets": list(held_sets),
        "train_pairs": len(train_pairs),
        "positives": sum(p.label > 0 for p in train_pairs),
        "held_pairs": len(held),
        "train_seconds": round(result.seconds, 1),
        "steps": result.steps,
        "total_seconds": round(time.perf_counter() - t0, 1),
        "held_metrics": {r.name: r.metrics for r in reports},
    }
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    print(json.dumps(record), flush=True)
    return record
