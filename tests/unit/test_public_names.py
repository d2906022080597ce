"""Public names: the deprecated ``InvocationError`` alias, and public tracebacks."""

from __future__ import annotations

import pytest

import pytest_lambda


def test_invocation_error_is_a_deprecated_alias_of_invocation_failure() -> None:
    with pytest.warns(DeprecationWarning, match="InvocationError is deprecated") as record:
        old = pytest_lambda.InvocationError
    assert old is pytest_lambda.InvocationFailure
    assert [str(w.message) for w in record] == [
        "pytest_lambda.InvocationError is deprecated, use pytest_lambda.InvocationFailure "
        "(the old name goes away in 0.2)"
    ]
    assert record[0].filename == __file__  # blamed on the caller, not on pytest_lambda


def test_importing_the_old_name_warns_every_time() -> None:
    for _ in range(2):
        with pytest.warns(DeprecationWarning, match="use pytest_lambda.InvocationFailure"):
            from pytest_lambda import InvocationError  # noqa: F401
    assert "InvocationError" not in pytest_lambda.__all__
    assert "InvocationError" not in dir(pytest_lambda)


def test_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'pytest_lambda' has no attribute 'Nope'"):
        pytest_lambda.Nope  # noqa: B018
