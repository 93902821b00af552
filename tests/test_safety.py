"""Emergency triage and medicine pins (bot.safety), with phrasings not taken from the gold set."""

from __future__ import annotations

import pytest

from bot.safety import detect_emergency, detect_pins

EMERGENCIES = [
    ("I think I overdosed on my meds", "overdose_or_poisoning"),
    ("I overdossed on LDN an hour ago", "overdose_or_poisoning"),
    ("I took the whole bottle of naltrexone", "overdose_or_poisoning"),
    ("my 3 year old swallowed a bunch of my LDN capsules", "overdose_or_poisoning"),
    ("my kid got into the LDN bottle", "overdose_or_poisoning"),
    ("I keep having sucidal thoughts tonight", "suicidal_thoughts"),
    ("i wanna die, nothing helps", "suicidal_thoughts"),
    ("I want to end it all", "suicidal_thoughts"),
    ("I have chest pain right now", "chest_pain"),
    ("my chest pian is really bad", "chest_pain"),
    ("my husband cant breathe", "trouble_breathing"),
    ("my lips are turning blue and I cant breath", "trouble_breathing"),
    ("my throat is swelling after the first dose", "severe_allergic_reaction"),
    ("she fainted and wont wake up", "fainting"),
    ("I passed out in the shower", "fainting"),
    ("my son is having a seizrue", "seizure"),
    ("he is seizing on the floor", "seizure"),
]


@pytest.mark.parametrize(("question", "kind"), EMERGENCIES)
def test_emergencies_fire(question: str, kind: str) -> None:
    triage = detect_emergency(question)
    assert triage.is_emergency
    assert kind in triage.kinds


ORDINARY = [
    "Can LDN help chronic pain?",
    "Does LDN cause trouble sleeping?",
    "Will LDN give me vivid dreams?",
    "Can LDN help breathing in ALS?",
    "This fibromyalgia is killing me, does LDN help?",
    "Is it bad to overdo it on coffee while taking LDN?",
    "Does LDN help chest wall pain?",
    "Does LDN cause shortness of breath?",
    "What is a seizure threshold?",
    "How long do the dreams from naltrexone last?",
]


@pytest.mark.parametrize("question", ORDINARY)
def test_ordinary_questions_do_not_fire(question: str) -> None:
    triage = detect_emergency(question)
    assert not triage.is_emergency
    assert triage.kinds == ()


@pytest.mark.parametrize(
    "question",
    [
        "I take oxycodone for my back, can I start LDN?",
        "I am on OxyContin twice a day",
        "Percocet after surgery and LDN?",
        "Is Tylenol #3 ok with low dose naltrexone?",
        "my doctor gave me tylenol 3",
        "Can I take LDN while on Suboxone?",
        "tramadol daily plus LDN",
        "hydrocodone and ldn",
        "I take percoset sometimes",
    ],
)
def test_opioid_pins(question: str) -> None:
    assert "opioid" in detect_pins(question)


def test_opioid_pin_on_truncated_typo() -> None:
    assert "opioid" in detect_pins("I take oxycodon at night, is LDN safe?")
    assert "opioid" in detect_pins("suboxon and ldn together?")


def test_a_real_word_short_of_a_danger_word_is_not_folded() -> None:
    assert not detect_emergency("I overdo it on coffee, will LDN keep me up?").is_emergency


@pytest.mark.parametrize(
    "question",
    [
        "I take tacrolimus, can I use LDN?",
        "I had a liver transplant last year",
        "I am on prednisone and mycophenolate",
    ],
)
def test_immunosuppressant_pins(question: str) -> None:
    pins = detect_pins(question)
    assert "immunosuppressant" in pins
    assert "opioid" not in pins


@pytest.mark.parametrize(
    "question",
    [
        "Does LDN help MS?",
        "What dose of LDN for Crohns?",
        "Is Tylenol ok with LDN?",
        "Does naltrexone interact with alcohol?",
        "Can LDN cause headaches?",
    ],
)
def test_no_pins_on_ordinary_questions(question: str) -> None:
    assert detect_pins(question) == set()


def test_both_pins_together() -> None:
    assert detect_pins("I use Dilaudid and had a kidney transplant") == {"opioid", "immunosuppressant"}


def test_emergency_with_an_opioid_name_still_fires() -> None:
    assert "overdose_or_poisoning" in detect_emergency("I overdosed on oxycodone").kinds
