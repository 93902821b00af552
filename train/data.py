"""Training pairs for the answer reranker: (question, text, label), built from public data only.

Positives: a MedQuAD question with (a) one of the first sentences of its answer (our corpus units
are sentences) and (b) the answer's opening (first three sentences). Negatives, per question:
(1) sentences of two other answers about the *same focus* but other question types ("What causes
X?" against a sentence on X's symptoms): on topic, not an answer, the failure retrieval makes;
(2) a BM25-retrieved opening sentence of a *different* focus (shared words, other subject);
(3) for every other question, a random opening sentence. SciFact train claims add (claim, cited abstract) positives and BM25
non-cited abstracts as negatives (opt-in only: SciFact is CC BY-NC 2.0).

Exclusions, so that the LiveQA-Med measurement stays clean: every MedQuAD document that has any
answer judged for the TREC 2017 LiveQA medical questions is dropped whole (all its questions), and
so is any answer whose text equals a judged answer's. Nothing under the project's `eval/` folder is
ever read (`check_path` refuses such paths).

Split: pairs are grouped by focus (a disease or topic); a seeded 5% of foci form the held-out slice
used for early checks and for fitting the calibration, so calibration never sees a training topic.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
_SEC = re.compile(r"^(?P<src>[A-Za-z]+)_(?P<doc>.+)_Sec\d+(?:\.txt)?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Pair:
    question: str
    text: str
    label: float  # 1.0 answers, 0.0 does not
    kind: str  # pos-sentence, pos-opening, neg-same-focus, neg-bm25, neg-random, scifact-pos, scifact-neg
    group: str  # focus key: pairs of one group land on the same side of the split


@dataclass(frozen=True)
class DataPaths:
    medquad: Path
    liveqa_qrels: Path
    liveqa_answers: Path
    scifact: Path | None = None

    @classmethod
    def under(cls, shared: Path) -> DataPaths:
        """The layout of the project's `shared/` folder (`medqa/`, `beir/scifact/`)."""
        sci = shared / "beir" / "scifact"
        return cls(
            medquad=shared / "medqa" / "medquad.jsonl",
            liveqa_qrels=shared / "medqa" / "liveqa_med_2017_medquad_qrels.txt",
            liveqa_answers=shared / "medqa" / "liveqa_med_2017_medquad_judged_answers.csv",
            scifact=sci if sci.is_dir() else None,
        )


@dataclass(frozen=True)
class Exclusion:
    docs: frozenset[tuple[str, str]]  # (source, document number) of every LiveQA-judged answer
    texts: frozenset[str]  # normalised openings of the judged answers' texts


def check_path(path: Path) -> Path:
    """Refuse anything under the project's `eval/` folder (gold and held-out questions)."""
    resolved = Path(path).resolve()
    if resolved == EVAL_DIR or EVAL_DIR in resolved.parents:
        raise ValueError(f"training must never read evaluation data: {path}")
    return resolved


def norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()[:300]


def answer_doc(answer_id: str) -> tuple[str, str] | None:
    """('GHR', '0000804') from 'GHR_0000804_Sec2.txt'; ('CancerGov', '0000007_3') likewise."""
    m = _SEC.match(answer_id.strip())
    return (m["src"], m["doc"]) if m else None


def medquad_doc(row: dict[str, str]) -> tuple[str, str]:
    """('GHR', '0000804') from source GHR and qid '0000804-2'."""
    return row["source"], row["qid"].rsplit("-", 1)[0]


def load_exclusion(paths: DataPaths) -> Exclusion:
    docs: set[tuple[str, str]] = set()
    for line in check_path(paths.liveqa_qrels).read_text("utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and (doc := answer_doc(parts[2])):
            docs.add(doc)
    texts: set[str] = set()
    csv.field_size_limit(1 << 24)
    with check_path(paths.liveqa_answers).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            body = row["Answer"].split("Answer:", 1)[-1]
            texts.add(norm(body))
            if doc := answer_doc(row["AnswerID"]):
                docs.add(doc)
    return Exclusion(frozenset(docs), frozenset(texts))


def load_medquad(paths: DataPaths, exclusion: Exclusion) -> tuple[list[dict[str, str]], int]:
    """MedQuAD rows with an answer, minus the excluded ones; also the number excluded."""
    kept: list[dict[str, str]] = []
    dropped = 0
    with check_path(paths.medquad).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if not (row.get("answer") or "").strip():
                continue
            if medquad_doc(row) in exclusion.docs or norm(row["answer"]) in exclusion.texts:
                dropped += 1
                continue
            kept.append(row)
    return kept, dropped


def answer_sentences(answer: str, limit: int = 6) -> list[str]:
    """The first quotable sentences of an answer, split as the corpus is (headings left out)."""
    from corpus.segment import segment

    out = [s.text for s in segment(answer).sentences if len(s.text.split()) >= 5 and not s.text.endswith("?")]
    return out[:limit]


def _scifact_pairs(folder: Path, rng: random.Random, limit: int) -> list[Pair]:
    import bm25s

    check_path(folder)
    corpus = {}
    for line in (folder / "corpus.jsonl").read_text("utf-8").splitlines():
        d = json.loads(line)
        corpus[d["_id"]] = f"{d['title']} {d['text']}"[:1000]
    queries = {json.loads(x)["_id"]: json.loads(x)["text"] for x in (folder / "queries.jsonl").open()}
    cited: dict[str, set[str]] = defaultdict(set)
    for line in (folder / "qrels" / "train.tsv").read_text("utf-8").splitlines()[1:]:
        q, d, _ = line.split("\t")
        cited[q].add(d)
    ids = sorted(corpus)
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize([corpus[i] for i in ids], stopwords="en", show_progress=False), show_progress=False
    )
    qids = sorted(cited)
    rng.shuffle(qids)
    qids = qids[: max(0, limit // 2)]
    hits, _ = retriever.retrieve(
        bm25s.tokenize([queries[q] for q in qids], stopwords="en", show_progress=False),
        k=min(8, len(ids)),
        show_progress=False,
    )
    pairs: list[Pair] = []
    for q, row in zip(qids, hits, strict=True):
        pos = sorted(cited[q])[0]
        pairs.append(Pair(queries[q], corpus[pos], 1.0, "scifact-pos", f"scifact:{q}"))
        negs = [ids[j] for j in row if ids[j] not in cited[q]]
        if negs:
            pairs.append(Pair(queries[q], corpus[negs[0]], 0.0, "scifact-neg", f"scifact:{q}"))
    return pairs


def _bm25_neighbours(questions: list[str], texts: list[str], k: int) -> list[list[int]]:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    hits, _ = retriever.retrieve(
        bm25s.tokenize(questions, stopwords="en", show_progress=False),
        k=min(k, len(texts)),
        show_progress=False,
    )
    return [list(map(int, row)) for row in hits]


def build_pairs(
    paths: DataPaths, n_pairs: int, seed: int, scifact_share: float = 0.0
) -> tuple[list[Pair], dict[str, Any]]:
    """About `n_pairs` labelled pairs (shuffled, seeded) and a summary of what went in.

    SciFact is off by default (`scifact_share=0`): its claims are licensed CC BY-NC 2.0, which the
    shipped weights should not inherit, and claims are not questions.
    """
    for p in (paths.medquad, paths.liveqa_qrels, paths.liveqa_answers, paths.scifact):
        if p is not None:
            check_path(p)
    rng = random.Random(seed)
    exclusion = load_exclusion(paths)
    rows, dropped = load_medquad(paths, exclusion)
    n_sci = int(n_pairs * scifact_share) if paths.scifact else 0
    per_question = 5  # 2 positives, up to 2 same-focus + 1 BM25 + (half the time) 1 random negative
    by_focus: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_focus[r["focus"].lower()].append(r)
    foci = sorted(by_focus)
    rng.shuffle(foci)
    rows, wanted = [], max(1, (n_pairs - n_sci) // per_question + 1)
    for f in foci:  # whole foci, so that same-focus negatives exist
        if len(rows) >= wanted:
            break
        rows.extend(by_focus[f])
    sents = {r["qid"] + r["source"]: answer_sentences(r["answer"]) for r in rows}
    rows = [r for r in rows if sents[r["qid"] + r["source"]]]
    by_focus = defaultdict(list)
    for r in rows:
        by_focus[r["focus"].lower()].append(r)
    pool = [(r["focus"].lower(), s) for r in rows for s in sents[r["qid"] + r["source"]][:2]]
    neighbours = _bm25_neighbours([r["question"] for r in rows], [t for _, t in pool], k=20)
    pairs: list[Pair] = []
    for r, near in zip(rows, neighbours, strict=True):
        focus, q, own = r["focus"].lower(), r["question"], sents[r["qid"] + r["source"]]
        pairs.append(Pair(q, rng.choice(own[:2]), 1.0, "pos-sentence", focus))
        pairs.append(Pair(q, " ".join(own[:3]), 1.0, "pos-opening", focus))
        others = [o for o in by_focus[focus] if o["qtype"] != r["qtype"]]
        for other in rng.sample(others, min(2, len(others))):  # the most telling negatives: two
            text = rng.choice(sents[other["qid"] + other["source"]])
            pairs.append(Pair(q, text, 0.0, "neg-same-focus", focus))
        far = [pool[j][1] for j in near if pool[j][0] != focus]
        if far:
            pairs.append(Pair(q, far[min(len(far) - 1, rng.randrange(3))], 0.0, "neg-bm25", focus))
        rand = pool[rng.randrange(len(pool))]
        if rand[0] != focus and rng.random() < 0.5:
            pairs.append(Pair(q, rand[1], 0.0, "neg-random", focus))
    if paths.scifact and n_sci:
        pairs.extend(_scifact_pairs(paths.scifact, rng, n_sci))
    rng.shuffle(pairs)
    pairs = pairs[:n_pairs]
    summary = {
        "medquad_questions_used": len(rows),
        "medquad_rows_excluded_liveqa": dropped,
        "liveqa_documents_excluded": len(exclusion.docs),
        "pairs": len(pairs),
        "kinds": dict(sorted(_count(p.kind for p in pairs).items())),
        "seed": seed,
        "scifact_share": scifact_share,
    }
    return pairs, summary


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for x in items:
        out[x] += 1
    return dict(out)


def split(pairs: list[Pair], seed: int, held_share: float = 0.05) -> tuple[list[Pair], list[Pair]]:
    """(train, held-out) with whole focus groups on one side, chosen by a seeded draw."""
    groups = sorted({p.group for p in pairs})
    rng = random.Random(seed + 1)
    held = set(rng.sample(groups, max(1, int(len(groups) * held_share))))
    return [p for p in pairs if p.group not in held], [p for p in pairs if p.group in held]
