"""Answering many questions at once (`python -m bot ask --batch`): the model's work batched
and overlapped with the rest of the answer.

Answering one question encodes two or three short texts (the question, its topic-neutral form,
triage clauses: `Engine.texts_to_encode`) and then spends a few milliseconds of Python on triage,
medicine names, retrieval and selection. Done one question at a time, every model call pays the
fixed cost of a call for two texts, and the model and the Python work take turns on one core.

Here a worker thread encodes the texts of the next `chunk` questions in one call (sorted by
length inside the encoder, so little padding) while the calling thread answers the questions
whose vectors are ready; onnxruntime releases the GIL while it runs, so on two cores the model
and the Python work proceed side by side. At most `ahead` chunks are encoded before they are
answered, so memory stays bounded however long the input is, and answers come out in input
order as soon as each is ready (a long batch file streams).

The answers are the engine's own (`Engine.answer` with the vectors passed in): identical to asking
one by one up to the last float bits a larger padded batch may change (as the web server's
micro-batcher, `index.batching`, already does). If an encode ahead fails, the questions of that
chunk are answered the usual way (each encodes its own texts), so an error surfaces where it
would have anyway, per question.

Trade-off: the worker encodes every text a question may need, including a story's inner
question that a definite emergency or a non-English message never reaches (a few texts per
thousand questions).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice

import numpy as np

from bot.engine import Engine, Rows
from bot.models import Answer

DEFAULT_CHUNK = 32  # questions per encode ahead (~70 texts: past the per-call fixed cost)
DEFAULT_AHEAD = 2  # chunks encoded ahead of the one being answered


def _encode_chunk(engine: Engine, questions: list[str]) -> Rows:
    texts = list(dict.fromkeys(t for q in questions for t in engine.texts_to_encode(q)))
    if not texts:
        return {}
    vectors: np.ndarray = engine.embedder.encode(texts)
    return dict(zip(texts, vectors, strict=True))


def _rows_or_nothing(future: Future[Rows]) -> Rows:
    try:
        return future.result()
    except Exception:  # the questions encode their own texts; a real fault shows per question
        return {}


def answer_all(
    engine: Engine, questions: Iterable[str], chunk: int = DEFAULT_CHUNK, ahead: int = DEFAULT_AHEAD
) -> Iterator[Answer]:
    """`engine.answer(q)` for each question, in order, with the encoding done ahead in batches."""
    chunks = _chunks(questions, max(1, chunk))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ldn-batch-encode") as pool:
        pending: deque[tuple[list[str], Future[Rows]]] = deque()

        def submit_next() -> None:
            part = next(chunks, None)
            if part is not None:
                pending.append((part, pool.submit(_encode_chunk, engine, part)))

        for _ in range(max(1, ahead)):
            submit_next()
        while pending:
            part, future = pending.popleft()
            submit_next()  # the worker encodes the next chunk while this one is answered
            rows = _rows_or_nothing(future)
            for question in part:
                yield engine.answer(question, rows=rows)


def _chunks(questions: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(questions)
    while part := list(islice(it, size)):
        yield part
