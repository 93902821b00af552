"""The query adapter (`index.adapter`), its use in retrieval's fusion and its data builder.

Loader: a good folder loads; a wrong checksum, shape, dimension, a non-finite value or a missing
file is an `AdapterError` naming the problem. Invariant: the identity adapter ranks exactly as the
plain cosine, and a non-identity one can differ (so the invariant test can fail). Data: answers
judged for LiveQA-Med never reach the adapter's training examples (tiny inline `shared/medqa`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from index.adapter import AdapterError, QueryAdapter, load_adapter
from index.fusion import reciprocal_rank_fusion
from tests.test_train_data import _write_shared
from train.adapter_data import build_examples, neutral_form, split_examples


def _write(folder: Path, matrix: np.ndarray, dimension: int | None = None, sha: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "adapter.npy", matrix)
    digest = hashlib.sha256((folder / "adapter.npy").read_bytes()).hexdigest()
    meta = {"name": "t", "dimension": dimension or matrix.shape[0], "sha256": sha or digest}
    (folder / "adapter.json").write_text(json.dumps(meta), "utf-8")
    return folder


def test_a_good_adapter_loads(tmp_path):
    m = np.eye(4, dtype=np.float32) * 2
    a = load_adapter(_write(tmp_path / "a", m), dimension=4)
    assert a.dimension == 4 and a.name == "t"
    assert np.allclose(a.matrix, m)


@pytest.mark.parametrize(
    ("matrix", "kwargs", "dimension", "message"),
    [
        (np.eye(4, dtype=np.float32), {"sha": "0" * 64}, None, "sha256"),
        (np.eye(4, dtype=np.float32)[:3], {"dimension": 4}, None, "shape"),
        (np.eye(4, dtype=np.float32), {}, 8, "dimension"),
        (np.full((2, 2), np.nan, dtype=np.float32), {}, None, "non-finite"),
    ],
)
def test_a_bad_adapter_is_refused_with_a_clear_error(tmp_path, matrix, kwargs, dimension, message):
    folder = _write(tmp_path / "a", matrix, **kwargs)
    with pytest.raises(AdapterError, match=message):
        load_adapter(folder, dimension=dimension)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(AdapterError, match=r"adapter\.json"):
        load_adapter(tmp_path)
    folder = _write(tmp_path / "a", np.eye(2, dtype=np.float32))
    (folder / "adapter.npy").unlink()
    with pytest.raises(AdapterError, match=r"adapter\.npy"):
        load_adapter(folder)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


VECTORS = _unit(np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8], [0.5, 0.5, 0.7]], np.float32))
QUERY = _unit(np.array([0.9, 0.3, 0.1], np.float32))


def test_identity_adapter_leaves_the_ranking_unchanged():
    plain = np.argsort(-(VECTORS @ QUERY), kind="stable")
    adapted = np.argsort(-QueryAdapter.identity(3).scores(QUERY, VECTORS), kind="stable")
    assert plain.tolist() == adapted.tolist() == [0, 1, 3, 2]


def test_a_learnt_map_can_change_the_ranking():
    w = np.diag([0.1, 1.0, 1.0]).astype(np.float32)  # ignore the first direction
    adapted = np.argsort(-QueryAdapter(w).scores(QUERY, VECTORS), kind="stable")
    assert adapted.tolist()[0] != 0


def test_weighted_fusion_defaults_to_plain_rrf():
    lists = [[1, 2, 3], [3, 2]]
    assert reciprocal_rank_fusion(lists) == reciprocal_rank_fusion(lists, weights=[1.0, 1.0])
    heavy = reciprocal_rank_fusion(lists, weights=[1.0, 5.0])
    assert max(heavy, key=heavy.__getitem__) == 3


def test_adapter_examples_exclude_liveqa_judged_answers(tmp_path):
    paths = _write_shared(tmp_path)
    examples, summary = build_examples(paths, questions=100, seed=3)
    assert examples
    texts = " ".join(" ".join((e.question, e.neutral, *e.positives, *e.negatives)) for e in examples)
    assert "alpha disease" not in texts  # its document has an answer judged for LiveQA
    assert "copied" not in texts  # same text as a judged answer
    assert summary["medquad_rows_excluded_liveqa"] == 4


def test_adapter_examples_pair_own_answer_with_same_focus_negatives(tmp_path):
    examples, _ = build_examples(_write_shared(tmp_path), questions=100, seed=3)
    for e in examples:
        qtype = e.question.split()[3]  # "What are the <qtype> of <focus> ?"
        assert all(qtype in p and e.group in p for p in e.positives)
        assert e.negatives and all(e.group in n and qtype not in n for n in e.negatives)
        assert e.neutral and e.group not in e.neutral.lower()
    again, _ = build_examples(_write_shared(tmp_path / "again"), questions=100, seed=3)
    assert again == examples
    train, held = split_examples(examples, seed=3, held_share=0.3)
    assert train and held and not {e.group for e in train} & {e.group for e in held}


def test_neutral_form_keeps_questions_without_the_focus():
    assert neutral_form("How is it treated ?", "Gout") == ""
    assert neutral_form("How is Gout treated ?", "gout") == "How is treated ?"


def test_retrieval_fuses_the_adapter_list_and_its_weight_counts(fake_index):
    from bot.retrieve import FUSED_LISTS, Retriever
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    data = read_index(fake_index)
    question = "how long until it starts working"
    qvec = FakeEmbedder().encode([question])[0]
    plain = Retriever(data).retrieve(question, qvec)
    rng = np.random.default_rng(0)
    w = (np.eye(data.manifest.dimension) + rng.normal(0, 0.5, (data.manifest.dimension,) * 2)).astype(
        np.float32
    )
    adapter = QueryAdapter(w, "random")
    with_it = Retriever(data, adapter=adapter, adapter_weight=50.0)
    found = with_it.candidates(question, qvec)
    assert found.adapter_s is not None and Retriever(data).candidates(question, qvec).adapter_s is None
    hits = with_it.retrieve(question, qvec).hits
    ids = [h.unit_id for h in hits]
    best = max(ids, key=lambda i: float(adapter.scores(qvec, data.sentence_vectors[[i]])[0]))
    assert ids[0] == best  # a heavy weight puts the adapter's best candidate first
    assert [h.unit_id for h in plain.hits] != ids
    # without "adapter_s" among the fused lists, the same retriever ranks as without an adapter
    same = with_it.rank_sentences(with_it.candidates(question, qvec), qvec, FUSED_LISTS)
    assert [h.unit_id for h in same.hits] == [h.unit_id for h in plain.hits]


def test_mined_reranker_pairs_take_the_hardest_same_focus_negatives(tmp_path):
    from train.mined import mined_pairs

    examples, _ = build_examples(_write_shared(tmp_path), questions=100, seed=3)
    rng = np.random.default_rng(1)
    texts = {t for e in examples for t in (e.question, *e.positives, *e.negatives)}
    vec = {t: _unit(rng.normal(size=8).astype(np.float32)) for t in sorted(texts)}
    pairs, kinds = mined_pairs(examples, vec, n_pairs=1000, seed=3, hard=1)
    assert kinds["pos-sentence"] == len(examples) and kinds["neg-mined-same-focus"] == len(examples)
    by_q = {e.question: e for e in examples}
    for p in pairs:
        e = by_q[p.question]
        if p.kind == "neg-mined-same-focus":
            assert p.label == 0.0
            assert p.text == max(e.negatives, key=lambda s: float(vec[s] @ vec[e.question]))
        if p.kind.startswith("pos"):
            assert p.label == 1.0 and (p.text.startswith(e.positives[0]) or p.text in e.positives)


def test_the_shipped_adapter_matches_its_checksum_and_card():
    from index.adapter import DEFAULT_ADAPTER_DIR

    a = load_adapter(dimension=384)
    assert a.name.startswith("minilm-l6-query-adapter")
    assert not np.allclose(a.matrix, np.eye(384))  # a fitted map, near the identity
    assert np.linalg.norm(a.matrix - np.eye(384)) < 20
    card = (DEFAULT_ADAPTER_DIR / "MODEL_CARD.md").read_text("utf-8")
    assert json.loads((DEFAULT_ADAPTER_DIR / "adapter.json").read_text("utf-8"))["sha256"] in card
