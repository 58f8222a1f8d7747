"""Each benchmark still runs, in its smallest form: a change to the app (a login that now
needs a server-side session, say) must not leave a benchmark broken until someone times."""
from __future__ import annotations

import subprocess
import sys

import pytest

from nmt_course.config import PROJECT_ROOT

SMALLEST = {
    "bench.pages": ["--rounds", "1", "--requests", "1"],
    "bench.content": ["--rounds", "1"],
    "bench.markdown": ["--rounds", "1", "--scale", "0.02"],
    "bench.pdf": ["--rounds", "1"],
    "bench.credentials": ["--rounds", "1"],
    "bench.item_analysis": ["--rounds", "1", "--attempts", "200"],
    "bench.clinic_report": ["--rounds", "1", "--requests", "1", "--staff", "5"],
    # The held load in its short form: 10 learners for 10 s (the full run: 50 for 60 s).
    "bench.load_held": ["--learners", "10", "--seconds", "10"],
}


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(SMALLEST))
def test_the_benchmark_runs(module):
    result = subprocess.run([sys.executable, "-m", module, *SMALLEST[module]],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "baseline" in result.stdout
