"""The event-generator flags shared by ``events generate`` and ``invoke --kind``.

Each flag maps to a generator parameter; it applies to a kind only when that
kind's generator has the parameter (``events.params(kind)``), so a misplaced
flag is one clear error instead of being silently ignored. Every parameter ``name``
has the flag ``--<name>`` (``--queue``, ``--bodies``, ``--datas`` …); the older spellings,
SAM's ``generate-event`` names among them (``--queue-name``, ``--header``), stay aliases.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pytest_lambda._cli.genflags_table import GEN_FLAGS, GenFlag
from pytest_lambda._cli.util import (
    CLIError,
    json_or_string,
    key_value,
    path_value,
    seed_value,
)

__all__ = ["GEN_FLAGS", "GenFlag", "GeneratorRequest", "add_generator_flags", "flag_for", "request"]


def flag_for(kind_params: Mapping[str, str], param: str, kind: str | None = None) -> str | None:
    """The flag that sets ``param`` (given the kind's parameters): ``--<param-name>`` first."""
    named = "--" + param.replace("_", "-")
    for f in GEN_FLAGS:
        if f.flag == named and _target(f, kind_params, kind) == param:
            return f.flag
    for f in GEN_FLAGS:
        if param in f.params and _target(f, kind_params, kind) == param:
            return f.flag
    return None


def _target(flag: GenFlag, kind_params: Mapping[str, str], kind: str | None = None) -> str | None:
    if flag.kinds and kind is not None and kind not in flag.kinds:
        return None
    return next((p for p in flag.params if p in kind_params), None)


def add_generator_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--seed``, ``--set``, ``--param``, ``--no-validate`` and every generator flag."""
    parser.add_argument(
        "--seed",
        type=seed_value,
        metavar="N",
        help="seed, an integer >= 0: the same seed and flags give byte-identical output "
        "(default: random, printed on stderr)",
    )
    parser.add_argument(
        "--set",
        dest="gen_set",
        action="append",
        type=path_value,
        default=[],
        metavar="PATH=VALUE",
        help="override a field, e.g. Records.0.body=hi (VALUE is JSON when it "
        "parses, else a string; NaN and Infinity are not JSON and are refused; repeatable)",
    )
    parser.add_argument(
        "--param",
        dest="gen_param",
        action="append",
        type=key_value,
        default=[],
        metavar="NAME=VALUE",
        help="any generator parameter (VALUE is JSON when it parses, else a "
        "string; repeatable); see 'pytest-lambda events list'",
    )
    parser.add_argument(
        "--no-validate",
        dest="gen_validate",
        action="store_false",
        help="skip schema validation of the overridden event (for malformed events)",
    )
    group = parser.add_argument_group(
        "event parameters", "each applies only to kinds whose generator has the parameter"
    )
    for f in GEN_FLAGS:
        kwargs: dict[str, Any] = {"dest": f.dest, "help": f.help, "default": argparse.SUPPRESS}
        if f.action == "store_true":
            kwargs["action"] = "store_true"
        else:
            kwargs.update(action=f.action, metavar=f.metavar)
            if f.type is not None:
                kwargs["type"] = f.type
        group.add_argument(f.flag, *f.aliases, **kwargs)


def given_flags(ns: argparse.Namespace) -> list[GenFlag]:
    """The generator flags present on the command line."""
    return [f for f in GEN_FLAGS if hasattr(ns, f.dest)]


@dataclass(frozen=True)
class GeneratorRequest:
    """What to pass to ``events.generate``."""

    kind: str
    seed: int
    seed_given: bool
    params: dict[str, Any]
    overrides: dict[str, Any]
    validate: bool

    def generate(self) -> dict[str, Any]:
        """The event; a bad parameter or override is a :class:`CLIError`."""
        from pytest_lambda import events

        try:
            return events.generate(
                self.kind,
                seed=self.seed,
                overrides=self.overrides or None,
                validate=self.validate,
                **self.params,
            )
        except TypeError as exc:  # unknown parameter, or a value of the wrong type
            raise CLIError(str(exc)) from None
        except events.EventValidationError as exc:
            text = str(exc)
            if self.overrides and "is not of type 'string'" in text:
                raise CLIError(
                    f"{text} (a --set VALUE is JSON when it parses: quote a string, e.g. "
                    "--set 'PATH=\"2\"')"
                ) from None
            raise CLIError(f"{text} (pass --no-validate to allow a malformed event)") from None


def _not_applicable(flag: str, kind: str, kind_params: Mapping[str, str]) -> CLIError:
    flags = [f.flag for f in GEN_FLAGS if _target(f, kind_params, kind)]
    others = [p for p in kind_params if flag_for(kind_params, p, kind) is None]
    tail = f"; other parameters with --param NAME=VALUE: {', '.join(others)}" if others else ""
    return CLIError(
        f"{flag} does not apply to {kind} events; {kind} flags: {', '.join(flags)}{tail}"
    )


_OWN_FLAGS: Final = {
    "seed": "--seed N",
    "overrides": "--set PATH=VALUE",
    "validate": "--no-validate",
}


def normalise_kind(kind: str) -> str:
    """Accept ``apigw-v1`` for ``apigw_v1``; unknown kinds fail later with the valid list."""
    return kind.strip().lower().replace("-", "_")


def request(kind: str, ns: argparse.Namespace, *, skip: Sequence[str] = ()) -> GeneratorRequest:
    """Turn the parsed flags into a :class:`GeneratorRequest` for ``kind``."""
    from pytest_lambda import events

    kind = normalise_kind(kind)
    kind_params = events.params(kind)  # InvalidEventSpec for an unknown kind
    params: dict[str, Any] = {}
    chosen: dict[str, GenFlag] = {}
    for f in given_flags(ns):
        if f.flag in skip:
            continue
        target = _target(f, kind_params, kind)
        if target is None:
            raise _not_applicable(f.flag, kind, kind_params)
        if target in chosen:
            first = chosen[target].flag
            raise CLIError(f"{f.flag} repeats {first}: both set {target}; give one of them")
        chosen[target] = f
    for target, f in chosen.items():
        value = getattr(ns, f.dest)
        params[target] = f.convert(value) if f.convert is not None else value
    for name, text in ns.gen_param:
        if name in _OWN_FLAGS:
            raise CLIError(f"--param {name}=…: use {_OWN_FLAGS[name]} instead")
        if name not in kind_params:
            valid = ", ".join(kind_params)
            raise CLIError(f"--param {name}=…: {kind} has no parameter {name!r}; valid: {valid}")
        if name in params:
            flag = flag_for(kind_params, name, kind) or "--param"
            raise CLIError(f"--param {name}=… repeats {flag}; give the {name} parameter once")
        params[name] = json_or_string(text, f"--param {name}")
    overrides = {path: json_or_string(text, f"--set {path}") for path, text in ns.gen_set}
    seed = ns.seed if ns.seed is not None else random.SystemRandom().randrange(10**6, 10**7)
    return GeneratorRequest(
        kind=kind,
        seed=seed,
        seed_given=ns.seed is not None,
        params=params,
        overrides=overrides,
        validate=ns.gen_validate,
    )
