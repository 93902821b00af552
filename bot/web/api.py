"""The plain JSON API beside the chat: one POST per question, no queue protocol, no SSE.

| route | answer |
|---|---|
| ``POST /api/ask`` ``{"question": "..."}`` | the same JSON object as ``python -m bot ask --json`` |
| ``GET /api/health`` | ``{"status": "ready" \\| "loading" \\| "failed", "chat": ..., "index_build": ..., "detail": ...}`` |
| ``GET /api/sources`` | ``{"documents": [{"id", "title", "publisher", "date", "kind"}, ...]}`` |

The OpenAPI schema is at ``/api/openapi.json`` (the pydantic models below); no docs page, which
would load scripts from a CDN. A question asked while the engine loads is held (the wait is an
`asyncio` sleep, so held questions cost no thread) and answered when it is ready. At most
`WebSettings.concurrency` questions are answered at once (in worker threads, where the query
encodes of concurrent questions are batched together); at most `queue_max_size` wait; beyond
that the answer is HTTP 503 with status ``unavailable`` and the fixed "busy" message, at once.
Questions are cleaned by `bot.web.guard.incoming` (length cap, lone surrogates) like the chat's.
The body is parsed with Python's `json` (which, like a browser, accepts lone surrogates).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bot import messages
from bot.web.guard import Admission, Busy, WebSettings, incoming
from bot.web.holder import EngineHolder, EngineState, reply_dict, unavailable_dict

Status = Literal["answered", "no_answer", "emergency", "invalid", "unavailable"]


class AskRequest(BaseModel):
    question: str = Field(description="The question, as typed (capped at the engine's limit).")


class QuoteOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    doc_id: str
    title: str
    source: str
    page: int | None
    start: int = Field(description="Character offset: document.text[start:end] == text")
    end: int
    text: str = Field(description="The verbatim quote")
    score: float
    evidence: list[str]
    pinned: str | None = Field(None, description="Set when shown first because the question names a risk")
    question: int | None = Field(
        None, description="Which of the answer's `questions` this quote answers (null: the whole message)"
    )


class CaveatOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    text: str


class AnswerOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: Status
    question: str
    message: str = Field(description="A fixed system message from bot/messages.py")
    quotes: list[QuoteOut]
    caveats: list[CaveatOut]
    advice: str
    triage: Literal["definite", "possible"] | None = Field(
        description="Emergency triage: definite (the emergency message alone), possible (guidance first)"
    )
    triage_categories: list[str] = Field(description="Emergency categories when triage is set")
    triage_lowered: bool = Field(
        description="The triage's learned gate lowered a possible emergency to no guidance (shown nothing)"
    )
    triage_gate: float | None = Field(
        description="The gate's probability of an emergency when it looked at the message, else null",
    )
    questions: list[str] = Field(
        description="A message asking several questions: each (the person's own words), answered on its own"
    )


class HealthOut(BaseModel):
    status: Literal["ready", "loading", "failed"] = Field(description="The answer engine")
    chat: Literal["ready", "loading", "failed"] = Field(description="The Gradio chat page")
    index_build: str = Field(description="The index build folder the engine was loaded from")
    in_flight: int = Field(description="Questions in the JSON API now (answered or waiting)")
    detail: str | None = None


class SourceOut(BaseModel):
    id: str
    title: str
    publisher: str
    date: str
    kind: str


class SourcesOut(BaseModel):
    documents: list[SourceOut]


async def _held(holder: EngineHolder) -> None:
    """Wait (without a thread) while the engine loads, up to the hold time."""
    deadline = time.monotonic() + holder.hold_seconds
    while holder.state is EngineState.LOADING and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def question_of(raw: bytes) -> str | None:
    """The string `question` of a JSON request body; None when the body is anything else."""
    try:
        body = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return None
    value = body.get("question") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def ask_body_schema() -> dict[str, Any]:
    """The OpenAPI request body of ``POST /api/ask`` (the body is read raw, so it is declared here)."""
    schema = AskRequest.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def not_a_question() -> JSONResponse:
    """The 422 reply to a body that is not JSON with a string `question`."""
    return JSONResponse({"detail": 'send JSON: {"question": "..."}'}, status_code=422)


def api_router(holder: EngineHolder, chat_state: Any, settings: WebSettings | None = None) -> APIRouter:
    """The routes; `chat_state()` says whether the chat page is loading, ready or failed."""
    settings = settings or WebSettings()
    admission = Admission(settings)
    limiter = anyio.CapacityLimiter(settings.concurrency)
    router = APIRouter(prefix="/api")
    invalid = {"description": "The body is not JSON with a string `question`"}
    busy = {"model": AnswerOut, "description": "Busy (queue full): status `unavailable`, fixed message"}

    @router.post(
        "/ask",
        response_model=AnswerOut,
        responses={422: invalid, 503: busy},
        openapi_extra=ask_body_schema(),
    )
    async def ask(request: Request) -> JSONResponse:
        """Answer one question with quotes from the sources (same JSON as `bot ask --json`)."""
        raw = question_of(await request.body())
        if raw is None:
            return not_a_question()
        text = incoming(raw)
        try:
            admission.enter()
        except Busy:
            return JSONResponse(unavailable_dict(text, messages.BUSY), status_code=503)
        try:
            await _held(holder)
            result = await anyio.to_thread.run_sync(holder.answer, text, limiter=limiter)
        finally:
            admission.leave()
        return JSONResponse(reply_dict(text, result))

    @router.get("/health", response_model=HealthOut)
    async def health() -> HealthOut:
        """Whether the engine and the chat page are ready, and which index build is served."""
        state, chat = holder.state, chat_state()
        detail = holder.error_text if state is EngineState.FAILED else None
        if chat == "failed" and detail is None:
            detail = messages.UNAVAILABLE.format(
                detail="the chat page could not be built; see the server log."
            )
        return HealthOut(
            status=state.value,
            chat=chat,
            index_build=holder.build_id,
            in_flight=admission.inside,
            detail=detail,
        )

    @router.get("/sources", response_model=SourcesOut, responses={503: {"description": "Not set up"}})
    async def sources() -> Any:
        """The documents the answers quote from (held while the engine loads)."""
        await _held(holder)
        if holder.state is not EngineState.READY:
            detail = holder.error_text or messages.STARTING
            return JSONResponse({"documents": [], "detail": detail}, status_code=503)
        documents = holder.get().data.documents
        return SourcesOut(
            documents=[
                SourceOut(
                    id=doc_id,
                    title=d.meta.title,
                    publisher=d.meta.publisher,
                    date=d.meta.date,
                    kind=str(d.meta.kind),
                )
                for doc_id, d in sorted(documents.items())
            ]
        )

    return router
