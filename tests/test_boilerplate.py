"""corpus.boilerplate: page furniture is recognised by its shape and never reaches a quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus.boilerplate import (
    has_call_to_action,
    is_boilerplate_line,
    is_bullet,
    is_interface_prompt,
    is_link_list_heading,
    is_menu,
    is_separator_only,
    strip_bullet,
)
from corpus.loaders import load_document
from corpus.models import Document
from corpus.segment import segment
from index.build import segment_documents
from index.manifest import ChunkingParams
from tests.conftest import seed_files

# Lines of the bundled seed pages that are page furniture, with the seed that holds them.
SEED_BOILERPLATE = [
    ("000_", "Sign up to have them delivered right to your inbox."),
    ("001_", "Share this post"),
    ("001_", "Type and hit enter"),
    ("002_", "• Home"),
    ("002_", "• |"),
    ("002_", "• Blog"),
    (
        "002_",
        '{"email":"Email address invalid","url":"Website address invalid","required":"Required field missing"}',
    ),
    ("002_", "Related Posts"),
    ("002_", "Does Medicine Make a Difference?"),
    ("002_", "The FDA Drug Approval Process"),
    ("002_", "Early Onset Dementia: 15 Risk Factors"),
    ("002_", "Photo courtesy of Pixabay"),
    ("003_", "CONTACT US AT INFO@HEALTHBYARV.COM"),
    ("004_", "make an appointment for a free informational phone consultation"),
]


def _load_seed(prefix: str) -> Document:
    (path,) = [p for p in seed_files() if p.name.startswith(prefix)]
    return load_document(path)


@pytest.fixture(scope="module")
def seed_units() -> list[tuple[Document, list, list]]:
    """(document, sentences, passages) of every seed."""
    out = []
    for path in seed_files():
        doc = load_document(path)
        sentences, passages = segment_documents((doc,), ChunkingParams())
        out.append((doc, sentences, passages))
    return out


def test_the_seed_corpus_is_there():
    assert len(seed_files()) >= 5


@pytest.mark.parametrize(("prefix", "needle"), SEED_BOILERPLATE, ids=[n[:30] for _, n in SEED_BOILERPLATE])
def test_seed_boilerplate_is_in_the_seed_but_in_no_sentence_or_passage(prefix, needle, seed_units):
    doc = _load_seed(prefix)
    assert needle in doc.text, "the seed changed: this boilerplate line is no longer in it"
    for _doc, sentences, passages in seed_units:
        for unit in [*sentences, *passages]:
            assert needle not in unit.text, f"boilerplate {needle!r} quoted in {unit.doc_id}"


@pytest.mark.parametrize(("prefix", "needle"), SEED_BOILERPLATE, ids=[n[:30] for _, n in SEED_BOILERPLATE])
def test_seed_boilerplate_occurrences_are_covered_by_boilerplate_spans(prefix, needle):
    doc = _load_seed(prefix)
    seg = segment(doc.text)
    for m in re.finditer(re.escape(needle), doc.text):
        assert any(b.start <= m.start() and m.end() <= b.end for b in seg.boilerplate), (
            f"{needle!r} at {m.start()} is not inside a boilerplate span"
        )


def test_related_posts_list_of_seed_002_is_all_boilerplate():
    doc = _load_seed("002_")
    seg = segment(doc.text)
    start = doc.text.index("Related Posts")
    end = doc.text.index("Dr. Joe is board certified")
    titles = [m for m in re.finditer(r"[^\n]+", doc.text[start:end]) if m.group().strip()]
    assert len(titles) >= 9  # the heading, four titles twice, the author's name
    for m in titles:
        a, b = start + m.start(), start + m.end()
        assert any(s.start <= a and b <= s.end for s in seg.boilerplate), m.group()
    # The same words earlier in the page (the article's own title, a heading) are not quoted either.
    assert all("Related Posts" not in s.text for s in seg.sentences)


@pytest.mark.parametrize(
    "line",
    [
        "Share this post",
        "Type and hit enter",
        "  • |",
        "|",
        "»",
        "• • •",
        '{"email":"Email address invalid","required":"Required field missing"}',
        "Photo courtesy of Pixabay",
        "Sign up to have them delivered right to your inbox.",
        # New shapes, not in the seeds:
        "Home » Articles » Health",
        "Home | Blog | Contact",
        "Follow us on Facebook",
        "Leave a reply",
        "Leave a comment",
        '[{"id": 12, "slug": "ldn-and-sleep"}]',
        '{"nonce":"a81f","ajaxurl":"/wp-admin/admin-ajax.php"}',
        "You may also like",
        "You might also enjoy:",
        "Recent Articles",
        "Popular posts:",
        "Image by Freepik",
        "Photos courtesy of the clinic",
        "© 2024 Example Health Clinic",
        "Copyright 2023 Example Clinic. All rights reserved.",
        "Read more",
        "Continue reading →",
        "Posted in Pain Management",
        "Tags: LDN, fibromyalgia, pain",
        "Filed under Chronic Pain",
        "Subscribe to our newsletter",
        "Click here to download the brochure",
        "Call us today to book an appointment with Dr. Smith.",
        "Write to hello@example-clinic.org for details",
        "Visit www.example-clinic.org",
        "Back to top",
        "Skip to main content",
        "Accept cookies",
    ],
)
def test_boilerplate_shapes(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Naltrexone blocks this receptor.",
        "Low dose naltrexone is usually taken at bedtime.",
        "Vivid dreams are the most common side effect of LDN.",
        # The documented trade-off: a sentence that only mentions an interface verb survives.
        "Share your symptoms with your doctor.",
        "Read the label before you take the first dose.",
        "Follow the dosing schedule your prescriber gave you.",
        "People with opioid prescriptions should not take LDN without medical advice.",
        "Common side effects include the following:",
        "Side effects were: headache, vivid dreams, dry mouth.",
        "It was used off label for HIV in the 1980s (R).",
        "The dose ranges from 1.5 mg to 4.5 mg; 3 mg is a common middle step.",
    ],
)
def test_content_lines_are_not_boilerplate(line):
    assert not is_boilerplate_line(line)


def test_strip_bullet_and_is_bullet():
    assert strip_bullet("  • promote healing.") == "promote healing."
    assert strip_bullet("- vivid dreams") == "vivid dreams"
    assert strip_bullet("2) LDN helps") == "LDN helps"
    assert strip_bullet("Naltrexone works.") == "Naltrexone works."
    assert is_bullet("  • cancer")
    assert is_bullet("– LDN increases the release of endorphins")
    assert is_bullet("1. First item")
    assert not is_bullet("1.5 mg is a low dose")
    assert not is_bullet("LDN works")


def test_separator_menu_and_link_list_helpers():
    assert is_separator_only("  | » • ")
    assert is_separator_only("")
    assert not is_separator_only("| Blog |")
    assert is_menu("Home | Blog | Contact")
    assert is_menu("Home » Articles » Health")
    assert not is_menu("Naltrexone works by blocking opioid receptors we have throughout our tissues.")
    assert is_link_list_heading("Related Posts")
    assert is_link_list_heading("• Related articles:")
    assert is_link_list_heading("You may also like")
    assert not is_link_list_heading("Related side effects of naltrexone")


def test_interface_prompt_is_only_for_short_lines():
    assert is_interface_prompt("Share this post")
    assert is_interface_prompt("Sign in")
    assert not is_interface_prompt("Share this post with anyone who asks about the dose of naltrexone")
    assert not is_interface_prompt("Vivid dreams")


def test_call_to_action_anywhere_in_a_sentence():
    assert has_call_to_action(
        "Are you wondering if LDN can help? Make an appointment for a free consultation."
    )
    assert has_call_to_action("Questions? Contact us at the front desk.")
    assert has_call_to_action("See https://example.org/ldn for the study.")
    assert has_call_to_action("Write to info@example.org.")
    assert not has_call_to_action("LDN is usually prescribed at 4.5 mg.")


def test_long_content_sentence_with_a_cta_word_is_still_content():
    # CTA rules on whole lines only fire up to 25 words; a long content line survives.
    line = (
        "In the trial, patients who had to sign up for weekly visits reported less pain, better sleep, "
        "more energy, fewer flares and a better mood than patients on placebo after twelve weeks of treatment."
    )
    assert len(line.split()) > 25
    assert not is_boilerplate_line(line)


def test_inline_web_page_keeps_only_content(tmp_path: Path):
    page = (
        "Home » Articles » Health\n"
        "\n"
        "LDN and Sleep\n"
        "\n"
        "Low dose naltrexone is often taken at bedtime. Some people notice vivid dreams during the first weeks.\n"
        "\n"
        '{"nonce":"a81f","ajaxurl":"/wp-admin/admin-ajax.php"}\n'
        "\n"
        "Follow us on Facebook\n"
        "\n"
        "Taking it in the morning can reduce the dreams. Ask your prescriber before changing the time.\n"
        "\n"
        "You may also like\n"
        "\n"
        "Ten Foods That Fight Inflammation\n"
        "\n"
        "Why Sleep Matters\n"
        "\n"
        "  • Magnesium and Muscle Cramps\n"
        "  • The Truth About Detox Teas\n"
        "\n"
        "Leave a reply\n"
    )
    seg = segment(page)
    assert [s.text for s in seg.sentences] == [
        "Low dose naltrexone is often taken at bedtime.",
        "Some people notice vivid dreams during the first weeks.",
        "Taking it in the morning can reduce the dreams.",
        "Ask your prescriber before changing the time.",
    ]
    assert all(s.heading == "LDN and Sleep" for s in seg.sentences)
    boiler = {b.text.strip() for b in seg.boilerplate}
    for line in [
        "Home » Articles » Health",
        '{"nonce":"a81f","ajaxurl":"/wp-admin/admin-ajax.php"}',
        "Follow us on Facebook",
        "You may also like",
        "Ten Foods That Fight Inflammation",
        "Why Sleep Matters",
        "• Magnesium and Muscle Cramps",
        "• The Truth About Detox Teas",
        "Leave a reply",
    ]:
        assert line in boiler, line
    # The JSON and "Follow us" lines split the content into two runs: no passage spans them.
    assert len(seg.runs) == 2


def test_cta_sentence_inside_a_paragraph_is_dropped_but_its_neighbours_stay():
    text = (
        "Dosing\n\n"
        "Most people take 4.5 mg of naltrexone at night, before going to bed. "
        "Make an appointment for a free consultation today. "
        "The capsules are made by a compounding pharmacy from the 50 mg tablets.\n"
    )
    seg = segment(text)
    assert [s.text for s in seg.sentences] == [
        "Most people take 4.5 mg of naltrexone at night, before going to bed.",
        "The capsules are made by a compounding pharmacy from the 50 mg tablets.",
    ]
    assert any("Make an appointment" in b.text for b in seg.boilerplate)
    # The dropped sentence sits between the two: they are not one passage run.
    assert len(seg.runs) == 2
