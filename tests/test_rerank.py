"""The answer reranker: calibration, the test fake, loading errors, and (marked `model`) the shipped ONNX.

The model-marked tests load `index/models/reranker/` with onnxruntime, check its sha256 against the
model card, and check that it prefers an answering sentence to an on-topic non-answer on a handful
of pairs written here (not taken from eval/ nor from the training data).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from index.rerank import (
    CALIBRATION_FILE,
    DEFAULT_MODEL_DIR,
    Calibration,
    LexicalFakeReranker,
    Reranker,
    RerankerNotFound,
    RerankerProtocol,
)


def test_calibration_is_monotonic_bounded_float32():
    cal = Calibration(a=1.7, b=-0.4)
    logits = np.linspace(-1e4, 1e4, 2001)
    probs = cal.apply(logits)
    assert probs.dtype == np.float32
    assert np.all(probs >= 0) and np.all(probs <= 1)
    assert np.all(np.diff(probs) >= 0)
    assert probs[0] < 1e-20 and probs[-1] == 1.0
    assert cal.apply(np.array([0.4 / 1.7]))[0] == pytest.approx(0.5)


@pytest.mark.parametrize("a", [0.0, -1.0, float("nan"), float("inf")])
def test_calibration_refuses_a_slope_that_is_not_positive_and_finite(a):
    with pytest.raises(ValueError):
        Calibration(a=a, b=0.0)


def test_calibration_round_trips_and_rejects_unknown_methods():
    cal = Calibration(a=2.0, b=0.5, max_length=128, name="x")
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal
    with pytest.raises(ValueError):
        Calibration.from_dict({"method": "isotonic", "a": 1, "b": 0})


def test_platt_fit_orders_like_the_logits():
    from train.export import fit_platt

    rng = np.random.default_rng(0)
    logits = np.concatenate([rng.normal(2, 1, 200), rng.normal(-2, 1, 200)])
    labels = np.array([1] * 200 + [0] * 200)
    cal = fit_platt(logits, labels, max_length=160, name="t")
    assert cal.a > 0
    probs = cal.apply(np.sort(logits))
    assert np.all(np.diff(probs) >= 0)
    assert 0.4 < float(cal.apply(np.array([0.0]))[0]) < 0.6
    with pytest.raises(ValueError, match="slope"):
        fit_platt(logits, 1 - labels, max_length=160, name="backwards")


def test_lexical_fake_is_deterministic_bounded_and_typed():
    fake: RerankerProtocol = LexicalFakeReranker()
    texts = ["pain relief came within weeks", "the weather was mild", ""]
    first = fake.score("How soon does pain relief come?", texts)
    assert first.dtype == np.float32 and first.shape == (3,)
    assert np.all((first >= 0) & (first <= 1))
    assert first[0] > first[1] == first[2] == 0
    assert np.array_equal(first, fake.score("How soon does pain relief come?", texts))
    assert fake.score("anything", []).shape == (0,)


def test_load_reports_missing_files(tmp_path):
    with pytest.raises(RerankerNotFound, match=r"model\.onnx"):
        Reranker.load(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"x")
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"a": -1, "b": 0}))
    with pytest.raises(RerankerNotFound, match="calibration"):
        Reranker.load(tmp_path)


PAIRS = [  # (question, answering sentence, on-topic sentence that does not answer)
    pytest.param(
        "How long does it take for the medicine to start working?",
        "Most people notice an improvement within two to eight weeks of starting the medicine.",
        "The medicine was first developed in the 1960s by a pharmaceutical company.",
        id="onset",
    ),
    pytest.param(
        "What are the side effects of this drug?",
        "Common side effects include headache, nausea and trouble sleeping.",
        "This drug is sold in tablets of two strengths at most pharmacies.",
        id="side-effects",
    ),
    pytest.param(
        "Is asthma inherited?",
        "Asthma tends to run in families, and children of parents with asthma are more likely to develop it.",
        "Asthma attacks can be treated with a quick-relief inhaler.",
        id="inheritance",
    ),
    pytest.param(
        "How is diabetes diagnosed?",
        "Diabetes is diagnosed with blood tests such as the fasting plasma glucose test or the A1C test.",
        "People with diabetes should check their feet every day for sores.",
        id="diagnosis",
    ),
    pytest.param(
        "What causes migraines?",
        "Migraines are thought to be caused by changes in brain chemicals and blood vessels, triggered by stress, "
        "hormones or certain foods.",
        "Migraines affect about one in seven adults worldwide.",
        id="cause",
    ),
]


@pytest.mark.model
def test_shipped_model_loads_and_matches_its_card():
    rr = Reranker.load()
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text("utf-8")
    assert re.fullmatch(r"[0-9a-f]{64}", rr.identity)
    assert rr.identity in card
    assert rr.name and rr.name in (DEFAULT_MODEL_DIR / CALIBRATION_FILE).read_text("utf-8")


@pytest.fixture(scope="module")
def shipped() -> Reranker:
    return Reranker.load()


@pytest.mark.model
@pytest.mark.parametrize(("question", "answer", "other"), PAIRS)
def test_shipped_model_prefers_answers_to_on_topic_non_answers(shipped, question, answer, other):
    probs = shipped.score(question, [answer, other])
    assert probs.dtype == np.float32 and np.all((probs >= 0) & (probs <= 1))
    assert probs[0] > probs[1]


@pytest.mark.model
def test_shipped_model_gives_an_off_topic_sentence_a_low_probability(shipped):
    question = "How is diabetes diagnosed?"
    assert shipped.score(question, ["Bananas are a good source of potassium."])[0] < 0.5


@pytest.mark.model
def test_shipped_model_scores_do_not_depend_on_batching_or_order(shipped):
    rr = shipped
    q = "Is asthma inherited?"
    texts = [t for p in PAIRS for t in p.values[1:]]
    together = rr.score(q, texts)
    alone = np.array([rr.score(q, [t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    np.testing.assert_allclose(rr.score(q, texts[::-1])[::-1], together, atol=1e-6)
    assert rr.score(q, []).shape == (0,)
