"""corpus.pdf: text repairs on inline strings, made PDFs with pages, and broken PDFs reported by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.ingest import load_corpus
from corpus.models import PageSpan
from corpus.pdf import (
    PdfProblem,
    expand_ligatures,
    join_hyphenated,
    join_pages,
    load_pdf,
    reflow,
    repair_pages,
    restore_spaces,
)
from index.build import build_index, segment_documents
from index.manifest import ChunkingParams
from index.store import read_index
from tests.conftest import FakeEmbedder
from tests.pdfmaker import (
    make_blank_pdf,
    make_encrypted_pdf,
    make_garbage_pdf,
    make_pdf,
    make_truncated_pdf,
)

PAGE_1 = (
    "Low dose naltrexone is taken at night by many patients who\n"
    "have chronic pain and fibromyalgia, usually at a dose of 4.5 mg.\n"
    "It is cheap.\n"
    "Vivid dreams are a common side effect in the first weeks and\n"
    "they usually fade after a while without any treatment."
)
PAGE_2 = (
    "Patients who take opioid painkillers should not start LDN\n"
    "until the opioids are out of their system for two weeks.\n"
    "A compounding pharmacy prepares the capsules from tablets."
)


# --- repairs on inline strings ------------------------------------------------------------------------


def test_expand_ligatures_only_touches_ligatures():
    assert expand_ligatures("ﬁbromyalgia ﬂare eﬀect oﬃce baﬄe") == "fibromyalgia flare effect office baffle"
    untouched = "café – “quoted” ½ dose, 4.5 mg, naïve"
    assert expand_ligatures(untouched) == untouched


@pytest.mark.parametrize(
    ("text", "vocab", "expected"),
    [
        ("a treat-\nment plan", set(), "a treatment plan"),
        ("a treat-\n   ment plan", set(), "a treatment plan"),
        ("low-\ndose naltrexone", {"low-dose"}, "low-dose naltrexone"),
        ("low-\ndose naltrexone", set(), "lowdose naltrexone"),
        (
            "LOW-\nDOSE naltrexone",
            set(),
            "LOW-\nDOSE naltrexone",
        ),  # a capital after the break: not a split word
        ("anti-\ninflammatory drugs", {"anti-inflammatory"}, "anti-inflammatory drugs"),
        ("a dash -\nthen more", set(), "a dash -\nthen more"),
    ],
)
def test_join_hyphenated(text, vocab, expected):
    assert join_hyphenated(text, vocab) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("less pain.The next", "less pain. The next"),
        ("Does it work?Yes", "Does it work? Yes"),
        ("Other informationDosage", "Other information Dosage"),
        ("Dr. Jaquelyn McCandless found", "Dr. Jaquelyn McCandless found"),
        ("a dose of 4.5mg.", "a dose of 4.5mg."),
        ("already fine. Next", "already fine. Next"),
    ],
)
def test_restore_spaces(text, expected):
    assert restore_spaces(text) == expected


def test_reflow_joins_visual_lines_and_keeps_paragraphs():
    text = (
        "This is a long line of text that wraps around\n"
        "onto the next line of the same paragraph.\n"
        "Short end.\n"
        "A new paragraph starts on this line and it\n"
        "also continues on the following line."
    )
    assert reflow(text) == (
        "This is a long line of text that wraps around onto the next line of the same paragraph. Short end."
        "\n\nA new paragraph starts on this line and it also continues on the following line."
    )


def test_reflow_of_blank_text_is_empty():
    assert reflow("\n  \n") == ""


def test_repair_pages_drops_running_headers_and_page_numbers():
    pages = [
        f"LDN Patient Guide 2024\nPage {n} of 3\n{body}\n{n}"
        for n, body in enumerate(
            [
                "Naltrexone blocks opioid receptors for a short time at night.",
                "The body answers by making more of its own endorphins.",
                "Most people take the capsule once a day at bedtime.",
            ],
            start=1,
        )
    ]
    repaired = repair_pages(pages)
    assert repaired == [
        "Naltrexone blocks opioid receptors for a short time at night.",
        "The body answers by making more of its own endorphins.",
        "Most people take the capsule once a day at bedtime.",
    ]


def test_repair_pages_uses_the_documents_own_hyphen_vocabulary():
    pages = [
        "Low-dose naltrexone is not the same as the full dose of the drug at all.",
        "Patients on low-\ndose naltrexone and on a long treat-\nment plan were followed for a year.",
    ]
    repaired = repair_pages(pages)
    assert "low-dose naltrexone" in repaired[1]
    assert "treatment plan" in repaired[1]


def test_repair_pages_applies_every_repair():
    pages = [
        "The ﬁrst trial used 4.5 mg.Patients slept\nbetter and had less pain during the treat-\nment period."
    ]
    (page,) = repair_pages(pages)
    assert (
        page
        == "The first trial used 4.5 mg. Patients slept better and had less pain during the treatment period."
    )


def test_join_pages_offsets_and_run_on_sentences():
    text, spans = join_pages(["First page ends without a stop and", "", "continues here. Done.", "New page."])
    assert text == "First page ends without a stop and continues here. Done.\n\nNew page."
    assert [s.page for s in spans] == [1, 3, 4]  # the empty page 2 keeps its number, has no span
    for span, page in zip(
        spans, ["First page ends without a stop and", "continues here. Done.", "New page."], strict=True
    ):
        assert text[span.start : span.end] == page


# --- made PDFs ---------------------------------------------------------------------------------------------


def test_made_pdf_round_trips_through_pypdf(tmp_path: Path):
    from pypdf import PdfReader

    path = make_pdf(tmp_path / "guide.pdf", [PAGE_1, PAGE_2])
    reader = PdfReader(str(path))
    assert len(reader.pages) == 2
    assert reader.pages[0].extract_text().splitlines() == PAGE_1.split("\n")
    assert reader.pages[1].extract_text().splitlines() == PAGE_2.split("\n")


def test_load_pdf_repairs_text_and_records_pages(tmp_path: Path):
    text, spans = load_pdf(make_pdf(tmp_path / "guide.pdf", [PAGE_1, PAGE_2]))
    assert [s.page for s in spans] == [1, 2]
    assert "patients who have chronic pain" in text  # the visual line break became a space
    assert "It is cheap.\n\nVivid dreams" in text  # a short sentence-final line ended a paragraph
    assert text[spans[1].start :].startswith("Patients who take opioid painkillers")
    assert spans[0].end <= spans[1].start


def test_load_pdf_drops_running_header_and_page_numbers(tmp_path: Path):
    bodies = [
        "Naltrexone blocks opioid receptors for a short time.",
        "The body answers by making more endorphins.",
        "Most people take the capsule at bedtime.",
    ]
    pages = [f"Clinic Handout - LDN\n{b}\nPage {n} of 3" for n, b in enumerate(bodies, start=1)]
    text, spans = load_pdf(make_pdf(tmp_path / "handout.pdf", pages))
    assert "Clinic Handout" not in text
    assert "Page" not in text
    for span, body in zip(spans, bodies, strict=True):
        assert text[span.start : span.end] == body


def test_pdf_in_a_corpus_has_pages_on_every_sentence_and_passage(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "guide.pdf", [PAGE_1, PAGE_2])
    (corpus / "note.txt").write_text("Note\n\nLDN is taken once a day by most people.\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert not load.skipped
    docs = {d.doc_id: d for d in load.documents}
    assert [p.page for p in docs["guide"].pages] == [1, 2]
    assert docs["note"].pages == ()
    sentences, passages = segment_documents(load.documents, ChunkingParams())
    pdf_sentences = [s for s in sentences if s.doc_id == "guide"]
    pdf_passages = [p for p in passages if p.doc_id == "guide"]
    assert pdf_sentences and pdf_passages
    assert all(s.page in (1, 2) for s in pdf_sentences)
    assert all(p.page in (1, 2) for p in pdf_passages)
    assert all(s.page is None for s in sentences if s.doc_id == "note")
    by_text = {s.text: s.page for s in pdf_sentences}
    assert by_text["It is cheap."] == 1
    assert by_text["A compounding pharmacy prepares the capsules from tablets."] == 2
    for s in pdf_sentences:
        assert docs["guide"].text[s.start : s.end] == s.text


def test_document_page_at():
    from corpus.models import Document

    doc = Document("d", "d.pdf", "aaaa\n\nbbbb", "h", pages=(PageSpan(1, 0, 4), PageSpan(2, 6, 10)))
    assert doc.page_at(0) == 1
    assert doc.page_at(3) == 1
    assert doc.page_at(6) == 2
    assert doc.page_at(9) == 2
    assert Document("t", "t.txt", "abc", "h").page_at(1) is None


# --- broken PDFs --------------------------------------------------------------------------------------------

BROKEN = {
    "locked.pdf": (lambda p: make_encrypted_pdf(p, [PAGE_1]), "password"),
    "scan.pdf": (lambda p: make_blank_pdf(p, 2), "no extractable text"),
    "partial.pdf": (lambda p: make_truncated_pdf(p, [PAGE_1, PAGE_2]), "corrupt"),
    "header-only.pdf": (lambda p: make_truncated_pdf(p, [PAGE_1], keep=40), "corrupt"),
    "garbage.pdf": (make_garbage_pdf, "corrupt"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_load_pdf_raises_pdf_problem_naming_the_file(tmp_path: Path, name: str):
    make, reason = BROKEN[name]
    path = make(tmp_path / name)
    with pytest.raises(PdfProblem) as info:
        load_pdf(path)
    message = str(info.value)
    assert message.startswith(f"{name}:")
    assert reason in message


def test_owner_password_only_pdf_still_loads(tmp_path: Path):
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", [PAGE_1])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner-secret")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    text, _spans = load_pdf(path)
    assert "Vivid dreams are a common side effect" in text


def test_broken_pdfs_are_skipped_by_name_and_the_rest_still_indexes(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (make, _reason) in BROKEN.items():
        make(corpus / name)
    make_pdf(corpus / "guide.pdf", [PAGE_1, PAGE_2])
    (corpus / "note.txt").write_text("Note\n\nLDN is taken once a day by most people.\n", encoding="utf-8")

    load = load_corpus(corpus)
    assert sorted(d.doc_id for d in load.documents) == ["guide", "note"]
    skipped = {Path(s.path).name: s.reason for s in load.skipped}
    assert sorted(skipped) == sorted(BROKEN)
    for name, reason in skipped.items():
        assert reason.startswith(f"{name}:")
        assert BROKEN[name][1] in reason

    out = tmp_path / "index"
    result = build_index(corpus, out, embedder_factory=lambda: FakeEmbedder())
    assert sorted(Path(s.path).name for s in result.skipped) == sorted(BROKEN)
    assert sorted(Path(s["path"]).name for s in result.manifest.skipped) == sorted(BROKEN)
    data = read_index(out)
    assert set(data.documents) == {"guide", "note"}
    assert {s.doc_id for s in data.sentences} == {"guide", "note"}
    assert all(s.page in (1, 2) for s in data.sentences if s.doc_id == "guide")
