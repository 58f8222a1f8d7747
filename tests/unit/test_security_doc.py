"""SECURITY.md names the test behind each control: every test it names exists."""
from __future__ import annotations

import re

from nmt_course.config import PROJECT_ROOT


def test_every_test_security_md_names_exists():
    text = (PROJECT_ROOT / "SECURITY.md").read_text()
    named, missing, current = 0, [], None
    for path, test in re.findall(
            r"`((?:app|unit|durability)/[a-z_]+\.py)?(?:::([a-z_0-9]+))?`", text):
        current = path or current
        if path and not (PROJECT_ROOT / "tests" / path).exists():
            missing.append(path)
        if test:
            named += 1
            if f"def {test}(" not in (PROJECT_ROOT / "tests" / current).read_text():
                missing.append(f"{current}::{test}")
    assert named > 40 and missing == []
