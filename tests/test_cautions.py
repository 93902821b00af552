"""Cautions the bundled sources state themselves (bot.cautions), on a fake-embedder index."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cautions import find_cautions, stance
from index.store import IndexData, read_index


@pytest.fixture
def data(built_index: Path) -> IndexData:
    return read_index(built_index)


def test_opioid_cautions_from_several_documents(data: IndexData) -> None:
    cautions = find_cautions(data)
    opioid_docs = {c.doc_id for c in cautions if c.kind == "opioid"}
    assert len(opioid_docs) >= 2


def test_immunosuppressant_and_standing_caveats(data: IndexData) -> None:
    cautions = find_cautions(data)
    kinds = {c.kind for c in cautions}
    assert {"opioid", "immunosuppressant", "not_approved", "small_trials"} <= kinds
    immuno = [c for c in cautions if c.kind == "immunosuppressant"]
    assert any("transplant" in c.text.lower() or "immunosuppress" in c.text.lower() for c in immuno)
    assert any("approved" in c.text or "experimental" in c.text for c in cautions if c.kind == "not_approved")


def test_every_caution_slices_back(data: IndexData) -> None:
    cautions = find_cautions(data)
    assert cautions
    for c in cautions:
        assert c.doc_id in data.documents
        assert 0 <= c.start < c.end
        assert data.documents[c.doc_id].text[c.start : c.end] == c.text
        sentence = data.sentences[c.sentence_id]
        assert sentence.doc_id == c.doc_id and sentence.start == c.start


def test_opioid_caution_names_an_opioid_and_cautions(data: IndexData) -> None:
    for c in find_cautions(data):
        if c.kind == "opioid":
            low = c.text.lower()
            assert any(
                w in low for w in ("opioid", "opiate", "narcotic", "morphine", "methadone", "oxycodone")
            )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The evidence for this use is weak.", "hedge"),
        ("It is still under investigation.", "hedge"),
        ("LDN did not change fatigue scores.", "hedge"),
        ("Many patients reported relief from pain.", "positive"),
        ("It improved sleep quality in most people.", "positive"),
        ("LDN is a capsule made by a pharmacy.", "neutral"),
        ("There is no evidence of benefit.", "hedge"),
    ],
)
def test_stance(text: str, expected: str) -> None:
    assert stance(text) == expected


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("Do not combine this medicine with opioid painkillers.", ["opioid"]),
        ("It is contraindicated in patients taking opioids.", ["opioid"]),
        ("Patients on methadone should not be given this drug.", ["opioid"]),
        ("Wait at least a week after your last dose of tramadol before you start.", ["opioid"]),
        ("Avoid it if you take tacrolimus after a transplant.", ["immunosuppressant"]),
        ("The drug is not licensed for this use.", ["not_approved"]),
        ("The trials were small and more research is needed.", ["small_trials"]),
        ("Many people take it with codeine for pain.", []),
        ("Taken with morphine, it reduced the risk of seizures in rats.", []),  # a benefit, not a warning
        ("Combined with oxycodone it lowers the risk of relapse.", []),
        (
            "Combined with oxycodone it lowers the risk of relapse, but do not take it with tramadol.",
            ["opioid"],
        ),
        ("There is a risk of withdrawal if you take it with codeine.", ["opioid"]),
    ],
)
def test_cautions_by_general_warning_language(sentence: str, kinds: list[str]) -> None:
    from bot.cautions import sentence_kinds

    assert sentence_kinds(sentence) == kinds
