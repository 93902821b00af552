"""The reranker's training-data builder on a tiny synthetic `shared/medqa` written here.

Checks that answers judged for LiveQA-Med (by document and by text) never reach training, that
nothing under the project's `eval/` folder is read, that labels and the focus split are sound and
that the build is deterministic for a seed.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
from pathlib import Path

import pytest

from train.data import EVAL_DIR, DataPaths, answer_doc, build_pairs, check_path, medquad_doc, split

FOCI = ("alpha disease", "beta syndrome", "gamma fever", "delta palsy", "epsilon anemia", "zeta cough")
QTYPES = ("information", "symptoms", "treatment")


def _answer(focus: str, qtype: str) -> str:
    return (
        f"The {qtype} of {focus} are described by doctors in many careful words here. "
        f"A second sentence about {focus} and its {qtype} follows for the reader. "
        f"A third sentence closes the {qtype} answer for {focus} today."
    )


def _write_shared(root: Path) -> DataPaths:
    medqa = root / "medqa"
    medqa.mkdir(parents=True)
    rows = []
    for d, focus in enumerate(FOCI, 1):
        for k, qtype in enumerate(QTYPES, 1):
            rows.append({
                "qid": f"{d:07d}-{k}", "qtype": qtype, "question": f"What are the {qtype} of {focus} ?",
                "focus": focus, "source": "GHR", "answer": _answer(focus, qtype),
            })  # fmt: skip
    # A copy of a judged text under another document number: excluded by its text.
    rows.append({"qid": "0000099-1", "qtype": "information", "question": "What is copied ?", "focus": "copy",
                 "source": "NINDS", "answer": "  Judged   answer text that was copied word for word.  "})  # fmt: skip
    (medqa / "medquad.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    # LiveQA judged: GHR document 0000001 (alpha disease) by id.
    (medqa / "liveqa_med_2017_medquad_qrels.txt").write_text(
        "1 2-Related GHR_0000001_Sec2.txt\n1 1-Incorrect ADAM_0000005_Sec1.txt\n", "utf-8"
    )
    with (medqa / "liveqa_med_2017_medquad_judged_answers.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["AnswerID", "Answer"])
        w.writerow(
            ["GHR_0000001_Sec2.txt", "Question: x\nURL: y\nAnswer: " + _answer("alpha disease", "symptoms")]
        )
        w.writerow(
            [
                "ADAM_0000005_Sec1.txt",
                "Question: q\nURL: u\nAnswer: Judged answer text that was copied word for word.",
            ]
        )
    return DataPaths.under(root)


def test_answer_ids_map_to_medquad_documents():
    assert answer_doc("GHR_0000804_Sec2.txt") == ("GHR", "0000804")
    assert answer_doc("CancerGov_0000007_3_Sec1.txt") == ("CancerGov", "0000007_3")
    assert medquad_doc({"source": "CancerGov", "qid": "0000007_3-1"}) == ("CancerGov", "0000007_3")
    assert answer_doc("not-an-id") is None


def test_liveqa_judged_documents_and_texts_are_excluded(tmp_path):
    paths = _write_shared(tmp_path)
    pairs, summary = build_pairs(paths, n_pairs=200, seed=3)
    assert pairs
    texts = " ".join(p.question + " " + p.text for p in pairs)
    assert "alpha disease" not in texts  # its document has a judged answer
    assert "copied" not in texts  # same text as a judged answer, other document
    assert summary["medquad_rows_excluded_liveqa"] == 4  # 3 alpha rows + the copy
    assert summary["liveqa_documents_excluded"] == 2


def test_labels_kinds_and_negatives_are_sound(tmp_path):
    pairs, _ = build_pairs(_write_shared(tmp_path), n_pairs=200, seed=3)
    assert {p.label for p in pairs} == {0.0, 1.0}
    for p in pairs:
        assert (p.label == 1.0) == p.kind.startswith("pos")
        if p.kind == "neg-same-focus":
            assert p.group in p.text.lower()  # on topic ...
            qtype = p.question.split()[3]
            assert f"the {qtype} of" not in p.text.lower()  # ... but another question type's answer
        if p.kind in ("neg-bm25", "neg-random"):
            assert p.group not in p.text.lower()


def test_build_is_deterministic_and_split_keeps_foci_apart(tmp_path):
    paths = _write_shared(tmp_path)
    first, _ = build_pairs(paths, n_pairs=200, seed=5)
    again, _ = build_pairs(paths, n_pairs=200, seed=5)
    assert first == again
    train, held = split(first, seed=5, held_share=0.25)
    assert held and train
    assert not {p.group for p in train} & {p.group for p in held}


def test_eval_folder_is_refused_and_never_opened(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="evaluation data"):
        check_path(EVAL_DIR / "gold" / "questions.jsonl")
    bad = DataPaths.under(tmp_path)
    bad = DataPaths(EVAL_DIR / "medquad.jsonl", bad.liveqa_qrels, bad.liveqa_answers)
    with pytest.raises(ValueError):
        build_pairs(bad, n_pairs=10, seed=1)

    paths = _write_shared(tmp_path / "ok")
    opened: list[Path] = []
    real_open = io.open

    def spy(file, *args, **kwargs):
        if isinstance(file, (str, Path)):
            opened.append(Path(file).resolve())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(builtins, "open", spy)
    build_pairs(paths, n_pairs=100, seed=1)
    assert opened  # the spy saw the reads
    assert not [p for p in opened if p == EVAL_DIR or EVAL_DIR in p.parents]
