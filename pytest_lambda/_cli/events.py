"""``pytest-lambda events list | generate | validate | schema``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pytest_lambda._cli.genflags import add_generator_flags, flag_for, normalise_kind, request
from pytest_lambda._cli.util import (
    PROG,
    BadLine,
    CLIError,
    Populate,
    add_commands,
    dump_json,
    read_events,
    write_json,
)

__all__ = ["kind_summary", "populate"]


def kind_summary(kind: str) -> str:
    """One line saying what ``kind`` is, from its function's docstring."""
    from pytest_lambda import events

    doc = (getattr(events, kind).__doc__ or kind).strip().splitlines()[0]
    return doc.split(". See ")[0].rstrip(".")


def _list(ns: argparse.Namespace) -> int:
    from pytest_lambda import events

    kinds = [normalise_kind(ns.kind)] if ns.kind else list(events.KINDS)
    lines: list[str] = []
    for kind in kinds:
        params = events.params(kind)
        lines.append(f"{kind}: {kind_summary(kind)}")
        rows = [
            (name, flag_for(params, name, kind) or f"--param {name}=…", text)
            for name, text in params.items()
        ]
        name_w = max(len(r[0]) for r in rows)
        flag_w = max(len(r[1]) for r in rows)
        lines += [f"  {n:<{name_w}}  {f:<{flag_w}}  {t}" for n, f, t in rows]
        lines.append("")
    lines.append(
        f"Generate one with '{PROG} events generate KIND [flags]'; every kind also takes "
        "--seed, --set PATH=VALUE and --no-validate."
    )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _generate(ns: argparse.Namespace) -> int:
    if ns.output is None and ns.force:  # before anything is generated or said
        raise CLIError("--force goes with -o FILE (it allows replacing FILE)")
    req = request(ns.kind, ns)
    event = req.generate()
    if not req.seed_given:
        sys.stderr.write(
            f"{PROG}: seed {req.seed} (pass --seed {req.seed} to get this event again)\n"
        )
    if ns.output is None:
        write_json(sys.stdout, event, compact=ns.compact)
        return 0
    _write_output(ns.output, dump_json(event, compact=ns.compact).encode("utf-8"), ns.force)
    return 0


def _write_output(path: str, data: bytes, force: bool) -> None:
    """``-o FILE``: a new file, or the same bytes; anything else only with ``--force``.

    A JSON file cannot carry a mark saying this command wrote it, so an existing file
    with other content may be a captured event of the user's: it is refused. The file
    is written atomically, and a symbolic link is never written through. A named pipe
    or a character device (``/dev/null``) is written into, as a shell redirection does.
    """
    from pytest_lambda._cli.safe_write import inspect, write_atomic, write_stream

    if not path.strip():
        raise CLIError("-o: the output path is empty; give a file name (or leave -o out to print)")
    try:
        entry = inspect(path)
        if entry.kind == "directory":
            raise CLIError(f"cannot write {path}: it is a directory")
        if entry.kind == "stream":  # a named pipe or /dev/null: nothing there to lose
            write_stream(path, data)
            return
        if entry.kind == "file" and entry.data == data:
            return  # already this event
        if entry.kind != "missing" and not force:
            why = (
                "it exists with other content" if entry.kind == "file" else f"it is {entry.phrase}"
            )
            link = " (--force replaces the link, never its target)" * (entry.kind == "symlink")
            raise CLIError(f"not overwriting {path}: {why}{link}; pass --force to replace it")
        write_atomic(path, data, replace=entry.kind != "missing", mode=entry.mode)
    except FileExistsError:
        raise CLIError(f"not overwriting {path}: it appeared while writing; run again") from None
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None


def _validate(ns: argparse.Namespace) -> int:
    from pytest_lambda import events

    kind = None
    if ns.kind is not None:
        kind = normalise_kind(ns.kind)
        events.params(kind)  # an unknown kind is a usage error, reported once
    code = 0
    for path in ns.files:
        try:
            documents = read_events(path)
        except CLIError as exc:
            sys.stderr.write(f"{PROG}: error: {exc}\n")
            code = 2
            continue
        if not documents:
            sys.stdout.write(f"{'<stdin>' if path == '-' else path}: no events (an empty array)\n")
            code = max(code, 1)
        for name, event in documents:
            if isinstance(event, BadLine):
                sys.stdout.write(f"{name}: {event}\n")
                code = max(code, 1)
                continue
            try:
                found = events.validate(event, kind, invariants=ns.strict)
            except events.EventValidationError as exc:
                sys.stdout.write(_failure(name, exc, show_all=ns.all))
                code = max(code, 1)
                continue
            sys.stdout.write(f"{name}: ok ({found})\n")
    return code


def _failure(name: str, exc: Any, *, show_all: bool) -> str:
    """The lines for an invalid file: the first error, then the others or how to see them."""
    from pytest_lambda._events._validate import more_note

    others = exc.errors[1:]
    head = str(exc).removesuffix(more_note(len(others)))
    head = head.replace("pass kind= one of", "pass --kind, one of")
    if not others:
        return f"{name}: {head}\n"
    if not show_all:
        return f"{name}: {head} (and {len(others)} more; --all lists them)\n"
    lines = [f"{name}: {head}", *(f"  - {p}: {m}" if p else f"  - {m}" for p, m in others)]
    return "\n".join(lines) + "\n"


def _schema(ns: argparse.Namespace) -> int:
    from pytest_lambda import events

    kind = normalise_kind(ns.kind)
    events.params(kind)  # the kind's "did you mean" message for a wrong name
    write_json(sys.stdout, events.schema(kind))
    return 0


def _populate_list(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    p.description = "The event kinds, and each parameter with its flag and help."
    p.add_argument("kind", nargs="?", metavar="KIND", help="show only this kind")
    p.set_defaults(func=_list)


def _populate_generate(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    p.usage = (
        f"{PROG} events generate KIND [--seed N] [--records N] [--set PATH=VALUE ...] "
        "[--param NAME=VALUE ...] [event parameters] [--no-validate] [--compact] [-o FILE [--force]]"
    )
    p.description = (
        "Print a realistic event of KIND as JSON. The same flags and --seed give "
        "byte-identical output."
    )
    p.epilog = f"example: {PROG} events generate sqs --seed 7 --records 3 --body '{{\"id\": 1}}'"
    p.add_argument("kind", metavar="KIND", help="an event kind (pytest-lambda events list)")
    p.add_argument("--compact", action="store_true", help="one-line JSON instead of indent 2")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--force",
        action="store_true",
        help="with -o: replace FILE when it exists with other content (by default refused); "
        "a symbolic link is replaced, never written through",
    )
    add_generator_flags(p)
    p.set_defaults(func=_run_generate)


def _run_generate(ns: argparse.Namespace) -> int:
    """``_generate``, looked up when run: the parser is kept between ``main()`` calls."""
    return _generate(ns)


def _populate_validate(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    p.description = (
        "Validate captured events; prints '<file>: ok (<kind>)' per valid event (labelled "
        "<file>[i] in a JSON array, <file>:N in JSON Lines) and the failing JSON path per "
        "invalid one (exit code 1). Values in messages are cut to 80 characters."
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="JSON file of one event, an array of events or JSON Lines; '-' for stdin",
    )
    p.add_argument("--kind", metavar="KIND", help="the kind (default: detected from each event)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="also check the cross-field invariants of real events (md5s, ARNs, times)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="list every error of an invalid file, one per line (default: the most "
        "relevant one and how many more)",
    )
    p.set_defaults(func=_validate)


def _populate_schema(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    p.description = "Print the JSON Schema (draft 2020-12) of KIND."
    p.add_argument("kind", metavar="KIND")
    p.set_defaults(func=_schema)


def populate(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    """Fill the ``events`` command's parser ``p`` (see :func:`add_commands`)."""
    from pytest_lambda._cli.samples import populate as populate_samples

    p.description = "Realistic, seeded, schema-validated Lambda events from the shell."
    esub = p.add_subparsers(dest="events_command", metavar="SUBCOMMAND", required=True)
    commands: dict[str, tuple[str, Populate]] = {
        "list": ("the event kinds and their parameters", _populate_list),
        "generate": ("print a generated event as JSON", _populate_generate),
        "validate": ("check event files against the kind's schema", _populate_validate),
        "schema": ("print the JSON Schema of a kind", _populate_schema),
        "samples": ("write (or --check) the event_samples/ set", populate_samples),
    }
    add_commands(esub, commands, tokens)
