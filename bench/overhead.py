"""Benchmark: per-request overhead in-process, as ratios to a bare Flask "hello" app.

Run:  .venv/bin/python -m bench.overhead [--rounds 5] [--requests 200] [--database-url URL]
                                        [--profile PAGE]

One process: a bare Flask app and the platform (rate limits off, as bench/load.py serves
it), each asked through Flask's test client in turn, round after round, so the machine's
load falls on both alike. The table gives each page's median requests/s over the rounds and
its ratio to hello's median. `--profile "healthz (logged in)"` prints where that page's time
goes instead (cProfile, sorted by cumulative time).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time

from flask import Flask

from . import pages as page_bench


def hello_app() -> Flask:
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "Hello, World!")
    return app


def requests(app, client, anonymous) -> dict:
    timed = page_bench.pages(app, client)
    return {"hello": None,
            "healthz (anonymous)": lambda: anonymous.get("/healthz"),
            "healthz (logged in)": timed["healthz (baseline)"],
            "catalogue (anonymous)": lambda: anonymous.get("/"),
            "course page": timed["course page"],
            "lesson page": timed["lesson page"],
            "dashboard": timed["dashboard"],
            "quiz page": timed["quiz page"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", help="a page's name: print its cProfile instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = page_bench.build_app(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        app.config["TESTING"] = False  # as served: errors are pages, not exceptions
        page_bench.add_learner(app, "learner@example.com", lessons_passed=4)
        page_bench.add_learner(app, "done@example.com",
                               lessons_passed=len(page_bench.lesson_slugs(app)))
        client = app.test_client()
        page_bench.log_in(client, "learner@example.com")
        hello = hello_app().test_client()
        asked = requests(app, client, app.test_client())
        asked["hello"] = lambda: hello.get("/")
        if args.profile:
            profile(asked[args.profile], args.requests * args.rounds)
            return
        samples: dict[str, list[float]] = {name: [] for name in asked}
        for _ in range(args.rounds):
            for name, ask in asked.items():
                start = time.perf_counter()
                for _ in range(args.requests):
                    assert ask().status_code == 200, name
                samples[name].append(args.requests / (time.perf_counter() - start))
    base = statistics.median(samples["hello"])
    print(f"medians of {args.rounds} rounds of {args.requests} requests")
    print(f"{'request':24} {'req/s':>8} {'x hello':>8}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:24} {median:8.0f} {median / base:8.3f}")


def profile(ask, count: int) -> None:
    for _ in range(20):
        ask()  # warm: templates compiled, statements cached
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        ask()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
