"""The one way the benchmarks and the multi-process and crash tests start gunicorn: the
production command (`gunicorn -c gunicorn.conf.py app:app`, or another app under the same
settings) on a loopback port, overridden only through the environment variables
gunicorn.conf.py reads."""
from __future__ import annotations

import contextlib
import os
import random
import signal
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
    log: Path | None

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_a_worker(self, chooser: random.Random) -> bool:
        """SIGKILL one worker (the master starts another); False if none was there."""
        pids = self.worker_pids()
        if not pids:
            return False
        try:
            os.kill(chooser.choice(pids), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(environ: dict[str, str], log: Path | None, *, workers: int = 1,
                 app: str = "app:app", ready: str = "/healthz", port: int | None = None,
                 settings: dict[str, str] | None = None, wait: float = 180) -> Server:
    """`gunicorn -c gunicorn.conf.py app:app` as deployed (or another `app`), on `port` (a
    free one by default); `settings` are more of gunicorn.conf.py's variables
    (GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT...). Returns once `ready` answers 200;
    the output goes to `log` (appended), or nowhere."""
    port = port or free_port()
    env = {**os.environ, **environ, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": str(workers), "GUNICORN_LOG_LEVEL": "warning",
           **(settings or {})}
    with open(log if log else os.devnull, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(server.base + ready, timeout=2) as answer:
                if answer.status == 200:
                    return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer in {wait:.0f} s:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    return log.read_text()[-4000:] if log and log.exists() else "(no log kept)"
