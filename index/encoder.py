"""Query encoding without torch: the build's model exported to ONNX, run with onnxruntime.

Why: importing sentence-transformers (and torch) takes 5-10 s and ~450 MB; onnxruntime and
tokenizers take ~0.3 s. So `python -m index build` (which has torch anyway) exports the model
once to ONNX, and serving encodes questions with onnxruntime + the model's own `tokenizer.json`,
never importing torch or sentence-transformers (BENCHMARKS.md, "query encoding").

The exported graph is the whole sentence-transformers pipeline after tokenisation: the
transformer, then the model's pooling (mean over the attention mask, or the first token) and an
L2 normalisation, inside the graph. Tokenisation follows sentence-transformers: the model's
`max_seq_length` (sentence_bert_config.json) for truncation, padding to the longest text.
`tests/test_encoder.py` holds cosine >= 0.9999 against sentence-transformers on the corpus.

The ONNX file and the tokenizer are written into the index build folder; their SHA-256 and the
export format are recorded in the manifest (`IndexManifest.encoder`) and checked when serving
loads them, so a damaged or swapped file is refused with the action to take. A model whose
pooling cannot be exported is recorded as such and served by sentence-transformers instead.

Threads: each `OnnxEmbedder` uses `threads` intra-op threads, set when it is made (0: one per
core, onnxruntime's default: a command line asks one question at a time; the web server uses 1
and batches concurrent encodes, `index.batching`); no process-wide switch.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.manifest import IndexDamaged

log = logging.getLogger(__name__)

# v2: the word-embedding table is stored in fp16 and cast to fp32 after the lookup (index.export);
# v1 exports (all fp32) are still served, and re-exported at the next build.
ENCODER_FORMAT = "onnx-pooled-l2-v2"
READABLE_FORMATS = ("onnx-pooled-l2-v1", ENCODER_FORMAT)
ENCODER_FILE = "query_encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
PRECISIONS = ("fp32", "int8")
DEFAULT_PRECISION = "fp32"
OPSET = 17


class EncoderProblem(IndexDamaged):
    """The exported query encoder is missing, damaged or does not match the manifest."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_exported(entry: dict[str, Any]) -> bool:
    return entry.get("format") in READABLE_FORMATS


@dataclass
class OnnxEmbedder:
    """The `index.embedder.Embedder` interface on onnxruntime + tokenizers (no torch)."""

    build_dir: Path
    entry: dict[str, Any]
    name: str
    identity: str
    threads: int = 1
    batch_size: int = 8  # texts per model call, sorted by length: larger calls pad more than they save

    def __post_init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model, tokenizer = self.build_dir / self.entry["file"], self.build_dir / self.entry["tokenizer"]
        hashes: dict[Path, str] = {}

        def digest() -> None:  # hashlib releases the GIL: runs while onnxruntime loads the model
            for path in (model, tokenizer):
                try:
                    hashes[path] = sha256_of(path)
                except OSError:
                    hashes[path] = ""

        hasher = threading.Thread(target=digest, name="ldn-encoder-sha256")
        hasher.start()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting cores
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        except Exception:
            session = None  # a damaged file: reported below by its checksum
        hasher.join()
        for path, key in ((model, "sha256"), (tokenizer, "tokenizer_sha256")):
            if hashes.get(path) != self.entry[key] or session is None:
                raise EncoderProblem(
                    f"{path} is missing or damaged (checksum mismatch); rebuild with `python -m index build --force`"
                )
        self._session = session
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(max_length=int(self.entry["max_seq_length"]))
        pad = self._tokenizer.padding or {}
        self._tokenizer.enable_padding(
            pad_id=int(pad.get("pad_id", 0)), pad_token=str(pad.get("pad_token", "[PAD]"))
        )
        self._inputs = list(self.entry["inputs"])
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        for first in range(0, len(order), self.batch_size):
            rows = order[first : first + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            columns = {
                "input_ids": [e.ids for e in encodings],
                "attention_mask": [e.attention_mask for e in encodings],
                "token_type_ids": [e.type_ids for e in encodings],
            }
            feeds = {name: np.asarray(columns[name], dtype=np.int64) for name in self._inputs}
            out[rows] = self._session.run(["embedding"], feeds)[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)  # already unit length; int8 drifts by ~1e-4
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)


def load_query_embedder(
    index_dir: Path, manifest: Any, model_path: str | Path | None = None, threads: int = 1
) -> Any:
    """The query encoder of the live build in `index_dir` (an `Embedder`), without torch.

    The configured model must be the one the index was built with (same identity). A model
    whose pooling could not be exported (manifest entry "none") is served by sentence-transformers."""
    from index.embedder import load_embedder, model_identity, model_name, resolve_model_path
    from index.manifest import IndexMismatch, IndexMissing
    from index.store import current_build

    path = resolve_model_path(model_path)
    identity = model_identity(path)
    manifest.check_compatible(model_identity=identity)
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(
            f"no index in {index_dir}; build one with `python -m index build --out {index_dir}`"
        )
    entry = manifest.encoder
    if not entry:
        raise IndexMismatch(
            f"the index in {index_dir} has no query encoder (built by an older version); "
            "rebuild it with `python -m index build`"
        )
    if not is_exported(entry):
        log.warning(
            "no exported query encoder (%s): encoding with sentence-transformers", entry.get("reason")
        )
        return load_embedder(path, threads=threads)
    return OnnxEmbedder(build, entry, model_name(path), identity, threads)
