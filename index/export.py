"""Build time: the query encoder exported to ONNX from the loaded model, or reused.

`export_encoder` turns a loaded sentence-transformers model into one ONNX graph (transformer,
the model's pooling, L2 normalisation) plus its `tokenizer.json`; `index.encoder` runs it at
serving time without torch. `query_encoder` is what `index.build` calls: it reuses the live
build's encoder when it is for the same model, format and precision and intact (so a changed
document does not pay the ~5 s export again), and exports otherwise.

The export uses the TorchScript exporter (`dynamo=False`: no onnxscript dependency) at opset
17 with dynamic batch and sequence axes. `precision="int8"` adds onnxruntime's dynamic int8
quantisation of the weights (BENCHMARKS.md measures its speed and hit@3 before it is used);
the default "fp32" stores only the word-embedding lookup table in fp16 (`half_lookup_tables`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.embedder import Embedder
from index.encoder import (
    DEFAULT_PRECISION,
    ENCODER_FILE,
    ENCODER_FORMAT,
    OPSET,
    PRECISIONS,
    TOKENIZER_FILE,
    is_exported,
    sha256_of,
)
from index.manifest import IndexManifest, IndexProblem
from index.store import current_build, read_manifest


def _pooling(model_path: Path) -> str | None:
    """'mean' or 'cls' from the model's pooling config; None when it cannot be exported."""
    try:
        modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8"))
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_path / pooling["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, StopIteration, KeyError):
        return None
    if isinstance(config.get("pooling_mode"), str):  # the format of sentence-transformers >= 5
        return {"mean": "mean", "cls": "cls"}.get(config["pooling_mode"])
    modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v]
    return (
        {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(modes[0])
        if len(modes) == 1
        else None
    )


def _max_seq_length(model_path: Path, st_model: Any) -> int:
    return int(getattr(st_model, "max_seq_length", 0) or 512)


def export_encoder(
    st_model: Any, model_path: Path, out_dir: Path, precision: str = DEFAULT_PRECISION
) -> dict[str, Any]:
    """Export `st_model` (a loaded SentenceTransformer) into `out_dir`; returns the manifest entry.

    Needs torch (build time only). `precision` "int8" adds dynamic int8 quantisation of the
    weights (onnxruntime.quantization): smaller and faster, slightly different vectors."""
    import inspect

    import torch

    pooling = _pooling(model_path)
    if pooling is None or precision not in PRECISIONS:
        return {"format": "none", "reason": f"pooling {pooling!r} / precision {precision!r} not exportable"}
    transformer = st_model[0].auto_model.eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids")
             if n in inspect.signature(transformer.forward).parameters]  # fmt: skip

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: Any) -> Any:
            feeds = dict(zip(names, inputs, strict=True))
            out = self.transformer(**feeds).last_hidden_state
            if pooling == "cls":
                emb = out[:, 0]
            else:
                mask = feeds["attention_mask"].unsqueeze(-1).to(out.dtype)
                emb = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(emb, p=2, dim=1)

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ENCODER_FILE
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    axes = {n: {0: "batch", 1: "seq"} for n in names} | {"embedding": {0: "batch"}}
    plain = out_dir / f".fp32-{ENCODER_FILE}" if precision == "int8" else target
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shapes fixed at export (checked by the tests)
        torch.onnx.export(Pooled(), example, str(plain), input_names=names, output_names=["embedding"],
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)  # fmt: skip
    if precision == "fp32":
        half_lookup_tables(target)
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(plain), str(target), weight_type=QuantType.QInt8)
        plain.unlink()
    tokenizer = out_dir / TOKENIZER_FILE
    tokenizer.write_bytes((model_path / TOKENIZER_FILE).read_bytes())
    return {
        "format": ENCODER_FORMAT,
        "precision": precision,
        "file": ENCODER_FILE,
        "sha256": sha256_of(target),
        "tokenizer": TOKENIZER_FILE,
        "tokenizer_sha256": sha256_of(tokenizer),
        "inputs": names,
        "pooling": pooling,
        "max_seq_length": _max_seq_length(model_path, st_model),
        "opset": OPSET,
    }


def half_lookup_tables(path: Path, min_values: int = 1_000_000) -> list[str]:
    """Store the graph's large lookup tables (a `Gather` reading an initializer: the word
    embeddings, 30,522 x 384 for MiniLM, half the model) in fp16, cast to fp32 right after the
    lookup; returns the tables' names. Only the rows looked up are converted, so the rest of the
    graph computes in fp32 as before.

    Trade-off (measured, BENCHMARKS.md "Memory"): the serving process holds ~47 MiB less (file
    90 -> 67 MB), and the query vectors stay within cosine 0.9999999 of the build's fp32
    sentence-transformers vectors (an fp16 table rounds each value by at most 2^-11 relative;
    mean pooling and the layers average that out), against int8 weights, which lost hit@3."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    tables = {t.name: t for t in graph.initializer if t.data_type == TensorProto.FLOAT}
    done: list[str] = []
    for node in list(graph.node):
        table = tables.get(node.input[0]) if node.op_type == "Gather" else None
        if table is None or int(np.prod(table.dims)) < min_values or table.name in done:
            continue
        half = numpy_helper.to_array(table).astype(np.float16)
        table.CopyFrom(numpy_helper.from_array(half, table.name))
        looked_up = node.output[0]
        node.output[0] = f"{looked_up}_fp16"
        cast = helper.make_node(
            "Cast", [node.output[0]], [looked_up], to=TensorProto.FLOAT, name=f"{node.name}_fp32"
        )
        graph.node.insert(list(graph.node).index(node) + 1, cast)
        done.append(table.name)
    if done:
        onnx.checker.check_model(model)
        onnx.save(model, str(path))
    return done


def encoder_current(manifest: IndexManifest, precision: str) -> bool:
    """Whether a build's query encoder is what this version would export (or cannot be exported)."""
    entry = manifest.encoder
    return entry.get("format") == "none" or (
        entry.get("format") == ENCODER_FORMAT and entry.get("precision") == precision
    )


def _reusable_encoder(out_dir: Path, identity: str, precision: str) -> tuple[dict, dict[str, Path]] | None:
    """The live build's exported encoder, when it is for this model and intact (no re-export)."""
    try:
        manifest = read_manifest(out_dir)
    except IndexProblem:
        return None
    build = current_build(out_dir)
    entry = manifest.encoder
    if build is None or manifest.model_identity != identity or not encoder_current(manifest, precision):
        return None
    if not is_exported(entry):
        return entry, {}
    files = {entry["file"]: build / entry["file"], entry["tokenizer"]: build / entry["tokenizer"]}
    for (_name, path), key in zip(files.items(), ("sha256", "tokenizer_sha256"), strict=True):
        if not path.is_file() or sha256_of(path) != entry[key]:
            return None
    return entry, files


def query_encoder(
    out_dir: Path,
    work: Path,
    identity: str,
    embedder: Embedder | None,
    model_path: str | Path | None,
    precision: str,
    log: Callable[[str], None],
) -> tuple[dict, dict[str, Path]]:
    """The manifest entry and files of the query encoder: reused from the live build, or exported."""
    reused = _reusable_encoder(out_dir, identity, precision)
    if reused is not None:
        return reused
    from index.embedder import SentenceTransformerEmbedder, load_embedder

    model = embedder if embedder is not None else load_embedder(model_path)
    if not isinstance(model, SentenceTransformerEmbedder):
        return {
            "format": "none",
            "reason": f"{type(model).__name__} is not a sentence-transformers model",
        }, {}
    log(f"exporting the query encoder to ONNX ({precision}) ...")
    entry = export_encoder(model._load(), model.path, work, precision)
    files = (
        {ENCODER_FILE: work / ENCODER_FILE, TOKENIZER_FILE: work / TOKENIZER_FILE}
        if is_exported(entry)
        else {}
    )
    return entry, files
