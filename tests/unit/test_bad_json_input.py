"""Bad input to the events API, the runner and the CLI: one rule for what an event holds.

An event is JSON: string keys, finite numbers, at most 500 levels deep. Deep nesting,
``NaN``/``Infinity``, non-string keys, negative seeds and arrays with non-events get one
clear message (CLI: one line, exit 2), never a ``RecursionError`` or invalid JSON output.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import EventValidationError, InvalidEventSpec, LambdaRunner, events
from pytest_lambda.cli import main

DEEP_TEXT = "[" * 100_000 + "]" * 100_000
TOO_DEEP = "objects and arrays are nested more than 500 levels deep"
NAN = "NaN is not a JSON number (JSON has no NaN or Infinity)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def deep_dict(levels: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    node = top
    for _ in range(levels - 1):
        node["a"] = {}
        node = node["a"]
    return top


def app(tmp_path: Path) -> str:
    (tmp_path / "echo_app.py").write_text("def handler(event, context):\n    return event\n")
    return str(tmp_path)


# -- deep nesting --------------------------------------------------------------------


def test_cli_validate_of_a_deeply_nested_file_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Guards: a RecursionError traceback from the JSON parser."""
    path = tmp_path / "deep.json"
    path.write_text(DEEP_TEXT)
    assert run(capsys, "events", "validate", str(path)) == (
        2,
        "",
        f"pytest-lambda: error: file {path} is not valid JSON: {TOO_DEEP}\n",
    )


def test_cli_validate_of_deeply_nested_stdin_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(DEEP_TEXT.encode())))
    assert run(capsys, "events", "validate", "-") == (
        2,
        "",
        f"pytest-lambda: error: file <stdin> is not valid JSON: {TOO_DEEP}\n",
    )


def test_cli_invoke_with_a_deeply_nested_event_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(DEEP_TEXT)
    root = app(tmp_path)
    code, out, err = run(capsys, "invoke", "echo_app.handler", "--root", root, "--event", str(path))
    assert (code, out) == (2, "")
    assert err == f"pytest-lambda: error: event file {path} is not valid JSON: {TOO_DEEP}\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(DEEP_TEXT.encode())))
    code, out, err = run(capsys, "invoke", "echo_app.handler", "--root", root, "--event", "-")
    assert (code, out) == (2, "")
    assert err == f"pytest-lambda: error: event file <stdin> is not valid JSON: {TOO_DEEP}\n"


def test_events_validate_of_a_deep_event_names_a_short_path() -> None:
    """Guards: a RecursionError (repr of the value) instead of an EventValidationError."""
    event = events.sqs(seed=1)
    event["Records"][0]["messageAttributes"] = deep_dict(5000)
    with pytest.raises(EventValidationError) as info:
        events.validate(event)
    where = "Records[0].messageAttributes.a.a.a... (500 levels)"
    assert str(info.value) == f"sqs event invalid at {where}: {TOO_DEEP}; events hold JSON only"
    assert info.value.path == where


def test_500_levels_are_an_event_501_are_not() -> None:
    event = {**events.sqs(seed=1), "x": deep_dict(499)}  # 500 levels with the event itself
    assert events.validate(event) == "sqs"
    event["x"] = deep_dict(500)
    with pytest.raises(EventValidationError) as info:
        events.validate(event)
    assert str(info.value) == (
        f"sqs event invalid at x.a.a.a.a.a... (500 levels): {TOO_DEEP}; events hold JSON only"
    )


def test_runner_refuses_deep_events_in_bytes_and_objects(tmp_path: Path) -> None:
    """Guards: a RecursionError from invoke(bytes); an object 900 levels deep went through."""
    runner = LambdaRunner("echo_app.handler", root=app(tmp_path))
    try:
        with pytest.raises(InvalidEventSpec) as info:
            runner.invoke(DEEP_TEXT.encode())
        assert str(info.value) == (
            "LambdaRunner.invoke(): the event bytes are not an event Lambda can deliver (at $: "
            f"{TOO_DEEP}). Events are JSON: Lambda's Invoke API refuses NaN and Infinity "
            "(InvalidRequestContentException); fix the JSON text."
        )
        with pytest.raises(InvalidEventSpec) as info:
            runner.invoke(deep_dict(900))
        assert str(info.value) == (
            "LambdaRunner.invoke(): the event is not JSON-serializable (at $.a.a.a.a.a.a... "
            f"(500 levels): {TOO_DEEP}). Lambda only receives JSON, so the handler could never "
            "get this event: convert it first (sets to lists, datetimes and Decimals to "
            "strings or numbers)."
        )
        assert runner.invoke(deep_dict(500)).ok
    finally:
        runner.close()


# -- NaN and Infinity ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", f"--set x=NaN: {NAN}"),
        (
            "[1,-Infinity]",
            "--set x=[1,-Infinity]: at [1]: -Infinity is not a JSON number (JSON has no NaN or Infinity)",
        ),
    ],
)
def test_cli_set_refuses_nan_instead_of_printing_invalid_json(
    capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    """Guards: `--set x=NaN` printed `"x": NaN`, which is not JSON."""
    code, out, err = run(capsys, "events", "generate", "sqs", "--seed", "1", "--set", f"x={value}")
    assert (code, out) == (2, "")
    assert err == (
        f"pytest-lambda: error: {message}; events hold JSON only (for the text itself, quote "
        f"it as a JSON string: --set x='\"{value}\"')\n"
    )


def test_cli_set_of_a_quoted_nan_is_the_string(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "events", "generate", "sqs", "--seed", "1", "--set", 'x="NaN"')
    assert code == 0
    assert json.loads(out)["x"] == "NaN"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"x": math.nan}, f"override 'x': {NAN}; events hold JSON only"),
        (
            {"Records.0.attributes": {"a": [math.inf]}},
            "override 'Records.0.attributes' at a[0] in its value: Infinity is not a JSON "
            "number (JSON has no NaN or Infinity); events hold JSON only",
        ),
        ({"x": {1}}, "override 'x': a set is not JSON; events hold JSON only"),
        (
            {"x": {1: "one"}},
            "override 'x': key 1 (int) is not a JSON object key: keys must be strings; "
            "events hold JSON only",
        ),
    ],
)
def test_overrides_refuse_values_that_are_not_json(overrides: dict[str, Any], message: str) -> None:
    """Guards: NaN, sets and int keys went into the event (int keys silently stringified)."""
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=1, overrides=overrides)
    assert str(info.value) == message


def test_overrides_may_still_delete_nested_keys() -> None:
    event = events.sqs(
        seed=1, overrides={"Records.0": {"md5OfBody": events.DELETE}}, validate=False
    )
    assert "md5OfBody" not in event["Records"][0]


@pytest.mark.parametrize("isolation", ["module", "runtime"])
def test_invoke_of_nan_bytes_is_refused_in_both_isolation_modes(
    tmp_path: Path, isolation: str
) -> None:
    """Guards: module isolation gave the handler float('nan'); the two modes disagreed."""
    if isolation == "runtime":
        pytest.importorskip("awslambdaric")
    runner = LambdaRunner("echo_app.handler", root=app(tmp_path), isolation=isolation)
    try:
        with pytest.raises(InvalidEventSpec) as info:
            runner.invoke(b'{"a": NaN}')
        assert str(info.value) == (
            "LambdaRunner.invoke(): the event bytes are not an event Lambda can deliver (at "
            f"$.a: {NAN}). Events are JSON: Lambda's Invoke API refuses NaN and Infinity "
            "(InvalidRequestContentException); fix the JSON text."
        )
        assert runner.invoke(b'{"a": 1.5}').response == {"a": 1.5}
    finally:
        runner.close()


def test_cli_validate_refuses_nan_in_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"Records": [{"x": NaN}]}')
    assert run(capsys, "events", "validate", str(path)) == (
        2,
        "",
        f"pytest-lambda: error: file {path} is not valid JSON: at Records[0].x: {NAN}\n",
    )


# -- arrays, seeds, keys -------------------------------------------------------------


def test_cli_validate_of_an_array_names_the_element_that_is_not_an_event(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Guards: one non-object element made the whole array one invalid event at <root>."""
    good = events.sqs(seed=1)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([good, good, 2, [good], None]))
    code, out, err = run(capsys, "events", "validate", str(path))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{path}[0]: ok (sqs)",
        f"{path}[1]: ok (sqs)",
        f"{path}[2]: not an event: the value 2, where each element should be an event (an object)",
        f"{path}[3]: not an event: an array, where each element should be an event (an object)",
        f"{path}[4]: not an event: the value null, where each element should be an event (an object)",
    ]


def test_negative_seeds_are_refused_by_the_api() -> None:
    """Guards: seed=-1 gave the event of seed=1 (random.Random takes the absolute value)."""
    with pytest.raises(InvalidEventSpec) as info:
        events.sqs(seed=-1)
    assert str(info.value) == (
        "seed=-1: expected an int >= 0 (random.Random(-n) draws the same numbers as "
        "random.Random(n), so a negative seed would repeat another seed's event)"
    )
    assert events.sqs(seed=0) != events.sqs(seed=1)


@pytest.mark.parametrize(
    "command", [("events", "generate", "sqs"), ("check", "echo_app.handler", "--events", "sqs")]
)
def test_negative_seeds_are_refused_by_the_cli(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, *command, "--seed", "-1")
    assert (code, out) == (2, "")
    help_of = " ".join(command[:2]) if command[0] == "events" else "check"
    assert err == (
        "pytest-lambda: error: argument --seed: expected an integer >= 0, got '-1' (a negative "
        f"seed would repeat the event of its positive one) (see 'pytest-lambda {help_of} --help')\n"
    )


def test_non_string_keys_are_refused_by_validate_and_invoke(tmp_path: Path) -> None:
    """Guards: validate() passed an event with an int key; invoke() stringified it, though
    the docs say a non-string key raises InvalidEventSpec."""
    with pytest.raises(EventValidationError) as info:
        events.validate({**events.sqs(seed=1), "x": {1: 2}})
    assert str(info.value) == (
        "sqs event invalid at x: key 1 (int) is not a JSON object key: keys must be strings; "
        "events hold JSON only"
    )
    runner = LambdaRunner("echo_app.handler", root=app(tmp_path))
    try:
        with pytest.raises(InvalidEventSpec) as raised:
            runner.invoke({"a": [{1: 2}]})
        assert str(raised.value) == (
            "LambdaRunner.invoke(): the event is not JSON-serializable (at $.a[0]: key 1 (int) "
            "is not a JSON object key: keys must be strings). Lambda only receives JSON, so the "
            "handler could never get this event: convert it first (sets to lists, datetimes "
            "and Decimals to strings or numbers)."
        )
        with pytest.raises(InvalidEventSpec, match=r"at \$: key True \(bool\)"):
            runner.invoke({True: 1})
    finally:
        runner.close()
