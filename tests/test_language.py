"""Is a question in English (`bot.language`)? Short English, drug names and typos must pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import LanguageDataError, LanguageGate, load_settings

DOCUMENTS = [
    "Low dose naltrexone (LDN) is used for fibromyalgia, Crohn's disease and multiple sclerosis.",
    "Side effects include vivid dreams and insomnia. Doses range from 1.5 mg to 4.5 mg at bedtime.",
    "It is not FDA approved and is made by compounding pharmacies; the cost is low.",
]

ENGLISH = [
    "LDN dose?",
    "ldn fibro?",
    "Does LDN help fibromyalgia?",
    "ldn cost",
    "naltrexone side efects",
    "LDN and MS",
    "hashimotos ldn",
    "LDN 4.5 mg",
    "lupus?",
    "ldn vs naltrexone",
    "naltrexona",
    "gabapentin dose",
    "whats the max dose",
    "ok so i started ldn 3 weeks ago and i cant sleep, is that normal",
    "isnt naltrexone the drug for addicts?? why would my doctor give it to me for pain",
    "Lyme disease LDN",
    "Is LDN an immunosuppressant?",
]

OTHER = [
    "¿La naltrexona en dosis bajas ayuda con la fibromialgia?",
    "¿Cuál es la dosis habitual de LDN?",
    "La naltrexone à faible dose aide-t-elle contre la fibromyalgie ?",
    "Hilft niedrig dosiertes Naltrexon bei Fibromyalgie?",
    "Welche Nebenwirkungen hat LDN?",
    "A naltrexona em dose baixa ajuda na fibromialgia?",
    "Il naltrexone a basso dosaggio aiuta la fibromialgia?",
    "Czy LDN pomaga na fibromialgię?",
]


@pytest.fixture(scope="module")
def gate() -> LanguageGate:
    return LanguageGate.for_texts(DOCUMENTS)


@pytest.mark.parametrize("text", ENGLISH)
def test_short_english_drug_names_and_typos_are_english(gate: LanguageGate, text: str) -> None:
    assert gate.check(text).english


@pytest.mark.parametrize("text", OTHER)
def test_questions_in_other_languages_are_recognised(gate: LanguageGate, text: str) -> None:
    guess = gate.check(text)
    assert not guess.english and guess.reason == "detector" and guess.language != "en"


def test_the_guard_decides_short_texts_without_the_detector(gate: LanguageGate) -> None:
    guess = gate.check("dosis de ldn")  # two unknown words: too little to tell
    assert guess.english and guess.reason == "guard"


def test_settings_file_is_validated(tmp_path: Path) -> None:
    assert "en" in load_settings().languages
    bad = tmp_path / "languages.toml"
    bad.write_text(
        "version = 1\nmin_unknown_words = 3\nmax_known_share = 0.5\nmin_confidence = 0.6\n"
        'max_english_confidence = 0.15\nlanguages = ["es", "fr"]\n',
        encoding="utf-8",
    )
    with pytest.raises(LanguageDataError, match="include 'en'"):
        load_settings(bad)


def test_the_index_vocabulary_can_stand_for_the_documents() -> None:
    from index.bm25 import Bm25Index

    bm25 = Bm25Index.build(DOCUMENTS)
    gate = LanguageGate(indexed=bm25.has)
    assert gate.is_known("dreams") and gate.is_known("fibromyalgia") and not gate.is_known("naltrexona")
    assert gate.check("naltrexone side efects").english
    assert not gate.check("¿La naltrexona en dosis bajas ayuda con la fibromialgia?").english
