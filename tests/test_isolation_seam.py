"""The isolation mode is told apart in one place: ``BACKENDS`` in ``_runtime/runner.py``.

Walks the AST of every module of the package and fails on a comparison (``==``, ``!=``,
``in``, ``not in``) against the isolation names ``"module"`` or ``"runtime"``: a check that
depends on the mode asks the backend's capability attributes instead (``blind_spots``,
``supports_moto``, ...). An invocation error's ``kind == "runtime"`` (Lambda's error
category, not the isolation) is the one other use of the word and is allowed by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pytest_lambda._core import facts
from pytest_lambda._runtime.runner import BACKENDS, Runner

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_lambda"
NAMES = set(facts.ISOLATIONS)


def _names_in(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant)} & NAMES
    return set()


def _is_error_kind(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "kind"


def comparisons(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every comparison against an isolation name in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if any(_names_in(o) for o in operands) and not any(_is_error_kind(o) for o in operands):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_detector_sees_each_spelling() -> None:
    src = (
        "a = isolation == 'runtime'\n"
        "b = 'module' != mode\n"
        "c = x in ('module', 'runtime')\n"
        "d = error.kind == 'runtime'\n"
    )
    assert [line for line, _ in comparisons(src)] == [1, 2, 3]


def test_no_module_compares_isolation_names() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in comparisons(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_chooser_knows_every_isolation_name_and_nothing_else(tmp_path: Path) -> None:
    assert tuple(BACKENDS) == facts.ISOLATIONS
    assert [cls.name for cls in BACKENDS.values()] == list(facts.ISOLATIONS)
    with Runner(lambda event, context: event, root=tmp_path) as runner:
        assert type(runner.backend) is BACKENDS["module"]
        assert runner.isolation == "module"
        assert runner.backend.blind_spots == ()
