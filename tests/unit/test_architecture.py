"""The shape of the code, checked: a pure core, no import cycles, features that depend in one
direction, pages that do not import pages, operations that know no Flask, writes only in
operations, enums rather than their values typed out, no module over 400 lines."""
from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nmt_course.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "nmt_course"

# Plain data in, plain data out: no Flask, no database. The content and credentials packages
# are pure whole.
PURE = ["nmt_course.codes", "nmt_course.grading", "nmt_course.progress",
        "nmt_course.formatting", "nmt_course.security", "nmt_course.runtime",
        "nmt_course.mailers", "nmt_course.events", "nmt_course.certificates.pdf",
        "nmt_course.certificates.credential", "nmt_course.certificates.provider",
        "nmt_course.quizzes.policy", "nmt_course.quizzes.presentation",
        "nmt_course.authoring.drafts", "nmt_course.authoring.permissions",
        "nmt_course.csv_safe", "nmt_course.clinics.compliance", "nmt_course.clinics.roster",
        "nmt_course.clinics.report_csv", "nmt_course.clinics.matrix_html",
        "nmt_course.mailing.messages", "nmt_course.quizzes.item_analysis", "nmt_course.text",
        "nmt_course.quizzes.regrade", "nmt_course.recurrence", "nmt_course.erasure_log",
        "nmt_course.time_on_task", "nmt_course.evaluation", "nmt_course.retention",
        "nmt_course.certificates.transcript", "nmt_course.certificates.ce_roster"]
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_migrate",
             "flask_limiter", "sqlalchemy", "alembic", "wtforms", "werkzeug")
# Where a write to the database may be written: operations, and the two helpers they use.
WRITERS = {"nmt_course.database", "nmt_course.audit", "nmt_course.mailing.outbox"}
WRITE_CALLS = ("session.add", "session.add_all", "session.delete", "session.merge",
               "session.commit")
# SQL that writes, built with SQLAlchemy (session.execute(update(...))) or typed out.
DML_BUILDERS = {"insert", "update", "delete"}
DML_WORDS = re.compile(r"^\s*(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b",
                       re.IGNORECASE)

# Features from the bottom up (docs/architecture.md): what a feature's models, queries,
# operations and their helpers import of other features is always lower. Two features of the
# same rank know nothing of each other. Pages may read and change any feature.
FEATURE_RANKS = {"mailing": 0, "accounts": 1, "certificates": 2, "quizzes": 2, "learning": 3,
                 "authoring": 4, "clinics": 4, "admin": 5, "site": 5, "demo": 6}
# A module that uses these is page code: a blueprint, a form, a command or a page helper.
PAGE_FRAMEWORK = {"flask", "flask_wtf", "wtforms", "click"}
# Page helpers every feature's pages share.
SHARED_PAGE_HELPERS = {"nmt_course.web", "nmt_course.form_fields", "nmt_course.quiz_form"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def pure_modules() -> list[str]:
    whole = [name for name in MODULES
             if name.startswith(("nmt_course.content", "nmt_course.credentials"))]
    return sorted(set(PURE) | set(whole))


def _under_type_checking(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


@functools.lru_cache(maxsize=None)
def imports_of(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(modules of this project, top-level outside packages) that `name` imports anywhere
    in its code, lazily or not, except under `if TYPE_CHECKING:`. Each file is read once."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) \
                or _under_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [(base, alias.name) for alias in node.names]
        for base, member in targets:
            if base.split(".")[0] != "nmt_course":
                outside.add(base.split(".")[0])
            elif member and f"{base}.{member}" in MODULES:
                inside.add(f"{base}.{member}")  # `from package import module`
            else:
                inside.add(base)
    return frozenset(inside - {name}), frozenset(outside)


GRAPH = {name: imports_of(name)[0] for name in MODULES}


def test_the_pure_core_imports_neither_flask_nor_the_database():
    modules = pure_modules()
    assert {"nmt_course.content.quality", "nmt_course.credentials.verifier"} <= set(modules)
    assert len(modules) >= 15
    code = (f"import sys\nfor name in {modules!r}: __import__(name)\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORK!r})\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_there_are_no_import_cycles():
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH.get(node, ()):
            if target not in MODULES:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in MODULES:
        if name not in index:
            visit(name)
    assert cycles == []


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in FEATURE_RANKS else None


def is_page(name: str) -> bool:
    """Page code: the shared page helpers, and every module of a feature that uses Flask,
    Flask-WTF, WTForms or Click (routes, forms, lookups, commands, the mail sender)."""
    if name in SHARED_PAGE_HELPERS:
        return True
    return feature_of(name) is not None and bool(imports_of(name)[1] & PAGE_FRAMEWORK)


PAGES = {name for name in MODULES if is_page(name)}


def test_page_code_is_found_by_what_it_uses():
    for page in ("nmt_course.learning.routes", "nmt_course.learning.lookups",
                 "nmt_course.authoring.lookups", "nmt_course.clinics.forms",
                 "nmt_course.quizzes.cli", "nmt_course.quiz_form", "nmt_course.web"):
        assert page in PAGES
    for other in ("nmt_course.learning.queries", "nmt_course.accounts.models",
                  "nmt_course.quizzes.operations", "nmt_course.learning.completion"):
        assert other not in PAGES


def test_every_feature_has_a_rank():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages - {"content", "credentials"} == set(FEATURE_RANKS)  # pure core


def test_features_depend_in_one_direction():
    """Models, queries, operations and their helpers import only lower features."""
    offences = []
    for name, targets in GRAPH.items():
        feature = feature_of(name)
        if feature is None or name in PAGES:
            continue
        for target in targets:
            other = feature_of(target)
            if other not in (None, feature) and FEATURE_RANKS[other] >= FEATURE_RANKS[feature]:
                offences.append(f"{name} imports {target}")
    assert offences == []


def test_no_page_imports_another_page():
    """A page may use the shared page helpers and its own feature's forms and lookups; no
    blueprint, command or other feature's page helper. Only the factory imports them all."""
    offences = []
    for name in PAGES | {"nmt_course.factory"}:
        for target in GRAPH[name] & PAGES:
            own_helper = (feature_of(target) == feature_of(name) is not None
                          and not target.endswith(("routes", "cli")))
            if name != "nmt_course.factory" and target not in SHARED_PAGE_HELPERS \
                    and not own_helper:
                offences.append(f"{name} imports {target}")
    assert offences == []


def test_only_pages_import_pages():
    offences = [f"{name} imports {target}" for name, targets in GRAPH.items()
                if name not in PAGES and name != "nmt_course.factory"
                for target in targets & PAGES]
    assert offences == []


def is_operations(name: str) -> bool:
    return name.rpartition(".")[2].endswith("operations")


@pytest.mark.parametrize("name", [n for n in MODULES if is_operations(n)])
def test_operations_know_no_flask_and_no_page(name):
    inside, outside = imports_of(name)
    assert not outside & {"flask", "flask_login", "flask_wtf"}, outside
    assert not {target for target in inside if is_page(target) or target == "nmt_course.web"}


def sql_writes(tree: ast.AST) -> list[str]:
    """Where a module builds SQL that writes: SQLAlchemy's insert/update/delete imported or
    called, or INSERT/UPDATE/DELETE typed out in a string."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in DML_BUILDERS]
        elif (isinstance(node, ast.Attribute) and node.attr in DML_BUILDERS
              and isinstance(node.value, ast.Name) and node.value.id in ("sqlalchemy", "sa")):
            found.append(f"calls {node.value.id}.{node.attr}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and DML_WORDS.match(node.value)):
            found.append(f"writes SQL {node.value[:30]!r}")
    return found


def test_writes_happen_only_in_operations():
    offences = []
    for name, path in MODULES.items():
        if is_operations(name) or name in WRITERS:
            continue
        text = path.read_text()
        offences += [f"{name}: {call}" for call in WRITE_CALLS if f"{call}(" in text]
        offences += [f"{name}: {write}" for write in sql_writes(ast.parse(text))]
    assert offences == []


def test_a_write_built_with_sqlalchemy_is_found():
    """The check above sees session.execute(update(...)), not only session.add()."""
    code = ("from sqlalchemy import select, update\n"
            "db.session.execute(update(User).values(active=False))\n"
            "sa.delete(User)\nsession.execute(text('DELETE FROM users'))\n")
    assert sql_writes(ast.parse(code)) == ["imports update", "calls sa.delete",
                                           "writes SQL 'DELETE FROM users'"]


def stored_enum_values() -> set[str]:
    from nmt_course.certificates.models import CertificateStatus
    from nmt_course.clinics.models import ClinicRole
    from nmt_course.content import CourseStatus, ReviewMode

    return {member.value for kind in (ClinicRole, CertificateStatus, CourseStatus, ReviewMode)
            for member in kind}


ENUM_FIELDS = {"role", "status", "review_after_fail", "mode"}


def typed_enum_values(tree: ast.AST, values: set[str]) -> list[str]:
    """A role or status compared with, or given as, its value typed out ("manager") instead of
    its enum member (ClinicRole.MANAGER)."""
    def field(node) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr in ENUM_FIELDS
                or isinstance(node, ast.Name) and node.id in ENUM_FIELDS)

    def typed(node) -> bool:
        return isinstance(node, ast.Constant) and node.value in values

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(map(field, sides)) and any(map(typed, sides)):
                found.append(ast.unparse(node))
        elif isinstance(node, ast.keyword) and node.arg in ENUM_FIELDS and typed(node.value):
            found.append(ast.unparse(node))
    return found


def test_roles_and_statuses_are_enums_not_their_values():
    values = stored_enum_values()
    assert typed_enum_values(ast.parse('m.role == "manager"\nC(status="revoked")'),
                             values) == ["m.role == 'manager'", "status='revoked'"]
    offences = [f"{name}: {found}" for name, path in MODULES.items()
                for found in typed_enum_values(ast.parse(path.read_text()), values)]
    pattern = re.compile(r"\.(role|status|review_after_fail)\s*[!=]=\s*['\"](%s)['\"]"
                         % "|".join(sorted(values)))
    offences += [f"{path.name}: {match.group(0)}"
                 for path in (PROJECT_ROOT / "templates").rglob("*.html")
                 for match in pattern.finditer(path.read_text())]
    assert offences == []


def test_no_module_passes_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}
