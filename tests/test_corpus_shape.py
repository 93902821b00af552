"""corpus.shape and its use by the line reader: sentences of pages written by others are not lost.

Invariants on tiny inline texts, none taken from a corpus: a bullet followed by a lone list marker
keeps its text as a sentence; a sentence-shaped line without a full stop is quoted, not read as a
heading, while titles (noun phrases, questions, Title Case, lone "If ..." clauses, lead-ins) stay
headings; offsets stay exact (`text[start:end] == span.text`) and units never overlap furniture.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from corpus.segment import Segmentation, segment
from corpus.shape import is_lone_marker, is_sentence_line, rules
from eval.corpus_audit import audit_text


def _check_offsets(text: str, seg: Segmentation) -> None:
    for span in [*seg.sentences, *seg.headings, *seg.boilerplate, *seg.references]:
        assert text[span.start : span.end] == span.text
    for a, b in itertools.pairwise(seg.sentences):
        assert a.end <= b.start
    for s in seg.sentences:
        for h in seg.headings:
            assert s.end <= h.start or h.end <= s.start, (s.text, h.text)


@pytest.mark.parametrize("marker", ["-", "•", "*", "–"])
def test_a_bullet_followed_by_a_lone_marker_keeps_its_text(marker):
    text = (
        "Driving\n"
        "- This medicine may make you feel dizzy when you first take it.\n"
        f"{marker}\n"
        "That could matter if you drive a car or use machines at work.\n"
        "- Most people drive as normal once they are used to it.\n"
    )
    seg = segment(text)
    _check_offsets(text, seg)
    quoted = [s.text for s in seg.sentences]
    assert quoted == [
        "This medicine may make you feel dizzy when you first take it.",
        "That could matter if you drive a car or use machines at work.",
        "Most people drive as normal once they are used to it.",
    ]
    assert not seg.boilerplate


def test_a_separator_item_still_marks_a_navigation_menu():
    text = "• Home\n• |\n• Stories about our new patients here\n\nIntro\n\nThe tablet is taken once a day.\n"
    seg = segment(text)
    assert [s.text for s in seg.sentences] == ["The tablet is taken once a day."]
    assert len(seg.boilerplate) == 3


@pytest.mark.parametrize(
    "line",
    [
        "This medicine is not a banned substance in sport",
        "Try not to start the tablets just before an important exam",
        "You can drink alcohol with it, but it could make you very sleepy",
        "Children under twelve should not be given this medicine",
    ],
)
def test_a_sentence_shaped_line_is_quoted_not_a_heading(line):
    text = f"Everyday life\n\n{line}\n\nTalk to a pharmacist if you are unsure what to do.\n"
    seg = segment(text)
    _check_offsets(text, seg)
    assert line in [s.text for s in seg.sentences]
    assert line not in [h.text for h in seg.headings]
    assert not audit_text("doc", text)[1:], "only the first title line may be left unquoted"


@pytest.mark.parametrize(
    "title",
    [
        "Health benefits of the medicine",  # a noun phrase, no finite verb
        "What to Do if You Miss a Dose",  # Title Case
        "How long does it take to start working",  # a question without "?"
        "Is it safe to take it with other medicines?",
        "If you are pregnant or breastfeeding",  # a lone subordinate clause
        "Side effects",
        "2) The medicine is effective in treating bowel disease",  # a numbered title
    ],
)
def test_titles_stay_headings(title):
    text = f"{title}\n\nThe tablet is usually taken once a day with water.\n"
    seg = segment(text)
    _check_offsets(text, seg)
    assert [h.text for h in seg.headings] == [title]
    assert [(s.text, s.heading) for s in seg.sentences] == [
        ("The tablet is usually taken once a day with water.", title)
    ]


def test_a_sentence_line_above_a_sentence_without_blank_line_is_its_own_sentence():
    text = (
        "Safety\n"
        "It may stay active longer in older people.\n"
        "The tablet is sold as a food supplement in some countries\n"
        "In other countries, it is a prescription medicine.\n"
    )
    seg = segment(text)
    _check_offsets(text, seg)
    assert [s.text for s in seg.sentences] == [
        "It may stay active longer in older people.",
        "The tablet is sold as a food supplement in some countries",
        "In other countries, it is a prescription medicine.",
    ]


def test_a_title_glued_above_a_sentence_is_still_cut_off():
    text = "Intro\n\nIt is cheap.\nSide effects\nIn the studies, most people had none.\n"
    seg = segment(text)
    _check_offsets(text, seg)
    assert [s.text for s in seg.sentences] == ["It is cheap.", "In the studies, most people had none."]
    assert "Side effects" in [h.text for h in seg.headings]


def test_shape_helpers():
    assert is_sentence_line("Sleep is not affected for most people who take it")
    assert not is_sentence_line("Sleep is fine")  # too short to tell from a title
    assert not is_sentence_line("Sleep problems in children and teenagers")
    assert not is_sentence_line("The following people should not take it:")
    assert is_lone_marker("•") and is_lone_marker("  -  ")
    assert not is_lone_marker("--") and not is_lone_marker("- a") and not is_lone_marker("|")


def test_the_data_file_is_validated(tmp_path: Path):
    assert rules().min_words >= 2
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\nmin_words = 6\nmax_title_case_share = 0.5\nfinite_verbs = []\n")
    with pytest.raises(ValueError, match="finite_verbs"):
        rules(bad)
    bad.write_text(
        'version = 1\nmin_words = 1\nmax_title_case_share = 0.5\nfinite_verbs = ["is"]\n'
        'negations = ["not"]\nquestion_words = ["how"]\nsubordinators = ["if"]\n'
    )
    with pytest.raises(ValueError, match="min_words"):
        rules(bad)


def test_audit_names_the_reason_a_line_is_lost():
    text = "Intro\n\n- short item\n\nShare this post\n\nThe tablet is taken once a day.\n"
    lost = {line.text: line.reason for line in audit_text("doc", text)}
    assert lost == {"Intro": "heading", "- short item": "dropped", "Share this post": "boilerplate"}


# --- pages saved one paragraph per line: a title line is context, a wrapped line is not cut --------


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Pregnancy and this medicine", "It can be taken in pregnancy."),
        ("How and When to Take It", "Take one tablet daily at any time."),
        ("The Dose of The Medication", "Adults typically start with one tablet a day."),
    ],
)
def test_a_title_on_its_own_line_is_not_part_of_the_quote(title, body):
    text = f"Some pages lose their blank lines.\n{title}\n{body}\nIt is the same for everyone.\n"
    seg = segment(text)
    _check_offsets(text, seg)
    assert body in [s.text for s in seg.sentences]
    assert title in [h.text for h in seg.headings]
    assert not any(title in s.text for s in seg.sentences)


@pytest.mark.parametrize(
    "text",
    [
        "Possible side effects\nNausea\nHeadaches\nDry mouth\n",  # an unmarked list: nothing cut
        "In 2013 a small trial in\nCalifornia found less pain in most people.\n",  # a hard wrap
        "People who took it said they could not sleep as\nMelatonin kept them awake.\n",
    ],
)
def test_short_lines_in_a_row_and_hard_wraps_stay_whole(text):
    seg = segment("Intro\n\n" + text)
    assert [s.text for s in seg.sentences] == [text.strip()]


def test_a_sentence_shaped_line_is_never_cut_off_as_a_glued_heading():
    text = "Intro\n\nIt is sold in most shops as\nIn the US, it is a food supplement.\n"
    seg = segment(text)
    _check_offsets(text, seg)
    assert [h.text for h in seg.headings] == ["Intro"]
    assert [s.text for s in seg.sentences] == [
        "It is sold in most shops as",
        "In the US, it is a food supplement.",
    ]
