"""Issue 16, second step: the code changes that moves alone cannot make (run after relayout.py).

Run from the repository root, on the tree ``tools/relayout.py --apply`` produced::

    python tools/relayout_fixes.py

Each fix breaks one import cycle or one import against the layer order that
``tests/test_layers.py`` reports, by moving top-level definitions between modules (the
definitions are cut from the source by their AST span, so surrounding edits made by other
branches do not matter) and rewriting every import of the moved names. A fix whose anchor is
missing stops the script with the name of the fix, so that it can be redone by hand.

* ``runner-checks``: the runtime's ``LambdaRunner`` becomes ``Runner`` (no check methods);
  the public ``LambdaRunner(RunnerChecks, Runner)`` is assembled in ``_checks/runner.py``.
  The check functions build a plain ``Runner`` for a handler string (they never call a check
  method on it). Breaks ``runner -> runner_checks -> idempotency/leaks -> runner_arg -> runner``.
* ``environment-state``: ``EnvironmentState`` moves to ``_runtime/state.py`` (the subprocess
  backend built it by importing the runner).
* ``process-exit``: ``ProcessExit`` moves from ``inprocess/worker`` to ``_runtime/outcome``
  (the shared outcome code imported the in-process worker for it).
* ``event-kinds``: ``KINDS``, ``_ALIASES``, ``kind_module`` move from ``_events/_core`` to
  ``_events/_kinds`` (``_validate`` and ``_core`` imported each other).
* ``suite-runners``: ``aws_for``, ``runner_for_suite`` (and ``_moto_available``) move from
  ``_suite/engine`` to ``_suite/runners`` (``engine`` and ``load`` imported each other).

Cost: a few seconds (one pass over the files in scope per fix, then ruff on what changed).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PKG = "pytest_lambda"
SCOPE_DIRS = ("pytest_lambda", "tests", "docs", "examples", "benchmarks")
SCOPE_FILES = ("conftest.py", "mkdocs.yml", "pyproject.toml")
EXCLUDE = ("docs/internals/", "docs/changelog.md", "tests/data/")
ROOT = Path.cwd()
TOUCHED: set[Path] = set()
CREATED: set[Path] = set()


def fail(fix: str, why: str) -> None:
    """Stop, and put the tree back as it was (it was clean when the script started)."""
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD"], check=True)
    subprocess.run(["git", "clean", "-q", "-fd"], check=True)
    others = " ".join(n for n in FIXES if n != fix)
    sys.exit(
        f"relayout_fixes: {fix}: {why}; nothing changed. Do this fix by hand (see the docstring)"
        f" and run the others by name: python tools/relayout_fixes.py {others}"
    )


def path_of(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def write(path: Path, text: str) -> None:
    path.write_text(text, "utf-8")
    TOUCHED.add(path)


def scope_files() -> list[Path]:
    files = [ROOT / f for f in SCOPE_FILES if (ROOT / f).is_file()]
    for d in SCOPE_DIRS:
        for p in sorted((ROOT / d).rglob("*")):
            rel = p.relative_to(ROOT).as_posix()
            if (
                p.is_file()
                and p.suffix in {".py", ".md", ".yml", ".toml"}
                and not rel.startswith(EXCLUDE)
            ):
                files.append(p)
    return files


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _span(node: ast.stmt, lines: list[str]) -> tuple[int, int]:
    """0-based [start, end) of a top-level statement, its decorators and the comments above it."""
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)]) - 1
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    assert node.end_lineno is not None
    return start, node.end_lineno


def _imports_block(tree: ast.Module, lines: list[str]) -> str:
    """The module's top-level imports (and TYPE_CHECKING blocks), as source."""
    out = []
    for node in tree.body:
        is_tc = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        if isinstance(node, (ast.Import, ast.ImportFrom)) or is_tc:
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            assert node.end_lineno is not None
            out.append("".join(lines[node.lineno - 1 : node.end_lineno]))
    return "".join(out)


def _set_all(text: str, remove: set[str], add: list[str]) -> str:
    tree = ast.parse(text)
    for node in tree.body:
        if (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and "__all__" in ast.unparse(node).split("=")[0]
        ):
            assert isinstance(node.value, (ast.List, ast.Tuple))
            names = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
            names = sorted({n for n in names if n not in remove} | set(add))
            lines = text.splitlines(keepends=True)
            assert node.end_lineno is not None
            new = "__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]\n"
            return "".join(lines[: node.lineno - 1]) + new + "".join(lines[node.end_lineno :])
    return text


def _uses(text: str, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Store)
        for n in ast.walk(ast.parse(text))
    )


def _free_names(moved: str, tree: ast.Module, names: set[str]) -> dict[str, bool]:
    """Top-level names of the source module (not moved, not imported) that the moved code uses:
    name -> True when every use is in an annotation."""
    defined = {
        n.name if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else t.id
        for n in tree.body
        for t in (
            n.targets
            if isinstance(n, ast.Assign)
            else [n.target]
            if isinstance(n, ast.AnnAssign)
            else [n]
        )
        if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        or isinstance(t, ast.Name)
    } - names
    annotation_ids: set[int] = set()
    code = ast.parse(moved)
    for node in ast.walk(code):
        notes = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            notes.append(node.returns)
        if isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            annotation_ids.update(id(n) for n in ast.walk(note))
    found: dict[str, bool] = {}
    for node in ast.walk(code):
        if isinstance(node, ast.Name) and node.id in defined:
            found[node.id] = found.get(node.id, True) and id(node) in annotation_ids
    return found


def _insert_import(text: str, line: str) -> str:
    """``line`` after the module's last top-level import (before the first definition)."""
    tree = ast.parse(text)
    last = max(
        (
            n.end_lineno or n.lineno
            for n in tree.body
            if isinstance(n, (ast.Import, ast.ImportFrom))
        ),
        default=0,
    )
    lines = text.splitlines(keepends=True)
    return "".join(lines[:last]) + line + "".join(lines[last:])


def move_defs(fix: str, src: str, dst: str, names: list[str], doc: str = "") -> None:
    """Move top-level ``names`` from module ``src`` to ``dst`` and repoint every import of them."""
    src_path, dst_path = path_of(src), path_of(dst)
    if not src_path.is_file():
        fail(fix, f"{src_path.relative_to(ROOT)} is missing")
    text = src_path.read_text("utf-8")
    tree = ast.parse(text)
    names = list(names)
    while True:  # private helpers that only the moved code uses go with it
        lines = text.splitlines(keepends=True)
        spans = []
        for name in names:
            nodes = [n for n in tree.body if _defines(n, name)]
            if len(nodes) != 1:
                fail(fix, f"{name} is defined {len(nodes)} times at the top of {src}")
            spans.append(_span(nodes[0], lines))
        spans.sort()
        moved = "\n\n".join("".join(lines[a:b]).rstrip("\n") + "\n" for a, b in spans)
        for a, b in reversed(spans):
            del lines[a:b]
        helpers = [
            n
            for n in _free_names(moved, tree, set(names))
            if n.startswith("_") and not _uses("".join(lines), n)
        ]
        if not helpers:
            break
        print(
            f"relayout_fixes: {fix}: {', '.join(sorted(helpers))} go along (used only by what moves)"
        )
        names += sorted(helpers)
    rest = _set_all("".join(lines), set(names), [])
    public = [n for n in names if not n.startswith("_")]
    if dst_path.exists():
        body = _set_all(dst_path.read_text("utf-8"), set(), public)
        body = body.rstrip("\n") + "\n\n\n" + moved
    else:
        header = _imports_block(tree, text.splitlines(keepends=True))
        body = f'"""{doc}"""\n\nfrom __future__ import annotations\n\n{header}\n'
        body += "__all__ = [" + ", ".join(f'"{n}"' for n in public) + "]\n\n\n" + moved
    needed = _free_names(moved, tree, set(names))
    if needed:
        runtime = sorted(n for n, only_annotations in needed.items() if not only_annotations)
        typing_only = sorted(n for n, only_annotations in needed.items() if only_annotations)
        extra = ""
        if runtime:
            print(
                f"relayout_fixes: {fix}: {dst} imports {', '.join(runtime)} from {src}; check for a cycle"
            )
            extra += f"from {src} import {', '.join(runtime)}\n"
        if typing_only:
            extra += "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
            extra += f"    from {src} import {', '.join(typing_only)}\n"
        body = _insert_import(body, extra)
    used = [n for n in names if _uses(rest, n)]
    if used:
        rest = _insert_import(rest, f"from {dst} import {', '.join(used)}\n")
    if not dst_path.exists():
        CREATED.add(dst_path)
    write(src_path, rest)
    write(dst_path, body)
    subprocess.run(["git", "add", str(dst_path)], check=True)
    repoint(src, dst, set(names))


def repoint(src: str, dst: str, names: set[str]) -> None:
    """``from src import name`` -> ``from dst import name``; ``"src.name"`` strings too."""
    dotted = re.compile(re.escape(src) + r"\.(" + "|".join(map(re.escape, names)) + r")(?!\w)")
    lazy = re.compile(
        r'("(?:' + "|".join(map(re.escape, names)) + r')":\s*)"' + re.escape(src) + '"'
    )
    for path in scope_files():
        text = original = path.read_text("utf-8")
        text = dotted.sub(lambda m: f"{dst}.{m.group(1)}", text)
        text = lazy.sub(lambda m: f'{m.group(1)}"{dst}"', text)  # __init__'s name -> module table
        if path.suffix == ".py":
            this = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            package = this.split(".")[:-1]  # for __init__.py too: this ends in ".__init__"
            tree = ast.parse(text)
            lines = text.splitlines(keepends=True)
            edits = []
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom):
                    continue
                written = "." * node.level + (node.module or "")
                resolved = node.module or ""
                if node.level:
                    base = package[: len(package) - (node.level - 1)]
                    resolved = ".".join([*base, *([node.module] if node.module else [])])
                if resolved != src:
                    continue
                hit = [a for a in node.names if a.name in names]
                if not hit:
                    continue
                indent = " " * node.col_offset
                kept = [a for a in node.names if a.name not in names]
                new = ""
                fmt = lambda a: a.name + (f" as {a.asname}" if a.asname else "")  # noqa: E731
                if kept:
                    new += f"{indent}from {written} import {', '.join(map(fmt, kept))}\n"
                if this != dst:
                    new += f"{indent}from {dst} import {', '.join(map(fmt, hit))}\n"
                assert node.end_lineno is not None
                edits.append((node.lineno - 1, node.end_lineno, new, indent))
            for a, b, new, indent in sorted(edits, reverse=True):
                lines[a:b] = [new] if new else []
                if not new:  # the import was all of a block: keep the block valid
                    try:
                        ast.parse("".join(lines))
                    except SyntaxError:
                        lines[a:a] = [f"{indent}pass\n"]
            text = "".join(lines)
        if text != original:
            write(path, text)


def rename_in_module(module: str, old: str, new: str) -> None:
    """Rename the identifier ``old`` (names, class definitions, imports) in code, not in strings."""
    path = path_of(module)
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    spots: list[tuple[int, int]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name) and node.id == old:
            spots.append((node.lineno - 1, node.col_offset))
        elif isinstance(node, ast.ClassDef) and node.name == old:
            col = lines[node.lineno - 1].index("class " + old) + len("class ")
            spots.append((node.lineno - 1, col))
        elif isinstance(node, ast.ImportFrom):
            for lineno in range(node.lineno - 1, node.end_lineno or node.lineno):
                for m in re.finditer(rf"(?<![\w.]){re.escape(old)}(?!\w)", lines[lineno]):
                    spots.append((lineno, m.start()))
    for lineno, col in sorted(set(spots), reverse=True):
        line = lines[lineno]
        assert line[col : col + len(old)] == old, (module, lineno, line)
        lines[lineno] = line[:col] + new + line[col + len(old) :]
    write(path, "".join(lines))


def replace_once(fix: str, module: str, old: str, new: str) -> None:
    path = path_of(module)
    text = path.read_text("utf-8")
    if text.count(old) != 1:
        fail(fix, f"expected one {old!r} in {module}, found {text.count(old)}")
    write(path, text.replace(old, new))


# -- the fixes -----------------------------------------------------------------------------------


def fix_runner_checks() -> None:
    fix = "runner-checks"
    runner = f"{PKG}._runtime.runner"
    public = f"{PKG}._checks.runner"
    if path_of(public).exists():
        fail(fix, "_checks/runner.py exists already")
    text = path_of(runner).read_text("utf-8")
    tree = ast.parse(text)
    cls = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "LambdaRunner"), None
    )
    if cls is None or [ast.unparse(b) for b in cls.bases] != ["RunnerChecks"]:
        fail(fix, "class LambdaRunner(RunnerChecks) not found in _runtime/runner.py")
    assert cls is not None
    doc = ast.get_docstring(cls, clean=False) or ""
    returns_self = [
        f.name
        for f in cls.body
        if isinstance(f, ast.FunctionDef)
        and f.returns is not None
        and ast.unparse(f.returns) == "LambdaRunner"
    ]
    # 1. the runtime's class: Runner, no mixin, a short docstring
    replace_once(fix, runner, "class LambdaRunner(RunnerChecks):", "class LambdaRunner:")
    text = path_of(runner).read_text("utf-8")
    if doc and text.count(doc) == 1:
        write(
            path_of(runner),
            text.replace(
                doc,
                "The runtime's runner: cold/warm environments, errors and limits, no checks.\n\n"
                "    The public :class:`~pytest_lambda.LambdaRunner` adds the check methods "
                "(``_checks/runner.py``).\n    ",
            ),
        )
    rename_in_module(runner, "LambdaRunner", "Runner")
    text = _set_all(path_of(runner).read_text("utf-8"), {"LambdaRunner"}, ["Runner"])
    text = re.sub(
        r"^from pytest_lambda\._checks\.runner_checks import RunnerChecks\n", "", text, flags=re.M
    )
    write(path_of(runner), text)
    # 2. the public class, above the runtime
    overrides = "".join(
        f"\n    def {name}(self) -> LambdaRunner:\n        return self\n"
        for name in returns_self
        if name == "__enter__"
    )
    write(
        path_of(public),
        f'''"""The public ``LambdaRunner``: the runtime's :class:`Runner` with the checks as methods.

Assembled here, above the runtime, so that ``pytest_lambda._runtime`` never imports the checks
(they are built on it). Cost: none beyond the two base classes.
"""

from __future__ import annotations

from {PKG}._checks.runner_checks import RunnerChecks
from {PKG}._runtime.runner import Runner

__all__ = ["LambdaRunner"]


class LambdaRunner(RunnerChecks, Runner):
    """{doc}"""
{overrides}''',
    )
    subprocess.run(["git", "add", str(path_of(public))], check=True)
    # 3. inside the runtime, the annotations name Runner; above it, imports name the public class
    for path in sorted((ROOT / PKG / "_runtime").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module != runner and f"from {runner} import" in path.read_text("utf-8"):
            src = path.read_text("utf-8")
            if re.search(rf"from {re.escape(runner)} import (\([^)]*|[^\n]*)\bLambdaRunner\b", src):
                rename_in_module(module, "LambdaRunner", "Runner")
    repoint(runner, public, {"LambdaRunner"})
    # 4. the checks build a runtime Runner for a handler string (no check method is called on it)
    arg_path = path_of(f"{PKG}._checks.runner_arg")
    text = arg_path.read_text("utf-8")
    func = next(
        (
            n
            for n in ast.parse(text).body
            if isinstance(n, ast.FunctionDef) and n.name == "runner_for"
        ),
        None,
    )
    if func is None or func.end_lineno is None:
        fail(fix, "no function runner_for in _checks/runner_arg.py")
    assert func is not None
    assert func.end_lineno is not None
    lines = text.splitlines(keepends=True)
    body = "".join(lines[func.lineno - 1 : func.end_lineno])
    new_body = body.replace(f"from {public} import LambdaRunner", f"from {runner} import Runner")
    new_body = new_body.replace("LambdaRunner(", "Runner(")
    new_body = re.sub(
        r"^(\s*)yield runner$", r'\1yield cast("LambdaRunner", runner)', new_body, flags=re.M
    )
    if "Runner(" not in new_body or f"from {runner} import Runner" not in new_body:
        fail(fix, "runner_for does not import and build LambdaRunner")
    write(
        arg_path, "".join(lines[: func.lineno - 1]) + new_body + "".join(lines[func.end_lineno :])
    )
    # 5. the API reference renders the inherited members
    api = ROOT / "docs" / "reference" / "api.md"
    line = f"::: {public}.LambdaRunner\n"
    text = api.read_text("utf-8")
    if line in text:
        write(api, text.replace(line, line + "    options:\n      inherited_members: true\n"))


def fix_environment_state() -> None:
    move_defs(
        "environment-state",
        f"{PKG}._runtime.runner",
        f"{PKG}._runtime.state",
        ["EnvironmentState"],
        "What a runner's current environment holds, as the checks see it (both isolation modes).",
    )


def fix_process_exit() -> None:
    move_defs(
        "process-exit",
        f"{PKG}._runtime.inprocess.worker",
        f"{PKG}._runtime.outcome",
        ["ProcessExit"],
    )


def fix_event_kinds() -> None:
    move_defs(
        "event-kinds",
        f"{PKG}._events._core",
        f"{PKG}._events._kinds",
        ["KINDS", "_ALIASES", "kind_module"],
        "The event kinds and the module of each (imported on first use).",
    )


def fix_suite_runners() -> None:
    move_defs(
        "suite-runners",
        f"{PKG}._suite.engine",
        f"{PKG}._suite.runners",
        ["_moto_available", "aws_for", "runner_for_suite"],
        "The suite's runners and moto mocks: one per handler and options, used by the engine and the loader.",
    )


def fix_sandbox() -> None:
    move_defs(
        "sandbox",
        f"{PKG}._runtime.inprocess.environment",
        f"{PKG}._runtime.sandbox",
        [
            "FAKE_CREDENTIALS",
            "_CREDENTIAL_SOURCES",
            "_SCRATCH_PREFIX",
            "EnvConfig",
            "Sandbox",
            "lambda_environ",
            "_RNG",
            "random_hex",
            "_trace_id",
        ],
        "What both isolation modes give a function: its settings (``EnvConfig``), its sandbox\n"
        "(private scratch dir, log stream) and its Lambda environment variables.",
    )


def fix_blind_spots() -> None:
    move_defs(
        "blind-spots",
        f"{PKG}._runtime.subprocess.environment",
        f"{PKG}._runtime.backend",
        ["BLIND_SPOTS"],
        "What the checks cannot see in each isolation mode (the seam where the Backend protocol\n"
        "of issue 16 goes; until then, the runtime mode's blind spots).",
    )


FIXES = {
    "runner-checks": fix_runner_checks,
    "environment-state": fix_environment_state,
    "process-exit": fix_process_exit,
    "event-kinds": fix_event_kinds,
    "suite-runners": fix_suite_runners,
    "sandbox": fix_sandbox,
    "blind-spots": fix_blind_spots,
}


def _drop_empty_type_checking(path: Path) -> None:
    """``if TYPE_CHECKING: pass`` (left by removed imports): the ``pass``, or the whole block."""
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    cuts: list[tuple[int, int]] = []
    for node in ast.parse(text).body:
        if (
            not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
            or node.orelse
        ):
            continue
        passes = [b for b in node.body if isinstance(b, ast.Pass)]
        if len(passes) == len(node.body):
            cuts.append((node.lineno - 1, node.end_lineno or node.lineno))
        else:
            cuts.extend((b.lineno - 1, b.lineno) for b in passes)
    for a, b in sorted(cuts, reverse=True):
        del lines[a:b]
    if cuts:
        write(path, "".join(lines))


def tidy() -> None:
    """Unused imports out; in new modules, imports used only by annotations under TYPE_CHECKING."""
    py = sorted(str(p) for p in TOUCHED if p.suffix == ".py" and p.exists())
    new = sorted(str(p) for p in CREATED)

    def ruff(files: list[str], *args: str) -> None:
        subprocess.run(["ruff", *args, "--quiet", *files], check=False, capture_output=True)

    ruff(py, "check", "--fix", "--select", "F401")
    if new:
        ruff(new, "check", "--fix", "--unsafe-fixes", "--select", "TC")
    for path in sorted(TOUCHED):
        if path.suffix == ".py" and path.exists():
            _drop_empty_type_checking(path)
    ruff(py, "check", "--fix", "--select", "F401,I,RUF022")
    ruff(py, "format")


def main() -> int:
    if not (ROOT / PKG / "_core").is_dir():
        sys.exit(
            "relayout_fixes: run tools/relayout.py --apply first (pytest_lambda/_core/ is missing)"
        )
    status = subprocess.run(
        ["git", "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    if status.stdout:
        sys.exit("relayout_fixes: the work tree has changes; commit the moves first")
    unknown = [n for n in sys.argv[1:] if n not in FIXES]
    if unknown:
        sys.exit(f"relayout_fixes: unknown fixes {unknown}; known: {', '.join(FIXES)}")
    only = sys.argv[1:] or list(FIXES)
    for name in only:
        FIXES[name]()
        print(f"relayout_fixes: {name} done")
    tidy()
    print(
        f"relayout_fixes: {len(TOUCHED)} files changed; next: ruff check . && python -m mypy && pytest"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
