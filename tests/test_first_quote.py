"""The first quote answers the page's examples and the commonest first questions (issue #11).

Real model, real relevance model, the bundled corpus: marked `model`. Each case is a generic
question template (what new users ask first: does it help X, what dose, when to take it, how
long until it works, is it approved, what does it cost) with the *shape* its first quote must
have, written as test data from the sources' own answers (see the issue's table): the first
quote of the reply must match it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.engine import Engine
from bot.models import Status
from bot.web.layout import EXAMPLES
from index.build import build_index
from tests.conftest import SEED_CORPUS_DIR

pytestmark = pytest.mark.model
# Not reached yet (2026-12-01, settings chosen on dev + the melatonin transfer-dev corpus, see
# bot/data/answer.toml): strict, so the day one of these passes the marker must go. Reached by the
# general first-quote rule of bot/select.py (position + cosine + answer shape): fibromyalgia,
# timing, approval. Still missed: dose (the bedtime sentence keeps first place by a hair) and
# onset (a trial's length, "for 12 weeks", has the time-span shape too).
NOT_YET = pytest.mark.xfail(strict=True, reason="first quote does not answer yet (issue #11)")


def _case(question: str, shape: str, *, reached: bool = True) -> Any:
    return pytest.param(question, shape, marks=() if reached else NOT_YET)


FIRST_QUOTE = [
    _case(
        "Does LDN help fibromyalgia?",
        r"(?i)fibromyalgia.*\b(reduc|improv|reliev|relief)|\b(reduc|improv)\w*.*fibromyalgia",
    ),
    _case("What dose of LDN is usually used?", r"(?i)\d(\.\d)?\s?(mg|milligram)", reached=False),
    _case(
        "When should I take LDN, morning or night?",
        r"(?i)bedtime|at night|in the morning|evening",
    ),
    _case(
        "How long until LDN starts working?",
        r"(?i)\b(within|after|takes?)\b.{0,20}\b(days?|weeks?|months?)\b",
        reached=False,
    ),
    _case("Is LDN approved by the FDA?", r"(?i)\bnot\b.{0,20}approved"),
    _case("How much does LDN cost?", r"\$\s?\d"),
    _case("Does LDN cause vivid dreams?", r"(?i)dream"),
    _case("Can I take LDN with opioid painkillers?", r"(?i)opioid|opiate|narcotic"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    out = tmp_path_factory.mktemp("first") / "index"
    build_index(SEED_CORPUS_DIR, out)
    return Engine.load(out)


def test_the_page_examples_are_all_covered() -> None:
    assert set(EXAMPLES) <= {p.values[0] for p in FIRST_QUOTE}


@pytest.mark.parametrize(("question", "shape"), FIRST_QUOTE)
def test_first_quote_answers_the_question(engine: Engine, question: str, shape: str) -> None:
    answer = engine.answer(question)
    assert answer.status == Status.ANSWERED, question
    first = answer.quotes[0].text
    assert re.search(shape, first), f"{question!r} -> first quote {first!r}"
