"""Generated parts of the reference pages; ``python tests/docs/docs_reference.py`` rewrites them.

A generated part sits between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``
in a page; tests/docs/test_docs.py fails when a page's part differs from what the code says.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["GENERATED", "cli_help", "event_kinds", "options_table", "render", "replace_block"]

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(name: str, value: object) -> str:
    if name == "seed" and value is None:
        return "random, printed in the report header"
    if value is None:
        return "none"
    if value is False:
        return "`false`"
    return f"`{value}`"


def options_table() -> str:
    from pytest_lambda._plugin.options import SETTINGS

    rows = [
        "| Option | Command line | ini key | Environment variable | Default | Description |",
        "|---|---|---|---|---|---|",
    ]
    for s in SETTINGS.values():
        flag = f"`{s.flag}`" if s.is_flag else f"`{s.flag}={s.metavar or 'VALUE'}`"
        rows.append(
            f"| [{s.name}](#{s.name}) | {flag} | `{s.ini}` | `{s.env}` "
            f"| {_cell(_default(s.name, s.default))} | {_cell(s.help)} |"
        )
    return "\n".join(rows)


def event_kinds() -> str:
    from pytest_lambda import events

    out: list[str] = []
    for kind in events.KINDS:
        func = getattr(events, kind)
        summary = (func.__doc__ or "").split(". See")[0].strip().rstrip(".")
        out += [
            f"## {kind} {{#{kind}}}",
            "",
            f"{summary}. `events.{kind}(...)`, `lambda_event.{kind}(...)`, "
            f"`pytest-lambda events generate {kind}`.",
            "",
            "| Parameter | Meaning |",
            "|---|---|",
        ]
        out += [f"| `{name}` | {_cell(help_)} |" for name, help_ in events.params(kind).items()]
        out.append("")
    return "\n".join(out).rstrip()


_COMMANDS = (
    ("pytest-lambda", []),
    ("pytest-lambda events", ["events"]),
    ("pytest-lambda events list", ["events", "list"]),
    ("pytest-lambda events generate", ["events", "generate"]),
    ("pytest-lambda events validate", ["events", "validate"]),
    ("pytest-lambda events schema", ["events", "schema"]),
    ("pytest-lambda events samples", ["events", "samples"]),
    ("pytest-lambda invoke", ["invoke"]),
    ("pytest-lambda check", ["check"]),
)


def _help(argv: list[str]) -> str:
    import os

    from pytest_lambda.cli import main

    buf = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return buf.getvalue().rstrip()


def cli_help() -> str:
    out: list[str] = []
    for title, argv in _COMMANDS:
        slug = title.replace(" ", "-")
        out += [f"## `{title}` {{#{slug}}}", "", "```text", _help(argv), "```", ""]
    return "\n".join(out).rstrip()


GENERATED: dict[str, tuple[str, Callable[[], str]]] = {
    "options": ("reference/options.md", options_table),
    "event-kinds": ("reference/event-kinds.md", event_kinds),
    "cli": ("reference/cli.md", cli_help),
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated:{name} -->)(.*?)(<!-- /generated:{name} -->)", re.DOTALL)


def render(page_text: str, name: str) -> str | None:
    """The generated block of ``name`` in ``page_text`` (None if the page has no block)."""
    match = _pattern(name).search(page_text)
    return None if match is None else match.group(2).strip("\n")


def replace_block(page_text: str, name: str, body: str) -> str:
    return _pattern(name).sub(lambda m: m.group(1) + "\n" + body + "\n" + m.group(3), page_text)


def main() -> None:
    for name, (page, make) in GENERATED.items():
        path = DOCS / page
        path.write_text(replace_block(path.read_text(encoding="utf-8"), name, make()), "utf-8")
        print(f"rewrote the generated part of docs/{page}")


if __name__ == "__main__":
    main()
