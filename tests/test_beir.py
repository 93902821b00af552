"""The BEIR loader, runner and CLI on a tiny dataset written into tmp_path, with a fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval import beir, beir_data
from eval.__main__ import main
from tests.conftest import FakeEmbedder

DOCS = {
    "d1": ("Naltrexone and pain", "Low dose naltrexone reduced fibromyalgia pain in a small trial."),
    "d2": ("Sleep", "Vivid dreams were the most common side effect reported at night."),
    "d3": ("Dosage", "Doses between 1.5 and 4.5 mg were titrated slowly over weeks."),
    "d4": ("Opioids", "Patients taking opioid painkillers must not take naltrexone."),
    "d5": ("Microglia", "Naltrexone blocks toll-like receptor 4 on microglial cells."),
    "d6": ("Cost", "A compounding pharmacy prepares the capsules at modest cost."),
}
# Every test query is the exact text of its relevant document ("title text").
QUERIES = {qid: f"{DOCS[doc][0]} {DOCS[doc][1]}" for qid, doc in [("q1", "d1"), ("q2", "d3"), ("q3", "d5")]}
TRAIN = {"t1": ("d2", "vivid dreams at night"), "t2": ("d6", "compounding pharmacy capsules")}


def write_dataset(root: Path, *, train: bool = False) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w") as fh:
        for doc_id, (title, text) in DOCS.items():
            fh.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    queries = dict(QUERIES) | {"q9": "an unjudged query"} | {q: text for q, (_, text) in TRAIN.items()}
    (root / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items())
    )
    rows = ["query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td3\t1", "q3\td5\t1", "q3\td6\t0"]
    (root / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n")
    if train:
        rows = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t1" for q, (d, _) in TRAIN.items()]
        (root / "qrels" / "train.tsv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "tiny", train=True)


def test_loader_keeps_judged_queries_in_file_order(dataset: Path) -> None:
    data = beir_data.load_beir(dataset)
    assert list(data.queries) == ["q1", "q2", "q3"]
    assert data.qrels == {"q1": {"d1": 1}, "q2": {"d3": 1}, "q3": {"d5": 1}}  # score 0 dropped
    assert data.doc_ids == list(DOCS)
    assert (
        data.doc_texts[0]
        == "Naltrexone and pain Low dose naltrexone reduced fibromyalgia pain in a small trial."
    )
    limited = beir_data.load_beir(dataset, limit_queries=2)
    assert list(limited.queries) == ["q1", "q2"] and list(limited.qrels) == ["q1", "q2"]
    assert list(beir_data.load_beir(dataset, split="train").queries) == ["t1", "t2"]


def test_exact_text_query_ranks_its_document_first(dataset: Path, tmp_path: Path) -> None:
    results = beir.run_beir(dataset, embedder=FakeEmbedder(), cache_dir=tmp_path / "cache", progress=False)
    assert set(results) == {"dense", "bm25", "hybrid", "rrf"}
    for method, values in results.items():
        assert list(values) == ["ndcg@10", "recall@100", "mrr@10"], method
        assert values == {"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0}, method


def test_unknown_doc_scores_below_one(dataset: Path) -> None:
    qrels = dataset / "qrels" / "test.tsv"
    qrels.write_text(qrels.read_text().replace("q1\td1\t1", "q1\td6\t1"))  # q1's text is d1's
    results = beir.run_beir(dataset, embedder=FakeEmbedder(), cache_dir=None, progress=False)
    for values in results.values():
        assert 0.0 < values["mrr@10"] < 1.0
        assert 0.0 < values["ndcg@10"] < 1.0


def test_document_with_the_query_id_is_ignored(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ids")
    corpus = root / "corpus.jsonl"
    corpus.write_text(
        corpus.read_text() + json.dumps({"_id": "q1", "title": "", "text": QUERIES["q1"]}) + "\n"
    )
    data = beir_data.load_beir(root)
    scored = beir.retrieve(data, FakeEmbedder(), None)
    for method in ("dense", "bm25", "hybrid", "rrf"):
        run = beir.method_run(data, scored, method)
        assert "q1" not in run["q1"]
        assert next(iter(run["q1"])) == "d1"


def test_corpus_embeddings_are_cached_as_plain_npy(dataset: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fake = FakeEmbedder()
    first = beir.run_beir(dataset, methods=["dense"], embedder=fake, cache_dir=cache, progress=False)
    assert fake.calls == 2 and len(fake.texts) == len(DOCS) + len(QUERIES)  # documents, then queries
    files = sorted(cache.glob("*.npy"))
    assert len(files) == 2 and all(fake.identity in f.name for f in files)
    corpus_file = next(f for f in files if f.name.startswith("corpus-"))
    assert np.load(corpus_file, allow_pickle=False).shape == (len(DOCS), fake.dimension)
    again = beir.run_beir(dataset, methods=["dense"], embedder=fake, cache_dir=cache, progress=False)
    assert fake.calls == 2  # nothing re-encoded
    assert again == first
    encoded = len(fake.texts)
    with (dataset / "corpus.jsonl").open("a") as fh:  # a changed corpus is a new cache entry
        fh.write(json.dumps({"_id": "d7", "title": "New", "text": "Another document."}) + "\n")
    beir.run_beir(dataset, methods=["dense"], embedder=fake, cache_dir=cache, progress=False)
    assert fake.calls == 3 and len(fake.texts) - encoded == len(DOCS) + 1


def test_tune_adds_hybrid_tuned(dataset: Path) -> None:
    results = beir.run_beir(dataset, methods=["hybrid"], tune=True, embedder=FakeEmbedder(), cache_dir=None)
    assert set(results) == {"hybrid", "hybrid-tuned"}
    with pytest.raises(beir_data.BeirError):
        beir.run_beir(dataset, split="train", tune=True, embedder=FakeEmbedder(), cache_dir=None)


def test_cli_json_is_one_object_on_stdout(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import index.embedder

    monkeypatch.setattr(index.embedder, "load_embedder", lambda *a, **k: FakeEmbedder())
    argv = ["beir", str(dataset), "--json", "--limit-queries", "2", "--cache", str(tmp_path / "c")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert set(payload) == {"dense", "bm25", "hybrid", "rrf"}
    assert all(set(v) == {"ndcg@10", "recall@100", "mrr@10"} for v in payload.values())
    assert out.strip().count("\n") == 0


@pytest.mark.parametrize("missing", ["folder", "corpus.jsonl", "queries.jsonl", "qrels/test.tsv"])
def test_cli_missing_input_is_one_line_and_exit_2(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import index.embedder

    monkeypatch.setattr(index.embedder, "load_embedder", lambda *a, **k: FakeEmbedder())
    root = write_dataset(tmp_path / "ds")
    target = tmp_path / "nowhere" if missing == "folder" else root
    if missing != "folder":
        (root / missing).unlink()
    assert main(["beir", str(target), "--json", "--cache", str(tmp_path / "c")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")


def test_cli_unknown_method_exits_2(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.embedder

    monkeypatch.setattr(index.embedder, "load_embedder", lambda *a, **k: FakeEmbedder())
    assert main(["beir", str(dataset), "--method", "nope", "--cache", str(dataset / "c")]) == 2
