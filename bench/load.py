r"""Load benchmark from outside: the platform and a bare Flask "hello" app, each under the
production gunicorn settings (gunicorn.conf.py, 2 sync workers), driven by wrk.

Run, SQLite (the demo data is built once into bench/results/demo-<learners>.sqlite3 and
kept for later runs):

    .venv/bin/python -m bench.load

PostgreSQL (the URL names the server: the run makes a database of its own there, fills it
with the demo data, and drops it afterwards; give Redis too, as a PostgreSQL deployment
with several processes runs):

    .venv/bin/python -m bench.load --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        --redis-url redis://127.0.0.1:6379/0

Both backends in one idle run: the two commands one after the other. A short check that it
works: --learners 200 --clinics 3 --duration 2 --repetitions 1 --connections 8.

Each repetition runs hello and every page in turn at each number of connections; the table
gives the medians over the repetitions of requests/s and of the p50 and p99 latencies, each
as a ratio to hello's in the same run. Pages are asked as a learner with progress and a
certificate (learner0), the clinic report as the manager of the 500-staff clinic; each quiz
submission is a new failed attempt by one of 64 learners taking turns, numbered from the
database before each run (so each request writes). wrk is Debian's package: installed with
apt-get when missing, as .ci/run installs Chromium.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import bindparam, create_engine, make_url, text

from nmt_course.config import PROJECT_ROOT, database_url as normalise_url

from .serve import start_server

RESULTS = Path(__file__).parent / "results"
PASSWORD = "demo-data password"  # nmt_course/demo/plan.py
SUBMITTERS = 64  # more than the connections of one wrk thread: a learner's turns never overlap
THREADS = 2
SECRET_KEY = "load-benchmark-" + "k" * 40


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env,
                      capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env,
                       capture_output=True, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def flask(environ: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args],
                            cwd=PROJECT_ROOT, env={**os.environ, **environ},
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def demo_database(args, environ: dict) -> tuple[str, callable]:
    """The database to serve, and how to drop it afterwards: on PostgreSQL a database of
    the run's own on the server --database-url names; on SQLite the demo data built once
    and kept (or the file --database-url names)."""
    drop = lambda: None  # noqa: E731
    if args.database_url and not args.database_url.startswith("sqlite"):
        url, drop = own_database(args.database_url)
    elif args.database_url:
        url = args.database_url
    else:
        RESULTS.mkdir(exist_ok=True)
        url = f"sqlite:///{RESULTS / f'demo-{args.learners}.sqlite3'}"
    try:
        env = {**environ, "DATABASE_URL": url}
        flask(env, "db", "upgrade")
        engine = create_engine(normalise_url(url))
        with engine.connect() as connection:
            has_demo = connection.execute(text(
                "SELECT count(*) FROM users WHERE email = 'learner0@demo.example.com'")).scalar()
        engine.dispose()
        if not has_demo:
            print(f"Building demo data ({args.learners} learners, {args.clinics} clinics)...",
                  flush=True)
            print(flask(env, "demo-data", "--learners", str(args.learners),
                        "--clinics", str(args.clinics)).strip().splitlines()[-1], flush=True)
    except BaseException:
        drop()
        raise
    return url, drop


def own_database(server_url: str) -> tuple[str, callable]:
    """A new database on the PostgreSQL server of `server_url`, and how to drop it."""
    url = make_url(normalise_url(server_url))
    name = f"nmt_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


class Session:
    """A logged-in person's cookie and form token, got over HTTP like a browser."""

    def __init__(self, base: str, email: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login")
        self.post("/login", {"csrf_token": token_on(page), "email": email,
                             "password": PASSWORD})
        assert "Log out" in self.get("/dashboard"), f"{email} could not log in"

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as answer:
            return answer.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as answer:
            return answer.read().decode()

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def token_on(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def targets(url: str, base: str, folder: Path) -> dict[str, dict]:
    """Each page to drive: its path, the cookie to send, and for the submission a script."""
    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        lesson = connection.execute(text(
            "SELECT c.slug, l.slug FROM courses c JOIN lessons l ON l.course_id = c.id "
            "WHERE c.slug = 'nmt-foundations' ORDER BY l.position LIMIT 1 OFFSET 3")).one()
        code = connection.execute(text(
            "SELECT code FROM certificates c JOIN users u ON u.id = c.user_id "
            "WHERE u.email = 'learner0@demo.example.com' ORDER BY c.id LIMIT 1")).scalar()
        clinic = connection.execute(text("SELECT min(id) FROM clinics")).scalar()
        # Learners who read the first lesson of a generated course (unlimited attempts).
        quiz_lesson = connection.execute(text(
            "SELECT l.id, q.id FROM lessons l JOIN courses c ON c.id = l.course_id "
            "JOIN quizzes q ON q.lesson_id = l.id WHERE c.slug = 'demo-course-1' "
            "ORDER BY l.position LIMIT 1")).one()
        submitters = connection.execute(text(
            "SELECT u.email, coalesce(s.attempts, 0) FROM lesson_progress p "
            "JOIN users u ON u.id = p.user_id LEFT JOIN quiz_standings s "
            "ON s.user_id = u.id AND s.quiz_id = :quiz "
            "WHERE p.lesson_id = :lesson AND (s.passed IS NULL OR NOT s.passed) "
            "ORDER BY u.id LIMIT :n"), {"lesson": quiz_lesson[0], "quiz": quiz_lesson[1],
                                         "n": SUBMITTERS}).all()
    engine.dispose()
    learner, manager = Session(base, "learner0@demo.example.com"), Session(
        base, "manager0@demo.example.com")
    display = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
    course, lesson_slug = lesson
    quiz = "/courses/demo-course-1/lessons/lesson-1/quiz"
    script = submission_script(url, base, quiz, quiz_lesson[1], submitters, folder)
    with_learner, with_manager = {"cookie": learner.cookie}, {"cookie": manager.cookie}
    return {
        "healthz (overhead)": {"path": "/healthz"},
        "catalogue": {"path": "/"},
        "course page": {"path": f"/courses/{course}", **with_learner},
        "lesson page": {"path": f"/courses/{course}/lessons/{lesson_slug}", **with_learner},
        "dashboard": {"path": "/dashboard", **with_learner},
        "quiz page": {"path": f"/courses/{course}/lessons/{lesson_slug}/quiz", **with_learner},
        "quiz submission": {"path": quiz, "script": script},  # a function: see run_wrk
        "certificate PDF": {"path": f"/certificates/{display}.pdf", **with_learner},
        "verification page": {"path": f"/verify/{display}"},
        "clinic report": {"path": f"/clinics/{clinic}", **with_manager},
    }


def submission_script(url: str, base: str, quiz: str, quiz_id: int, submitters,
                      folder: Path):
    """A function writing, before each wrk run, a script posting failed attempts: the
    learners take turns, each posting its next attempt number as the database has it now
    (a learner's requests are further apart than a thread's connections, so each is answered
    before the learner's next is sent)."""
    people = []
    for email, _ in submitters:
        person = Session(base, email)
        page = person.get(quiz)
        fields = dict(re.findall(r'name="(csrf_token|version|opened)"[^>]*value="([^"]*)"',
                                 page))
        wrong = re.findall(r'name="(q-[^"]+)"[^>]*value="([^"]+)"', page)
        answers, seen = [], set()
        for name, value in wrong:  # the last choice of each question: mostly wrong
            if name in seen:
                answers[-1] = (name, value)
            else:
                seen.add(name)
                answers.append((name, value))
        body = urllib.parse.urlencode({**fields, **dict(answers)})
        people.append((email, person.cookie, body))

    def write() -> Path:
        engine = create_engine(normalise_url(url))
        with engine.connect() as connection:
            made = dict(connection.execute(text(
                "SELECT u.email, coalesce(max(a.number), 0) FROM users u LEFT JOIN "
                "quiz_attempts a ON a.user_id = u.id AND a.quiz_id = :quiz "
                "WHERE u.email IN :emails GROUP BY u.email").bindparams(
                    bindparam("emails", expanding=True)),
                {"quiz": quiz_id, "emails": [email for email, *_ in people]}).all())
        engine.dispose()
        return _lua(folder, [(cookie, body, made[email] + 1)
                             for email, cookie, body in people])
    return write


def _lua(folder: Path, people) -> Path:
    lua = ["local people = {"]
    lua += [f"  {{cookie = {json.dumps(cookie)}, body = {json.dumps(body)}, next = {number}}},"
            for cookie, body, number in people]
    lua += ["}", "local offset, turn = 0, 0",
            "function setup(thread) thread:set('offset', offset); offset = offset + 1 end",
            "function init(args) turn = offset end",
            f"local threads = {THREADS}",
            "function request()",
            "  local i = turn % #people + 1",
            "  turn = turn + threads",
            "  local p = people[i]",
            "  local body = p.body .. '&attempt=' .. p.next",
            "  p.next = p.next + 1",
            "  return wrk.format('POST', nil, {['Cookie'] = p.cookie, ['Sec-Fetch-Site'] = "
            "'same-origin', ['Content-Type'] = 'application/x-www-form-urlencoded'}, body)",
            "end"]
    path = folder / "submit.lua"
    path.write_text("\n".join(lua) + "\n")
    return path


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, base: str, target: dict, connections: int, duration: int) -> dict:
    command = [wrk, f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "10s"]
    if "cookie" in target:
        command += ["-H", f"Cookie: {target['cookie']}"]
    if "script" in target:
        command += ["-s", str(target["script"]())]
    done = subprocess.run([*command, base + target["path"]], capture_output=True, text=True)
    output = done.stdout
    if done.returncode != 0 or done.stderr:
        print(done.stdout, done.stderr, file=sys.stderr)
    latency = {p: float(v) * UNITS[u] for p, v, u in re.findall(
        r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)}
    if "Requests/sec" not in output or not re.search(r"^\s+50%", output, re.MULTILINE):
        print(output, file=sys.stderr)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
            "p50": latency["50"], "p99": latency["99"],
            "errors": int(errors[1]) if errors else 0,
            "socket_errors": socket_errors[1] if socket_errors else ""}


def main() -> None:
    parser = argparse.ArgumentParser(  # --help shows how to run both backends
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="postgresql://...: the server to make the "
                        "run's own database on (dropped after); sqlite:///...: a file to "
                        "use; by default the SQLite demo data kept in bench/results/")
    parser.add_argument("--redis-url", help="served with REDIS_URL (PostgreSQL deployments)")
    parser.add_argument("--learners", type=int, default=10000)
    parser.add_argument("--clinics", type=int, default=50)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--only", help="comma-separated page names (hello always runs)")
    args = parser.parse_args()
    wrk = ensure_wrk()
    levels = [int(n) for n in args.connections.split(",")]

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        key = folder / "signing_key.json"
        environ = {"SECRET_KEY": SECRET_KEY, "SIGNING_KEY_FILE": str(key),
                   "SITE_URL": "http://127.0.0.1", "MAIL_DELIVERY": "cron",
                   "GUNICORN_ACCESS_LOG": str(folder / "access.log")}
        flask(environ, "keys", "generate")
        url, drop_database = demo_database(args, environ)
        environ["DATABASE_URL"] = url
        if args.redis_url:
            environ["REDIS_URL"] = args.redis_url
            environ["REDIS_KEY_PREFIX"] = "nmt-bench:"
        servers = []
        try:
            hello = start_server(environ, folder / "hello.log", workers=2,
                                 app="bench.hello:app", ready="/")
            servers.append(hello)
            platform = start_server(environ, folder / "platform.log", workers=2,
                                    app="bench.load_app:app")
            servers.append(platform)
            pages = targets(url, platform.base, folder)
            if args.only:
                pages = {name: pages[name] for name in args.only.split(",")}
            runs: dict[tuple[str, int], list[dict]] = {}
            for repetition in range(args.repetitions):
                for connections in levels:
                    for name, target in {"hello": {"path": "/"}, **pages}.items():
                        base = hello.base if name == "hello" else platform.base
                        runs.setdefault((name, connections), []).append(
                            run_wrk(wrk, base, target, connections, args.duration))
                print(f"repetition {repetition + 1} of {args.repetitions} done", flush=True)
            pdf_one = statistics.median(
                run_wrk(wrk, platform.base, pages["certificate PDF"], 1, args.duration)["p50"]
                for _ in range(args.repetitions)) if "certificate PDF" in pages else None
        finally:
            for server in servers:
                server.stop()
            drop_database()
        locked = "database is locked" in (folder / "platform.log").read_text()
    print_table(runs, levels, url, pdf_one, locked)


def print_table(runs, levels, url, pdf_one, locked) -> None:
    median = {key: {m: statistics.median(r[m] for r in rows) for m in ("rps", "p50", "p99")}
              | {"errors": sum(r["errors"] for r in rows)} for key, rows in runs.items()}
    backend = url.split(":", 1)[0]
    print(f"\n{backend}: medians of {len(next(iter(runs.values())))} runs; ratios to hello "
          "in the same run (req/s: higher is better; p50, p99: x hello's latency)")
    header = "| page | " + " | ".join(
        f"req/s @{c} | x hello | p50 ms | p99 ms | p99 x hello" for c in levels) + " | errors |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    names = dict.fromkeys(name for name, _ in runs)
    for name in names:
        cells = []
        for c in levels:
            row, base = median[(name, c)], median[("hello", c)]
            cells.append(f"{row['rps']:.0f} | {row['rps'] / base['rps']:.2f} | "
                         f"{row['p50']:.1f} | {row['p99']:.1f} | {row['p99'] / base['p99']:.1f}")
        errors = sum(median[(name, c)]["errors"] for c in levels)
        print(f"| {name} | " + " | ".join(cells) + f" | {errors} |")
    if pdf_one is not None:
        print(f"\nStored certificate PDF at 1 connection: p50 {pdf_one:.1f} ms")
    print(f"'database is locked' in the server log: {'yes' if locked else 'no'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"load-{backend}.json").write_text(json.dumps(
        {f"{name} @{c}": value for (name, c), value in median.items()}, indent=2))


if __name__ == "__main__":
    main()
