"""The Ray Serve application: N answering replicas behind one JSON ingress.

    Ingress (FastAPI, `bot.scale.api`)  --handle-->  Answerer x N (engine in memory, serve.batch)
        \\--> feedback store (PostgreSQL via LDN_FEEDBACK_URL, or SQLite on one machine)

- `Answerer`: one `AnswerReplica` per Ray actor (the engine loaded once, its index build
  checked against the deployment's); `answer(question, expected)` goes through `serve.batch`
  (up to ``max_batch_size`` questions waiting at most ``batch_wait_ms`` are answered in one
  call, in a worker thread so the replica keeps answering health checks).
- `Ingress`: the HTTP routes (`bot.scale.api.create_app`, built on the replica by
  ``__serve_build_asgi_app__``); each question goes to a replica chosen by Serve's router.
  When a replica dies under a question (killed, node lost), the ingress asks again, up to
  ``retries`` times; Serve starts a replacement meanwhile. A build mismatch is not retried:
  it is an operator's error, answered with status ``unavailable`` and the reason.
- `build_app(args)`: the application, for ``serve run bot.scale.deploy:build_app key=value``,
  a ``serve run`` config file (``bot/scale/serve.yaml``) or `bot.scale.cli`.

Ray is imported when this module is imported; nothing else in the program imports it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import replace
from typing import Any, cast

from ray import serve
from ray.exceptions import ActorUnavailableError, RayActorError
from ray.serve.handle import DeploymentHandle

from bot.models import Answer
from bot.scale.api import Unavailable, create_app
from bot.scale.build import BuildMismatch, check_build, index_build
from bot.scale.replica import AnswerReplica
from bot.scale.settings import ScaleSettings

log = logging.getLogger("ray.serve")

APP_NAME = "ldn"
RETRY_PAUSE = 0.2  # seconds before asking again after a replica died (times the attempt number)


@serve.deployment(name="Answerer", ray_actor_options={"num_cpus": 1})
class Answerer:
    """One replica: the engine and its index build, answering batches of questions."""

    def __init__(self, settings: dict[str, Any]) -> None:
        s = ScaleSettings.from_args(settings)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.replica = AnswerReplica(s.index, s.model, s.expected_build, s.loader)
        batcher: Any = self.answer_batch  # serve.batch's wrapper: the sizes are set per deployment
        batcher.set_max_batch_size(s.max_batch_size)
        batcher.set_batch_wait_timeout_s(s.batch_wait_ms / 1000.0)

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.005)
    async def answer_batch(self, items: list[tuple[str, str | None]]) -> list[Answer]:
        for expected in {e for _, e in items}:
            check_build(expected, self.replica.build)
        return await asyncio.to_thread(self.replica.answers, [q for q, _ in items])

    async def answer(self, question: str, expected: str | None) -> dict[str, Any]:
        result: Answer = await self.answer_batch((question, expected))
        return result.to_dict()

    async def answer_object(self, question: str, expected: str | None) -> Answer:
        """The `Answer` itself (the web chat renders it)."""
        result: Answer = await self.answer_batch((question, expected))
        return result

    def info(self) -> dict[str, Any]:
        return {"build": self.replica.build.as_dict(), "pid": self.replica.pid}

    def check_health(self) -> None:
        """Serve's periodic health check: the build in memory is still the expected one."""
        check_build(self.replica.build.digest, self.replica.build)


@serve.deployment(name="Ingress", ray_actor_options={"num_cpus": 0})
@serve.ingress()
class Ingress:
    """The JSON API in front of the replicas; stores feedback clicks itself."""

    def __init__(self, answerer: DeploymentHandle, settings: dict[str, Any]) -> None:
        self.settings = ScaleSettings.from_args(settings)
        self.answerer = answerer

    def __serve_build_asgi_app__(self) -> Any:
        chat = None
        if self.settings.chat:
            from bot.scale.chat import chat_app

            chat = chat_app(self.answerer, self.settings)
        return create_app(self._answer, self._health, self.settings.feedback, chat)

    async def _answer(self, question: str) -> dict[str, Any]:
        problem = "no answering replica responded"
        for attempt in range(1, self.settings.retries + 1):
            try:
                result: dict[str, Any] = await self.answerer.answer.remote(
                    question, self.settings.expected_build
                )
                return result
            except BuildMismatch as exc:
                raise Unavailable(str(exc)) from exc
            except (RayActorError, ActorUnavailableError) as exc:  # the replica died under it
                problem = f"a replica stopped ({type(exc).__name__})"
                log.warning("answer attempt %d failed: %s; asking again", attempt, problem)
                await asyncio.sleep(RETRY_PAUSE * attempt)
            except Exception as exc:
                log.exception("a replica could not answer")
                raise Unavailable("an unexpected error; see the server log.") from exc
        raise Unavailable(f"{problem} after {self.settings.retries} tries; see the server log.")

    async def _health(self) -> dict[str, Any]:
        expected = self.settings.expected_build
        try:
            info = await asyncio.wait_for(self.answerer.info.remote(), timeout=10)
        except Exception as exc:
            return {"status": "unavailable", "expected_build": expected, "detail": type(exc).__name__}
        return {"status": "ready", "expected_build": expected, "replica": info}


def build_app(args: dict[str, Any] | None = None) -> Any:
    """The Serve application for `args` (see `bot.scale.settings`); when no ``expected_build``
    is given, the digest of the index folder here is the one every replica must serve."""
    settings = ScaleSettings.from_args(args)
    if settings.expected_build is None:
        settings = replace(settings, expected_build=index_build(settings.index).digest)
    config = settings.as_dict()
    scaling = settings.autoscaling()
    size: dict[str, Any] = {"autoscaling_config": scaling} if scaling else {"num_replicas": settings.replicas}
    answerer = cast(Any, Answerer).options(
        max_ongoing_requests=settings.max_ongoing_requests,
        ray_actor_options={"num_cpus": settings.replica_cpus},
        **size,
    )
    ingress = cast(Any, Ingress).options(max_ongoing_requests=settings.ingress_max_ongoing_requests)
    return ingress.bind(answerer.bind(config), config)
