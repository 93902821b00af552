"""Emergency triage (bot.safety / bot.triage) and medicine pins (bot.medicines), on wording written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.medicines import find_medicines, find_pins
from bot.safety import Level, Triager, detect_emergency, detect_pins
from bot.triage.clauses import units
from bot.triage.data import TriageDataError, load_cues, load_exemplars, load_thresholds
from tests.conftest import FakeEmbedder


@pytest.mark.parametrize(
    "message",
    ["and I took too many pills", "my chest hurts right now", "I want to die", "she is not breathing"],
)
def test_rule_layer_fires_on_red_flags(message: str) -> None:
    assert detect_emergency(message).level is Level.POSSIBLE


@pytest.mark.parametrize(
    "message",
    [
        "What happens if you overdose on LDN?",
        "I had a seizure back in 2015, none since. Can I take LDN?",
        "Does naltrexone cause suicidal thoughts?",
        "I dreamt I was not breathing, is that the LDN?",
        "Does LDN help fibromyalgia?",
    ],
)
def test_rule_layer_is_discounted_by_not_now_cues(message: str) -> None:
    assert not detect_emergency(message).is_emergency


@pytest.mark.parametrize(
    "message",
    [
        "my kids would cope better if I wasn't around anymore",
        "I am such a burden to everyone",
        "gave my sister my jewellery, I won't need it any more",
        "honestly I won't be around much longer",
        "what is the fatal dose of my sleeping tablets",
        "I've been putting my tablets aside every night",
    ],
)
def test_spoken_warning_signs_of_suicide_are_red_flags(message: str) -> None:
    assert detect_emergency(message).level is Level.POSSIBLE


@pytest.mark.parametrize(
    "message",
    [
        "Can I stockpile a three-month supply of LDN before I travel?",
        "My mum is around most days to help with the kids.",
        "How many weeks does it take for LDN to work?",
        "I put the leaflet aside and forgot about it",
    ],
)
def test_everyday_wording_near_those_signs_is_not(message: str) -> None:
    assert not detect_emergency(message).is_emergency


@pytest.mark.parametrize(
    ("message", "flagged"),
    [
        # a young child who swallowed someone's medicine: call now, even if the child seems well
        ("my 2 year old got into my ldn capsules and might have swallowed some, she seems ok", True),
        ("my son ate some of my LDN capsules, he seems fine", True),
        ("toddler chewed through a blister pack of grandad's heart tablets", True),
        ("my dad has taken all of his LDN and his heart pills at once, he is confused", True),
        ("I took all my vitamins this morning, can I take LDN too?", False),
        ("I've taken all of my capsules for this month, when do I reorder LDN?", False),
        # the same words, but not an ingestion happening now
        ("Hypothetically, if my child swallowed one of my LDN capsules, how dangerous would that be?", False),
        ("my daughter has swallowed tablets since she was five, can she take LDN capsules?", False),
        ("can my 7 year old swallow the capsules whole?", False),
    ],
)
def test_a_child_who_swallowed_medicine_or_all_of_someones_pills_is_a_red_flag(
    message: str, flagged: bool
) -> None:
    assert detect_emergency(message).is_emergency is flagged


def test_units_are_the_whole_message_and_its_clauses() -> None:
    msg = "I take LDN for MS. My husband can't lift his arm! Is it the LDN?"
    assert units(msg) == [msg, "I take LDN for MS.", "My husband can't lift his arm!", "Is it the LDN?"]
    assert units("Does LDN help?") == ["Does LDN help?"]


def test_data_files_load_and_validate(tmp_path: Path) -> None:
    exemplars = load_exemplars()
    assert len(exemplars) >= 1000
    assert all(e.source for e in exemplars)
    assert {e.category for e in exemplars if e.emergency} >= {"stroke", "suicide_selfharm", "seizure"}
    t = load_thresholds()
    assert 0 < t.possible <= t.definite
    assert load_cues().not_now
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(TriageDataError):
        load_exemplars(bad)


def test_fitted_triager_decides_levels_by_its_cut_offs() -> None:
    emb = FakeEmbedder()
    first = Triager.fitted(emb)
    assert emb.calls == 1  # the exemplars, in one batch
    s = first.unit_scores(["x"], emb.encode(["x"]))
    top = first.thresholds.definite + 0.01  # scores add acuity, so a cut may sit above 1
    high = type(s)(np.array([top]), np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]))
    low = type(s)(np.array([0.01]), np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]))
    vec = emb.encode(["x"])
    assert first.decide(high, vec).level is Level.DEFINITE
    assert first.decide(low, vec).level is None
    mid = first.thresholds.possible + 0.01
    if mid < first.thresholds.definite:
        one = np.array([mid])
        assert first.decide(type(s)(one, 0 * one, 0 * one, 0 * one, 0 * one), vec).level is Level.POSSIBLE


@pytest.fixture(scope="module")
def real_triager() -> Triager:
    from index.embedder import load_embedder

    return Triager.fitted(load_embedder(None, threads=1))


@pytest.mark.model
@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("my wife's face looks droopy on one side and she is talking funny", True),
        ("my little boy is hot and has spots that stay when I press a glass on them", True),
        ("I've written letters to everyone and given my cat to my sister. Is LDN ok with wine?", True),
        ("I nearly had a heart attack when I saw the price of LDN", False),
        ("Does LDN help fibromyalgia?", False),
    ],
)
def test_real_model_triage(message: str, shown: bool, real_triager: Triager) -> None:
    assert real_triager.assess(message).is_emergency is shown


# -- medicines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "I take co-codamol, can I use LDN?",
        "Nurofen Plus for my period pain",
        "Panadeine Forte after my surgery",
        "Is Tylenol #3 ok with low dose naltrexone?",
        "my doctor gave me tylenol 3",
        "Can I take LDN while on Suboxone?",
        "tramadol daily plus LDN",
        "I am on OxyContin twice a day",
        "I take percoset sometimes",
        "I take oxycodon at night",
        "fentanyl patches",
        "Do not combine this with opioid painkillers",
        "the fentynal patch my mum wears",  # two letters changed in an 8-letter name
        "I was given tapendatol",  # two neighbours swapped
        "co codamole for my back",  # a prefix written apart, then a typo
        "Lomotil for diarrhoea",  # an opioid antidiarrhoeal (ATC A07DA)
    ],
)
def test_opioid_pins(message: str) -> None:
    assert "opioid" in detect_pins(message)


@pytest.mark.parametrize(
    "message",
    [
        "Is Tylenol ok with LDN?",
        "Nurofen for my period pain",
        "Is ultra-low dose naltrexone different?",
        "Is it available generically?",
        "Does naltrexone interact with alcohol?",
        "My symptoms keep morphing",
        "Narcan at home just in case",
        "Does LDN help MS?",
        "How do I install the app?",  # common English words are never read as misspelt names
        "Is there a support program?",
        "the heroine of my story",
        "Tylenol PM at night",  # a look-alike: a correct brand and a short word
        "Imodium for my stomach",  # loperamide acts in the gut only
    ],
)
def test_no_opioid_pin(message: str) -> None:
    assert "opioid" not in detect_pins(message)


def test_immunosuppressant_pins_by_generic_class() -> None:
    assert find_pins("I take tacrolimus, can I use LDN?") == {"immunosuppressant"}
    assert find_pins("I had a liver transplant last year") == {"immunosuppressant"}
    assert find_pins("I am on Humira") == {"immunosuppressant"}
    assert find_pins("I use Dilaudid and had a kidney transplant") == {"opioid", "immunosuppressant"}


def test_mentions_name_generics() -> None:
    (m,) = find_medicines("Nurofen Plus")
    assert "codeine" in m.generics and m.via == "product"
