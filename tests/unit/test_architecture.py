"""The shape of the code, checked: a pure core, no import cycles, pages that do not import
pages, operations that know no Flask, writes only in operations, no module over 400 lines."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from nmt_course.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "nmt_course"

# Plain data in, plain data out: no Flask, no database. The content package is pure whole.
PURE = ["nmt_course.codes", "nmt_course.grading", "nmt_course.progress",
        "nmt_course.formatting", "nmt_course.security", "nmt_course.runtime",
        "nmt_course.mailers", "nmt_course.events", "nmt_course.certificates.pdf",
        "nmt_course.quizzes.policy", "nmt_course.quizzes.presentation",
        "nmt_course.authoring.drafts", "nmt_course.authoring.permissions",
        "nmt_course.csv_safe", "nmt_course.clinics.compliance", "nmt_course.clinics.roster",
        "nmt_course.mailing.messages", "nmt_course.quizzes.item_analysis", "nmt_course.text"]
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_migrate",
             "flask_limiter", "sqlalchemy", "alembic", "wtforms", "werkzeug")
# Where a write to the database may be written: operations, and the two helpers they use.
WRITERS = {"nmt_course.database", "nmt_course.audit", "nmt_course.mailing.outbox"}
WRITE_CALLS = ("session.add", "session.add_all", "session.delete", "session.merge",
               "session.commit")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def pure_modules() -> list[str]:
    content = [name for name in MODULES if name.startswith("nmt_course.content")]
    return sorted(set(PURE) | set(content))


def _under_type_checking(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str) -> tuple[set[str], set[str]]:
    """(modules of this project, top-level outside packages) that `name` imports anywhere
    in its code, lazily or not, except under `if TYPE_CHECKING:`."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if _under_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [(base, alias.name) for alias in node.names]
        else:
            continue
        for base, member in targets:
            if base.split(".")[0] != "nmt_course":
                outside.add(base.split(".")[0])
            elif member and f"{base}.{member}" in MODULES:
                inside.add(f"{base}.{member}")  # `from package import module`
            else:
                inside.add(base)
    return inside - {name}, outside


GRAPH = {name: imports_of(name)[0] for name in MODULES}


def test_the_pure_core_imports_neither_flask_nor_the_database():
    modules = pure_modules()
    assert "nmt_course.content.quality" in modules and len(modules) >= 15
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


def is_page(name: str) -> bool:
    return name.rpartition(".")[2].endswith(("routes", "forms"))


def test_no_page_imports_another_page():
    offences = []
    for name, targets in GRAPH.items():
        for target in filter(is_page, targets):
            own_forms = (target.endswith("forms") and name.endswith("routes")
                         and target.rpartition(".")[0] == name.rpartition(".")[0])
            if name != "nmt_course.factory" and not own_forms:
                offences.append(f"{name} imports {target}")
    assert offences == []


def is_operations(name: str) -> bool:
    return name.rpartition(".")[2].endswith("operations")


@pytest.mark.parametrize("name", [n for n in MODULES if is_operations(n)])
def test_operations_know_no_flask_and_no_page(name):
    inside, outside = imports_of(name)
    assert not outside & {"flask", "flask_login", "flask_wtf"}, outside
    assert not {target for target in inside if is_page(target) or target == "nmt_course.web"}


def test_writes_happen_only_in_operations():
    offences = []
    for name, path in MODULES.items():
        if is_operations(name) or name in WRITERS:
            continue
        text = path.read_text()
        offences += [f"{name}: {call}" for call in WRITE_CALLS if f"{call}(" in text]
    assert offences == []


def test_no_module_passes_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}
