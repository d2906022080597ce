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
