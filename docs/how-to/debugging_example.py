"""Recipes for debugging: re-raise the handler's exception where it was raised."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
pytestmark = pytest.mark.lambda_handler("debugging_app.handler", root=HERE)


def test_raise_for_error_reraises_the_handlers_exception(lambda_runner):
    result = lambda_runner.invoke({"detail": {}})

    # the KeyError the handler raised, with its traceback: `pytest --pdb` opens in
    # debugging_app.handler, at order["order_id"]
    with pytest.raises(KeyError, match="order_id"):
        result.raise_for_error()


def test_a_successful_invocation_passes_through(lambda_runner):
    result = lambda_runner.invoke({"detail": {"order_id": "o-1"}}).raise_for_error()

    assert result.response["order_id"] == "o-1"
