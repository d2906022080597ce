"""Invocation.raise_for_error() and runtime isolation raising like module isolation (issue 20)."""

from __future__ import annotations

import sys
import traceback
import warnings
from pathlib import Path

import pytest

from pytest_lambda import HandlerError, LambdaRunner, RemoteTraceback

APP = """
import logging

class OrderError(Exception):
    pass

def handler(event, context):
    if event.get("custom"):
        raise OrderError("no stock")
    try:
        event["order_id"]
    except KeyError:
        logging.getLogger().exception("missing order_id")
    raise ValueError("bad order " + str(event.get("n")))
"""


@pytest.fixture
def root(tmp_path: Path) -> str:
    (tmp_path / "orders.py").write_text(APP)
    return str(tmp_path)


def test_module_isolation_raises_the_handlers_own_exception(root: str) -> None:
    with LambdaRunner("orders.handler", root=root) as runner:
        ok = runner.invoke({"order_id": 1, "n": 1})
        assert ok.error is not None
        with pytest.raises(ValueError, match=r"^bad order 1$") as info:
            ok.raise_for_error()
    assert info.value is ok.error.exception
    frames = [entry.name for entry in traceback.extract_tb(info.value.__traceback__)]
    assert frames[-1] == "handler"  # where --pdb opens


def test_a_successful_invocation_returns_itself(root: str) -> None:
    with LambdaRunner(lambda event, context: 1) as runner:
        inv = runner.invoke({})
        assert inv.raise_for_error() is inv


@pytest.mark.skipif(sys.platform != "linux", reason="runtime isolation runs on Linux")
def test_runtime_isolation_raises_the_same_type_with_the_remote_traceback(root: str) -> None:
    with LambdaRunner("orders.handler", root=root, isolation="runtime") as runner:
        inv = runner.invoke({"n": 2})
        with pytest.raises(ValueError, match=r"^bad order 2$") as info:
            inv.raise_for_error()
        cause = info.value.__cause__
        assert isinstance(cause, RemoteTraceback)
        assert 'raise ValueError("bad order " + str(event.get("n")))' in str(cause)
        custom = runner.invoke({"custom": True})
        with pytest.raises(HandlerError, match=r"^OrderError: no stock$") as info2:
            custom.raise_for_error()
        assert type(info2.value).__name__ == "OrderError"
        # the lambda_handler fixture's callable raises too, instead of returning the payload
        with pytest.raises(ValueError, match=r"^bad order 3$"):
            runner.load()({"n": 3})
        # every log record ends its line (a logged exception used to glue the next line on)
        assert "KeyError: 'order_id'\n" in inv.logs
        assert "'order_id'END" not in inv.logs


@pytest.mark.skipif(sys.platform != "linux", reason="runtime isolation runs on Linux")
def test_a_moto_mock_in_the_test_warns_in_runtime_isolation(root: str) -> None:
    moto = pytest.importorskip("moto")
    with LambdaRunner(lambda e, c: 1) as plain, moto.mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("error")
        plain.invoke({})  # module isolation: the mock applies, no warning
    with LambdaRunner("orders.handler", root=root, isolation="runtime") as runner:
        runner.invoke({"order_id": 1})  # no mock: no warning
        with moto.mock_aws(), pytest.warns(RuntimeWarning) as caught:
            runner.invoke({"order_id": 1})
    assert str(caught[0].message) == (
        "isolation='runtime': moto.mock_aws() is active in the test process, but its mock does not "
        "reach the handler's process: the handler's AWS calls go to the real endpoints. Run it in "
        "isolation='module' (--lambda-isolation=module), where the test's moto applies, or let the "
        "conformance checks run it inside moto with --lambda-moto"
    )
