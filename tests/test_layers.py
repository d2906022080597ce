"""The package's layout keeps its shape: no import cycle, imports only downwards, leaves stay leaves.

The layer table is the one in ``docs/internals/architecture.md`` (between the ``layers``
markers), parsed here, so the document and the code cannot drift apart. Imports are read from
the AST of every module, at module level and inside functions; imports under
``if TYPE_CHECKING:`` are exempt (they never run). Each failure names the importing module, the
line and the rule it breaks. Cost: parses ~120 files, well under a second.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_lambda"
ARCHITECTURE = ROOT / "docs" / "internals" / "architecture.md"
PUBLIC_FACES = {"__init__", "__main__", "cli", "events", "plugin"}


@dataclass(frozen=True)
class Layer:
    name: str  # "_runtime.inprocess", relative to pytest_lambda; "pytest_lambda" for the root
    may_import: frozenset[str]
    pytest: bool


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str
    path: Path
    line: int


@cache
def layers() -> dict[str, Layer]:
    """The table between ``<!-- layers: begin -->`` and ``<!-- layers: end -->``."""
    text = ARCHITECTURE.read_text("utf-8")
    block = text.split("<!-- layers: begin -->", 1)[1].split("<!-- layers: end -->", 1)[0]
    table: dict[str, Layer] = {}
    for row in block.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([\w.]+)`", cells[2])
        table[cells[0].strip("`")] = Layer(
            cells[0].strip("`"), frozenset(names), cells[3].lower().startswith("yes")
        )
    return table


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def modules() -> dict[str, Path]:
    return {module_name(p)[0]: p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, known: set[str]) -> list[Import]:
    """Every ``pytest_lambda`` import of a module that runs (TYPE_CHECKING blocks aside)."""
    name, is_pkg = module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def add(target: str, line: int) -> None:
        if target.startswith("pytest_lambda") and target != name:
            found.append(Import(name, target, path, line))

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{module}.{alias.name}"
                add(sub if sub in known else module, node.lineno)
        visit(node)

    visit(ast.parse(path.read_text("utf-8"), str(path)))
    return found


def all_imports() -> list[Import]:
    known = set(modules())
    return [imp for path in modules().values() for imp in imports_of(path, known)]


def layer_of(module: str) -> str | None:
    """The longest table entry that is the module or a package above it."""
    if module == "pytest_lambda":
        return "pytest_lambda"
    rel = module.removeprefix("pytest_lambda.")
    parts = rel.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in layers():
            return ".".join(parts[:n])
    return None


def where(imp: Import) -> str:
    return f"{imp.path.relative_to(ROOT)}:{imp.line}"


def test_the_layer_table_parses() -> None:
    table = layers()
    assert {
        "_core",
        "_events",
        "_clock",
        "_runtime",
        "_checks",
        "_suite",
        "_plugin",
        "_cli",
    } <= set(table)
    assert table["_core"].may_import == frozenset()
    for layer in table.values():
        assert layer.may_import <= set(table), f"{layer.name} names a layer not in the table"


def test_every_module_has_a_layer() -> None:
    missing = [m for m in modules() if layer_of(m) is None]
    assert missing == [], f"modules in no layer of {ARCHITECTURE.name}: {missing}"


def test_no_private_module_at_the_top() -> None:
    """A top-level private module belongs in one of the folders (a prefix is a folder asking to exist)."""
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.stem not in PUBLIC_FACES)
    assert top == []


def test_imports_follow_the_layer_order() -> None:
    table = layers()
    wrong = []
    for imp in all_imports():
        src, dst = layer_of(imp.importer), layer_of(imp.target)
        if src is None or dst is None or src == dst or src == "pytest_lambda":
            continue
        allowed = table[src].may_import
        if dst not in allowed:
            rule = ", ".join(sorted(allowed)) or "nothing of pytest_lambda"
            wrong.append(
                f"{where(imp)}: {imp.importer} imports {imp.target}: {src} may import {rule}"
            )
    assert wrong == [], (
        "imports against the layer order (docs/internals/architecture.md):\n" + "\n".join(wrong)
    )


def _cycles(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _path_in(component: list[str], edges: dict[str, dict[str, Import]]) -> list[Import]:
    """One loop through a component, as the imports that make it (breadth-first back to the start)."""
    members = set(component)
    start = component[0]
    previous: dict[str, Import] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child, imp in sorted(edges[node].items()):
            if child not in members:
                continue
            if child == start:
                loop = [imp]
                while loop[0].importer != start:
                    loop.insert(0, previous[loop[0].importer])
                return loop
            if child not in previous:
                previous[child] = imp
                queue.append(child)
    raise AssertionError(component)


def test_no_import_cycles() -> None:
    edges: dict[str, dict[str, Import]] = {m: {} for m in modules()}
    for imp in all_imports():
        if imp.target in edges:
            edges[imp.importer].setdefault(imp.target, imp)
    messages = []
    for component in _cycles(edges):
        loop = " -> ".join(f"{imp.importer} ({where(imp)})" for imp in _path_in(component, edges))
        messages.append(f"cycle of {len(component)} modules: {loop} -> {component[0]}")
    assert messages == [], "import cycles (imports inside functions count):\n" + "\n".join(messages)


def test_core_imports_only_the_standard_library() -> None:
    wrong = []
    for name, path in modules().items():
        if layer_of(name) != "_core":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            for target in targets:
                top = target.partition(".")[0]
                if top not in sys.stdlib_module_names and top != "__future__":
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name} imports {target}")
    assert wrong == []


def test_pytest_is_imported_only_where_the_table_allows() -> None:
    """The conformance engine, the checks and the runtime run without pytest (the CLI uses them)."""
    table = layers()
    wrong = []
    for name, path in modules().items():
        layer = layer_of(name)
        if layer is None or layer == "pytest_lambda" or table[layer].pytest:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(t.partition(".")[0] in {"pytest", "_pytest"} for t in targets):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{node.lineno}: {name} imports pytest ({layer} may not)"
                )
    assert wrong == []
