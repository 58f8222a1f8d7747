"""A fresh deployment, run as its operator would: the commands of a new checkout with
SECRET_KEY set in the environment (no instance folder exists yet) and no migration run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nmt_course.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
CHECKOUT = ("app.py", "nmt_course", "migrations", "lessons", "quizzes", "templates", "static")


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The project's files, as a fresh clone has them (no instance/)."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in CHECKOUT:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("__pycache__", "instance"))
        else:
            shutil.copy(source, root / name)
    return root


def flask(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items()
               if key not in ("DATABASE_URL", "SITE_URL", "NMT_ENV", "MAIL_SERVER")}
    environ.update(SECRET_KEY="a-secret-from-the-environment-of-the-server", PYTHONPATH="")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=checkout,
                          env=environ, capture_output=True, text=True, timeout=120)


def test_a_fresh_checkout_with_secret_key_set_migrates_imports_and_serves(checkout):
    assert not (checkout / "instance").exists()
    upgrade = flask(checkout, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert (checkout / "instance" / "nmt.sqlite3").exists()
    assert not (checkout / "instance" / "secret_key").exists()  # the environment's key is used
    imported = flask(checkout, "content", "import", "--if-empty")
    assert imported.returncode == 0, imported.stderr
    assert "nmt-foundations: created" in imported.stdout
    served = subprocess.run(
        [sys.executable, "-c", "from app import app; c = app.test_client(); "
         "r = c.get('/courses/nmt-foundations'); print(r.status_code)"],
        cwd=checkout, capture_output=True, text=True, timeout=60,
        env={**os.environ, "SECRET_KEY": "a-secret-from-the-environment-of-the-server",
             "PYTHONPATH": ""})
    assert served.stdout.strip() == "200", served.stderr


def test_importing_into_a_database_never_migrated_says_what_to_run(checkout):
    result = flask(checkout, "content", "import")
    assert result.returncode == 1
    assert "run `flask --app app db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
