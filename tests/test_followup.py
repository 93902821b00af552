"""`bot.followup.resolve_follow_up`: short follow-ups are merged, full questions never are."""

from __future__ import annotations

import pytest

from bot.followup import resolve_follow_up
from bot.question import MAX_CHARS
from bot.safety import detect_emergency


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        ("and for MS?", "Is LDN used for fibromyalgia?", "Is LDN used for MS?"),
        ("same for MS", "Is LDN used for fibromyalgia?", "Is LDN used for MS?"),
        (
            "And in Crohn's disease?",
            "What dose of LDN is used for pain?",
            "What dose of LDN is used in Crohn's disease?",
        ),
        ("what about side effects?", "Does LDN help fibromyalgia?", "LDN: what about side effects?"),
        ("and the dose?", "Is LDN used for MS?", "LDN for MS: what about the dose?"),
        ("how about kids", "Is low dose naltrexone safe?", "low dose naltrexone: what about kids?"),
        ("also, can I drink alcohol?", "Does LDN help fibromyalgia?", "LDN: can I drink alcohol?"),
        ("and is it safe?", "Does LDN help fibromyalgia?", "Is LDN safe?"),
        ("what about taking it at night", "Does LDN cause vivid dreams?", "What about taking LDN at night?"),
        ("and for MS?", "Can I take LDN with oxycodone?", "What about LDN for MS?"),
        ("and for MS?", "What is the usual dose?", "What about LDN for MS?"),
    ],
)
def test_short_follow_ups_become_stand_alone(follow_up: str, previous: str, expected: str) -> None:
    assert resolve_follow_up(follow_up, previous) == (expected, True)


@pytest.mark.parametrize(
    "question",
    [
        "Does LDN cause vivid dreams?",
        "What is the usual dose of low-dose naltrexone?",
        "And does LDN help MS?",  # names the medicine: its own subject
        "also is naltrexone safe in pregnancy?",
        "Can I take it with food?",  # no follow-up cue
        "side effects?",  # no cue: answered as typed
        "and what about the cost of a month of treatment in Canada and the US",  # too long
        "and",
        "",
    ],
)
def test_full_or_unclear_questions_are_never_rewritten(question: str) -> None:
    assert resolve_follow_up(question, "Is LDN used for fibromyalgia?") == (question, False)


def test_no_previous_question_means_no_rewrite() -> None:
    assert resolve_follow_up("and for MS?", None) == ("and for MS?", False)
    assert resolve_follow_up("and for MS?", "") == ("and for MS?", False)


@pytest.mark.parametrize(
    "emergency", ["and I took too many pills", "also my chest hurts right now", "and I want to die"]
)
def test_an_emergency_follow_up_is_answered_alone(emergency: str) -> None:
    assert detect_emergency(emergency).is_emergency
    assert resolve_follow_up(emergency, "Does LDN help fibromyalgia?") == (emergency, False)


def test_an_emergency_is_never_merged_into_the_next_question() -> None:
    assert resolve_follow_up("and for MS?", "I took too many pills") == ("and for MS?", False)


def test_rewrite_stays_within_the_question_limit() -> None:
    long_previous = "Is LDN used for " + "x" * (MAX_CHARS - 10) + "?"
    used, rewritten = resolve_follow_up("and for MS?", long_previous)
    assert len(used) <= MAX_CHARS
    assert rewritten is (used != "and for MS?")


def test_rewritten_questions_keep_the_follow_up_words() -> None:
    for follow_up in ("and for multiple sclerosis?", "what about the dose?", "how about children"):
        used, rewritten = resolve_follow_up(follow_up, "Is LDN used for fibromyalgia?")
        assert rewritten
        last_words = follow_up.rstrip("?").split()[-1]
        assert last_words in used
