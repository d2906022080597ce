"""One seed, one event: ``lambda_event``, ``events`` and ``pytest-lambda events generate`` (issue 20).

``lambda_event.<kind>(seed=42)`` adds the function's region and account (and a frozen
clock's time); with those parameters the library and the CLI give the same event, and a
failing test's report prints the call and the command.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from typing import Any

import pytest

from pytest_lambda import events
from pytest_lambda._events._factory import FUNCTION_ACCOUNT, LambdaEventFactory
from pytest_lambda.cli import main

pytestmark = pytest.mark.usefixtures("_clean_env")


@pytest.fixture
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTEST_LAMBDA_SEED", "PYTEST_LAMBDA_HANDLER", "PYTEST_LAMBDA_REGION"):
        monkeypatch.delenv(name, raising=False)


def _cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(argv) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.mark.parametrize("kind", events.KINDS)
def test_the_three_surfaces_agree_for_every_kind(
    kind: str, lambda_event: LambdaEventFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    from_fixture = lambda_event(kind, seed=42)
    added = lambda_event.generated[-1]
    region = added.params["region"]  # the session's --lambda-region, us-east-1 by default
    assert added.added == ("region", "account_id")
    assert added.params == {"region": region, "account_id": FUNCTION_ACCOUNT}
    from_library = events.generate(kind, seed=42, region=region, account_id=FUNCTION_ACCOUNT)
    command = added.command()
    assert command == (
        f"pytest-lambda events generate {kind} --seed 42 --region {region} "
        f"--account-id {FUNCTION_ACCOUNT}"
    )
    from_cli = _cli(capsys, shlex.split(command)[1:])
    assert from_fixture == from_library == from_cli
    # without the fixture's parameters, the library and the CLI still agree
    assert events.generate(kind, seed=42) == _cli(
        capsys, ["events", "generate", kind, "--seed", "42"]
    )


def test_parameters_and_overrides_are_part_of_the_call_and_the_command(
    lambda_event: LambdaEventFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    event = lambda_event.sqs(
        seed=7, time=1_714_564_800.25, bodies=["a", "b"], overrides={"Records.1.body": "c"}
    )
    item = lambda_event.generated[-1]
    region = item.params["region"]
    assert item.call() == (
        f"events.sqs(seed=7, time=1714564800.25, bodies=['a', 'b'], region={region!r}, "
        "account_id='123456789012', overrides={'Records.1.body': 'c'})"
    )
    command = item.command()
    assert command is not None
    assert _cli(capsys, shlex.split(command)[1:]) == event
    assert eval(item.call(), {"events": events}) == event  # our own repr


FAILING = """
import pytest

@pytest.mark.lambda_clock("2024-05-01T12:00:00Z")
def test_fails(lambda_event):
    lambda_event.sqs(seed=42)
    lambda_event.apigw_v2(region="eu-west-1")
    assert False
"""


def test_a_failing_test_prints_the_calls_and_commands(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING)
    result = pytester.runpytest("--lambda-seed=4242", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    lines = result.outlines
    start = lines.index("reproduce with --lambda-seed=4242")
    assert lines[start + 1] == (
        "events of this test (lambda_event adds the function's region and account, and a "
        "frozen lambda_clock's time, unless given):"
    )
    assert lines[start + 2] == (
        "  1. events.sqs(seed=42, region='us-east-1', account_id='123456789012', time=1714564800.0)"
    )
    assert lines[start + 3] == (
        "     pytest-lambda events generate sqs --seed 42 --region us-east-1 "
        "--account-id 123456789012 --time 1714564800.0"
    )
    second = lines[start + 4]
    assert second.startswith("  2. events.apigw_v2(seed=")
    assert second.endswith(", region='eu-west-1', account_id='123456789012', time=1714564800.0)")
    command = lines[start + 5].strip()
    seed = int(second.split("seed=")[1].split(",")[0])
    run = subprocess.run(
        [sys.executable, "-m", "pytest_lambda", *shlex.split(command)[1:]],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == events.apigw_v2(
        seed=seed, region="eu-west-1", account_id="123456789012", time=1714564800.0
    )
