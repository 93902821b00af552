"""Load: 64 concurrent web users on loopback, a bounded queue that says "busy", every click stored.

- `test_64_concurrent_users_get_answers_and_every_like_is_stored` (``model``, ``slow``): 64
  threads, each a browser-like session over raw HTTP (Gradio's queue protocol, as the page's
  JavaScript speaks it), ask through the chat box and click like/dislike on every reply, and
  some also call ``/ask``; at most `ROUNDS` rounds per user and `DURATION` seconds in all. No
  error, every reply carries the advice, and the SQLite file holds exactly one row per click.
- `test_a_full_queue_answers_busy_while_the_engine_is_blocked` (fast): with a queue of 2 and one
  worker, a burst of requests gets HTTP 503 "Queue is full" while the engine answers nothing
  (no hang, no crash), `gradio_client` reports it as a `QueueError`, and the server answers
  normally afterwards.

    .venv/bin/python -m pytest -q tests/test_web_load.py          # ~30 s with the real model
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot import feedback, messages, render
from bot.models import Answer, Status
from bot.web.guard import WebSettings
from bot.web.holder import UNAVAILABLE
from index.settings import Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import GradioHttp, build_web_index, client_for, message_text, running_app

USERS = 64
ROUNDS = 3
DURATION = 25.0
QUESTIONS = (
    "Does LDN cause vivid dreams?",
    "What dose of LDN is usually used?",
    "Can I take LDN with opioid painkillers?",
    "Does LDN help fibromyalgia?",
    "Is LDN approved by the FDA?",
    "How long does it take for LDN to work?",
    "Does LDN help multiple sclerosis?",
    "What are the side effects of low dose naltrexone?",
    "Where do I get LDN?",
    "Can LDN help with Crohn's disease?",
    "<b>LDN</b> and sleep?",
    "I took too many pills",
)


@pytest.fixture(scope="module")
def loaded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("load") / "feedback.sqlite3"
    old = os.environ.get(feedback.ENV_VAR)
    os.environ[feedback.ENV_VAR] = str(db)
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=build_web_index(tmp_path_factory), model_path=None)
    try:
        with running_app(paths) as (url, holder):
            assert holder.wait(180), "the engine did not load"
            holder.get()
            yield url, db
    finally:
        if old is None:
            os.environ.pop(feedback.ENV_VAR, None)
        else:
            os.environ[feedback.ENV_VAR] = old


@pytest.mark.model
@pytest.mark.slow
def test_64_concurrent_users_get_answers_and_every_like_is_stored(loaded_app: tuple[str, Path]) -> None:
    url, db = loaded_app
    before = feedback.count(db)
    deadline = time.monotonic() + DURATION
    start = threading.Barrier(USERS, timeout=60)
    lock = threading.Lock()
    clicks = {"sent": 0, "liked": 0}
    latencies: list[float] = []
    errors: list[str] = []

    def user(k: int) -> int:
        try:
            session = GradioHttp(url)
            start.wait()
            history: list[Any] = []
            done = 0
            for r in range(ROUNDS):
                if time.monotonic() > deadline:
                    break
                question = QUESTIONS[(k + r) % len(QUESTIONS)]
                t0 = time.monotonic()
                history = session.chat(question, history)
                elapsed = time.monotonic() - t0
                reply = message_text(history[-1])
                if render.escape_text(messages.ADVICE) not in reply:
                    raise AssertionError(f"user {k}: a reply without the advice: {reply[:200]}")
                liked = (k + r) % 2 == 0
                result = session.like(len(history) - 1, liked)
                if not result.get("success"):
                    raise AssertionError(f"user {k}: like failed: {result}")
                if k % 4 == 0:  # a quarter of the users also use the API
                    api = session.ask(question)
                    if api["advice"] != messages.ADVICE or api["status"] == UNAVAILABLE:
                        raise AssertionError(f"user {k}: /ask gave {api['status']}")
                with lock:
                    latencies.append(elapsed)
                    clicks["sent"] += 1
                    clicks["liked"] += int(liked)
                done += 1
            return done
        except Exception as exc:  # collected, so one failure does not hide the others
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            return 0

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        rounds = list(pool.map(user, range(USERS)))
    wall = time.monotonic() - t0  # printed only: timings belong to bench/, not to assertions
    assert errors == [], errors[:5]
    assert min(rounds) >= 1, rounds  # every user got at least one answer in time
    rows = feedback.rows(db)[before:]
    assert len(rows) == clicks["sent"] == sum(rounds)
    assert sum(r["liked"] for r in rows) == clicks["liked"]
    assert {r["question"] for r in rows} <= set(QUESTIONS)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"\n{USERS} users, {sum(rounds)} chat turns + {sum(rounds)} likes in {wall:.1f}s; "
        f"reply latency median {statistics.median(latencies):.2f}s, p95 {p95:.2f}s, max {max(latencies):.2f}s"
    )
    # how long it took is a benchmark figure (python -m bench), not a test condition


class _SlowEngine:
    """Answers only when released, so the queue fills up."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.answered = 0

    def answer(self, question: object) -> Answer:
        self.release.wait(30)
        self.answered += 1
        return Answer(Status.NO_ANSWER, str(question), messages.NO_ANSWER, (), (), messages.ADVICE)


def test_a_full_queue_answers_busy_while_the_engine_is_blocked(tmp_path: Path) -> None:
    """The engine answers nothing until released, so every reply before that is the queue's own."""
    from gradio_client.utils import QueueError

    engine = _SlowEngine()
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    tiny = WebSettings(queue_max_size=2, concurrency=1)
    with running_app(paths, lambda _p: engine, tiny) as (url, holder):
        assert holder.wait(10)
        sessions = [GradioHttp(url) for _ in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            joined = list(pool.map(lambda s: s.join("ask", [f"question {id(s)}"]), sessions))
        statuses = sorted(status for status, _ in joined)
        busy = [body for status, body in joined if status == 503]
        # "at once, not hang": every join came back while the engine was still held, no answer given
        assert engine.answered == 0 and not engine.release.is_set()
        assert busy and statuses.count(200) <= 3, statuses  # 1 running + 2 waiting at most
        assert all("Queue is full" in str(body) for body in busy), busy
        with pytest.raises(QueueError, match="Queue is full"):
            client_for(url).predict("one more", api_name="/ask")
        engine.release.set()
        for session, (status, _) in zip(sessions, joined, strict=True):
            if status == 200:
                done = [m for m in session.events() if m.get("msg") == "process_completed"]
                assert done and done[-1]["success"], done
        after = GradioHttp(url).ask("Does LDN cause vivid dreams?")  # the server is fine afterwards
        assert after["status"] == "no_answer" and after["advice"] == messages.ADVICE
