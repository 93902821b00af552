"""Question kinds and answer-type sentence features (`bot.intent`), on tiny inline data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.intent import IntentDataError, load_intents, parse_intents

QUESTIONS = [
    ("Does it help fibromyalgia?", "helps_condition"),
    ("What dose is usually used?", "dose"),
    ("Should I start at 4.5mg straight away?", "dose"),
    ("When should I take it, morning or night?", "timing"),
    ("How long until it starts working?", "onset"),
    ("Is it approved by the FDA?", "regulatory"),
    ("How much does it cost a month?", "cost_access"),
    ("Do I need a prescription?", "cost_access"),
    ("What are the side effects?", "side_effects"),
    ("Can I take it with my other medications?", "interactions"),
    ("What happens if I stop taking it?", "stopping"),
    ("How does it work in the body?", "mechanism"),
    ("Who first came up with this treatment?", "history"),
    ("Is there any evidence from trials?", "evidence_strength"),
    ("Is it better than gabapentin, or the same as the full dose?", "comparison"),
    ("Is it safe in pregnancy?", "population"),
    ("Can children take it?", "population"),
    ("Can I take it long term, for years?", "duration"),
]


@pytest.mark.parametrize(("question", "kind"), QUESTIONS)
def test_each_kind_is_recognised(question: str, kind: str) -> None:
    assert kind in load_intents().classify(question)


def test_a_medicine_named_low_dose_is_not_a_dose_question() -> None:
    kinds = load_intents().classify("Does low dose aspirin help migraine?")
    assert "dose" not in kinds and kinds[0] == "helps_condition"


def test_onset_comes_before_duration_and_small_talk_has_no_kind() -> None:
    intents = load_intents()
    assert intents.classify("How long does it take to work?")[0] == "onset"
    assert intents.classify("hello there") == ()


STOPPING_THE_MEDICINE = [
    "Can I just stop?",
    "I stopped it three weeks ago and the pain is back.",
    "Do I need to taper off or can I quit cold turkey?",
    "What happens if we stop the tablets before surgery?",
]
A_SYMPTOM_THAT_STOPS = [
    "The dreams are horrible, will they stop?",
    "Will these vivid dreams ever stop?",
    "Does the nausea settle down after a while?",
]


@pytest.mark.parametrize("question", STOPPING_THE_MEDICINE)
def test_stopping_the_medicine_is_a_stopping_question(question: str) -> None:
    assert "stopping" in load_intents().classify(question)


@pytest.mark.parametrize("question", A_SYMPTOM_THAT_STOPS)
def test_a_symptom_that_stops_asks_about_a_side_effect_not_stopping(question: str) -> None:
    kinds = load_intents().classify(question)
    assert "stopping" not in kinds and "side_effects" in kinds


def test_stop_working_is_not_a_symptom_easing() -> None:
    assert "side_effects" not in load_intents().classify("Will it stop working after a year?")


SENTENCES = [
    "Doses ranging from 1.5 mg to 4.5 mg are used.",  # dose
    "It should be taken once a day, usually before bedtime.",  # timing
    "In most cases, people will see improvements within two months.",  # onset
    "It is not FDA approved and is still under investigation.",  # regulatory
    "A 30 day supply runs about $45.",  # cost
    "The sky is blue.",  # nothing
]


def test_sentence_features_mark_the_answer_shape() -> None:
    f = load_intents().features(SENTENCES)
    assert f.matrix.shape == (len(SENTENCES), len(load_intents().kinds))
    expect = {0: "dose", 1: "timing", 2: "onset", 3: "regulatory", 4: "cost_access"}
    for row, kind in expect.items():
        assert f.matches([row], (kind,)).tolist() == [True], (row, kind)
    assert not f.matrix[5].any()
    assert f.matches([0, 1, 2], ("timing",)).tolist() == [False, True, False]
    assert f.matches([0, 1], ()).tolist() == [False, False]
    assert f.matches(np.array([], dtype=np.int64), ("dose",)).shape == (0,)
    assert 0 < f.share("timing") < 1


def _valid() -> dict:
    return {"version": 1, "kinds": {"dose": {"question": ["dose"], "answer": [r"\d+ mg"]}}}


def test_the_bundled_file_is_valid_and_kind_names_are_unique() -> None:
    intents = load_intents()
    assert len(intents.names) == len(set(intents.names)) >= 15


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(extra=1), "unknown top-level"),
        (lambda d: d["kinds"]["dose"].update(answer=[]), "kinds.dose.answer"),
        (lambda d: d["kinds"]["dose"].update(question=["(unclosed"]), "bad pattern"),
        (lambda d: d["kinds"]["dose"].update(typo=["x"]), "unknown keys"),
        (lambda d: d["kinds"].update({"Bad-Name": {"question": ["a"], "answer": ["b"]}}), "kind name"),
    ],
)
def test_malformed_data_is_reported_with_its_key(mutate, message: str) -> None:
    data = _valid()
    parse_intents(data)  # the base case is valid
    mutate(data)
    with pytest.raises(IntentDataError, match=message):
        parse_intents(data, "x.toml")


def test_unreadable_file_is_an_intent_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("version = [", encoding="utf-8")
    with pytest.raises(IntentDataError, match="not valid TOML"):
        load_intents(bad)
