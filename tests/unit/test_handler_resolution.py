"""Handler strings resolve, and fail, exactly as the runtime's bootstrap does (docs/internals/runtime.md §2)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_lambda import HandlerConfigError, LambdaRunner

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(relpath: str, source: str) -> Path:
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    return write


@pytest.fixture
def runners(tmp_path: Path) -> Iterator[Callable[[str], LambdaRunner]]:
    made: list[LambdaRunner] = []

    def make(handler: str) -> LambdaRunner:
        runner = LambdaRunner(handler, root=tmp_path)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def test_slash_and_dotted_module_paths(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    write("src/pkg/app.py", "def handler(event, context):\n    return 'slash'\n")
    write("pkg2/__init__.py", "")
    write("pkg2/m2.py", "def handler(event, context):\n    return 'dotted'\n")
    assert runners("src/pkg/app.handler").invoke({}).response == "slash"
    assert runners("pkg2.m2.handler").invoke({}).response == "dotted"


def test_no_dot_is_a_malformed_handler_name(runners: Callable[[str], LambdaRunner]) -> None:
    inv = runners("nodot").invoke({})
    assert inv.error is not None
    assert inv.error.payload() == {
        "errorMessage": "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)",
        "errorType": "Runtime.MalformedHandlerName",
        "requestId": "",
        "stackTrace": [],
    }
    assert inv.cold_start
    assert not inv.ok


def test_builtin_module_conflict(runners: Callable[[str], LambdaRunner]) -> None:
    inv = runners("sys.handler").invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.BuiltInModuleConflict"
    assert inv.error.message == "Cannot use built-in module sys as a handler module"


def test_missing_module_is_an_import_module_error(runners: Callable[[str], LambdaRunner]) -> None:
    inv = runners("x.handler").invoke({})
    assert inv.response == {
        "errorMessage": "Unable to import module 'x': No module named 'x'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_import_error_inside_the_module(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    write("broken_import.py", "import does_not_exist_zz\n")
    inv = runners("broken_import.handler").invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.ImportModuleError"
    assert inv.error.message == (
        "Unable to import module 'broken_import': No module named 'does_not_exist_zz'"
    )


def test_syntax_error_has_the_runtime_trace_format(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    path = write("bad_syntax.py", "def handler(event, context)\n    return 1\n")
    inv = runners("bad_syntax.handler").invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.UserCodeSyntaxError"
    assert inv.error.message.startswith("Syntax error in module 'bad_syntax': ")
    assert inv.error.stack_trace == (f'  File "{path}" Line 1\n    def handler(event, context)\n',)


def test_missing_function_lists_the_callables_the_module_has(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    write(
        "app.py",
        """
        import json
        from os import getcwd
        VALUE = 1
        def handler(event, context):
            return 1
        def main():
            pass
        class Helper:
            pass
        def _private():
            pass
        """,
    )
    inv = runners("app.hadler").invoke({})
    assert inv.error is not None
    assert inv.error.type == "Runtime.HandlerNotFound"
    assert inv.error.message == (
        "Handler 'hadler' missing on module 'app' (callables in 'app': Helper, handler, main)"
    )
    assert inv.error.stack_trace == ()


def test_missing_function_in_a_module_without_callables(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    write("empty_mod.py", "X = 1\n")
    inv = runners("empty_mod.handler").invoke({})
    assert inv.error is not None
    assert (
        inv.error.message
        == "Handler 'handler' missing on module 'empty_mod' (no callables in 'empty_mod')"
    )


def test_exception_at_import_keeps_its_class_name_and_importlib_frames(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    path = write("needs_env.py", "import os\nTABLE = os.environ['MISSING_VAR_ZZ']\n")
    inv = runners("needs_env.handler").invoke({})
    assert inv.error is not None
    assert (inv.error.type, inv.error.message, inv.error.request_id) == (
        "KeyError",
        "'MISSING_VAR_ZZ'",
        "",
    )
    trace = inv.error.stack_trace
    assert "importlib" in trace[0]  # the runtime keeps importlib's frames for init errors
    assert (
        f"  File \"{path}\", line 2, in <module>\n    TABLE = os.environ['MISSING_VAR_ZZ']\n"
        in trace
    )
    assert all("pytest_lambda" not in frame for frame in trace)
    assert "[WARNING]" in inv.logs
    assert "LAMBDA_WARNING: Unhandled exception." in inv.logs
    assert "[ERROR] KeyError: 'MISSING_VAR_ZZ'\rTraceback (most recent call last):\r" in inv.logs
    assert "Phase: init\tStatus: error\tError Type: KeyError" in inv.logs


def test_init_is_retried_on_every_invoke_and_never_goes_warm(
    write: Write, runners: Callable[[str], LambdaRunner], tmp_path: Path
) -> None:
    write(
        "flaky.py",
        "import os\nCOUNT = 0\nif not os.path.exists('ready'):\n    raise RuntimeError('not ready')\ndef handler(e, c):\n    return 'ok'\n",
    )
    runner = runners("flaky.handler")
    first, second = runner.invoke({}), runner.invoke({})
    assert first.error is not None
    assert second.error is not None
    assert first.cold_start
    assert second.cold_start
    assert first.error.type == second.error.type == "RuntimeError"
    (tmp_path / "ready").write_text("")
    third = runner.invoke({})
    assert third.ok
    assert third.cold_start
    assert runner.invoke({}).cold_start is False


def test_load_raises_handler_config_error_with_the_runtime_error(
    runners: Callable[[str], LambdaRunner],
) -> None:
    with pytest.raises(
        HandlerConfigError, match=r"Runtime\.ImportModuleError: Unable to import module 'nope'"
    ):
        runners("nope.handler").load()


def test_a_non_callable_attribute_fails_when_invoked(
    write: Write, runners: Callable[[str], LambdaRunner]
) -> None:
    write("notcallable.py", "handler = 5\n")
    inv = runners("notcallable.handler").invoke({})
    assert inv.error is not None
    assert (inv.error.type, inv.error.message) == ("TypeError", "'int' object is not callable")
