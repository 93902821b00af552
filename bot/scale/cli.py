"""`python -m bot scale` (also `python -m bot.scale`): the JSON API on N Ray Serve replicas.

    python -m bot scale --replicas 2                        local Ray on this machine, port 8000
    python -m bot scale --min-replicas 1 --max-replicas 4   autoscaling between the bounds
    python -m bot scale --address auto                      on the running Ray cluster (ray start)

Feedback goes to ``$LDN_FEEDBACK_URL`` (PostgreSQL) when set, else the SQLite default; every
replica serves the index build of ``--index`` (checked by digest). See README "Running at scale".
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from bot.scale.settings import ScaleSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicas", type=int, default=2, help="answering replicas (default 2)")
    parser.add_argument("--min-replicas", type=int, help="autoscaling: fewest replicas")
    parser.add_argument("--max-replicas", type=int, help="autoscaling: most replicas")
    parser.add_argument("--target-ongoing-requests", type=float, default=4.0,
                        help="autoscaling: questions in flight per replica to aim for (default 4)")  # fmt: skip
    parser.add_argument("--max-batch-size", type=int, default=8, help="serve.batch size (default 8)")
    parser.add_argument("--batch-wait-ms", type=float, default=5.0, help="serve.batch wait (default 5 ms)")
    parser.add_argument("--replica-cpus", type=float, default=1.0, help="CPUs per replica (default 1)")
    parser.add_argument("--chat", action="store_true", help="also serve the web chat at / (Gradio)")
    parser.add_argument("--feedback-url", help="postgresql:// URL for clicks (default: $LDN_FEEDBACK_URL)")
    parser.add_argument("--address", help="join this Ray cluster ('auto' or HOST:6379); default: local Ray")
    parser.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local Ray (default: all)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)


def settings_from(args: argparse.Namespace) -> ScaleSettings:
    values: dict[str, Any] = {
        "replicas": args.replicas,
        "min_replicas": args.min_replicas,
        "max_replicas": args.max_replicas,
        "target_ongoing_requests": args.target_ongoing_requests,
        "max_batch_size": args.max_batch_size,
        "batch_wait_ms": args.batch_wait_ms,
        "replica_cpus": args.replica_cpus,
        "chat": args.chat,
    }
    for key, name in (("index", "index"), ("model", "model"), ("feedback", "feedback_url")):
        if getattr(args, name, None):
            values[key] = getattr(args, name)
    return ScaleSettings.from_args(values)


def run(args: argparse.Namespace) -> int:
    """Deploy and serve until interrupted."""
    from bot.scale.cluster import connect, deploy

    settings = settings_from(args)  # a bad setting (SettingsError) is an error before Ray starts
    connect(args.address, args.num_cpus)
    deployed = deploy(settings, args.host, args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        f"LDN JSON API on {settings.replicas} replica(s): {deployed.url}/api/ask  (Ctrl+C to stop)",
        flush=True,
    )
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        deployed.close(shutdown_ray=args.address is None)
    return 0


def main(argv: list[str] | None = None) -> int:
    from index.cli import run_command

    parser = argparse.ArgumentParser(prog="python -m bot.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--index", help="index folder (default: index/built or LDN_INDEX_DIR)")
    parser.add_argument("--model", help="local sentence-transformers model folder")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_command(run, args)
