"""A Powertools Logger module imports cleanly in every new environment (no state left on loggers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import LambdaRunner

pytest.importorskip("aws_lambda_powertools")

APP = """
from aws_lambda_powertools import Logger

logger = Logger(service="orders")


@logger.inject_lambda_context
def handler(event, context):
    logger.info("processing")
    return {"ok": True}
"""


def test_powertools_logger_survives_new_environments(tmp_path: Path) -> None:
    (tmp_path / "pt_app.py").write_text(APP)
    with LambdaRunner("pt_app.handler", root=str(tmp_path)) as runner:
        for _ in range(3):
            result = runner.invoke({"x": 1})
            assert result.ok, result.error
            assert result.response == {"ok": True}
            runner.new_environment()


IMPORT_TIME_HANDLERS = """
import logging, sys
from aws_lambda_powertools import Logger

logger = Logger(service="orders")
plain = logging.getLogger("plain")
plain.addHandler(logging.StreamHandler(sys.stdout))  # holds the sys.stdout of import time
plain.setLevel(logging.INFO)
plain.propagate = False


def handler(event, context):
    logger.info("powertools line")
    plain.info("plain line")
    return {"ok": True}
"""

COLD_START = """
from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="orders")
metrics = Metrics(namespace="shop", service="orders")


@metrics.log_metrics(capture_cold_start_metric=True)
@logger.inject_lambda_context
def handler(event, context):
    metrics.add_metric(name="orders", unit="Count", value=1)
    logger.info("handled")
    return {"ok": True}
"""


def test_loggers_made_at_import_log_on_every_warm_invocation(tmp_path: Path) -> None:
    (tmp_path / "import_logs.py").write_text(IMPORT_TIME_HANDLERS)
    with LambdaRunner("import_logs.handler", root=str(tmp_path)) as runner:
        for _ in range(3):
            logs = runner.invoke({}).logs
            assert "powertools line" in logs
            assert "plain line" in logs


def test_a_direct_call_of_the_loaded_handler_logs_to_the_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "import_logs.py").write_text(IMPORT_TIME_HANDLERS)
    with LambdaRunner("import_logs.handler", root=str(tmp_path)) as runner:
        handler = runner.load()
        capsys.readouterr()
        handler({}, None)
    out = capsys.readouterr().out
    assert "powertools line" in out
    assert "plain line" in out


def test_powertools_cold_start_follows_the_environment(tmp_path: Path) -> None:
    (tmp_path / "cold_app.py").write_text(COLD_START)
    seen = []
    for _ in range(2):  # a second runner is a new process too
        with LambdaRunner("cold_app.handler", root=str(tmp_path)) as runner:
            for step in range(3):
                if step == 2:
                    runner.new_environment()
                inv = runner.invoke({})
                seen.append(
                    (inv.cold_start, '"ColdStart"' in inv.logs, '"cold_start":true' in inv.logs)
                )
    assert seen == [(True, True, True), (False, False, False), (True, True, True)] * 2


def test_a_logger_already_configured_in_the_test_process_is_fresh_in_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aws_lambda_powertools import Logger

    Logger(service="preconfigured")  # as when a test imports the handler module directly
    (tmp_path / "pre_app.py").write_text(
        IMPORT_TIME_HANDLERS.replace('service="orders"', 'service="preconfigured"')
    )
    with LambdaRunner("pre_app.handler", root=str(tmp_path)) as runner:
        logs = runner.invoke({}).logs
    assert '"service":"preconfigured"' in logs
    assert "powertools line" in logs
    import logging

    assert getattr(logging.getLogger("preconfigured"), "init", False)  # the test's, back
