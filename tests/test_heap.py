"""bot.heap: the allocator hints of the serving process (glibc on Linux; no-ops elsewhere)."""

from __future__ import annotations

import sys

import pytest

from bot import heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_glibc_accepts_the_arena_limit_and_a_trim_after_freeing() -> None:
    assert heap.limit_arenas(2) is True
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MiB in small blocks, then freed
    del blocks
    assert isinstance(heap.release_free_heap(), bool)


def test_without_glibc_both_are_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_glibc", lambda: None)
    assert heap.limit_arenas() is False and heap.release_free_heap() is False
