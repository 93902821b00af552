"""Evidence labels read from a quote's own words (bot.evidence)."""

from __future__ import annotations

import pytest

from bot.evidence import LABEL_KEYS, label_evidence, participants


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Mice given the drug lived longer than untreated ones.", "animal_study"),
        ("In rats, the compound reduced swelling.", "animal_study"),
        ("In vitro, tumour cells grew more slowly.", "lab_study"),
        ("The cell cultures were exposed for three days.", "lab_study"),
        ("A case report describes a man whose rash cleared.", "case_report"),
        ("The doctors describe a patient with severe itching.", "case_report"),
        ("A pilot study found some benefit.", "small_study"),
        ("The trial was double-blind and randomized with 300 participants.", "controlled_trial"),
        ("Symptoms improved more than with placebo.", "controlled_trial"),
        ("A systematic review of the drug found mixed results.", "review"),
        ("A meta-analysis pooled the results.", "review"),
        ("In my practice I have used it for years.", "clinician_experience"),
        ("The evidence is largely anecdotal.", "clinician_experience"),
    ],
)
def test_each_label_fires(text: str, key: str) -> None:
    keys = [label.key for label in label_evidence(text)]
    assert key in keys
    assert "no_study_cited" not in keys


def test_small_study_reads_n() -> None:
    labels = label_evidence("In a study of 12 women with fibromyalgia, pain scores fell.")
    assert [(lab.key, lab.n) for lab in labels] == [("small_study", 12)]
    assert labels[0].display == "Small study (n=12)"


def test_n_from_explicit_n_equals() -> None:
    labels = label_evidence("Forty patients were evaluated (n=40) in a study.")
    small = [lab for lab in labels if lab.key == "small_study"]
    assert small and small[0].n == 40


def test_word_number_participants() -> None:
    assert participants("We followed eight patients for a year.") == 8
    assert participants("Nobody was counted.") is None


def test_large_study_is_not_small() -> None:
    keys = [lab.key for lab in label_evidence("A study of 450 adults was evaluated over two years.")]
    assert "small_study" not in keys


def test_several_labels_in_fixed_order() -> None:
    labels = label_evidence("Two small clinical trials found a benefit greater than placebo.")
    keys = [lab.key for lab in labels]
    assert "small_study" in keys and "controlled_trial" in keys
    assert keys == sorted(keys, key=LABEL_KEYS.index)


@pytest.mark.parametrize(
    "text",
    ["LDN is usually taken at bedtime.", "Ask a compounding pharmacy about capsules.", ""],
)
def test_no_study_cited_alone(text: str) -> None:
    labels = label_evidence(text)
    assert [lab.key for lab in labels] == ["no_study_cited"]
    assert labels[0].n is None
    assert labels[0].display == "No study cited"


def test_a_study_of_unstated_design_is_not_called_no_study() -> None:
    labels = label_evidence(
        "Researchers at Stanford University published two clinical trials showing relief."
    )
    assert [label.key for label in labels] == ["study_unspecified"]
    assert labels[0].display == "A study is mentioned (its design is not stated)"


# Sentences written for these tests, outside the bundled documents (the rules come from
# bot/data/evidence_language.toml: study-design vocabulary of Cochrane, CONSORT, CARE, PRISMA).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "In a randomised trial, 60 adults were assigned to the drug or a sugar pill.",
            {"controlled_trial", "small_study"},
        ),
        ("Patients in the control group received usual care.", {"controlled_trial"}),
        ("A Cochrane review pooled eleven trials of the medicine.", {"review"}),
        ("Researchers grew human liver cells in the laboratory and exposed them to the drug.", {"lab_study"}),
        ("The compound slowed tumour growth in mice.", {"animal_study"}),
        ("We describe a woman aged 54 whose headaches stopped after the first month.", {"case_report"}),
        ("A feasibility trial enrolled 24 participants over six months.", {"small_study"}),
        ("In my clinic I prescribe it to most people with chronic pain.", {"clinician_experience"}),
        ("Studies suggest it may help with sleep.", {"study_unspecified"}),
        ("The tablet is taken once a day with water.", {"no_study_cited"}),
        ("Immune cells release signalling molecules.", {"no_study_cited"}),
    ],
)
def test_labels_on_sentences_written_outside_the_corpus(text: str, expected: set[str]) -> None:
    assert {str(lab.key) for lab in label_evidence(text)} == expected


def test_a_dose_is_not_a_count_of_people() -> None:
    assert participants("Start at 4.5 mg but many patients take less.") is None
    assert participants("42 adult female patients took part.") == 42


def test_malformed_language_file_is_refused(tmp_path) -> None:
    from bot.evidence import EvidenceDataError, language

    bad = tmp_path / "evidence_language.toml"
    bad.write_text('[animal_study]\nsource = "x"\n', encoding="utf-8")
    with pytest.raises(EvidenceDataError):
        language(bad)
