"""The worked examples in module docstrings are tests too: run them."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "corpus.boilerplate",
    "corpus.datafile",
    "corpus.segment",
    "corpus.shape",
    "corpus.sentences",
    "corpus.passages",
    "corpus.pdf",
    "corpus.loaders",
    "index.build",
    "index.bm25",
    "bot.evidence",
    "bot.named_medicines",
    "bot.safety",
    "bot.triage.clauses",
    "bot.triage.cues",
    "bot.question",
    "bot.cautions",
    "bot.retrieve",
    "bot.followup",
    "bot.intent",
    "bot.story",
    "bot.coverage",
    "bot.render",
    "index.fusion",
    "index.adapter",
    "train.adapter_data",
    "index.cli",
    "index.rerank",
    "corpus.models",
    "eval.metrics",
    "eval.safety_gate_tables",
    "eval.safety_pool",
    "eval.safety_lobo",
    "eval.grounding_metrics",
    "eval.safety_weights",
    "bot.phrases",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
