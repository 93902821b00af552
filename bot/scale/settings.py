"""The settings of a scaled deployment, from the command line or a ``serve run`` config file.

One frozen dataclass, validated once (`ScaleSettings.from_args`: unknown keys and wrong types
are errors that name the key), handed as a plain dict to every Ray Serve deployment (so
Ray pickles nothing of ours but a dict).

| key | default | meaning |
|---|---|---|
| ``index`` | ``$LDN_INDEX_DIR`` or ``index/built`` | the index folder, the same path on every machine |
| ``model`` | ``$LDN_MODEL_PATH`` or the packaged model | the embedding model folder |
| ``replicas`` | 2 | answering replicas (fixed number) |
| ``min_replicas`` / ``max_replicas`` | unset | autoscaling bounds (both set: replicas between them) |
| ``target_ongoing_requests`` | 4 | autoscaling target per replica |
| ``max_ongoing_requests`` | 32 | a replica takes at most this many requests at once |
| ``ingress_max_ongoing_requests`` | 256 | the same for the ingress (it only forwards; Serve's default 5 would queue 64 users) |
| ``max_batch_size`` / ``batch_wait_ms`` | 8 / 5 | `serve.batch`: questions answered in one call |
| ``replica_cpus`` | 1 | CPUs Ray reserves per replica (also its torch/BLAS thread count) |
| ``feedback`` | ``$LDN_FEEDBACK_URL`` or the SQLite default | where the ingress stores clicks |
| ``expected_build`` | the digest of ``index`` where the app is built | the index build every replica must serve |
| ``loader`` | unset | ``module:function`` loading the engine (tests: a fake embedder) |
| ``retries`` | 3 | tries of a question when a replica dies under it |
| ``chat`` | false | also serve the web chat at ``/`` (Gradio in the ingress, `bot.scale.chat`) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from index.settings import DEFAULT_INDEX_DIR

_TEXT = frozenset({"index", "model", "feedback", "expected_build", "loader"})


class SettingsError(ValueError):
    """A setting is unknown or has the wrong type or range (the message names it)."""


@dataclass(frozen=True)
class ScaleSettings:
    index: str = ""
    model: str | None = None
    replicas: int = 2
    min_replicas: int | None = None
    max_replicas: int | None = None
    target_ongoing_requests: float = 4.0
    max_ongoing_requests: int = 32
    ingress_max_ongoing_requests: int = 256
    max_batch_size: int = 8
    batch_wait_ms: float = 5.0
    replica_cpus: float = 1.0
    feedback: str | None = None
    expected_build: str | None = None
    loader: str | None = None
    retries: int = 3
    chat: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, Any] | None = None) -> ScaleSettings:
        """Validated settings; environment defaults for index, model and feedback."""
        args = dict(args or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(args) - set(known))
        if unknown:
            raise SettingsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
        out: dict[str, Any] = {}
        for name, value in args.items():
            default = getattr(cls, name)
            if value is None:
                out[name] = None
            elif name in _TEXT:
                out[name] = str(value)
            elif isinstance(default, bool):
                out[name] = _flag(name, value)
            elif isinstance(default, float):
                out[name] = _number(name, value, float)
            else:
                out[name] = _number(name, value, int)
        env = os.environ
        out.setdefault("index", env.get("LDN_INDEX_DIR") or str(DEFAULT_INDEX_DIR))
        out["index"] = str(Path(out["index"] or DEFAULT_INDEX_DIR).expanduser().resolve())
        out.setdefault("model", env.get("LDN_MODEL_PATH") or None)
        out.setdefault("feedback", env.get("LDN_FEEDBACK_URL") or None)
        settings = cls(**out)
        settings.check()
        return settings

    def check(self) -> None:
        if (
            self.replicas < 1
            or self.retries < 1
            or self.max_batch_size < 1
            or min(self.max_ongoing_requests, self.ingress_max_ongoing_requests) < 1
        ):
            raise SettingsError("replicas, retries, max_batch_size and max_ongoing_requests must be >= 1")
        if (self.min_replicas is None) != (self.max_replicas is None):
            raise SettingsError("give both min_replicas and max_replicas for autoscaling, or neither")
        low, high = self.min_replicas, self.max_replicas
        if low is not None and high is not None and (not 0 <= low <= high or high < 1):
            raise SettingsError("autoscaling needs 0 <= min_replicas <= max_replicas and max_replicas >= 1")
        if self.batch_wait_ms < 0 or self.replica_cpus < 0:
            raise SettingsError("batch_wait_ms and replica_cpus must be >= 0")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def autoscaling(self) -> dict[str, Any] | None:
        """Ray Serve's ``autoscaling_config``, or None for a fixed number of replicas."""
        if self.min_replicas is None or self.max_replicas is None:
            return None
        return {
            "min_replicas": self.min_replicas,
            "initial_replicas": max(self.min_replicas, min(self.replicas, self.max_replicas)),
            "max_replicas": self.max_replicas,
            "target_ongoing_requests": self.target_ongoing_requests,
        }


def _flag(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if isinstance(value, bool) or text in {"true", "false", "1", "0", "yes", "no"}:
        return value if isinstance(value, bool) else text in {"true", "1", "yes"}
    raise SettingsError(f"setting {name} must be true or false, not {value!r}")


def _number(name: str, value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool):
        raise SettingsError(f"setting {name} must be a number, not {value!r}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name} must be a number, not {value!r}") from None
    if kind is int and number != float(value):
        raise SettingsError(f"setting {name} must be a whole number, not {value!r}")
    return number
