"""`python -m eval.reply_length`: the summary figures and the before/after comparison (pure parts)."""

from __future__ import annotations

from eval.reply_length import _page, _stats, compare


def _run(words: list[int], quotes: list[list[list[object]]]) -> dict[str, object]:
    rows = [
        {"id": f"a{k}", "words": w, "screens": w / 100, "quotes": q}
        for k, (w, q) in enumerate(zip(words, quotes, strict=True))
    ]
    return {"rows": rows, "words": _stats(words), "phone_screens": _stats([w / 100 for w in words])}


def test_median_and_ratio_with_the_same_quotes() -> None:
    same = [[["d", 0, 5]], [["d", 9, 20]], [["e", 1, 2]]]
    before = _run([200, 300, 400], same)
    after = _run([100, 150, 210], [same[0], same[1], [["e", 1, 3]]])
    assert before["words"]["median"] == 300 and after["words"]["median"] == 150
    result = compare(before, after)
    assert result["median_words_ratio"] == 0.5 and result["same_quotes"] == 2
    assert result["questions_in_both"] == 3


def test_the_measuring_page_holds_each_reply_in_the_chat_frame() -> None:
    page = _page(["<div class='ldn-reply'>a</div>", "<div class='ldn-reply'>b</div>"])
    assert page.count('class="bot message"') == 2 and 'id="ldn-chat"' in page
