"""Export the trained cross-encoder to ONNX (fp32, then int8) and calibrate each file.

`torch.onnx.export` (TorchScript exporter, opset 17, dynamic batch and sequence axes) writes the
fp32 graph; `onnxruntime.quantization.quantize_dynamic` writes int8 weights (activations stay
float, quantised on the fly: no calibration data needed, ~4x smaller, faster on CPU). Each
variant's calibration is fitted on *its own* outputs for the held-out slice of the training data
(Platt scaling: a one-feature logistic regression), because int8 shifts the logits slightly.

Metrics per variant on the held-out slice: ROC AUC, accuracy at p=0.5, Brier score and expected
calibration error (10 bins), plus the largest logit difference from the torch model.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.rerank import CALIBRATION_FILE, MODEL_FILE, TOKENIZER_FILE, Calibration, Reranker, file_sha256
from train.data import Pair


@dataclass(frozen=True)
class VariantReport:
    name: str  # fp32 | int8
    path: Path  # the model folder
    sha256: str
    megabytes: float
    calibration: Calibration
    metrics: dict[str, float]


def fit_platt(logits: np.ndarray, labels: np.ndarray, max_length: int, name: str) -> Calibration:
    """Platt scaling on held-out logits (sklearn's logistic regression, almost unregularised)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000)
    lr.fit(np.asarray(logits, dtype=np.float64).reshape(-1, 1), np.asarray(labels).astype(int))
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    if a <= 0:  # a model that ranks backwards on held-out data: refuse rather than ship it
        raise ValueError(f"calibration slope is not positive ({a:.3f}): the model did not learn")
    return Calibration(a=a, b=b, max_length=max_length, name=name)


def metrics(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels).astype(int)
    bins = np.clip((probs * 10).astype(int), 0, 9)
    ece = sum(
        abs(probs[bins == k].mean() - y[bins == k].mean()) * (bins == k).mean()
        for k in range(10)
        if (bins == k).any()
    )
    return {
        "auc": float(roc_auc_score(y, probs)) if 0 < y.sum() < len(y) else float("nan"),
        "accuracy@0.5": float(((probs >= 0.5) == y).mean()),
        "brier": float(np.mean((probs - y) ** 2)),
        "ece10": float(ece),
        "n": float(len(y)),
    }


def export_fp32(model: Any, tokenizer: Any, out: Path) -> Path:
    import torch

    from index.rerank import encode_pairs

    out.mkdir(parents=True, exist_ok=True)
    enc = encode_pairs(tokenizer, [("what is it?", "it is a thing."), ("how long?", "two weeks.")])
    args = tuple(torch.from_numpy(enc[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
    dyn = {n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids")}
    dyn["logits"] = {0: "batch"}
    with torch.inference_mode():
        torch.onnx.export(
            model,
            args,
            str(out / MODEL_FILE),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes=dyn,
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    return out / MODEL_FILE


def quantize_int8(fp32: Path, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(out / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
    return out / MODEL_FILE


def finish_variant(
    name: str, folder: Path, tokenizer_src: Path, held: Sequence[Pair], max_length: int, tag: str
) -> VariantReport:
    """Copy the tokenizer, fit and write the calibration, measure the variant on `held`."""
    shutil.copyfile(tokenizer_src, folder / TOKENIZER_FILE)
    (folder / CALIBRATION_FILE).write_text(json.dumps(Calibration(max_length=max_length).to_dict()), "utf-8")
    raw = Reranker.load(folder, threads=2)
    labels = np.array([p.label for p in held])
    logits = np.concatenate([raw.logits(p.question, [p.text]) for p in held]) if held else np.zeros(0)
    cal = fit_platt(logits, labels, max_length, tag)
    (folder / CALIBRATION_FILE).write_text(json.dumps(cal.to_dict(), indent=2) + "\n", "utf-8")
    onnx_file = folder / MODEL_FILE
    return VariantReport(
        name=name,
        path=folder,
        sha256=file_sha256(onnx_file),
        megabytes=round(onnx_file.stat().st_size / 1e6, 1),
        calibration=cal,
        metrics=metrics(cal.apply(logits), labels),
    )
