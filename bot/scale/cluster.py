"""Start (or join) Ray, deploy the application, stop it: used by the CLI, tests and benchmarks.

`connect(address, num_cpus)`: ``address=None`` starts a private local Ray on this machine
(``num_cpus`` CPUs, no dashboard, node address 127.0.0.1, usage statistics off), otherwise
joins a running cluster (``"auto"`` or ``host:6379``, see README "Running at scale").
`deploy(settings, host, port)` starts Serve's HTTP proxy on ``host:port`` (127.0.0.1 unless
told otherwise) and runs `bot.scale.deploy.build_app`, returning once every replica is up.

Environment set before Ray is imported: ``RAY_USAGE_STATS_ENABLED=0`` (no usage report is
sent), ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` (no model download), and they are passed
to Ray's workers. A local Ray binds its ports on 127.0.0.1 only, and runs its workers at normal
priority (``RAY_worker_niceness=0``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from bot.scale.settings import ScaleSettings

OFFLINE_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def quiet_environment() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def connect(address: str | None = None, num_cpus: int | None = 2) -> None:
    """Start a local Ray (`address` None) or join a cluster; a no-op when already connected."""
    quiet_environment()
    import ray

    if ray.is_initialized():
        return
    env_vars = {k: v for k, v in OFFLINE_ENV.items() if k != "RAY_USAGE_STATS_ENABLED"}
    if "PYTHONPATH" in os.environ:
        env_vars["PYTHONPATH"] = os.environ["PYTHONPATH"]
    options: dict[str, Any] = {
        "include_dashboard": False,
        "configure_logging": False,
        "log_to_driver": False,
        "runtime_env": {"env_vars": env_vars},
    }
    if address is None:
        # Replicas at normal priority: Ray's default worker niceness (15) lets any other process on
        # the machine starve them (measured: 7% CPU each beside a busy process).
        os.environ.setdefault("RAY_worker_niceness", "0")
        options.update(num_cpus=num_cpus, _node_ip_address="127.0.0.1")
    ray.init(address=address, **options)


@dataclass
class Deployed:
    """A running application: its URL and settings; `close` removes it (and Serve)."""

    url: str
    settings: ScaleSettings

    def close(self, shutdown_ray: bool = True) -> None:
        import ray
        from ray import serve

        try:
            serve.shutdown()
        finally:
            if shutdown_ray:
                ray.shutdown()


def deploy(settings: ScaleSettings, host: str = "127.0.0.1", port: int = 8000) -> Deployed:
    """Run the application on the connected Ray; returns once it is running (or raises with
    Serve's reason, e.g. a replica that refused its index build)."""
    from ray import serve

    from bot.scale.deploy import APP_NAME, build_app

    serve.start(http_options={"host": host, "port": port})
    serve.run(build_app(settings.as_dict()), name=APP_NAME, route_prefix="/", blocking=False)
    return Deployed(f"http://{host}:{port}", settings)
