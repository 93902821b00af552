"""Ray Serve for real (marked slow): two local replicas, a killed replica, PostgreSQL clicks.

One local Ray (2 CPUs, no dashboard, usage statistics off, everything on 127.0.0.1) and one
deployment for the module: 2 `Answerer` replicas over an index built with the fake embedder,
the ingress storing clicks in a throw-away PostgreSQL (`tests/postgres_server.py`).

- the replicas answer exactly the JSON of the single process (`Engine.answer(q).to_dict()`);
- the web chat in the ingress (``chat: true``) answers through the replicas; its clicks land
  in PostgreSQL;
- 64 concurrent users (64 threads) ask and click while one replica is killed (``ray.kill``):
  every question is answered, and every acknowledged click is in PostgreSQL;
- a replica given another index build refuses to start and says why.

Skipped when Ray Serve is not installed (the ``[scale]`` extra) or PostgreSQL cannot start,
except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import feedback
from index.build import build_index
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder
from tests.postgres_server import skip_or_fail, start_or_skip
from tests.scale_support import FAKE_LOADER, fake_engine

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Does LDN cause vivid dreams?",
    "What dose of LDN is usually used?",
    "Can I take LDN with opioid painkillers?",
    "Does LDN help fibromyalgia?",
    "",
    "x" * 5000,
    "I want to kill myself",
    "Is LDN approved for multiple sclerosis?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    url: str
    feedback_url: str
    index: Path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    try:
        import ray
        from ray import serve  # noqa: F401
    except ImportError:
        skip_or_fail("Ray Serve is not installed (pip install '.[scale]')")
    postgres = start_or_skip()
    from bot.scale.cluster import connect, deploy
    from bot.scale.settings import ScaleSettings

    index = tmp_path_factory.mktemp("ray") / "index"
    build_index(SEED_CORPUS_DIR, index, embedder_factory=lambda: FakeEmbedder())
    url = postgres.new_database()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    settings = ScaleSettings.from_args(
        {"index": str(index), "replicas": 2, "replica_cpus": 0.5, "loader": FAKE_LOADER, "feedback": url,
         "max_batch_size": 8, "batch_wait_ms": 5, "retries": 5, "chat": True}
    )  # fmt: skip
    deployed = None
    try:
        connect(None, num_cpus=2)
        deployed = deploy(settings, "127.0.0.1", _free_port())
        yield Cluster(deployed.url, url, index)
    finally:
        if deployed is not None:
            deployed.close()
        else:
            import ray

            ray.shutdown()
        feedback.close_stores()
        postgres.stop()


def _replica_actors() -> list[Any]:
    import ray

    names = [a for a in ray.util.list_named_actors(all_namespaces=True) if "Answerer" in a["name"]]
    return [ray.get_actor(a["name"], namespace=a["namespace"]) for a in names]


def _running_replicas() -> int:
    from ray import serve

    app = serve.status().applications["ldn"]
    return int(app.deployments["Answerer"].replica_states.get("RUNNING", 0))


def test_two_replicas_answer_the_same_json_as_one_process(cluster: Cluster) -> None:
    from index.settings import Paths

    engine = fake_engine(Paths.resolve(index_dir=str(cluster.index)))
    assert _running_replicas() == 2 and len(_replica_actors()) == 2
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        for question in QUESTIONS:
            reply = client.post("/api/ask", json={"question": question})
            assert reply.status_code == 200, reply.text
            assert reply.json() == engine.answer(question).to_dict()
        health = client.get("/api/health").json()
    assert health["status"] == "ready"
    assert health["replica"]["build"]["digest"] == health["expected_build"]


def test_the_web_chat_in_the_ingress_is_answered_by_the_replicas(cluster: Cluster) -> None:
    from index.settings import Paths
    from tests.helpers import GradioHttp, message_text

    engine = fake_engine(Paths.resolve(index_dir=str(cluster.index)))
    page = httpx.get(cluster.url + "/", timeout=60)
    assert page.status_code == 200 and "gradio" in page.text.lower()
    chat = GradioHttp(cluster.url + "/", timeout=120)
    assert chat.ask(QUESTIONS[0]) == engine.answer(QUESTIONS[0]).to_dict()
    history = chat.chat(QUESTIONS[1])
    first_quote = engine.answer(QUESTIONS[1]).quotes[0].text
    assert len(history) == 2 and " ".join(first_quote.split()[:4]) in message_text(history[-1])
    before = feedback.count(cluster.feedback_url)
    assert chat.like(1, True).get("success")
    rows = feedback.rows(cluster.feedback_url)
    assert len(rows) == before + 1 and rows[-1]["question"] == QUESTIONS[1] and rows[-1]["liked"] == 1


def test_killing_a_replica_under_64_users_loses_no_answer_and_no_click(cluster: Cluster) -> None:
    import ray

    users, rounds = 64, 6
    answered = threading.Semaphore(0)  # one release per answer: the kill comes after 64 of 384
    start = threading.Barrier(users + 1)
    killed = threading.Event()
    before = feedback.count(cluster.feedback_url)

    def user(k: int) -> tuple[list[int], list[str]]:
        ids, statuses = [], []
        with httpx.Client(base_url=cluster.url, timeout=120) as client:
            start.wait(timeout=60)
            for j in range(rounds):
                question = QUESTIONS[(k + j) % 4]
                reply = client.post("/api/ask", json={"question": question})
                body = reply.json()
                statuses.append(f"{reply.status_code} {body['status']}")
                answered.release()
                spans = [{k2: q[k2] for k2 in ("doc_id", "start", "end")} for q in body["quotes"]]
                click = {
                    "question": question,
                    "liked": (k + j) % 2 == 0,
                    "quotes": spans,
                    "status": body["status"],
                }
                stored = client.post("/api/feedback", json=click)
                assert stored.status_code == 200, stored.text
                ids.append(stored.json()["id"])
        return ids, statuses

    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(user, k) for k in range(users)]
        start.wait(timeout=60)
        for _ in range(users):  # mid-load: after the first 64 answers
            assert answered.acquire(timeout=300)
        victim = _replica_actors()[0]
        ray.kill(victim, no_restart=True)
        killed.set()
        results = [f.result(timeout=600) for f in futures]
    ids = [i for got, _ in results for i in got]
    statuses = [s for _, got in results for s in got]
    assert killed.is_set() and len(statuses) == users * rounds
    assert statuses.count("200 answered") == users * rounds, sorted(set(statuses))
    stored = feedback.rows(cluster.feedback_url)
    assert len(ids) == len(set(ids)) == users * rounds
    assert {r["id"] for r in stored} >= set(ids) and len(stored) == before + users * rounds
    with httpx.Client(base_url=cluster.url, timeout=60) as client:  # the survivor still answers
        assert client.post("/api/ask", json={"question": QUESTIONS[0]}).json()["status"] == "answered"


def test_a_replica_with_another_build_refuses_to_serve(cluster: Cluster) -> None:
    from ray import serve

    from bot.scale.deploy import build_app

    app = build_app({"index": str(cluster.index), "replicas": 1, "replica_cpus": 0.25,
                     "loader": FAKE_LOADER, "expected_build": "0" * 64})  # fmt: skip
    with pytest.raises(Exception, match="wrong-build"):
        serve.run(app, name="wrong-build", route_prefix="/wrong", blocking=False)
    reason = serve.status().applications["wrong-build"].deployments["Answerer"].message
    serve.delete("wrong-build")
    assert "refuses to serve" in reason and "is not the deployment's build" in reason, reason
