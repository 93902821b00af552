"""The torch-free query encoder (`index.encoder`, exported by `index.export` at build time).

- (model) the ONNX encoder gives the build's sentence-transformers vectors: cosine >= 0.9999 on
  every bundled sentence and passage (the build embedded them with sentence-transformers);
- (model) a process that loads the engine and answers never imports torch or
  sentence-transformers;
- (model) a rebuild after a document change reuses the exported encoder (same file hash);
- (fast) a damaged or swapped encoder file is refused with the action to take, before use;
- (fast) an index without an exported encoder is refused with "rebuild".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.encoder import ENCODER_FORMAT, EncoderProblem, OnnxEmbedder, is_exported, load_query_embedder
from index.manifest import IndexMismatch
from index.settings import PROJECT_ROOT
from index.store import current_build, read_index, read_manifest
from tests.helpers import build_web_index


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_index(tmp_path_factory)


@pytest.mark.model
def test_onnx_vectors_match_sentence_transformers_on_the_bundled_corpus(real_index: Path) -> None:
    data = read_index(real_index)
    assert is_exported(data.manifest.encoder) and data.manifest.encoder["format"] == ENCODER_FORMAT
    embedder = load_query_embedder(real_index, data.manifest)
    assert isinstance(embedder, OnnxEmbedder)
    assert (embedder.identity, embedder.dimension) == (data.manifest.model_identity, data.manifest.dimension)
    for units, reference in ((data.sentences, data.sentence_vectors), (data.passages, data.passage_vectors)):
        vectors = embedder.encode([u.text for u in units])
        assert vectors.dtype == np.float32 and vectors.shape == reference.shape
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        cosines = np.sum(vectors * reference, axis=1)
        assert float(cosines.min()) >= 0.9999, float(cosines.min())
    single = embedder.encode([data.sentences[3].text])  # alone (no padding) == in a batch
    assert float(single[0] @ data.sentence_vectors[3]) >= 0.9999


@pytest.mark.model
def test_answering_never_imports_torch_or_sentence_transformers(real_index: Path) -> None:
    code = (
        "import json, sys\n"
        "from bot.engine import Engine\n"
        f"engine = Engine.load(__import__('pathlib').Path({str(real_index)!r}))\n"
        "answer = engine.answer('Does LDN cause vivid dreams?')\n"
        "print(json.dumps({'status': answer.status.value, 'quotes': len(answer.quotes),\n"
        "    'torch': 'torch' in sys.modules, 'st': 'sentence_transformers' in sys.modules,\n"
        "    'transformers': 'transformers' in sys.modules}))\n"
    )
    env = {
        "PYTHONPATH": str(PROJECT_ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "answered" and report["quotes"] >= 1
    assert (report["torch"], report["st"], report["transformers"]) == (False, False, False)


@pytest.mark.model
def test_a_rebuild_after_a_document_change_reuses_the_exported_encoder(
    seed_corpus: Path, tmp_path: Path
) -> None:
    from index.build import build_index

    out = tmp_path / "index"
    messages: list[str] = []
    build_index(seed_corpus, out, log=messages.append)
    first = read_manifest(out).encoder
    assert any("exporting" in m for m in messages)
    doc = sorted(seed_corpus.glob("*.txt"))[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more sentence for this test.\n", encoding="utf-8")
    messages.clear()
    result = build_index(seed_corpus, out, log=messages.append)
    assert not result.up_to_date and not any("exporting" in m for m in messages)
    assert read_manifest(out).encoder == first


def test_a_damaged_encoder_file_is_refused_before_use(built_index: Path) -> None:
    build = current_build(built_index)
    assert build is not None
    (build / "query_encoder.onnx").write_bytes(b"not a model")
    (build / "tokenizer.json").write_bytes(b"{}")
    entry = {"format": ENCODER_FORMAT, "file": "query_encoder.onnx", "sha256": "0" * 64,
             "tokenizer": "tokenizer.json", "tokenizer_sha256": "0" * 64, "inputs": ["input_ids"],
             "max_seq_length": 256}  # fmt: skip
    with pytest.raises(EncoderProblem, match=r"checksum mismatch.*python -m index build"):
        OnnxEmbedder(build, entry, "m", "id")
    (build / "query_encoder.onnx").unlink()
    with pytest.raises(EncoderProblem, match="missing or damaged"):
        OnnxEmbedder(build, entry, "m", "id")


def test_an_index_without_an_exported_encoder_asks_for_a_rebuild(built_index: Path) -> None:
    manifest = read_manifest(built_index)
    assert manifest.encoder == {}  # built with the fake embedder: nothing exported
    from dataclasses import replace

    from index.embedder import model_identity, resolve_model_path

    try:
        same_model = replace(manifest, model_identity=model_identity(resolve_model_path()))
    except Exception as exc:  # the packaged model is not installed here
        pytest.skip(f"no packaged model: {exc}")
    with pytest.raises(IndexMismatch, match=r"no query encoder.*python -m index build"):
        load_query_embedder(built_index, same_model)
