"""A throw-away PostgreSQL server for tests: Debian's `postgresql` binaries, a temp folder, loopback.

`PostgresServer.start()` runs ``initdb`` into a temporary folder (as the ``postgres`` user when
we are root, since PostgreSQL refuses to run as root), starts it with ``pg_ctl`` on a free
port bound to 127.0.0.1 only (plus a socket in the same folder), with durability off (fsync,
synchronous commit: test data only); `stop()` stops it and deletes the folder.

`unavailable_reason()` says why no server can be started here (no binaries, no ``postgres``
user …) so tests skip with that reason, or fail under ``CI=true`` (`skip_or_fail`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

INSTALL_HINT = "install Debian's postgresql package (apt-get install -y postgresql)"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """None when a server can be started here, else why not."""
    if _bin_dir() is None:
        return f"PostgreSQL binaries (initdb, pg_ctl) not found; {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return f"running as root but there is no 'postgres' user to run the server as; {INSTALL_HINT}"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary,pool]', the project's [scale] extra)"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`, except under CI=true, where a missing PostgreSQL is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI=true: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ldn-pg-")))
    port: int = field(default_factory=_free_port)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        bindir = _bin_dir()
        assert bindir is not None
        command = [str(bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        done = self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                         "-E", "UTF8", "--locale=C")  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-400:]}")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        done = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                         "-w", "-t", "60", "start")  # fmt: skip
        if done.returncode != 0:
            log = (
                (self.folder / "log").read_text(errors="replace")[-600:]
                if (self.folder / "log").exists()
                else ""
            )
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {log}")
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a generated name, not user input
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_or_skip() -> PostgresServer:
    """A started server, or skip (fail under CI=true) with the reason."""
    reason = unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    server = PostgresServer()
    try:
        return server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        skip_or_fail(f"the test server could not be started: {exc}")
        raise  # not reached
