"""An HTTP handler that answered a server error: it failed, and said so itself.

A handler behind API Gateway, an ALB or a function URL often catches its own exception and
answers ``500``; to Lambda the invocation succeeded. The checks count such an answer as a
failure of the handler's work: a check that compared only 500s showed nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["client_error", "server_error"]


def _status(inv: Invocation, event: object, low: int, high: int) -> int | None:
    """The ``statusCode`` of ``inv``'s HTTP response when within ``low``..``high``, else
    None; None also when ``event`` (given) is not from an HTTP source."""
    response = inv.response
    if inv.error is not None or not isinstance(response, dict):
        return None
    if event is not None:
        from pytest_lambda._runtime.http_source import http_source

        if http_source(event) is None:
            return None
    status = response.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, int) and not isinstance(status, bool) and low <= status <= high:
        return status
    return None


def server_error(inv: Invocation, event: object = None) -> int | None:
    """The 5xx status of ``inv``'s HTTP response (``{"statusCode": 5xx, ...}``), else None;
    None also when ``event`` (given) is not from an HTTP source: an SQS handler returning
    ``{"statusCode": 500}`` by habit answers no one."""
    return _status(inv, event, 500, 599)


def client_error(inv: Invocation, event: object = None) -> int | None:
    """The 4xx status of ``inv``'s HTTP response (the request refused), else None."""
    return _status(inv, event, 400, 499)
