"""Medicines named by both a question and a sentence (`bot.named_medicines`), and their use in
the answer stage (`bot.rank`): BM25 words, an order bonus and an abstention credit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.named_medicines import SentenceMedicines, named_generics

NAMES = {
    "co codamol": ("codeine", "paracetamol"),
    "codeine": ("codeine",),
    "zorbafen": ("zorbafen",),
    "zorbafen forte": ("zorbafen", "codeine"),
    "alcohol": ("benzyl alcohol",),  # a dictionary entry that is a common word
    "he": ("helium",),  # a chemical symbol
    "2 3": ("stavudine",),  # digits
    "warfarin": ("warfarin",),
    "subjectine": ("subjectine",),
}


def test_names_resolve_longest_first_and_common_words_short_names_and_digits_never_do() -> None:
    assert named_generics("He took Zorbafen Forte with alcohol, 2 3 times", NAMES) == {"zorbafen", "codeine"}
    assert named_generics("co-codamol", NAMES) == {"codeine", "paracetamol"}
    assert named_generics("nothing here", NAMES) == frozenset()


def test_the_corpus_subject_never_counts_and_a_question_meets_only_what_sentences_name() -> None:
    sentences = [
        "Subjectine helps sleep.",
        "Subjectine is taken at night.",
        "Opiates such as codeine can make you drowsier.",
        "Warfarin thins the blood.",
    ]
    passages = [[0], [1], [2], [3], [0, 1], [1]]  # sentence ids; subjectine in 4 of 6
    meds = SentenceMedicines.from_texts(sentences, passages, NAMES)
    assert meds.topic == {"subjectine"}
    assert meds.of_question("I take co-codamol and subjectine, ok?") == {
        "codeine"
    }  # paracetamol: no sentence
    assert meds.of_question("is subjectine ok with zorbafen?") == frozenset()
    assert meds.matches([0, 2, 3], frozenset({"codeine"})).tolist() == [False, True, False]
    assert set(meds.names) == {"co codamol", "codeine", "zorbafen forte", "warfarin"}


def test_the_ranker_puts_a_sentence_naming_the_asked_medicine_first_and_credits_abstention(
    fake_index,
) -> None:
    from bot.answer_settings import load_answer_settings
    from bot.rank import AnswerRanker
    from bot.retrieve import Hit, Retrieval
    from index.store import read_index

    data = read_index(fake_index)
    shipped = load_answer_settings().rank
    base = replace(shipped, model_weight=0.0, coverage_weight=0.0, medicine_bonus=0.0, medicine_credit=0.0)
    on = replace(base, medicine_bonus=1.0, medicine_credit=0.25)
    ranker = AnswerRanker(data, None, settings=on)
    sid = next(i for i, u in enumerate(data.sentences) if ranker.medicines.per_sentence[i])
    generics = ranker.medicines.per_sentence[sid]
    others = [i for i, g in enumerate(ranker.medicines.per_sentence) if not g & generics]
    ids = [*others[:5], sid]
    hits = tuple(Hit(i, 1.0 / (10 + r), 0.3, 0.3, -1) for r, i in enumerate(ids))
    retrieval = Retrieval(hits, 0.3, 0.3)
    with_it = ranker.rank(("is it ok with this?",), retrieval, generics)
    without = AnswerRanker(data, None, settings=base).rank(("is it ok with this?",), retrieval, generics)
    assert with_it.scored[0].sentence_id == sid and without.scored[0].sentence_id != sid
    assert np.isclose(with_it.confidence - without.confidence, 0.25)


def test_a_sentence_speaks_to_a_medicine_only_in_a_cautions_context() -> None:
    sentences = [
        "Some medicines and Subjectine can affect each other.",  # a caution
        "Tell your pharmacist if you take warfarin.",  # same passage as the caution
        "Doctors prescribe codeine for pain.",  # names codeine in passing
    ]
    caution = [True, False, False]
    meds = SentenceMedicines.from_texts(sentences, [[0, 1], [2]], NAMES, caution=caution)
    assert meds.of_question("is it ok with warfarin?") == {"warfarin"}
    assert meds.of_question("is it ok with co-codamol?") == frozenset()  # only named in passing
    assert meds.matches([1, 2], frozenset({"warfarin", "codeine"})).tolist() == [True, False]


def test_the_drug_dictionary_is_read_once_inside_a_sharing_block_and_released_after() -> None:
    from bot import drug_sources

    with drug_sources.sharing_dner() as raw:
        assert drug_sources.read_dner() is raw
        with drug_sources.sharing_dner() as inner:
            assert inner is raw
        assert drug_sources.read_dner() is raw
    assert drug_sources._SHARED is None
    assert drug_sources.read_dner() is not raw  # a fresh read: nothing kept


def test_a_medicine_meets_its_class_named_in_a_caution() -> None:
    names = {
        **NAMES,
        "antidepressants": ("antidepressive agents",),
        "sertraline": ("sertraline",),
        "fluvoxamine": ("fluvoxamine",),
    }
    sentences = ["Some medicines can affect each other: antidepressants such as fluvoxamine.", "Sleep well."]
    meds = SentenceMedicines.from_texts(sentences, [[0], [1]], names, caution=[True, False])
    # "antidepressants" is a common English word, read because it is a WHO ATC group label
    assert meds.per_sentence[0] == {"antidepressive agents", "fluvoxamine"}
    assert meds.of_question("I'm on sertraline 100mg, is that ok?") == {"antidepressive agents"}
    assert meds.of_question("is it ok with warfarin?") == frozenset()  # no sentence speaks to it


def test_the_atc_extract_keeps_substances_with_their_groups_and_drops_combinations() -> None:
    from bot.atc_extract import groups
    from bot.named_medicines import ATC_GROUPS, read_atc

    csv_bytes = (
        b'"N06A","ANTIDEPRESSANTS","x","y"\n"N06AB","SELECTIVE SEROTONIN REUPTAKE INHIBITORS","x","y"\n'
        b'"N06AB06","SERTRALINE","x","y"\n"N02AA","NATURAL OPIUM ALKALOIDS","x","y"\n'
        b'"N02AA59","CODEINE, COMBINATIONS EXCL. PSYCHOLEPTICS","x","y"\n"N06AX","OTHER ANTIDEPRESSANTS","x","y"\n'
        b'"N06AX99","VARIOUS","x","y"\n'
    )
    table = groups(csv_bytes)
    assert table == {
        "sertraline": {("N06AB06", "selective serotonin reuptake inhibitors", "antidepressants")}
    }
    shipped = read_atc(ATC_GROUPS)
    assert len(shipped) > 2500 and "antidepressants" in shipped["sertraline"]


def test_only_medicines_count_not_body_chemicals_or_common_words() -> None:
    """A name counts when its generic is a WHO ATC substance or class: "endorphins" (a body
    chemical in the drug dictionary) and "more" (a brand there, and a common word) never do."""
    names = {**NAMES, "endorphins": ("endorphins",), "more": ("pancreatic enzymes",)}
    sentences = ["Warning: endorphins and warfarin can affect each other, more or less."]
    meds = SentenceMedicines.from_texts(sentences, [[0]], names, caution=[True])
    assert meds.per_sentence[0] == {"warfarin"}
    assert meds.of_question("does it raise endorphins? more is better?") == frozenset()
