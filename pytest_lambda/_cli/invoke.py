"""``pytest-lambda invoke``: run a handler once (or N times warm) in the local runner."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pytest_lambda._cli.genflags import add_generator_flags, given_flags, request
from pytest_lambda._cli.util import (
    PROG,
    CLIError,
    RawDescriptionHelpFormatter,
    add_env_flag,
    add_function_flags,
    checked_env,
    dump_json,
    read_json,
    write_text,
)
from pytest_lambda._core import facts

if TYPE_CHECKING:
    from pytest_lambda._runtime.http_view import HttpResponse
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["populate"]

_DEFAULT_REGION = facts.DEFAULT_REGION


def _event(ns: argparse.Namespace) -> Any:
    if ns.event is not None:
        extra = [f.flag for f in given_flags(ns) if f.flag != "--region"]
        extra += ["--seed"] * (ns.seed is not None) + ["--set"] * bool(ns.gen_set)
        extra += ["--param"] * bool(ns.gen_param)
        if extra:
            raise CLIError(f"{extra[0]} applies only with --kind, not with --event")
        return read_json(ns.event, "event file")
    req = request(ns.kind, ns)
    event = req.generate()
    if not req.seed_given:
        sys.stderr.write(
            f"{PROG}: seed {req.seed} (pass --seed {req.seed} to get this event again)\n"
        )
    return event


def _logs_text(logs: str) -> str:
    return logs if not logs or logs.endswith("\n") else logs + "\n"


def _output(inv: Invocation, compact: bool) -> str:
    """The response as JSON text; a non-JSON body (top-level bytes) as the runtime sent it."""
    value = inv.error.payload() if inv.error is not None else inv.response
    try:
        return dump_json(value, compact=compact)
    except (TypeError, ValueError):
        body: bytes = inv.body
        text = body.decode("utf-8", "replace")
        return text if text.endswith("\n") else text + "\n"


def _http_view(inv: Invocation) -> HttpResponse | None:
    from pytest_lambda._runtime.http_view import NotAnHttpEvent

    try:
        return inv.http
    except NotAnHttpEvent:
        return None


def _http_line(resp: HttpResponse) -> str:
    """The stderr line saying what the HTTP client gets (and why, when the source answered)."""
    from pytest_lambda._runtime.http_view import SOURCE_NAMES

    head = f"{PROG}: the HTTP client gets {resp.status_code} from {SOURCE_NAMES[resp.source]}"
    return head + (f" ({resp.gateway_error})\n" if resp.gateway_error else "\n")


def _http_text(resp: HttpResponse) -> str:
    """The response as ``curl -i`` prints it: status line, headers, blank line, body."""
    from http import HTTPStatus

    try:
        reason = HTTPStatus(resp.status_code).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {resp.status_code} {reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in resp.headers.raw]
    text = "\n".join(lines) + "\n\n" + resp.text
    return text if text.endswith("\n") else text + "\n"


@contextlib.contextmanager
def _moto(ns: argparse.Namespace, region: str) -> Iterator[None]:
    """Inside ``moto.mock_aws()`` with the user's set-up run, when asked (else nothing)."""
    from pytest_lambda._checks.moto_setup import check_cli_moto, mocked_aws
    from pytest_lambda._core.errors import InvalidOption

    if not (ns.moto or ns.moto_setup):
        yield
        return
    try:
        check_cli_moto(ns.moto, ns.moto_setup, ns.isolation)
        import moto  # noqa: F401
    except InvalidOption as exc:
        raise CLIError(str(exc)) from None
    except ImportError:
        raise CLIError(
            "--moto needs moto (and boto3): pip install 'pytest-lambda-toolkit[moto]'"
        ) from None
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(mocked_aws(ns.moto_setup, region, ns.root or os.getcwd()))
        except InvalidOption as exc:  # the set-up failed
            raise CLIError(str(exc)) from None
        yield


_SHOWN_FRAMES = 6  # of a timed-out handler's stack, the innermost


def _own_module_missing(inv: Any, handler: str) -> bool:
    """The init failed because the handler's own module is not under the root."""
    error = inv.error
    if error is None or error.type != "Runtime.ImportModuleError":
        return False
    module = handler.rpartition("/")[2].rpartition(".")[0]
    return any(f"No module named '{n}'" in error.message for n in {module, module.split(".")[0]})


def _invoke(ns: argparse.Namespace) -> int:
    from pytest_lambda._checks.runner import LambdaRunner

    if ns.warm < 1:
        raise CLIError(f"--warm {ns.warm}: give the number of invocations, 1 or more")
    if (problem := facts.timeout_problem(ns.timeout)) is not None:
        raise CLIError(f"--timeout {ns.timeout}: {problem}")
    kwargs: dict[str, Any] = {
        "timeout": ns.timeout,
        "memory_mb": ns.memory,
        "env": checked_env(ns.env),
        "isolation": ns.isolation,
    }
    if ns.function_name is not None:
        kwargs["function_name"] = ns.function_name
    if ns.root is not None:
        kwargs["root"] = ns.root
    # One region for the function and the generated event, as for a real trigger.
    ns.gen_region = kwargs["region"] = getattr(ns, "gen_region", _DEFAULT_REGION)
    code = 0
    with LambdaRunner(ns.handler, **kwargs) as runner, _moto(ns, kwargs["region"]):
        event = _event(ns)
        if ns.http:
            from pytest_lambda._runtime.http_source import http_source

            if http_source(event) is None:
                raise CLIError(
                    "--http: the event is not an HTTP request (API Gateway REST or HTTP API, "
                    "ALB or Function URL); drop --http to see the Lambda response"
                )
        for n in range(1, ns.warm + 1):
            inv = runner.invoke(event)
            sys.stderr.write(_logs_text(inv.logs))
            if inv.timed_out:
                verdict = "timed out"
            else:
                verdict = "ok" if inv.error is None else f"error {inv.error.type}"
            start = "cold start" if inv.cold_start else "warm"
            sys.stderr.write(
                f"{PROG}: invocation {n} of {ns.warm}: {verdict}, {start}, "
                f"{inv.duration_ms:.2f} ms, request id {inv.request_id}\n"
            )
            if _own_module_missing(inv, ns.handler):
                sys.stderr.write(
                    f"{PROG}: the handler's module was looked for under {runner.root}: give "
                    "the handler as module.function relative to it, or set --root DIR\n"
                )
            if inv.timed_out and inv.error is not None and inv.error.stopped_in:
                frames = list(inv.error.stopped_in)
                if len(frames) > _SHOWN_FRAMES:  # the handler's own frame, then the innermost
                    frames = [frames[0], "...", *frames[1 - _SHOWN_FRAMES :]]
                sys.stderr.write(
                    f"{PROG}: the deadline stopped the handler in (innermost last):\n"
                    + "".join(f"  {frame}\n" for frame in frames)
                )
            view = _http_view(inv)
            if view is not None:
                sys.stderr.write(_http_line(view))
            write_text(
                sys.stdout, _http_text(view) if ns.http and view else _output(inv, ns.compact)
            )
            if not inv.ok:
                code = 1
    return code


def populate(p: argparse.ArgumentParser, tokens: list[str] | None) -> None:
    """Fill the ``invoke`` command's parser ``p``."""
    p.usage = (
        f"{PROG} invoke HANDLER (--event FILE|- | --kind KIND [event parameters]) "
        "[--timeout S] [--memory MB] [--warm N] [--env K=V ...] [--root DIR] "
        "[--isolation module|runtime] [--moto] [--moto-setup MODULE:FUNCTION] [--http]"
    )
    p.description = (
        "Run HANDLER in the local Lambda runner: the response (or the error payload)\n"
        "goes to stdout, the logs to stderr. Exit code 1 on a handler error or timeout.\n"
        "For an HTTP event, stderr also says what the HTTP client gets through its source\n"
        "(--http prints that response on stdout instead).\n"
        "--region sets the region of the function and of a generated event "
        f"(default {_DEFAULT_REGION})."
    )
    p.epilog = (
        f"examples: {PROG} invoke app.main.handler --kind sqs --seed 7 --body hi\n"
        f"          {PROG} invoke app.main.handler --event event.json --warm 3"
    )
    p.formatter_class = RawDescriptionHelpFormatter
    p.add_argument("handler", metavar="HANDLER", help="the handler, module.function")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--event", metavar="FILE", help="event JSON file ('-' for stdin)")
    source.add_argument(
        "--kind",
        metavar="KIND",
        help="generate an event of KIND (takes the event parameters below)",
    )
    add_function_flags(p)
    p.add_argument("--function-name", metavar="NAME", help="function name (default: the runner's)")
    p.add_argument(
        "--warm",
        type=int,
        default=1,
        metavar="N",
        help="invoke N times in one execution environment (1 cold, then warm); stdout gets "
        "N JSON documents, one per invocation (not an array)",
    )
    add_env_flag(p)
    p.add_argument(
        "--root",
        metavar="DIR",
        help="directory the handler module is imported from (default: the current directory)",
    )
    p.add_argument(
        "--isolation",
        choices=facts.ISOLATIONS,
        default=facts.DEFAULT_ISOLATION,
        help="module: in this process, fresh module per environment (default); runtime: in a "
        "subprocess under the real awslambdaric runtime client (Linux, pip install "
        "'pytest-lambda-toolkit[runtime]')",
    )
    p.add_argument(
        "--moto",
        action="store_true",
        help="run inside moto.mock_aws(): AWS calls go to moto, not to AWS",
    )
    p.add_argument(
        "--moto-setup",
        metavar="MODULE:FUNCTION",
        help="a callable that creates the handler's tables, buckets and queues inside moto "
        "first, e.g. tests.aws:create_tables, imported from --root, then the current directory "
        "(implies --moto)",
    )
    p.add_argument("--compact", action="store_true", help="one-line JSON responses")
    p.add_argument(
        "--http",
        action="store_true",
        help="for an HTTP event (API Gateway, ALB, Function URL), print the HTTP response the "
        "client receives (status line, headers, body) instead of the Lambda response",
    )
    add_generator_flags(p)
    p.set_defaults(func=_invoke)
