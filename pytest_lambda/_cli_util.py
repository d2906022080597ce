"""Shared pieces of the ``pytest-lambda`` command: the parser, errors, JSON in and out."""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, Final, NoReturn

__all__ = [
    "PROG",
    "BadLine",
    "CLIError",
    "Parser",
    "Populate",
    "add_commands",
    "dump_json",
    "json_or_string",
    "key_value",
    "path_value",
    "read_events",
    "read_json",
    "write_json",
    "write_text",
]

#: The command's name in messages.
PROG = "pytest-lambda"


class CLIError(Exception):
    """A usage error: printed as one ``pytest-lambda: error: …`` line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and raise instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")


#: Fills a (sub)command's parser: ``populate(parser, tokens)``, where ``tokens`` are the
#: positional words after the command (``None``: build everything).
Populate = Callable[[argparse.ArgumentParser, "list[str] | None"], None]


def add_commands(
    sub: Any, commands: Mapping[str, tuple[str, Populate]], tokens: list[str] | None
) -> None:
    """Add ``commands`` (name → help, populate) to the subparsers action ``sub``.

    Only the command named by ``tokens[0]`` is populated (argparse costs ~50 µs per
    option, and one invocation needs one command); when ``tokens`` names none, every
    command is listed, unpopulated, for the help text or the "invalid choice" error.
    """
    chosen = tokens[0] if tokens and tokens[0] in commands else None
    for name, (help_text, populate) in commands.items():
        if tokens is None or name == chosen:
            populate(sub.add_parser(name, help=help_text), None if tokens is None else tokens[1:])
        elif chosen is None:
            sub.add_parser(name, help=help_text)


def _pair(text: str, form: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected {form}, got {text!r}")
    return name, value


def key_value(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` → ``("NAME", "VALUE")`` (for ``type=`` of repeatable options)."""
    return _pair(text, "NAME=VALUE")


def path_value(text: str) -> tuple[str, str]:
    """``PATH=VALUE`` → ``("PATH", "VALUE")`` (``--set``)."""
    return _pair(text, "PATH=VALUE, e.g. Records.0.body=hi")


def json_or_string(text: str) -> Any:
    """The JSON value ``text`` spells, or ``text`` itself when it is not valid JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_json(path: str, what: str = "file") -> Any:
    """Parse the JSON file ``path`` (``-`` is stdin); any failure is a :class:`CLIError`.

    The text must be UTF-8; a leading byte order mark (as Windows editors write) is
    skipped.
    """
    name, text = _text(path, what)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CLIError(f"{what} {name} is not valid JSON: {exc}") from None


def _text(path: str, what: str) -> tuple[str, str]:
    """``(name for messages, the UTF-8 text without a BOM)`` of ``path`` or stdin."""
    name = "<stdin>" if path == "-" else path
    try:
        data = _read(path)
    except OSError as exc:
        raise CLIError(f"cannot read {what} {name}: {exc.strerror or exc}") from None
    text = data if isinstance(data, str) else _decode(data, f"{what} {name}", path == "-")
    return name, text.removeprefix("\ufeff")


class BadLine(str):
    """A line of a JSON Lines file that is not JSON: its message, in place of an event."""


def read_events(path: str) -> list[tuple[str, Any]]:
    """The events in ``path``: one JSON document, a JSON array of events, or JSON Lines.

    Each comes with its label for messages: ``file``, ``file[2]`` (array) or ``file:3``
    (line). In JSON Lines a line that is not JSON is a :class:`BadLine` (the others are
    still checked). A file that is none of these, or empty, is a :class:`CLIError`.
    """
    name, text = _text(path, "file")
    if not text.strip():
        raise CLIError(f"file {name} is empty: it should hold a JSON event")
    try:
        document = json.loads(text)
    except ValueError as exc:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        out: list[tuple[str, Any]] = []
        for number, line in lines:
            try:
                out.append((f"{name}:{number}", json.loads(line)))
            except ValueError as line_exc:
                out.append((f"{name}:{number}", BadLine(f"not valid JSON: {line_exc}")))
        if len(lines) < 2 or all(isinstance(e, BadLine) for _, e in out):
            raise CLIError(f"file {name} is not valid JSON: {exc}") from None
        return out
    if isinstance(document, list) and all(isinstance(e, dict) for e in document):
        return [(f"{name}[{i}]", event) for i, event in enumerate(document)]
    return [(name, document)]


def _read(path: str) -> bytes | str:
    """The bytes of ``path``, or of stdin (its text when it has no binary buffer)."""
    if path != "-":
        return Path(path).read_bytes()
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a replaced stdin, e.g. io.StringIO
        return sys.stdin.read()
    data: bytes = buffer.read()
    return data


_UTF16_BOMS: Final = {codecs.BOM_UTF16_LE: "UTF-16 LE", codecs.BOM_UTF16_BE: "UTF-16 BE"}


def _decode(data: bytes, what: str, stdin: bool) -> str:
    """``data`` as UTF-8 (with or without a BOM), or a :class:`CLIError` saying how to fix it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data[:4] in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
            found = "UTF-32 text"
        else:
            bom = next((n for b, n in _UTF16_BOMS.items() if data.startswith(b)), None)
            offset = exc.start + len(codecs.BOM_UTF8) * data.startswith(codecs.BOM_UTF8)
            found = f"{bom} text" if bom else f"invalid UTF-8 at byte {offset}"
        fix = "send it as UTF-8" if stdin else "save the file as UTF-8"
        raise CLIError(
            f"{what} is not UTF-8 ({found}); JSON must be UTF-8: {fix} (a byte order mark is fine)"
        ) from None


def dump_json(value: Any, *, compact: bool = False, ascii_only: bool = False) -> str:
    """Deterministic JSON text with a final newline (indent 2, or compact separators)."""
    if compact:
        return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")) + "\n"
    return json.dumps(value, ensure_ascii=ascii_only, indent=2) + "\n"


def write_text(stream: IO[str], text: str) -> None:
    """Write ``text``, with ``\\u`` escapes for what the stream cannot encode."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))


def write_json(stream: IO[str], value: Any, *, compact: bool = False) -> None:
    """Write ``value`` as JSON; ``\\u`` escapes on a stream that cannot encode the text."""
    try:
        stream.write(dump_json(value, compact=compact))
    except UnicodeEncodeError:
        stream.write(dump_json(value, compact=compact, ascii_only=True))
