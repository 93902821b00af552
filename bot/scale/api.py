"""The JSON API of the scaled deployment (the ingress), independent of Ray.

| route | answer |
|---|---|
| ``POST /api/ask`` ``{"question": "..."}`` | the same JSON object as ``python -m bot ask --json`` |
| ``GET /api/health`` | ``{"status": "ready", "index_build": {"name", "digest"}, "replicas": ...}`` |
| ``POST /api/feedback`` ``{"question", "liked", "quotes", "status", "reason"?, "comment"?}`` | ``{"id": n}`` |
| ``POST /api/feedback/{id}/reason`` ``{"reason", "comment"?}`` | ``{"updated": true}`` (a dislike's reason) |
| ``DELETE /api/feedback/{id}`` | ``{"removed": true}`` (the thumb was un-clicked) |

The routes, request/answer models (`bot.web.api.AskRequest`, `AnswerOut`), input cleaning
(`bot.web.guard.incoming`) and JSON are those of the single-process server (``bot.web``), so
a client cannot tell one server from many replicas. `create_app` takes the answering function
(Ray: a call to the replicas; tests: anything async), so the same app is tested without Ray.
Clicks are stored by the ingress itself (`bot.feedback`: PostgreSQL when configured), never by
an answering replica, so a replica that dies loses no click. Writes run in worker threads.

When no replica can answer (all starting, failed, or a build mismatch), ``/api/ask`` answers
HTTP 503 with status ``unavailable`` and the fixed `messages.UNAVAILABLE` text with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot import feedback, messages
from bot.question import MAX_CHARS
from bot.web.api import AnswerOut, ask_body_schema, not_a_question, question_of
from bot.web.guard import RefuseUploads, incoming
from bot.web.holder import unavailable_dict as reply_without_answer

AnswerFn = Callable[[str], Awaitable[dict[str, Any]]]
HealthFn = Callable[[], Awaitable[dict[str, Any]]]


class Unavailable(Exception):
    """No replica can answer now; the message says why (shown to the people who run the site)."""


class SpanIn(BaseModel):
    doc_id: str
    start: int
    end: int


class FeedbackIn(BaseModel):
    question: str = Field(max_length=MAX_CHARS + 1)
    liked: bool
    quotes: list[SpanIn] = Field(default_factory=list, max_length=50)
    status: str = Field(max_length=40)
    reason: str | None = Field(None, description=f"one of {', '.join(feedback.REASONS)}")
    comment: str | None = Field(None, max_length=10_000, description="kept up to COMMENT_MAX characters")


class ReasonIn(BaseModel):
    reason: str | None = Field(description=f"one of {', '.join(feedback.REASONS)}")
    comment: str | None = Field(None, max_length=10_000)


def unavailable_dict(question: str, detail: str) -> dict[str, Any]:
    """The reply when no replica can answer: the same keys as an answer, no quotes."""
    return reply_without_answer(question, messages.UNAVAILABLE.format(detail=detail))


def create_app(
    answer: AnswerFn, health: HealthFn, feedback_target: str | None = None, chat: Any = None
) -> FastAPI:
    """The ingress app. `feedback_target`: a ``postgresql://`` URL or SQLite path (None: the
    process default, `bot.feedback.target`). `chat`: an ASGI app served at ``/`` behind the API
    (the web chat, `bot.scale.chat`), its start-up run with this app's."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if chat is not None and hasattr(chat, "router"):
                await stack.enter_async_context(chat.router.lifespan_context(chat))
            yield

    app = FastAPI(
        lifespan=lifespan,
        title="LDN quotes (replicated)",
        summary="Answers about the documents of this collection, only in their own words.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the docs page would load scripts from a CDN
        redoc_url=None,
    )

    @app.post(
        "/api/ask",
        response_model=AnswerOut,
        responses={422: {"description": "not JSON with a string question"}, 503: {"model": AnswerOut}},
        openapi_extra=ask_body_schema(),
    )
    async def ask(request: Request) -> JSONResponse:
        """Answer one question with quotes from the sources (same JSON as `bot ask --json`)."""
        raw = question_of(await request.body())
        if raw is None:
            return not_a_question()
        text = incoming(raw)
        try:
            return JSONResponse(await answer(text))
        except Unavailable as exc:
            return JSONResponse(unavailable_dict(text, str(exc)), status_code=503)

    @app.get("/api/health")
    async def health_route() -> JSONResponse:
        """Whether replicas answer, and the index build they must serve."""
        return JSONResponse(await health())

    @app.post("/api/feedback")
    async def record(click: FeedbackIn) -> JSONResponse:
        """Store one thumbs up / down; returns its id (to add a reason or remove it later)."""
        try:
            row_id = await asyncio.to_thread(
                feedback.record,
                incoming(click.question),
                click.liked,
                [q.model_dump() for q in click.quotes],
                click.status,
                reason=click.reason,
                comment=click.comment,
                path=feedback_target,
            )
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return JSONResponse({"id": row_id})

    @app.post("/api/feedback/{row_id}/reason")
    async def reason(row_id: int, body: ReasonIn) -> JSONResponse:
        """A dislike's reason, given after the click."""
        try:
            done = await asyncio.to_thread(
                feedback.set_reason, row_id, body.reason, body.comment, feedback_target
            )
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return JSONResponse({"updated": done}, status_code=200 if done else 404)

    @app.delete("/api/feedback/{row_id}")
    async def remove(row_id: int) -> JSONResponse:
        """Un-clicking a thumb removes its record."""
        done = await asyncio.to_thread(feedback.remove, row_id, feedback_target)
        return JSONResponse({"removed": done}, status_code=200 if done else 404)

    if chat is not None:
        app.mount("/", chat)
    app.add_middleware(RefuseUploads)
    return app
