"""bench: the pure helpers (percentiles, recall@k, synthetic corpora), a quick warm run, the
raw-HTTP load generator against a live fake-engine server, and the LangChain-style peer.

No timing is asserted: the targets live in BENCHMARKS.md, and figures on a shared machine vary.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from bench.stats import percentile, recall_at_k, summary_ms, synthetic_corpus
from tests.conftest import FakeEmbedder


def test_percentile_interpolates_like_numpy():
    xs = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6]
    for q in (0, 25, 50, 90, 95, 99, 100):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))
    assert math.isnan(percentile([], 50))
    assert percentile([7.0], 99) == 7.0


def test_summary_is_in_milliseconds():
    s = summary_ms([0.001, 0.002, 0.003])
    assert s["n"] == 3 and s["p50_ms"] == pytest.approx(2.0) and s["max_ms"] == pytest.approx(3.0)


def test_recall_at_k():
    exact = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert recall_at_k(exact, exact, 4) == 1.0
    approx = np.array([[1, 2, 9, -1], [8, 7, 6, 5]])
    assert recall_at_k(approx, exact, 4) == pytest.approx((2 / 4 + 1.0) / 2)
    assert recall_at_k([[1, 2]], [[2, 3]], 1) == 0.0  # only the first k of each list count


def _base(n: int = 30, dim: int = 16) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return [f"Sentence number {i}." for i in range(n)], vecs


def test_synthetic_corpus_is_deterministic_and_normalised():
    texts, vecs = _base()
    a_texts, a_vecs = synthetic_corpus(texts, vecs, 500, seed=3, chunk=128)
    b_texts, b_vecs = synthetic_corpus(texts, vecs, 500, seed=3, chunk=77)  # chunking does not matter
    assert a_texts == b_texts
    np.testing.assert_allclose(a_vecs, b_vecs, atol=1e-6)
    assert a_vecs.dtype == np.float32 and a_vecs.shape == (500, 16)
    np.testing.assert_allclose(np.linalg.norm(a_vecs, axis=1), 1.0, atol=1e-5)
    c_texts, _ = synthetic_corpus(texts, vecs, 500, seed=4)
    assert c_texts != a_texts


def test_synthetic_passage_vector_is_near_the_mean_of_its_sentences():
    texts, vecs = _base()
    out_texts, out_vecs = synthetic_corpus(texts, vecs, 50, seed=0, noise=0.0)
    for text, vec in zip(out_texts, out_vecs, strict=True):
        ids = [int(w.rstrip(".")) for w in text.split() if w.rstrip(".").isdigit()]
        assert 2 <= len(ids) <= 4
        mean = vecs[ids].mean(axis=0)
        np.testing.assert_allclose(vec, mean / np.linalg.norm(mean), atol=1e-5)


def test_quick_warm_run_with_the_fake_embedder(built_index: Path, tmp_path: Path, capsys):
    from bench.run import run

    args = argparse.Namespace(
        index=built_index, out=tmp_path / "bench", only=["warm"], quick=True, corpus=None, model=None
    )
    report = run(args, embedder=FakeEmbedder())
    warm = report["sections"]["warm"]
    assert warm["cache_off_verified"] is True
    assert warm["retrieval_questions"]["n"] > 0 and warm["ratio_answer_to_encode_p50"] > 0
    assert set(warm["stages_p50_ms"]) >= {"t_encode", "t_faiss", "t_bm25", "t_retrieve"}
    saved = json.loads((tmp_path / "bench" / "bench.json").read_text(encoding="utf-8"))
    assert saved["sections"]["warm"]["questions"] == warm["questions"]
    assert "answer p50 / encode p50" in capsys.readouterr().out


def test_bench_command_parses_its_sections():
    from bench.__main__ import build_parser

    args = build_parser().parse_args(["--only", "warm", "cost", "scale", "--quick"])
    assert args.only == ["warm", "cost", "scale"] and args.quick
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--only", "nonsense"])


def test_loadgen_refuses_other_hosts():
    from bench.loadgen import check_loopback, run_level

    assert check_loopback("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"
    with pytest.raises(ValueError, match="only targets this machine"):
        run_level("http://example.org/", "api", 1, ["q"], max_requests=1)


@pytest.fixture(scope="module")
def live_fake(fake_index: Path):
    from index.settings import Paths
    from tests.conftest import SEED_CORPUS_DIR
    from tests.helpers import fake_engine_loader, running_app

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=fake_index, model_path=None)
    with running_app(paths, fake_engine_loader(fake_index)) as (url, holder):
        holder.get(timeout=60)
        yield url


def test_loadgen_api_route_sends_exactly_the_bounded_count(live_fake: str):
    from bench.loadgen import run_level

    res = run_level(live_fake, "api", users=4, questions=[f"Does LDN help sleep? ({k})" for k in range(5)],
                    max_requests=12, seconds=120)  # fmt: skip
    assert (res["sent"], res["ok"], res["errors"]) == (12, 12, 0), res["error_examples"]
    assert res["p50_ms"] > 0 and res["users"] == 4 and res["route"] == "api"


def test_loadgen_chat_route_clicks_like_and_every_click_is_stored(
    live_fake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from bench.loadgen import run_level
    from bot import feedback

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv(feedback.ENV_VAR, str(db))
    res = run_level(live_fake, "chat", users=3, questions=["Does LDN cause vivid dreams?", "Is LDN approved?"],
                    max_requests=6, seconds=120, like=True)  # fmt: skip
    assert (res["sent"], res["ok"], res["errors"]) == (6, 6, 0), res["error_examples"]
    assert res["likes_sent"] == 6 and feedback.count(db) == 6


def test_the_langchain_style_peer_finds_the_exact_nearest_passages(built_index: Path):
    from bench.peers import LangChainStylePeer
    from index.store import read_index

    class Model:  # the sentence-transformers call the peer makes, on the fake embedder
        def __init__(self) -> None:
            self.fake = FakeEmbedder()

        def encode(self, texts, normalize_embeddings=True, convert_to_numpy=True):
            return self.fake.encode(list(texts))

    data = read_index(built_index)
    peer = LangChainStylePeer(Model(), [p.text for p in data.passages], data.passage_vectors, k=4)
    query = "Does LDN cause vivid dreams?"
    hits = peer.search(query)
    exact = np.argsort(-(data.passage_vectors @ FakeEmbedder().encode([query])[0]), kind="stable")[:4]
    assert [h["metadata"]["row"] for h in hits] == [int(r) for r in exact]
    assert hits[0]["page_content"] == data.passages[int(exact[0])].text


def test_a_flipped_byte_makes_the_nothing_changed_build_rebuild(tiny_corpus: Path, tmp_path: Path):
    """The cheap up-to-date check (checksums, no FAISS/bm25s import) still catches damage."""
    from index.build import build_index
    from index.store import current_build

    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)
    assert build_index(tiny_corpus, out, embedder_factory=FakeEmbedder).up_to_date
    vec = current_build(out) / "sentence_vectors.npy"
    raw = bytearray(vec.read_bytes())
    raw[-1] ^= 0xFF  # same size, one byte different
    vec.write_bytes(bytes(raw))
    assert not build_index(tiny_corpus, out, embedder_factory=FakeEmbedder).up_to_date


def test_think_pauses_are_seeded_exponential_and_truncated():
    from bench.loadgen import pause, think_pauses

    assert think_pauses(0.0, 1, 0) is None  # closed loop: no pauses
    a, b, other = think_pauses(7.0, 13, 0), think_pauses(7.0, 13, 0), think_pauses(7.0, 13, 1)
    assert a is not None and b is not None and other is not None
    first = [pause(a, 7.0) for _ in range(4000)]
    assert first == [pause(b, 7.0) for _ in range(4000)]  # same seed and user: same pauses
    assert first[:20] != [pause(other, 7.0) for _ in range(20)]  # each user has their own
    assert min(first) >= 0.0

    class Huge(random.Random):
        def expovariate(self, lambd: float = 1.0) -> float:
            return 1e9

    assert pause(Huge(), 7.0) == 70.0  # truncated at 10x the mean
    assert 6.0 < sum(first) / len(first) < 8.0  # exponential with mean 7 s (4,000 draws)


def test_loadgen_readers_carry_their_chat_and_every_like_is_stored(
    live_fake: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from bench.loadgen import run_level
    from bot import feedback

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv(feedback.ENV_VAR, str(db))
    res = run_level(live_fake, "chat", users=2, questions=["Does LDN cause vivid dreams?", "Is LDN approved?"],
                    max_requests=6, seconds=120, like=True, think=0.05, seed=3, carry=True)  # fmt: skip
    assert (res["sent"], res["ok"], res["errors"]) == (6, 6, 0), res["error_examples"]
    assert res["think_mean_s"] == 0.05 and res["carry"] is True
    assert res["longest_chat"] >= 6  # one user had >= 3 turns, each sending the chat back (else 2)
    assert res["likes_sent"] == 6 and feedback.count(db) == 6


def test_quick_profile_counts_one_model_call_per_question(built_index: Path, tmp_path: Path):
    from bench.run import run

    args = argparse.Namespace(
        index=built_index, out=tmp_path / "bench", only=["profile"], quick=True, corpus=None, model=None
    )
    res = run(args, embedder=FakeEmbedder())["sections"]["profile"]
    assert res["questions"] == 40 and res["cpu_ms_per_question"] > 0
    assert res["model_calls_per_question"] == 1.0  # typed, topic-neutral and triage texts: one call
    assert res["texts_per_question"] >= res["distinct_texts_per_question"] >= 1.0
    stages = res["stages_ms_per_question"]
    assert stages["retrieval in all"] > 0 and stages["encoding in all"] > 0
