"""Benchmark: load held on the embedded default (issue 27). Concurrent learners walk the
fixture course against gunicorn (sync workers) on SQLite, each through real sockets: log in,
read lessons, fail and pass quizzes, answer the evaluation, open the certificate, then the
next learner. Halfway through, `flask backup create` archives the database while it serves.

Run:  .venv/bin/python -m bench.load_held [--learners 50] [--seconds 60] [--workers 2]
                                          [--database-url URL]

It fails (exit 1) on any 5xx answer, any lost connection, "database is locked" in the
server's log, a backup that does not verify, or a database that holds anything other than
exactly what the successful answers promised (read marks, attempts, evaluations,
certificates). It reports requests per second, each kind of request's median and 99th
percentile against /healthz measured in the same run (the baseline), and the backup's size
and time.
"""
from __future__ import annotations

import argparse
import itertools
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import report
from .served_data import check, prepare
from .served_site import PROJECT_ROOT, Browser, Ledger, ServedSite, walk_learners

PASSWORD = "correct horse battery"
KINDS = (("/healthz", "GET", "/healthz (baseline)"), ("/login", "POST", "log in"),
         ("/read", "POST", "mark a lesson read"), ("/quiz", "POST", "quiz submission"),
         ("/evaluation", "POST", "evaluation and certificate"),
         ("/lessons/", "GET", "lesson or quiz page"), ("/certificates/", "GET",
                                                        "certificate page"))


def kind_of(method: str, path: str) -> str:
    for fragment, wanted, name in KINDS:
        if method == wanted and (path.endswith(fragment) or fragment in path):
            return name
    return f"other {method}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="nmt-load-"))
    url = args.database_url or f"sqlite:///{folder / 'site.sqlite3'}"
    emails = [f"load{n}@example.com" for n in range(args.learners * 8)]
    environ = prepare(url, emails, PASSWORD, folder)
    site = ServedSite(environ, workers=args.workers, log=folder / "gunicorn.log")
    ledger, stop = Ledger(), threading.Event()
    browsers: list[Browser] = []
    pool: queue.Queue = queue.Queue()
    for email in emails:
        pool.put(email)
    backup: dict = {}

    def baseline() -> None:
        probe = Browser(site.address)
        browsers.append(probe)
        while not stop.wait(0.5):
            probe.get("/healthz")

    def back_up() -> None:
        if stop.wait(args.seconds / 2):
            return
        archive = folder / "during-load.tar.gz"
        started = time.monotonic()
        made = subprocess.run(
            [str(Path(sys.executable).with_name("flask")), "--app", "app", "backup", "create",
             str(archive)], cwd=PROJECT_ROOT, env=site.environ, capture_output=True, text=True)
        backup.update(seconds=time.monotonic() - started, made=made, archive=archive)

    site.start()
    try:
        threads = [threading.Thread(target=walk_learners, args=(
            site.address, pool, PASSWORD, ledger, stop, browsers),
            kwargs={"seed": n, "most_failures": 2}) for n in range(args.learners)]
        threads += [threading.Thread(target=baseline), threading.Thread(target=back_up)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
    finally:
        site.stop()

    answers = [answer for browser in browsers for answer in browser.answers]
    samples: dict[str, list[float]] = {"/healthz (baseline)": []}
    for method, path, _, seconds in answers:
        samples.setdefault(kind_of(method, path), []).append(seconds * 1000)
    report({name: values for name, values in samples.items() if values},
           "/healthz (baseline)", f"{args.learners} learners, {elapsed:.0f} s")
    every = [seconds * 1000 for *_, seconds in answers]
    print(f"\n{len(answers)} requests in {elapsed:.1f} s: {len(answers) / elapsed:.1f} per "
          f"second; latency median {statistics.median(every):.0f} ms, p99 "
          f"{percentile(every, 0.99):.0f} ms")
    for name, values in samples.items():
        if values:
            print(f"  {name}: p99 {percentile(values, 0.99):.0f} ms ({len(values)} requests)")
    print(f"acknowledged: {len(ledger.reads)} read marks, {len(ledger.attempts)} attempts, "
          f"{len(ledger.evaluations)} evaluations, {len(ledger.certificates)} certificates")

    problems = [f"{status} from {method} {path}" for method, path, status, _ in answers
                if status >= 500]
    log = (folder / "gunicorn.log").read_text(errors="replace")
    if "database is locked" in log:
        problems.append(f"'database is locked' in {folder / 'gunicorn.log'}")
    lost = sum(browser.lost for browser in browsers)
    if lost:
        problems.append(f"{lost} requests lost their connection")
    problems += check(url, ledger, exact=True)
    if backup:
        made = backup["made"]
        if made.returncode != 0:
            problems.append(f"backup during load failed: {made.stderr[-500:]}")
        else:
            verified = subprocess.run(
                [str(Path(sys.executable).with_name("flask")), "--app", "app", "backup",
                 "verify", str(backup["archive"])], cwd=PROJECT_ROOT, env=site.environ,
                capture_output=True, text=True)
            if verified.returncode != 0:
                problems.append(f"the backup taken under load does not verify: "
                                f"{verified.stdout[-800:]}{verified.stderr[-300:]}")
            print(f"backup under load: {backup['archive'].stat().st_size:,} bytes in "
                  f"{backup['seconds']:.1f} s (the command, Python start included)")
    for problem in itertools.islice(problems, 30):
        print("PROBLEM:", problem)
    print("held: no 5xx, no 'database is locked', the database holds exactly what was "
          "promised" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
