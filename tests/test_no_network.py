"""No network, ever: building, asking and serving open no connection except to loopback.

Two independent proofs, combined in each test:

1. **An audit hook.** Every command runs under a small wrapper (`AUDIT`, written to tmp_path) that
   installs `sys.addaudithook` before the program is imported. The hook sees every
   ``socket.connect``, ``socket.getaddrinfo``, ``socket.gethostbyname*``, ``socket.sendto``/
   ``sendmsg`` and ``socket.bind`` in every thread; any address that is not loopback is written to
   a log and refused (the call raises), so nothing can leave even if the machine is online.
2. **A network namespace with only ``lo``** (``unshare -n`` as root, ``ip link set lo up``
   inside): there is physically no route out. There the project's own offline switches are put
   to the test: the child gets *no* ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE``/
   ``GRADIO_ANALYTICS_ENABLED`` from us, so the code must set them itself. Without ``unshare``
   (not root, or a sandbox that forbids it) the hook test still runs, with those variables set.

The commands: ``python -m index build`` (real model), ``python -m bot ask`` (real model) and
``python -m bot serve`` (started, its page and ``/ask`` fetched from inside the namespace, then
stopped with SIGINT). Marked ``model`` and ``slow``: about 10-20 s each.

    .venv/bin/python -m pytest -q tests/test_no_network.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from index.settings import PROJECT_ROOT
from tests.conftest import TINY_DOCS
from tests.helpers import free_port

pytestmark = [pytest.mark.model, pytest.mark.slow]

OFFLINE_VARS = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "GRADIO_ANALYTICS_ENABLED",
    "HF_HUB_DISABLE_TELEMETRY",
)

AUDIT = textwrap.dedent(
    '''
    """Run a module (like `python -m`) with an audit hook that refuses non-loopback network use."""
    import ipaddress
    import json
    import os
    import runpy
    import sys

    LOG = os.environ["NET_AUDIT_LOG"]
    LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
    WATCHED = {
        "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
        "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "socket.bind",
    }
    seen = {"events": 0}


    def local(host):
        if host is None or host == "":
            return True  # passive lookups (bind to a port), unix sockets
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host).strip("[]").split("%")[0]
        if host.lower() in LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


    def host_of(event, args):
        if event in ("socket.connect", "socket.bind", "socket.sendto"):
            address = args[1]
            if isinstance(address, (str, bytes)):  # AF_UNIX path: local by nature
                return None
            return address[0] if isinstance(address, tuple) and address else address
        if event == "socket.sendmsg":
            address = args[1]
            return None if address is None or isinstance(address, (str, bytes)) else address[0]
        return args[0]


    def hook(event, args):
        if event not in WATCHED:
            return
        seen["events"] += 1
        host = host_of(event, args)
        if local(host):
            if seen["events"] <= 200:  # evidence that the hook was live in this process
                with open(LOG + ".local", "a", encoding="utf-8") as fh:
                    fh.write(event + "\\n")
            return
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"event": event, "host": repr(host), "pid": os.getpid()}) + "\\n")
        raise OSError(f"network use refused by the test's audit hook: {event} {host!r}")


    sys.addaudithook(hook)
    module, sys.argv = sys.argv[1], [sys.argv[1], *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    '''
)

DRIVER = textwrap.dedent(
    '''
    """Inside the namespace: bring lo up, run one command (or serve and fetch), report as JSON."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    spec = json.loads(sys.argv[1])
    report = {"namespace": spec["namespace"]}
    if spec["namespace"]:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        out = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        report["links"] = sorted(line.split(":")[1].strip() for line in out.splitlines())
    cmd = [sys.executable, spec["audit"], *spec["args"]]
    if not spec.get("serve"):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=spec["timeout"])
        report.update(code=done.returncode, stdout=done.stdout[-4000:], stderr=done.stderr[-4000:])
    else:
        url = f"http://127.0.0.1:{spec['port']}/"
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline, page = time.monotonic() + spec["timeout"], None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        report["page_ok"] = bool(page and "Low-dose naltrexone" in page)
        answer = None
        while page and time.monotonic() < deadline:  # /ask waits for the engine itself
            body = json.dumps({"data": ["Does LDN cause vivid dreams?"]}).encode()
            req = urllib.request.Request(url + "gradio_api/call/ask", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                event = json.loads(r.read())["event_id"]
            with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event}", timeout=60) as r:
                text = r.read().decode("utf-8")
            answer = json.loads(text.split("data:")[-1])[0]
            if answer.get("status") != "unavailable":
                break
            time.sleep(1)
        report["answer_status"] = answer and answer.get("status")
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
        report.update(code=server.returncode, stdout=out[-4000:], stderr="")
    print(json.dumps(report))
    '''
)


def _unshare_ok() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, timeout=30, check=False
    )
    return probe.returncode == 0


UNSHARE = _unshare_ok() if sys.platform.startswith("linux") else False


def run_offline(
    tmp_path: Path, args: list[str], *, serve_port: int | None = None, timeout: float = 150
) -> dict[str, Any]:
    """Run `python -m ARGS` under the audit hook (in a fresh network namespace when possible)."""
    audit, driver, log = tmp_path / "netaudit.py", tmp_path / "driver.py", tmp_path / "net.log"
    audit.write_text(AUDIT, encoding="utf-8")
    driver.write_text(DRIVER, encoding="utf-8")
    log.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not (UNSHARE and k in OFFLINE_VARS)}
    env.update(NET_AUDIT_LOG=str(log), PYTHONPATH=str(PROJECT_ROOT), LDN_FEEDBACK_DB=str(tmp_path / "fb.db"))
    if not UNSHARE:
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    spec = {"namespace": UNSHARE, "audit": str(audit), "args": args, "timeout": timeout}
    if serve_port is not None:
        spec.update(serve=True, port=serve_port)
    cmd = [sys.executable, str(driver), json.dumps(spec)]
    if UNSHARE:
        cmd = ["unshare", "-n", *cmd]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout + 60, env=env, cwd=PROJECT_ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["refused"] = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    local = Path(f"{log}.local")
    report["local_events"] = local.read_text(encoding="utf-8").split() if local.exists() else []
    if UNSHARE:
        assert report["links"] == ["lo"], report["links"]  # nothing but loopback exists in there
    return report


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("offline") / "corpus"
    folder.mkdir()
    for name, text in TINY_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny_index(tiny: Path) -> Path:
    return tiny.parent / "index"


def test_the_audit_hook_catches_an_outside_connection(tmp_path: Path) -> None:
    """The instrument works: a connection attempt to a public address is logged and refused."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "__init__.py").write_text("", encoding="utf-8")
    (probe / "__main__.py").write_text(
        "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except OSError as exc:\n    print('refused', exc)\n",
        encoding="utf-8",
    )
    report = run_offline(tmp_path, ["probe"], timeout=30)
    assert report["code"] == 0 and "refused" in report["stdout"]
    assert [r["event"] for r in report["refused"]] in (["socket.getaddrinfo"], ["socket.connect"])


def test_index_build_opens_no_outside_connection(tmp_path: Path, tiny: Path, tiny_index: Path) -> None:
    report = run_offline(
        tmp_path, ["index", "build", "--corpus", str(tiny), "--out", str(tiny_index), "--quiet"]
    )
    assert report["code"] == 0, report["stderr"]
    assert "index built" in report["stdout"]
    assert report["refused"] == []


def test_bot_ask_opens_no_outside_connection(tmp_path: Path, tiny: Path, tiny_index: Path) -> None:
    if not (tiny_index / "CURRENT").exists():
        pytest.skip("needs the index of test_index_build_opens_no_outside_connection")
    report = run_offline(
        tmp_path,
        [
            "bot",
            "ask",
            "--json",
            "--corpus",
            str(tiny),
            "--index",
            str(tiny_index),
            "Does LDN cause vivid dreams?",
        ],
    )
    assert report["code"] == 0, report["stderr"]
    answer = json.loads(report["stdout"].strip().splitlines()[-1])
    assert answer["status"] in ("answered", "no_answer") and answer["advice"]
    assert report["refused"] == []


def test_bot_serve_opens_no_outside_connection(tmp_path: Path, tiny: Path, tiny_index: Path) -> None:

    if not (tiny_index / "CURRENT").exists():
        pytest.skip("needs the index of test_index_build_opens_no_outside_connection")
    port = free_port()  # free here; inside a fresh namespace every port is free
    args = ["bot", "serve", "--corpus", str(tiny), "--index", str(tiny_index), "--port", str(port)]
    report = run_offline(tmp_path, args, serve_port=port)
    assert report["page_ok"], report["stdout"]
    assert report["answer_status"] in ("answered", "no_answer"), report["stdout"]
    assert report["refused"] == [], report["refused"]
    assert {"socket.bind", "socket.connect"} <= set(report["local_events"])  # the hook saw the server
    assert "Traceback" not in report["stdout"]
