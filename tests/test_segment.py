"""corpus.segment: quotable sentences and passage windows with exact offsets."""

from __future__ import annotations

import itertools

import pytest

from corpus.loaders import load_document
from corpus.segment import segment, split_sentences
from index.build import segment_documents
from index.manifest import ChunkingParams
from tests.conftest import seed_files

PARAMS = ChunkingParams()


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


# --- invariants on every seed document ----------------------------------------------------------


@pytest.fixture(scope="module", params=[p.name for p in seed_files()])
def seed(request):
    (path,) = [p for p in seed_files() if p.name == request.param]
    doc = load_document(path)
    seg = segment(doc.text)
    sentences, passages = segment_documents((doc,), PARAMS)
    return doc, seg, sentences, passages


def test_seed_has_quotable_sentences_and_passages(seed):
    doc, seg, sentences, passages = seed
    assert len(sentences) >= 10, doc.doc_id
    assert passages
    assert len(sentences) == len(seg.sentences)


def test_seed_sentence_and_passage_offsets_are_exact(seed):
    doc, seg, sentences, passages = seed
    for span in seg.sentences:
        assert doc.text[span.start : span.end] == span.text
    for unit in [*sentences, *passages]:
        assert unit.doc_id == doc.doc_id
        assert doc.text[unit.start : unit.end] == unit.text
        assert unit.text == unit.text.strip(), "a unit must not start or end with white space"
        assert unit.text


def test_seed_sentences_are_ordered_and_disjoint(seed):
    _doc, _seg, sentences, _passages = seed
    for prev, cur in itertools.pairwise(sentences):
        assert prev.end <= cur.start


def test_seed_no_boilerplate_heading_or_reference_overlaps_a_unit(seed):
    doc, seg, sentences, passages = seed
    furniture = [*seg.boilerplate, *seg.headings, *seg.references]
    for unit in [*sentences, *passages]:
        for span in furniture:
            assert not _overlaps(unit.start, unit.end, span.start, span.end), (
                f"{doc.doc_id}: {span.text[:60]!r} overlaps unit {unit.text[:60]!r}"
            )


def test_seed_headings_are_never_sentences(seed):
    _doc, seg, sentences, _passages = seed
    heading_texts = {h.text for h in seg.headings}
    assert heading_texts, "every seed has at least one heading"
    assert not heading_texts & {s.text for s in sentences}
    # A sentence's heading is one of the document's headings (context, never quoted itself).
    assert {s.heading for s in sentences} - {None} <= heading_texts


def test_seed_passages_are_windows_of_consecutive_sentences_of_one_run(seed):
    _doc, seg, sentences, passages = seed
    run_of = {k: r for r, run in enumerate(seg.runs) for k in run}
    assert sorted(run_of) == list(range(len(sentences))), "every sentence is in exactly one run"
    covered = set()
    for p in passages:
        ids = p.sentence_ids
        assert 1 <= len(ids) <= PARAMS.window_sentences
        assert list(ids) == list(range(ids[0], ids[0] + len(ids))), "consecutive sentences"
        assert len({run_of[k] for k in ids}) == 1, "a passage never crosses a section or furniture"
        assert p.start == sentences[ids[0]].start and p.end == sentences[ids[-1]].end
        assert p.heading == sentences[ids[0]].heading
        assert len(p.text) <= PARAMS.max_passage_chars or len(ids) == 1
        covered.update(ids)
    assert covered == set(range(len(sentences))), "every sentence is in some passage"


def test_seed_passage_gaps_hold_only_white_space(seed):
    doc, _seg, sentences, passages = seed
    for p in passages:
        for a, b in itertools.pairwise(p.sentence_ids):
            assert not doc.text[sentences[a].end : sentences[b].start].strip()


def test_seed_004_numbered_titles_are_headings_not_quotes():
    (path,) = [p for p in seed_files() if p.name.startswith("004_")]
    doc = load_document(path)
    seg = segment(doc.text)
    headings = [h.text for h in seg.headings]
    assert "2) LDN is effective in treating inflammatory (inflammatory-like) bowel diseases" in headings
    assert "LDN treats symptoms of fibromyalgia" in headings  # a subtitle right under "1) ..."
    ibd = [s for s in seg.sentences if s.heading and s.heading.startswith("2) ")]
    assert ibd and ibd[0].text.startswith("This pre-clinical study evaluated 42 patients")


def test_seed_002_lead_in_list_is_one_unit():
    (path,) = [p for p in seed_files() if p.name.startswith("002_")]
    doc = load_document(path)
    seg = segment(doc.text)
    (unit,) = [s for s in seg.sentences if s.text.startswith("The net effect of low dose naltrexone")]
    assert unit.text.endswith("• provides a natural analgesia.")
    assert unit.text.count("•") == 6
    assert not any(s.text.strip("• ") == "promote healing." for s in seg.sentences)


def test_seed_003_references_are_not_quoted():
    (path,) = [p for p in seed_files() if p.name.startswith("003_")]
    doc = load_document(path)
    seg = segment(doc.text)
    assert len(seg.references) == 10
    assert not any("Eur J Pain" in s.text or "Dig Dis Sci" in s.text for s in seg.sentences)


# --- sentence splitting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Bihari saw it. It worked.", ["Dr. Bihari saw it.", "It worked."]),
        (
            "Some drugs, e.g. opioids, interact. Avoid them.",
            ["Some drugs, e.g. opioids, interact.", "Avoid them."],
        ),
        (
            "Younger et al. ran two trials. Both were small.",
            ["Younger et al. ran two trials.", "Both were small."],
        ),
        ("The usual dose is 4.5 mg. Some take 1.5 mg.", ["The usual dose is 4.5 mg.", "Some take 1.5 mg."]),
        (
            "It rose in 76% of 42 patients.During treatment pain fell.",
            ["It rose in 76% of 42 patients.", "During treatment pain fell."],
        ),
        (
            "It boosts endorphins (R). It is cheap.",
            ["It boosts endorphins (R).", "It is cheap."],
        ),
        ("LDN helps sleep. (R). It is cheap.", ["LDN helps sleep. (R).", "It is cheap."]),
        ("Is it safe? Mostly! Ask first.", ["Is it safe? Mostly!", "Ask first."]),
        (
            "Is it safe? Yes, for most people. Ask first.",
            ["Is it safe?", "Yes, for most people.", "Ask first."],
        ),
        (
            "Take it at night i.e. before bed. Then sleep.",
            ["Take it at night i.e. before bed.", "Then sleep."],
        ),
        ('He said "it works." Then he left.', ['He said "it works."', "Then he left."]),
        (
            "Approved by the U.S. FDA in 1984. It is still used.",
            ["Approved by the U.S. FDA in 1984.", "It is still used."],
        ),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_split_sentences(text, expected):
    assert _split(text) == expected


def test_split_sentences_respects_bounds_and_trims():
    text = "Header line.   LDN is cheap. It works.  \n\nTail."
    start = text.index("LDN")
    end = text.index("\n\n")
    spans = split_sentences(text, start, end)
    assert [text[a:b] for a, b in spans] == ["LDN is cheap.", "It works."]
    assert all(start <= a < b <= end for a, b in spans)


def test_one_letter_initial_is_not_a_sentence_end():
    assert _split("Data from J. Younger show less pain. Good.") == [
        "Data from J. Younger show less pain. Good."
    ]


# --- paragraph, heading, list and reference shapes on new examples ----------------------------------


def test_markdown_headings_and_hard_wrapped_lines():
    text = (
        "# Dosage\n"
        "\n"
        "LDN is usually started at a low dose\n"
        "and increased slowly over several\n"
        "weeks. Many clinics use 4.5 mg as\n"
        "the target dose.\n"
        "\n"
        "## Timing\n"
        "Most people take it at night\n"
        "but some take it in the morning.\n"
    )
    seg = segment(text)
    assert [h.text for h in seg.headings] == ["# Dosage", "## Timing"]
    assert [(s.text, s.heading) for s in seg.sentences] == [
        ("LDN is usually started at a low dose\nand increased slowly over several\nweeks.", "# Dosage"),
        ("Many clinics use 4.5 mg as\nthe target dose.", "# Dosage"),
        ("Most people take it at night\nbut some take it in the morning.", "## Timing"),
    ]
    for s in seg.sentences:
        assert text[s.start : s.end] == s.text
    assert len(seg.runs) == 2


def test_lead_in_and_bullet_list_are_one_quotable_unit():
    text = (
        "Side effects\n"
        "\n"
        "Common side effects include the following:\n"
        "\n"
        "  • vivid dreams\n"
        "  • headache\n"
        "  • trouble sleeping\n"
        "\n"
        "These usually fade within a few weeks of starting.\n"
    )
    seg = segment(text)
    first, second = seg.sentences
    assert first.text == (
        "Common side effects include the following:\n\n  • vivid dreams\n  • headache\n  • trouble sleeping"
    )
    assert text[first.start : first.end] == first.text
    assert second.text == "These usually fade within a few weeks of starting."
    assert not any(s.text.strip() in {"• vivid dreams", "vivid dreams"} for s in seg.sentences)


def test_lead_in_list_stops_at_furniture():
    text = (
        "Side effects\n\n"
        "Reported effects are:\n"
        "- vivid dreams\n"
        "- headache\n"
        "- Share this post\n"
        "\n"
        "Most of them fade within a few weeks.\n"
    )
    seg = segment(text)
    assert seg.sentences[0].text == "Reported effects are:\n- vivid dreams\n- headache"
    assert "- Share this post" in [b.text for b in seg.boilerplate]


def test_bullets_without_lead_in_are_sentences_when_long_enough():
    text = (
        "Notes\n\n"
        "• LDN is made by compounding pharmacies.\n"
        "• cancer\n"
        "• It is usually taken once a day at bedtime.\n"
    )
    seg = segment(text)
    assert [s.text for s in seg.sentences] == [
        "LDN is made by compounding pharmacies.",
        "It is usually taken once a day at bedtime.",
    ]


def test_navigation_bullets_are_boilerplate():
    text = "  • Home\n  • |\n  • Articles\n  • |\n  • Sleep\n\nIntro\n\nLDN is taken once a day by most people.\n"
    seg = segment(text)
    assert [s.text for s in seg.sentences] == ["LDN is taken once a day by most people."]
    assert len(seg.boilerplate) == 5


def test_headings_shapes():
    text = (
        "HOW DOES LDN WORK?\n\n"
        "It blocks receptors for a short time. Then the body makes more endorphins.\n\n"
        "2) LDN helps with IBD\n"
        "Patients had fewer symptoms in one trial. Results varied between people.\n"
    )
    seg = segment(text)
    assert [h.text for h in seg.headings] == ["HOW DOES LDN WORK?", "2) LDN helps with IBD"]
    assert [s.heading for s in seg.sentences] == ["HOW DOES LDN WORK?"] * 2 + ["2) LDN helps with IBD"] * 2
    assert seg.runs == ((0, 1), (2, 3))


@pytest.mark.parametrize(
    "references",
    [
        "(1) Smith J. Pain Med. 2019 Jan;20(1):33-40.\n\n"
        "(2) Safety of LDN in Children With Crohn’s Disease: A Pilot Study. Smith JP, Field D.\n",
        "1. Younger J, Mackey S. Fibromyalgia symptoms are reduced by low-dose naltrexone: a pilot study.\n\n"
        "2. Smith JP, Field D. Safety of LDN in children with Crohn's disease: a pilot study.\n",
        "- Younger J, Mackey S. Fibromyalgia symptoms are reduced by low-dose naltrexone: a pilot study.\n"
        "- Smith JP, Field D. Safety of LDN in children with Crohn's disease: a pilot study.\n",
    ],
    ids=["parenthesised-numbers", "numbered-list", "bulleted-list"],
)
def test_reference_sections_are_never_quoted(references):
    text = "Intro\n\nLDN is taken at night by most people.\n\nReferences\n\n" + references
    seg = segment(text)
    assert [s.text for s in seg.sentences] == ["LDN is taken at night by most people."]
    assert len(seg.references) == 2
    assert "References" in [h.text for h in seg.headings]


def test_a_heading_after_references_ends_the_section():
    text = (
        "References\n\n"
        "1. Younger J, Mackey S. Fibromyalgia symptoms are reduced by low-dose naltrexone: a pilot study.\n\n"
        "## Living with LDN\n\n"
        "Most people take the capsule at bedtime with water.\n"
    )
    seg = segment(text)
    assert [(s.text, s.heading) for s in seg.sentences] == [
        ("Most people take the capsule at bedtime with water.", "## Living with LDN")
    ]


def test_inline_citation_paragraph_is_a_reference():
    text = "Sources\n\nClin Rheumatol. 2014 Apr;33(4):451-9. doi: 10.1007/s10067-014-2517-2.\n"
    seg = segment(text)
    assert not seg.sentences
    assert len(seg.references) == 1


def test_repeated_short_line_is_boilerplate():
    text = (
        "Intro\n\nLDN is cheap and widely available.\n\nOur Clinic Team\n\nOur Clinic Team\n\n"
        "We see patients every day of the week here.\n"
    )
    seg = segment(text)
    assert [b.text for b in seg.boilerplate] == ["Our Clinic Team"]
    assert [h.text for h in seg.headings] == ["Intro", "Our Clinic Team"]
    assert seg.sentences[-1].heading == "Our Clinic Team"


def test_crlf_text_keeps_exact_offsets():
    text = "Intro\r\n\r\nLDN is taken at night. It is cheap for most patients.\r\n\r\nShare this post\r\n"
    seg = segment(text)
    assert [s.text for s in seg.sentences] == ["LDN is taken at night.", "It is cheap for most patients."]
    for span in [*seg.sentences, *seg.headings, *seg.boilerplate]:
        assert text[span.start : span.end] == span.text
        assert "\r" not in span.text


def test_empty_and_blank_text():
    for text in ["", "\n\n   \n", "Share this post\n"]:
        seg = segment(text)
        assert seg.sentences == () and seg.runs == ()
        assert seg.windows(4, 1, 1200) == []


# --- passage windows ------------------------------------------------------------------------------------


def _paragraph(n: int) -> str:
    return "Intro\n\n" + " ".join(f"Sentence number {k} talks about naltrexone." for k in range(n)) + "\n"


def test_windows_overlap_by_the_requested_number_of_sentences():
    seg = segment(_paragraph(10))
    assert len(seg.sentences) == 10
    windows = seg.windows(4, 1, 10_000)
    assert windows == [(0, 1, 2, 3), (3, 4, 5, 6), (6, 7, 8, 9)]


def test_windows_without_overlap_and_short_tail():
    seg = segment(_paragraph(5))
    assert seg.windows(2, 0, 10_000) == [(0, 1), (2, 3), (4,)]


def test_windows_respect_max_chars():
    seg = segment(_paragraph(6))
    length = len(seg.sentences[0].text)
    windows = seg.windows(4, 1, max_chars=2 * length + 1)
    assert all(len(w) <= 2 for w in windows)
    assert {k for w in windows for k in w} == set(range(6))
    for w in windows:
        assert seg.sentences[w[-1]].end - seg.sentences[w[0]].start <= 2 * length + 1


def test_a_single_long_sentence_is_still_a_window():
    seg = segment(_paragraph(3))
    assert seg.windows(4, 1, max_chars=5) == [(0,), (1,), (2,)]
