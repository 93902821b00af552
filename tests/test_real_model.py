"""The bundled corpus indexed with the real packaged model (all-MiniLM-L6-v2, offline).

Slower (the model import and encoding take seconds): marked `model`, deselect with `-m "not model"`.
"""

from __future__ import annotations

import pytest

from index.build import build_index
from index.embedder import load_embedder
from index.store import read_index
from index.vectors import search
from tests.conftest import SEED_CORPUS_DIR

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("real") / "index"
    first = build_index(SEED_CORPUS_DIR, out)
    return out, first


def test_real_model_build(real_index):
    out, first = real_index
    assert not first.up_to_date
    assert first.manifest.dimension == 384
    assert first.manifest.model_name == "sentence-transformers/all-MiniLM-L6-v2"
    data = read_index(out)
    assert first.embedded == len(data.sentences) + len(data.passages)
    assert data.sentence_vectors.shape == (len(data.sentences), 384)


def test_second_real_build_re_embeds_nothing(real_index):
    out, first = real_index
    again = build_index(SEED_CORPUS_DIR, out)
    assert again.up_to_date
    assert again.embedded == 0
    assert again.manifest == first.manifest


def test_vivid_dreams_query_finds_a_dreams_sentence(real_index):
    out, _ = real_index
    data = read_index(out)
    embedder = load_embedder()
    data.manifest.check_compatible(model_identity=embedder.identity, dimension=embedder.dimension)
    query = embedder.encode(["vivid dreams side effect"])[0]
    top = [data.sentences[row].text for row, _ in search(data.sentence_faiss, query, 5)]
    assert any("dreams" in text.lower() for text in top), top
