"""The answer stage inside `Engine.answer` (bundled corpus, fake embedder, scripted relevance)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot import messages
from bot.answer_settings import AnswerSettings, load_answer_settings
from bot.engine import BotSettings, Engine
from bot.models import Status
from bot.observe import Stage, StageTimes
from index.store import IndexData, read_index
from tests.conftest import FakeEmbedder


class Scripted:
    """Relevance 0.9 for sentences holding `needle`, 0.05 for the others."""

    name = "scripted"

    def __init__(self, needle: str):
        self.needle = needle.lower()
        self.questions: list[str] = []

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.questions.append(question)
        return np.array([0.9 if self.needle in t.lower() else 0.05 for t in texts], dtype=np.float32)


def on_relevance() -> AnswerSettings:
    s = load_answer_settings()
    return replace(s, rank=replace(s.rank, signal="relevance"))


@pytest.fixture(scope="module")
def data(fake_index: Path) -> IndexData:
    return read_index(fake_index)


def test_a_question_in_another_language_gets_the_english_only_message(data: IndexData) -> None:
    ans = Engine(data, FakeEmbedder()).answer("¿La naltrexona en dosis bajas ayuda con la fibromialgia?")
    assert ans.status is Status.INVALID and ans.message == messages.NOT_ENGLISH and not ans.quotes
    assert ans.advice == messages.ADVICE
    assert Engine(data, FakeEmbedder()).answer("LDN dose?").status is not Status.INVALID


def test_the_relevance_model_decides_the_first_quote_and_abstention(data: IndexData) -> None:
    model = Scripted("bedtime")
    eng = Engine(data, FakeEmbedder(), BotSettings(min_relevance=0.5), model, on_relevance())
    times = StageTimes()
    ans = eng.answer("What time of day should I take LDN, at bedtime?", observer=times)
    assert ans.status is Status.ANSWERED and "bedtime" in ans.quotes[0].text.lower()
    assert ans.signals["confidence"] == pytest.approx(0.9) and Stage.RERANK in times.seconds
    none = Engine(
        data,
        FakeEmbedder(),
        BotSettings(min_relevance=0.5),
        Scripted("no sentence says this"),
        on_relevance(),
    )
    declined = none.answer("What time of day should I take LDN, at bedtime?")
    assert declined.status is Status.NO_ANSWER and declined.signals["confidence"] < 0.5


def test_a_long_story_is_read_for_the_question_inside_it(data: IndexData) -> None:
    model = Scripted("bedtime")
    eng = Engine(data, FakeEmbedder(), BotSettings(min_relevance=0.5), model, on_relevance())
    story = (
        "I have had fibromyalgia for ten years and tried two other medicines without much luck, "
        "and my doctor finally suggested this one at my last visit in the spring. "
        "What time of day should I take LDN, at bedtime? Any advice?"
    )
    ans = eng.answer(story)
    assert ans.status is Status.ANSWERED
    assert "What time of day should I take LDN, at bedtime?" in model.questions  # the question inside
    assert story in model.questions  # and the whole message


def test_variant_keeps_the_relevance_model(data: IndexData) -> None:
    eng = Engine(data, FakeEmbedder(), None, Scripted("bedtime"))
    assert eng.variant(BotSettings(cache_size=0)).reranker is eng.reranker
    assert eng.ranker.abstention[0] in ("relevance", "similarity")


class Table:
    """Relevance by the first matching phrase of a table, 0.05 otherwise."""

    name = "table"

    def __init__(self, table: dict[str, float]):
        self.table = table

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        def one(t: str) -> float:
            return next((p for k, p in self.table.items() if k in t.lower()), 0.05)

        return np.array([one(t) for t in texts], dtype=np.float32)


def test_sources_that_disagree_both_show_and_the_conflict_note_fires(data: IndexData) -> None:
    model = Table({"may find relief": 0.9, "benefit is weak": 0.4})
    eng = Engine(data, FakeEmbedder(), BotSettings(min_relevance=0.5), model, on_relevance())
    ans = eng.answer("Does LDN help multiple sclerosis?")
    texts = [q.text.lower() for q in ans.quotes]
    assert "may find relief" in texts[0]
    assert any("benefit is weak" in t for t in texts), texts
    assert len({q.doc_id for q in ans.quotes}) >= 2
    assert any(c.kind == "conflict" for c in ans.caveats)


def test_the_answer_settings_cut_is_used_unless_the_bot_settings_override_it(data: IndexData) -> None:
    """An ablation file's abstention cut (`eval sets --answer-settings`) must reach the ranker; it
    was once replaced by the shipped cut through BotSettings' defaults."""
    s = load_answer_settings()
    strict = replace(s, rank=replace(s.rank, min_similarity=0.77, min_relevance=0.66))
    eng = Engine(data, FakeEmbedder(), answer=strict)
    assert eng.ranker.settings.min_similarity == 0.77 and eng.ranker.settings.min_relevance == 0.66
    assert eng.ranker.abstention == ("similarity", 0.77)
    override = Engine(data, FakeEmbedder(), BotSettings(min_similarity=0.1), answer=strict)
    assert override.ranker.settings.min_similarity == 0.1 and override.ranker.settings.min_relevance == 0.66
