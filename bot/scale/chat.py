"""The web chat in the ingress (setting ``chat``): the project's Gradio page, answered by replicas.

`bot.web.layout.chat_app` builds the same page as ``python -m bot serve``; it asks its holder
for answers. `RemoteHolder` is that holder for the ingress: each question goes to an
`Answerer` replica through the Serve handle (from Gradio's worker threads, so a blocking
``result()`` is allowed), asked again when a replica dies under it, and any failure becomes
the fixed "unavailable" text with the reason, as in the single process. Clicks on the page are
stored by the ingress process (`bot.feedback`, PostgreSQL when configured).

Trade-off: Gradio is imported in the ingress (a few seconds and ~150 MB at start); the chat is
off by default, the JSON API needs none of it.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from bot import messages
from bot.models import Answer
from bot.scale.build import BuildMismatch
from bot.scale.settings import ScaleSettings
from bot.web.holder import EngineState
from index.settings import Paths

log = logging.getLogger("ray.serve")
ANSWER_TIMEOUT = 300.0  # seconds one try may take (the chat shows "unavailable" after it)


class RemoteHolder:
    """`bot.web.layout.Answerer` over the replicas: always ready, answers by handle."""

    state = EngineState.READY

    def __init__(self, handle: Any, settings: ScaleSettings, pause: float = 0.2) -> None:
        self.handle = handle
        self.settings = settings
        self.pause = pause

    def answer(self, question: str) -> Answer | str:
        from ray.exceptions import ActorUnavailableError, RayActorError

        for attempt in range(1, self.settings.retries + 1):
            try:
                response = self.handle.answer_object.remote(question, self.settings.expected_build)
                result: Answer = response.result(timeout_s=ANSWER_TIMEOUT)
                return result
            except BuildMismatch as exc:
                return messages.UNAVAILABLE.format(detail=str(exc))
            except (RayActorError, ActorUnavailableError):
                log.warning("chat answer attempt %d failed: a replica stopped; asking again", attempt)
                time.sleep(self.pause * attempt)
            except Exception:
                log.exception("a replica could not answer the chat")
                return messages.UNAVAILABLE.format(detail="an unexpected error; see the server log.")
        return messages.UNAVAILABLE.format(detail="no answering replica responded; see the server log.")


def chat_app(handle: Any, settings: ScaleSettings) -> Any:
    """The chat's ASGI app (its lifespan starts Gradio's queue; `bot.scale.api` runs it)."""
    from bot.web.layout import chat_app as layout_chat_app

    if settings.feedback:  # the page stores clicks with `bot.feedback`'s defaults
        key = (
            "LDN_FEEDBACK_URL"
            if settings.feedback.startswith(("postgresql://", "postgres://"))
            else "LDN_FEEDBACK_DB"
        )
        os.environ[key] = settings.feedback
    paths = Paths.resolve(index_dir=settings.index, model_path=settings.model)
    return layout_chat_app(RemoteHolder(handle, settings), paths)
