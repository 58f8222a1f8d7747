"""Shared by the benchmarks: timing one action and reporting medians against a baseline."""
from __future__ import annotations

import statistics
import time


def timed(action) -> float:
    """Milliseconds `action()` takes."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def report(samples: dict[str, list[float]], baseline: str, heading: str) -> None:
    """Print each row's median and its ratio to the median of the `baseline` row."""
    base = statistics.median(samples[baseline])
    width = max(len(name) for name in samples) + 2
    print(f"{heading:{width}} {'median ms':>10} {'x baseline':>11}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:{width}} {median:10.1f} {median / base:11.1f}")
