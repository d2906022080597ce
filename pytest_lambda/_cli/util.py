"""Shared pieces of the ``pytest-lambda`` command: the parser, errors, JSON in and out."""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any, Final, NoReturn

from pytest_lambda._core import facts, json_rules
from pytest_lambda._core.errors import LambdaTestError

__all__ = [
    "PROG",
    "BadLine",
    "CLIError",
    "HelpFormatter",
    "Parser",
    "Populate",
    "RawDescriptionHelpFormatter",
    "add_commands",
    "add_function_flags",
    "dump_json",
    "json_or_string",
    "key_value",
    "path_value",
    "read_events",
    "read_json",
    "seed_value",
    "write_json",
    "write_text",
]

#: The command's name in messages.
PROG = "pytest-lambda"


class CLIError(LambdaTestError):
    """A usage error: printed as one ``pytest-lambda: error: …`` line, exit code 2."""


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with an option's names listed once before its value on every Python
    (``-o, --output FILE``; before 3.13 argparse wrote ``-o FILE, --output FILE``), so the
    help and the generated CLI reference are the same text on 3.10 to 3.13."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings:
            default = self._get_default_metavar_for_positional(action)
            return " ".join(self._metavar_formatter(action, default)(1))
        names = ", ".join(action.option_strings)
        if action.nargs == 0:
            return names
        value = self._format_args(action, self._get_default_metavar_for_optional(action))
        return f"{names} {value}"


class RawDescriptionHelpFormatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """:class:`HelpFormatter` keeping the description's and the epilog's line breaks."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and raise instead of exiting.

    Its help uses :class:`HelpFormatter` unless another ``formatter_class`` is given.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

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


def seed_value(text: str) -> int:
    """``--seed N`` (for ``type=``): an integer >= 0, as the events API takes."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"expected an integer >= 0, got {text!r} (a negative seed would repeat the "
            "event of its positive one)"
        )
    return value


def json_or_string(text: str, what: str = "") -> Any:
    """The JSON value ``text`` spells, or ``text`` itself when it is not JSON text at all.

    Text Python's :mod:`json` reads but that is not an event's JSON (``NaN``, ``Infinity``,
    nesting past 500 levels; see :mod:`pytest_lambda._core.json_rules`) is a :class:`CLIError`
    naming ``what`` (the flag, e.g. ``--set x``), not a value that no event could hold.
    """
    try:
        return json_rules.loads(text)
    except json_rules.NotJSON as exc:
        where = f"at {_json_path(exc.path)}: " if exc.path else ""
        flag = what or "VALUE"
        raise CLIError(
            f"{flag}={_cut(text)}: {where}{exc.why}; events hold JSON only (for the text "
            f"itself, quote it as a JSON string: {flag}='\"{_cut(text)}\"')"
        ) from None
    except ValueError:
        return text


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_path(path: tuple[str | int, ...]) -> str:
    """``("Records", 0, "x")`` → ``Records[0].x``, cut when long."""

    def fmt(segments: tuple[str | int, ...]) -> str:
        out = ""
        for seg in segments:
            out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else seg)
        return out or "<root>"

    return json_rules.show_path(path, fmt)


def read_json(path: str, what: str = "file") -> Any:
    """Parse the JSON file ``path`` (``-`` is stdin); any failure is a :class:`CLIError`.

    The text must be UTF-8; a leading byte order mark (as Windows editors write) is
    skipped. It is held to the events' JSON rule (no ``NaN``/``Infinity``, at most 500
    levels deep: :mod:`pytest_lambda._core.json_rules`).
    """
    name, text = _text(path, what)
    try:
        return json_rules.loads(text)
    except ValueError as exc:
        raise CLIError(f"{what} {name} is not valid JSON: {_why(exc)}") from None


def _why(exc: ValueError) -> str:
    """What a parse failure says, with the path for a value that breaks the JSON rule."""
    if isinstance(exc, json_rules.NotJSON) and exc.path:
        return f"at {_json_path(exc.path)}: {exc.why}"
    return str(exc)


def _text(path: str, what: str) -> tuple[str, str]:
    """``(name for messages, the UTF-8 text without a BOM)`` of ``path`` or stdin."""
    name = "<stdin>" if path == "-" else path
    try:
        data = _read(path)
    except TooLarge as exc:
        raise CLIError(f"cannot read {what} {name}: {exc}") from None
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
    still checked), and so is an array element that is not a JSON object. A file that is
    none of these, or empty, or nested too deep to parse, is a :class:`CLIError`.
    """
    name, text = _text(path, "file")
    if not text.strip():
        raise CLIError(f"file {name} is empty: it should hold a JSON event")
    try:
        document = json.loads(text)
    except RecursionError:
        raise CLIError(f"file {name} is not valid JSON: {_TOO_DEEP}") from None
    except ValueError as exc:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        out: list[tuple[str, Any]] = []
        for number, line in lines:
            try:
                out.append((f"{name}:{number}", json_rules.loads(line)))
            except ValueError as line_exc:
                out.append((f"{name}:{number}", BadLine(f"not valid JSON: {_why(line_exc)}")))
        if len(lines) < 2 or all(isinstance(e, BadLine) for _, e in out):
            raise CLIError(f"file {name} is not valid JSON: {exc}") from None
        return out
    if isinstance(document, list):
        return [(f"{name}[{i}]", _array_event(event)) for i, event in enumerate(document)]
    found = json_rules.first_problem(document, tuples=False)
    if found is not None:
        where = f"at {_json_path(found[0])}: " if found[0] else ""
        raise CLIError(f"file {name} is not valid JSON: {where}{found[1]}")
    return [(name, document)]


_TOO_DEEP: Final = f"objects and arrays are nested more than {json_rules.MAX_DEPTH} levels deep"


def _array_event(event: Any) -> Any:
    """An element of a JSON array of events, or the :class:`BadLine` saying why it is not one."""
    if not isinstance(event, dict):
        kind = "an array" if isinstance(event, list) else f"the value {json.dumps(event)[:40]}"
        return BadLine(f"not an event: {kind}, where each element should be an event (an object)")
    found = json_rules.first_problem(event, tuples=False)
    if found is not None:
        where = f"at {_json_path(found[0])}: " if found[0] else ""
        return BadLine(f"not valid JSON: {where}{found[1]}")
    return event


#: More than this is no event file (a device such as /dev/zero would be read forever).
MAX_INPUT_BYTES: Final = 256 * 1024 * 1024


class TooLarge(OSError):
    """An input past :data:`MAX_INPUT_BYTES`."""


def _read(path: str) -> bytes | str:
    """The bytes of ``path``, or of stdin (its text when it has no binary buffer), at most
    :data:`MAX_INPUT_BYTES` (:class:`TooLarge` past them)."""
    if path != "-":
        with open(path, "rb") as file:
            data = file.read(MAX_INPUT_BYTES + 1)
    else:
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a replaced stdin, e.g. io.StringIO
            text: str = sys.stdin.read(MAX_INPUT_BYTES + 1)
            if len(text) > MAX_INPUT_BYTES:
                raise TooLarge("more than 256 MB: not an event file")
            return text
        data = buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise TooLarge("more than 256 MB: not an event file (a device such as /dev/zero?)")
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


def add_function_flags(p: argparse.ArgumentParser) -> None:
    """``--timeout`` and ``--memory``, with Lambda's defaults (``facts``), for ``check``/``invoke``."""
    p.add_argument(
        "--timeout",
        type=float,
        default=facts.DEFAULT_TIMEOUT,
        metavar="S",
        help=f"function timeout in seconds (default {facts.DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--memory",
        type=int,
        default=facts.DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"memory size in MB (default {facts.DEFAULT_MEMORY_MB})",
    )


def add_env_flag(p: argparse.ArgumentParser) -> None:
    """``--env NAME=VALUE`` (repeatable), the same for ``check`` and ``invoke``."""
    p.add_argument(
        "--env",
        action="append",
        type=key_value,
        default=[],
        metavar="K=V",
        help="environment variable of the function (repeatable)",
    )


def checked_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The ``--env`` pairs as the function's variables, checked as ``LambdaRunner(env=)`` does.

    A reserved or invalid name is a :class:`CLIError` naming the flag (exit 2).
    """
    from pytest_lambda._core.errors import InvalidOption
    from pytest_lambda._runtime.arguments import _check_env

    try:
        return _check_env(dict(pairs))
    except InvalidOption as exc:
        text = str(exc).removeprefix("LambdaRunner: ")
        for keyword, flag in _ENV_FLAGS.items():
            text = text.replace(f"set it with {keyword}", f"set it with {flag}")
        raise CLIError(f"--env: {text}") from None


# The runner's keywords that set a reserved variable, as the commands' flags.
_ENV_FLAGS: Final = {
    "region=": "--region",
    "memory_mb=": "--memory",
    "timeout=": "--timeout",
    "function_name=": "--function-name",
    "root=": "--root",
    "the handler argument": "HANDLER",
}


def add_import_flags(p: argparse.ArgumentParser) -> None:
    """``--layer DIR`` and ``--path DIR`` (repeatable): import path entries of the function."""
    p.add_argument(
        "--layer",
        action="append",
        default=[],
        metavar="DIR",
        help="a Lambda layer folder: its python/ and python/lib/python3.X/site-packages go on "
        "the import path, as Lambda puts them under /opt (repeatable)",
    )
    p.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="DIR",
        help="an extra import path entry, after the root directory (repeatable)",
    )


def import_entries(layers: list[str], paths: list[str]) -> tuple[str, ...]:
    """The absolute import path entries of ``--path`` then ``--layer`` folders, checked.

    A layer puts ``python/lib/python3.X/site-packages`` then ``python/`` on the path (Lambda's
    order under ``/opt``); a folder that is missing, or a layer without either, is a CLIError.
    """
    import os

    out: list[str] = []
    for given in paths:
        if not os.path.isdir(given):
            raise CLIError(f"--path {given}: not a directory")
        out.append(os.path.abspath(given))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for given in layers:
        if not os.path.isdir(given):
            raise CLIError(f"--layer {given}: not a directory")
        found = [
            os.path.abspath(os.path.join(given, *parts))
            for parts in (("python", "lib", version, "site-packages"), ("python",))
            if os.path.isdir(os.path.join(given, *parts))
        ]
        if not found:
            raise CLIError(
                f"--layer {given}: not a Lambda layer folder (no python/ in it); give the "
                "folder that holds python/, or the folder itself with --path"
            )
        out.extend(found)
    return tuple(dict.fromkeys(out))


def ignored_state(raw: str | None, moto: bool) -> tuple[str, ...]:
    """``--ignore-state``: the parts of the moto state the idempotent check leaves out
    (refused without ``--moto``/``--moto-setup``: there is no moto state to leave them out of)."""
    from pytest_lambda._checks.moto import parse_ignored_state
    from pytest_lambda._core.errors import InvalidOption

    if not raw:
        return ()
    if not moto:
        raise CLIError(
            f"--ignore-state {raw}: leaves parts of the moto state out of the idempotent "
            "check, but moto is off, so no state is compared; add --moto (or --moto-setup "
            "MODULE:FUNCTION), or drop --ignore-state"
        )
    try:
        return parse_ignored_state(raw, "--ignore-state")
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
