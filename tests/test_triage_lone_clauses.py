"""Lone clauses: the suicide component also scores clauses alone; the emergency score does not."""

from __future__ import annotations

import numpy as np

from bot.safety import Triager
from bot.triage.clauses import lone_clauses, units
from tests.conftest import FakeEmbedder

FAREWELL = "I've written letters to everyone. Is LDN ok with wine? My GP is away this week and I have a cold."


def test_lone_clauses_are_the_clauses_not_already_units() -> None:
    scored = units(FAREWELL, 14)
    lone = lone_clauses(FAREWELL, 4, scored)
    assert "I've written letters to everyone." in lone
    assert not set(lone) & set(scored)
    assert lone_clauses("Is LDN ok with wine?", 4, units("Is LDN ok with wine?", 14)) == []  # one clause
    assert all(len(c.split()) >= 6 for c in lone_clauses(FAREWELL, 6, scored))


def test_lone_units_count_for_the_suicide_component_only() -> None:
    emb = FakeEmbedder()
    triager = Triager.fitted(emb)
    texts = triager.units(FAREWELL)
    n = len(triager.scored_units(FAREWELL))
    assert texts[:n] == triager.scored_units(FAREWELL) and len(texts) > n
    vectors = emb.encode(texts)
    plain = triager.unit_scores(texts, vectors)
    split = triager.unit_scores(texts, vectors, n)
    assert (
        np.all(split.p_emergency[n:] == 0)
        and np.all(split.acuity[n:] == 0)
        and np.all(split.red_flag[n:] == 0)
    )
    np.testing.assert_array_equal(split.p_emergency[:n], plain.p_emergency[:n])
    np.testing.assert_array_equal(split.p_suicide, plain.p_suicide)  # every unit, lone ones too
    np.testing.assert_array_equal(split.not_now, plain.not_now)
    # assess with the vectors of `units(text)` (as the engine passes them) equals assess encoding itself
    assert triager.assess(FAREWELL, vectors) == triager.assess(FAREWELL)
