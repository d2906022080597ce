"""Logs come out in the runtime's formats: print, logging, errors and the platform's lines."""

from __future__ import annotations

import json
import logging
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import LambdaClock, LambdaRunner

Make = Callable[..., LambdaRunner]

APP = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, format="%(message)s")  # a no-op: the runtime's handler is there
print("at import")

def handler(event, context):
    print("printed")
    sys.stderr.write("to stderr\\n")
    logging.info("info is dropped by default")
    logging.getLogger("app").warning("warned %s", 1)
    context.log("via context.log\\n")
    return "ok"

def structured(event, context):
    logging.getLogger("orders").error("failed", extra={"order_id": 7})
    return "ok"
"""

STAMP = r"2026-11-22T10:00:00\.000Z"


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    made: list[LambdaRunner] = []
    with LambdaClock() as clock:
        clock.move_to("2026-11-22T10:00:00Z")

        def make(handler: str = "app.handler", **kwargs: Any) -> LambdaRunner:
            runner = LambdaRunner(handler, root=tmp_path, clock=clock, **kwargs)
            made.append(runner)
            return runner

        yield make
        for runner in made:
            runner.close()


def test_text_logs_of_a_cold_invocation(make: Make) -> None:
    inv = make().invoke({})
    rid = inv.request_id
    lines = inv.logs.splitlines()
    assert re.fullmatch(
        r"INIT_START Runtime Version: python:3\.\d+\.v0\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0{64}",
        lines[0],
    )
    assert lines[1:8] == [
        "at import",
        f"START RequestId: {rid} Version: $LATEST",
        "printed",
        "to stderr",
        lines[5],
        "via context.log",
        f"END RequestId: {rid}",
    ]
    assert re.fullmatch(rf"\[WARNING\]\t{STAMP}\t{rid}\twarned 1", lines[5])
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms",
        lines[8],
    )
    assert len(lines) == 9


def test_warm_invocation_has_no_init_lines(make: Make) -> None:
    runner = make()
    runner.invoke({})
    logs = runner.invoke({}).logs
    assert "INIT_START" not in logs
    assert "at import" not in logs
    assert "Init Duration" not in logs


def test_aws_lambda_log_level_lets_info_through(make: Make) -> None:
    inv = make(env={"AWS_LAMBDA_LOG_LEVEL": "INFO"}).invoke({})
    assert "\tinfo is dropped by default\n" in inv.logs


def test_json_log_format(make: Make) -> None:
    inv = make("app.structured", env={"AWS_LAMBDA_LOG_FORMAT": "JSON"}).invoke({})
    lines = inv.logs.splitlines()
    assert "at import" in lines  # print() output is never wrapped in JSON
    records = [json.loads(line) for line in lines if line != "at import"]
    assert [r.get("type") for r in records] == [
        "platform.initStart",
        "platform.start",
        None,
        "platform.report",
    ]
    assert records[2] == {
        "timestamp": "2026-11-22T10:00:00Z",
        "level": "ERROR",
        "message": "failed",
        "logger": "orders",
        "requestId": inv.request_id,
        "order_id": 7,
    }
    assert records[3]["record"]["status"] == "success"


def test_the_test_keeps_its_logging_and_caplog_sees_the_handler(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    root_handlers = list(logging.getLogger().handlers)
    make().invoke({})
    assert logging.getLogger().handlers == root_handlers
    assert [r.getMessage() for r in caplog.records] == ["warned 1"]


def test_invocation_logs_are_echoed_to_a_sink(make: Make) -> None:
    seen: list[str] = []
    runner = make()
    runner._echo = seen.append
    inv = runner.invoke({})
    assert seen == [inv.logs]


def test_binary_stdout_writes_are_logged(tmp_path: Path) -> None:
    (tmp_path / "binary.py").write_text(
        "import sys\ndef handler(e, c):\n    sys.stdout.buffer.write('caf\\u00e9\\n'.encode())\n    return 1\n"
    )
    with LambdaRunner("binary.handler", root=tmp_path) as runner:
        assert "caf\u00e9\n" in runner.invoke({}).logs


def test_a_logged_traceback_does_not_run_into_the_next_record(tmp_path: Path) -> None:
    (tmp_path / "exc_app.py").write_text(
        textwrap.dedent(
            """
            import logging
            logger = logging.getLogger()
            logger.setLevel(logging.INFO)

            def handler(event, context):
                try:
                    raise ValueError("bad qty")
                except ValueError:
                    logger.exception("failed")
                logger.info("next")
                return 1
            """
        )
    )
    with LambdaRunner("exc_app.handler", root=str(tmp_path)) as runner:
        logs = runner.invoke({}).logs
    assert "ValueError: bad qty\n[INFO]\t" in logs
