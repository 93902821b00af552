"""Helpers for the scale tests: an engine over a `FakeEmbedder` index, loadable by import path.

Ray replicas load their engine by a ``module:function`` string (`ScaleSettings.loader`), so
the fake engine must live in an importable module (not in a test function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.settings import Paths

if TYPE_CHECKING:
    from bot.engine import Engine

FAKE_LOADER = "tests.scale_support:fake_engine"


def fake_engine(paths: Paths) -> Engine:
    """The engine over an index built with `tests.conftest.FakeEmbedder` (no model), open
    (no abstention threshold) so that ordinary questions get quotes."""
    from bot.engine import BotSettings, Engine
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    return Engine(read_index(paths.index_dir), FakeEmbedder(), BotSettings(min_similarity=-1.0))  # type: ignore[arg-type]
