"""index.bm25: tokenizer, ranking, and save/load with identical scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.bm25 import TOKENIZER, Bm25Index, tokenize

TEXTS = [
    "Vivid dreams are the most common side effect of low dose naltrexone.",
    "A month of LDN costs about forty dollars at a compounding pharmacy.",
    "Patients with fibromyalgia reported less pain in two small trials.",
    "Do not combine naltrexone with opioid painkillers such as morphine.",
    "the and of it is",  # only stop words
    "Dreaming more than usual fades after a few weeks.",
]


@pytest.fixture(scope="module")
def bm25() -> Bm25Index:
    return Bm25Index.build(TEXTS)


def test_tokenize_lowercases_drops_stop_words_and_stems():
    assert tokenize("Does LDN cause vivid dreams?") == ["ldn", "caus", "vivid", "dream"]
    assert tokenize("how much does it cost, what should I do") == ["cost"]  # question words are stop words
    assert tokenize("Dreaming, DREAMS, dreamed") == ["dream", "dream", "dream"]
    assert tokenize("the and of it is") == []
    assert tokenize("a 4.5 mg x") == ["mg"]  # one-character tokens are not words
    assert tokenize("") == []


def test_tokenizer_parameters_are_recorded():
    assert TOKENIZER["stemmer"] == "snowball-english"
    assert TOKENIZER["stopwords"] == "en+questions"


def test_best_match_ranks_first(bm25: Bm25Index):
    assert bm25.top("vivid dreams", 3)[0][0] == 0
    assert bm25.top("how much does it cost", 3)[0][0] == 1
    assert bm25.top("fibromyalgia pain", 3)[0][0] == 2
    assert bm25.top("morphine", 3)[0][0] == 3


def test_stemming_matches_word_forms(bm25: Bm25Index):
    rows = [row for row, _ in bm25.top("dream", 10)]
    assert set(rows) == {0, 5}


def test_top_is_sorted_and_positive(bm25: Bm25Index):
    hits = bm25.top("naltrexone pain dreams", 10)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)
    assert len(hits) <= len(TEXTS)


def test_k_is_respected(bm25: Bm25Index):
    assert len(bm25.top("naltrexone pain dreams opioid", 2)) == 2
    assert len(bm25.top("naltrexone", 100)) >= 1


def test_no_match_gives_zero_scores_and_no_hits(bm25: Bm25Index):
    for query in ["zebra giraffe", "", "the and of"]:
        scores = bm25.scores(query)
        assert scores.shape == (len(TEXTS),)
        assert not scores.any()
        assert bm25.top(query, 5) == []


def test_save_and_load_give_identical_scores(bm25: Bm25Index, tmp_path: Path):
    folder = tmp_path / "bm25"
    bm25.save(folder)
    assert any(folder.iterdir())
    assert not list(folder.rglob("*.pkl")), "no pickle on disk"
    loaded = Bm25Index.load(folder, len(TEXTS))
    for query in ["vivid dreams", "cost of LDN", "fibromyalgia pain", "opioid morphine", "zebra"]:
        np.testing.assert_array_equal(loaded.scores(query), bm25.scores(query))
        assert loaded.top(query, 3) == bm25.top(query, 3)


def test_empty_index_saves_and_loads(tmp_path: Path):
    empty = Bm25Index.build([])
    assert empty.size == 0
    assert empty.top("dreams", 5) == []
    empty.save(tmp_path / "empty")
    assert (tmp_path / "empty").is_dir()
    loaded = Bm25Index.load(tmp_path / "empty", 0)
    assert loaded.scores("dreams").shape == (0,)
    assert loaded.top("dreams", 5) == []
