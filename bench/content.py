"""Benchmark: content check and import of the shipped course.

Run:  .venv/bin/python -m bench.content [--rounds 7]

The baseline is reading every content file's bytes in the same run. Reported: parsing and
validating (`content check`), a first import into an empty database, and an unchanged
re-import, which the course's content hash should make nearly free.
"""
from __future__ import annotations

import argparse
import tempfile

from flask_migrate import upgrade

from nmt_course import create_app
from nmt_course.config import PROJECT_ROOT
from nmt_course.content import load_content
from nmt_course.extensions import db
from nmt_course.learning.operations import import_content

from .common import report, timed

ROOTS = (PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")


def read_files() -> None:
    for root in ROOTS:
        for path in root.rglob("*"):
            if path.is_file():
                path.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"read files (baseline)": [], "content check": [],
                                       "first import": [], "unchanged re-import": []}
    for _ in range(args.rounds):
        samples["read files (baseline)"].append(timed(read_files))
        samples["content check"].append(timed(lambda: load_content(*ROOTS)))
        content = load_content(*ROOTS)
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
            with app.app_context():
                upgrade()
                def load(courses=content.courses):
                    import_content(app.extensions["nmt_runtime"], courses)
                samples["first import"].append(timed(load))
                samples["unchanged re-import"].append(timed(load))
                db.engine.dispose()
    report(samples, "read files (baseline)", "step")


if __name__ == "__main__":
    main()
