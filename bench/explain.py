"""The query plans of the hot pages' statements on the demo data, for docs/performance.md.

Run:  .venv/bin/python -m bench.explain [--database-url URL]   (default: bench.load's
      SQLite demo database, bench/results/demo-10000.sqlite3)

Each page of bench/load.py is requested once in-process; every statement it sends is kept
with its parameters, then explained (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)
and printed as Markdown, most frequent first.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter

from sqlalchemy import event

from nmt_course import create_app
from nmt_course.extensions import db

from .load import PASSWORD, RESULTS

PAGES = {
    "learner0@demo.example.com": ["/", "/courses/nmt-foundations", "/dashboard",
                                  "/courses/nmt-foundations/lessons/{lesson}",
                                  "/courses/nmt-foundations/lessons/{lesson}/quiz",
                                  "/certificates/{code}", "/verify/{code}"],
    "manager0@demo.example.com": ["/clinics/{clinic}"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default=f"sqlite:///{RESULTS / 'demo-10000.sqlite3'}")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False,
                      "MAIL_DELIVERY": "cron", "SECRET_KEY": "explain-" + "x" * 40})
    with app.app_context():
        engine = db.engine
        facts = {
            "lesson": db.session.execute(db.text(
                "SELECT l.slug FROM lessons l JOIN courses c ON c.id = l.course_id "
                "WHERE c.slug = 'nmt-foundations' ORDER BY l.position LIMIT 1 OFFSET 3"
            )).scalar(),
            "clinic": db.session.execute(db.text("SELECT min(id) FROM clinics")).scalar(),
            "code": db.session.execute(db.text(
                "SELECT c.code FROM certificates c JOIN users u ON u.id = c.user_id "
                "WHERE u.email = 'learner0@demo.example.com' LIMIT 1")).scalar()}
        db.session.remove()
    facts["code"] = "-".join(facts["code"][i:i + 4] for i in range(0, len(facts["code"]), 4))
    seen: Counter = Counter()
    kept: dict[str, tuple] = {}
    sent_by: dict[str, set[str]] = {}
    current = [""]

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            # The same statement with another number of values in an IN list is one.
            key = re.sub(r"\((?:\?, )+\?\)|\((?:%\(\w+\)s, )+%\(\w+\)s\)", "(…)",
                         statement)
            seen[key] += 1
            kept.setdefault(key, (statement, parameters))
            sent_by.setdefault(key, set()).add(current[0])

    for email, paths in PAGES.items():
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        client.post("/login", data={"csrf_token": token, "email": email,
                                    "password": PASSWORD})
        event.listen(engine, "before_cursor_execute", record)
        for path in paths:
            current[0] = path.split("/{")[0] or "/"
            assert client.get(path.format(**facts)).status_code == 200, path
        event.remove(engine, "before_cursor_execute", record)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        for n, (key, count) in enumerate(seen.most_common(args.top), 1):
            statement, parameters = kept[key]
            explain = ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement
            plan = connection.exec_driver_sql(explain, parameters).all()
            lines = ([f"{'  ' * (row[1] > 0)}{row[-1]}" for row in plan] if sqlite
                     else [row[0] for row in plan])
            pages = ", ".join(f"`{page}`" for page in sorted(sent_by[key]))
            sql = " ".join(key.split())
            sql = sql if len(sql) <= 700 else sql[:700] + " …"
            print(f"### {n}. {count} times, by {pages}\n\n```sql\n{sql}\n```\n\n```\n"
                  + "\n".join(lines) + "\n```\n")


if __name__ == "__main__":
    main()
