"""gunicorn servers on loopback for the load benchmark and the multi-process tests: the
production settings (gunicorn.conf.py), a free port each."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from nmt_course.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(environ: dict[str, str], log: Path, *, workers: int = 1,
                 app: str = "app:app", ready: str = "/healthz") -> Server:
    """`gunicorn -c gunicorn.conf.py app:app` as deployed (or another `app`), on a free
    loopback port; returns once `ready` answers 200."""
    port = free_port()
    env = {**os.environ, **environ, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(workers), "GUNICORN_LOG_LEVEL": "warning"}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(server.base + ready, timeout=2) as answer:
                if answer.status == 200:
                    return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer in 180 s:\n{log.read_text()}")
