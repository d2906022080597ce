"""Issue 16: move ``pytest_lambda``'s flat private modules into subpackages, from one table.

Run from the repository root on a clean work tree::

    python tools/relayout.py            # check only: unknown modules, moves, files to rewrite
    python tools/relayout.py --apply    # git mv + rewrite imports and references + ruff fix/format

What ``--apply`` does, in order (every step is driven by ``MOVES`` below):

1. Refuses if the tree is dirty, if ``pytest_lambda/_core/`` exists (already applied), or if a
   top-level private module is in neither ``MOVES`` nor ``STAY``: it lists them with a line to
   paste into ``MOVES``. Entries of ``MOVES`` whose file does not exist are skipped (a module
   another branch adds or removes).
2. In ``pytest_lambda/``: relative imports of moved modules, and every relative import inside a
   moved module, become absolute (``from pytest_lambda._core.errors import X``), so that no
   import depends on where its file sits.
3. In the package, tests, docs, examples, benchmarks, ``conftest.py``, ``mkdocs.yml`` and
   ``pyproject.toml``: ``from pytest_lambda import _x`` (a module) becomes
   ``from pytest_lambda._pkg import x as _x``; every dotted ``pytest_lambda._x`` (imports,
   ``mock.patch``/``monkeypatch.setattr`` strings, ``:mod:`` roles, mkdocstrings ``:::`` blocks,
   prose) and every ``pytest_lambda/_x.py`` path becomes its new spelling; in the package,
   references relative to it (``"._x"`` in ``__init__``'s lazy table, ``:mod:`._x```) too.
4. ``__file__`` uses that depend on the file's folder: ``_PACKAGE_DIR = os.path.dirname(
   os.path.abspath(__file__))`` gets one ``os.path.dirname`` per level of nesting; a string
   ``"_x.py"`` naming a moved sibling file gets the sibling's new name (and stops if the two
   no longer share a folder).
5. Citations ``runtime.md §N`` / ``event-spec.md §N`` / ``event-spec §N`` become
   ``docs/internals/runtime.md §N`` / ``docs/internals/event-spec.md §N``.
6. ``git mv`` of every file, an ``__init__.py`` with a docstring per new package, then
   ``ruff check --fix --select I`` (import order changes with the names) and ``ruff format``
   on the files it touched.

It does not change behaviour and does not break import cycles: the code changes that the
layer test (``tests/test_layers.py``) asks for beyond moves are ``tools/relayout_fixes.py``.
Cost: a few seconds; it reads every text file in scope once.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

PKG = "pytest_lambda"

#: old module (under pytest_lambda) -> new module. One line per module; add a line for a module
#: another branch creates. Modules of pytest_lambda/_events/ keep their names (not listed).
MOVES: dict[str, str] = {
    # _core: stdlib only; imported by every layer
    "_errors": "_core.errors",
    "_docs": "_core.docs",
    "_json_rules": "_core.json_rules",
    "_terminal": "_core.terminal",
    # _events: the generator; LambdaEventFactory is what the lambda_event fixture hands out
    "_fixtures_events": "_events._factory",
    # _clock
    "_clock": "_clock.clock",
    "_clock_sleep": "_clock.sleep",
    "_freezegun_compat": "_clock.freezegun_compat",
    # _runtime: what both isolation modes share, and the runner that chooses one
    "_runner": "_runtime.runner",
    "_context": "_runtime.context",
    "_invocation": "_runtime.invocation",
    "_handler": "_runtime.handler",
    "_marshal": "_runtime.marshal",
    "_logs": "_runtime.logs",
    "_outcome": "_runtime.outcome",
    "_memory": "_runtime.memory",
    # _runtime/inprocess: isolation="module"
    "_environment": "_runtime.inprocess.environment",
    "_invoke": "_runtime.inprocess.invoke",
    "_swap": "_runtime.inprocess.swap",
    "_swap_process": "_runtime.inprocess.swap_process",
    "_swap_state": "_runtime.inprocess.swap_state",
    "_signals": "_runtime.inprocess.signals",
    "_inline": "_runtime.inprocess.inline",
    "_worker": "_runtime.inprocess.worker",
    "_tmp_redirect": "_runtime.inprocess.tmp_redirect",
    "_tmp_scandir": "_runtime.inprocess.tmp_scandir",
    "_tmp_spelling": "_runtime.inprocess.tmp_spelling",
    # _runtime/subprocess: isolation="runtime" (awslambdaric child + local Runtime API)
    "_runtime_env": "_runtime.subprocess.environment",
    "_runtime_api": "_runtime.subprocess.api",
    "_runtime_support": "_runtime.subprocess.support",
    "_runtime_boot": "_runtime.subprocess.boot",
    "_runtime_guard": "_runtime.subprocess.guard",
    # _checks: built on the runtime, never imported by it
    "_runner_checks": "_checks.runner_checks",
    "_runner_arg": "_checks.runner_arg",
    "_check_clock": "_checks.clock",
    "_redeliver": "_checks.redeliver",
    "_faults": "_checks.faults",
    "_fault_points": "_checks.fault_points",
    "_statediff": "_checks.statediff",
    "_moto": "_checks.moto",
    "_moto_setup": "_checks.moto_setup",
    "_idempotency": "_checks.idempotency.check",
    "_idempotency_causes": "_checks.idempotency.causes",
    "_idempotency_fields": "_checks.idempotency.fields",
    "_idempotency_options": "_checks.idempotency.options",
    "_idempotency_report": "_checks.idempotency.report",
    "_idempotency_run": "_checks.idempotency.run",
    "_leaks": "_checks.leaks.check",
    "_leaks_classify": "_checks.leaks.classify",
    "_leaks_inspect": "_checks.leaks.inspect",
    "_leaks_report": "_checks.leaks.report",
    # _suite: the conformance engine (no pytest import)
    "_suite": "_suite.engine",
    "_suite_config": "_suite.config",
    "_suite_load": "_suite.load",
    "_suite_variants": "_suite.variants",
    # _plugin: everything that imports pytest
    "_options": "_plugin.options",
    "_fixtures_clock": "_plugin.fixtures_clock",
    "_fixtures_runner": "_plugin.fixtures_runner",
    "_suite_plugin": "_plugin.suite",
    # _cli: the commands
    "_cli_check": "_cli.check",
    "_cli_events": "_cli.events",
    "_cli_genflags": "_cli.genflags",
    "_cli_invoke": "_cli.invoke",
    "_cli_samples": "_cli.samples",
    "_cli_samples_disk": "_cli.samples_disk",
    "_cli_util": "_cli.util",
    "_safe_write": "_cli.safe_write",
}

#: top-level modules that stay where they are (public faces and packages)
STAY = {"__init__", "__main__", "cli", "events", "plugin"}

#: docstring of each new package's __init__.py (the layer rules: docs/internals/architecture.md)
PACKAGES: dict[str, str] = {
    "_core": "Leaf layer, standard library only: the exception tree, doc links, shared text and JSON rules.",
    "_clock": "The frozen Lambda clock: LambdaClock, the sleep patch, freezegun compatibility.",
    "_runtime": "Run a handler the way Lambda does: the runner, context, invocation, handler, marshalling, logs.",
    "_runtime.inprocess": 'isolation="module": the handler runs in this process, process state swapped per invoke.',
    "_runtime.subprocess": 'isolation="runtime": the handler runs in an awslambdaric child against a local Runtime API.',
    "_checks": "Checks built on the runtime (never imported by it): redelivery, faults, moto state, the public LambdaRunner.",
    "_checks.idempotency": "The idempotency check: redeliveries, crash and retry, and what differs.",
    "_checks.leaks": "The warm-reuse check: state one invocation leaves for the next.",
    "_suite": "The conformance suite's engine (no pytest import).",
    "_plugin": "Everything that imports pytest: options, fixtures, the suite's items.",
    "_cli": "The pytest-lambda commands.",
}

SCOPE_DIRS = ("pytest_lambda", "tests", "docs", "examples", "benchmarks")
SCOPE_FILES = ("conftest.py", "mkdocs.yml", "pyproject.toml")
SCOPE_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".ini", ".json"}
EXCLUDE = ("docs/internals/", "docs/changelog.md", "tests/data/")


def run(*cmd: str, check: bool = True) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        sys.exit(f"relayout: {' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def path_of(module: str) -> str:
    """``_runtime.runner`` -> ``pytest_lambda/_runtime/runner.py``."""
    return f"{PKG}/{module.replace('.', '/')}.py"


def scope_files(root: Path) -> list[Path]:
    files = [root / f for f in SCOPE_FILES if (root / f).is_file()]
    for d in SCOPE_DIRS:
        for p in sorted((root / d).rglob("*")):
            rel = p.relative_to(root).as_posix()
            if p.is_file() and p.suffix in SCOPE_SUFFIXES and not rel.startswith(EXCLUDE):
                files.append(p)
    return files


def unknown_modules(root: Path) -> list[str]:
    names = sorted(p.stem for p in (root / PKG).glob("*.py"))
    return [n for n in names if n not in STAY and n not in MOVES]


def present_moves(root: Path) -> dict[str, str]:
    return {old: new for old, new in MOVES.items() if (root / PKG / f"{old}.py").is_file()}


# -- step 2: absolute imports ------------------------------------------------------------------


def _module_name(root: Path, path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def absolutize(root: Path, path: Path, text: str, moves: dict[str, str]) -> str:
    """Relative imports that name a moved module, or that sit in a moved file, made absolute."""
    name, is_pkg = _module_name(root, path)
    moved_self = name.removeprefix(PKG + ".") in moves
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = name.split(".") if is_pkg else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
        names = [target + "." + a.name for a in node.names]
        touches = any(n.removeprefix(PKG + ".") in moves for n in [target, *names])
        if not (moved_self or touches):
            continue
        line = lines[node.lineno - 1]
        m = re.compile(r"from\s+(\.+[\w.]*)\s+import").match(line, node.col_offset)
        if m is None:
            sys.exit(f"relayout: cannot read the import at {path}:{node.lineno}")
        edits.append((node.lineno - 1, m.start(1), m.end(1), target))
    for lineno, start, end, target in sorted(edits, reverse=True):
        line = lines[lineno]
        lines[lineno] = line[:start] + target + line[end:]
    return "".join(lines)


# -- step 3: from pytest_lambda import _x ------------------------------------------------------


def split_module_imports(text: str, moves: dict[str, str], path: Path) -> str:
    """``from pytest_lambda import _x as y, events`` -> one import per moved module, rest kept."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if not (node.module == PKG or node.module.startswith(PKG + ".")):
            continue
        parent = node.module.removeprefix(PKG).lstrip(".")
        moved = [a for a in node.names if (f"{parent}.{a.name}".lstrip(".")) in moves]
        if not moved:
            continue
        first = lines[node.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        if first.strip().startswith("from") is False or node.col_offset != len(indent):
            sys.exit(f"relayout: {path}:{node.lineno}: import not at the start of its line")
        out = []
        kept = [a for a in node.names if a not in moved]
        if kept:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            out.append(f"{indent}from {node.module} import {names}\n")
        for a in moved:
            new = moves[f"{parent}.{a.name}".lstrip(".")]
            new_parent, _, leaf = f"{PKG}.{new}".rpartition(".")
            local = a.asname or a.name
            alias = "" if local == leaf else f" as {local}"
            out.append(f"{indent}from {new_parent} import {leaf}{alias}\n")
        edits.append((node.lineno - 1, node.end_lineno, "".join(out)))
    for start, end, new_text in sorted(edits, reverse=True):
        lines[start:end] = [new_text]
    return "".join(lines)


def dotted_rewriter(moves: dict[str, str]) -> re.Pattern[str]:
    olds = sorted(moves, key=len, reverse=True)
    return re.compile(
        r"(?<![\w.])" + re.escape(PKG) + r"\.(" + "|".join(map(re.escape, olds)) + r")(?!\w)"
    )


def rewrite_text(rel: str, text: str, moves: dict[str, str]) -> str:
    dotted = dotted_rewriter(moves)
    text = dotted.sub(lambda m: f"{PKG}.{moves[m.group(1)]}", text)
    olds = "|".join(map(re.escape, sorted(moves, key=len, reverse=True)))
    text = re.sub(
        re.escape(PKG) + r"/(" + olds + r")\.py\b",
        lambda m: path_of(moves[m.group(1)]),
        text,
    )
    if rel.startswith(PKG + "/"):  # references relative to the package: "._x", :mod:`._x`
        text = re.sub(
            r"""(?<=["'`~\s(])\.(""" + olds + r")(?![\w])",
            lambda m: f"{PKG}.{moves[m.group(1)]}",
            text,
        )
    return text


# -- step 4: __file__ ----------------------------------------------------------------------------

_PACKAGE_DIR = re.compile(r"os\.path\.dirname\(os\.path\.abspath\(__file__\)\)")


def fix_file_uses(old: str, text: str, moves: dict[str, str], problems: list[str]) -> str:
    new = moves[old]
    depth = new.count(".")
    out = []
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("_PACKAGE_DIR") and _PACKAGE_DIR.search(line) and depth:
            expr = "os.path.abspath(__file__)"
            for _ in range(depth + 1):
                expr = f"os.path.dirname({expr})"
            line = _PACKAGE_DIR.sub(lambda _m, e=expr: e, line)
        for sib_old, sib_new in moves.items():
            literal = f'"{sib_old}.py"'
            if literal not in line:
                continue
            if "_PACKAGE_DIR" in line:  # a path from the package root: spell the new one
                *dirs, leaf = sib_new.split(".")
                args = ", ".join(f'"{p}"' for p in [*dirs, f"{leaf}.py"])
                line = line.replace(literal, f"os.path.join({args})")
            elif sib_new.rpartition(".")[0] == new.rpartition(".")[0]:  # a sibling file
                line = line.replace(literal, f'"{sib_new.rpartition(".")[2]}.py"')
            else:
                problems.append(
                    f"{old}.py names the file {sib_old}.py, which moves to another folder"
                )
        out.append(line)
    return "".join(out)


# -- step 5: citations ---------------------------------------------------------------------------

_CITES = [
    (re.compile(r"(?<![\w/])runtime\.md §"), "docs/internals/runtime.md §"),
    (re.compile(r"(?<![\w/-])event-spec(?:\.md)? §"), "docs/internals/event-spec.md §"),
]


def rewrite_citations(text: str) -> str:
    for pattern, repl in _CITES:
        text = pattern.sub(repl, text)
    return text


# -- driver --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--apply", action="store_true", help="move and rewrite (default: check only)"
    )
    parser.add_argument("--no-format", action="store_true", help="skip ruff fix/format")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not (root / PKG / "__init__.py").is_file() or not (root / "pyproject.toml").is_file():
        sys.exit("relayout: run from the repository root (pytest_lambda/ and pyproject.toml)")
    if (root / PKG / "_core").exists():
        sys.exit(
            "relayout: pytest_lambda/_core/ exists: the layout was already applied; refusing to run twice"
        )
    unknown = unknown_modules(root)
    if unknown:
        lines = "\n".join(f'    "{n}": "_?.{n.lstrip("_")}",' for n in unknown)
        sys.exit(
            f"relayout: top-level modules not in MOVES (add a line for each, then run again):\n{lines}"
        )
    for new in MOVES.values():
        if (root / path_of(new)).exists():
            sys.exit(f"relayout: {path_of(new)} exists already")
    moves = present_moves(root)
    skipped = sorted(set(MOVES) - set(moves))
    print(
        f"relayout: {len(moves)} modules to move; not present here (skipped): {', '.join(skipped) or 'none'}"
    )
    if not args.apply:
        return 0
    if run("git", "status", "--porcelain"):
        sys.exit("relayout: the work tree has changes; commit or stash them first")

    rewritten: dict[Path, str] = {}
    problems: list[str] = []
    for path in scope_files(root):
        rel = path.relative_to(root).as_posix()
        text = original = path.read_text("utf-8")
        if path.suffix == ".py" and rel.startswith(PKG + "/"):
            text = absolutize(root, path, text, moves)
        text = rewrite_text(rel, text, moves)
        if path.suffix == ".py":  # after rewrite_text, which would rewrite the new lines again
            text = split_module_imports(text, moves, path)
        if rel.startswith(PKG + "/") and path.parent == root / PKG and path.stem in moves:
            text = fix_file_uses(path.stem, text, moves, problems)
        text = rewrite_citations(text)
        if text != original:
            rewritten[path] = text
    if problems:
        sys.exit("relayout: nothing changed; fix these by hand first:\n  " + "\n  ".join(problems))
    for path, text in rewritten.items():
        path.write_text(text, "utf-8")
    touched = list(rewritten)

    for pkg, doc in PACKAGES.items():
        init = root / PKG / pkg.replace(".", "/") / "__init__.py"
        init.parent.mkdir(parents=True, exist_ok=True)
        if not init.exists():
            init.write_text(f'"""{doc}"""\n\nfrom __future__ import annotations\n', "utf-8")
            run("git", "add", str(init))
    for old, new in moves.items():
        run("git", "mv", f"{PKG}/{old}.py", path_of(new))
    moved_paths = [
        root / path_of(moves[p.stem]) if p.parent == root / PKG and p.stem in moves else p
        for p in touched
    ]
    py = [str(p) for p in moved_paths if p.suffix == ".py"]
    if py and not args.no_format:
        run("ruff", "check", "--fix", "--select", "I", "--quiet", *py, check=False)
        run("ruff", "format", "--quiet", *py, check=False)
    print(
        f"relayout: moved {len(moves)} modules, rewrote {len(touched)} files; next: ruff check . && python -m mypy && pytest"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
