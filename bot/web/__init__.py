"""The web front: a FastAPI server with a JSON API and the Gradio chat mounted in it.

One stage per module, importable on their own (nothing here is imported eagerly, so
`import bot.web.server` costs only FastAPI's import and the page is served at once):

| module | what |
|---|---|
| `guard`  | security: `RefuseUploads` (no upload routes), `incoming` (length cap, lone surrogates), `Admission` (bounded queue for the JSON API), `WebSettings` |
| `holder` | `EngineHolder`: loads the engine in the background; questions asked meanwhile are held, never refused |
| `api`    | `POST /api/ask`, `GET /api/health`, `GET /api/sources` with pydantic models (OpenAPI schema at `/api/openapi.json`) |
| `boot`   | the light page served while Gradio itself is still being imported, and the ASGI switch to the chat |
| `layout` | the Gradio Blocks of the chat page (look, theme, events) |
| `server` | the app, uvicorn, start-up order and thread counts: `start()` (tests, benchmarks), `serve()` (`python -m bot serve`) |
"""
