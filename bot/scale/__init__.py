"""Beyond one process: the answer engine as N Ray Serve replicas behind one JSON API.

Optional (``pip install '.[scale]'``: Ray Serve and psycopg); nothing else imports this package.

| module | what |
|---|---|
| `settings` | `ScaleSettings`: replicas, autoscaling bounds, batching, feedback target (validated) |
| `build` | `IndexBuild`: the index build's name and digest; `BuildMismatch` when a replica differs |
| `replica` | `AnswerReplica`: loads the engine, checks its build, answers lists of questions (no Ray) |
| `api` | the ingress's FastAPI app: ``/api/ask``, ``/api/health``, ``/api/feedback`` (no Ray) |
| `deploy` | the Ray Serve deployments (`Answerer` with `serve.batch`, `Ingress`) and `build_app` |
| `cluster` | start or join Ray, deploy, stop (CLI, tests, benchmarks) |
| `cli` | ``python -m bot scale`` |

``serve.yaml`` beside this file is a ``serve run`` config for the same application.
"""
