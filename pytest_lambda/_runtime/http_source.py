"""Which HTTP front end an event came through, told from the event's shape alone.

``http_source(event)`` names the source whose response rules apply to the handler's answer:

* ``"alb"``: an Application Load Balancer target event (``requestContext.elb``); its
  multi-value mode is on when the event carries ``multiValueHeaders`` or
  ``multiValueQueryStringParameters`` (:func:`alb_multi_value`);
* ``"function_url"``: a Lambda Function URL event (payload 2.0, ``requestContext.domainName``
  ``<url-id>.lambda-url.<region>.on.aws``);
* ``"apigw_v2"``: an API Gateway HTTP API event, payload format 2.0 (``version`` "2.0" and
  ``routeKey``);
* ``"http_api_v1"``: an HTTP API event in payload format 1.0 (REST-shaped, ``version`` "1.0");
* ``"apigw_v1"``: an API Gateway REST API proxy event (``httpMethod``, ``requestContext`` with
  ``resourcePath``/``httpMethod``).

Authorizer events (``methodArn``/``routeArn``), WebSocket events (``connectionId``) and every
other shape give None: their answer goes to no HTTP client. Cost: a few dict lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pytest_lambda._core.http_source import http_kind

__all__ = ["HttpSource", "alb_multi_value", "http_source"]

HttpSource = Literal["apigw_v1", "http_api_v1", "apigw_v2", "function_url", "alb"]


def http_source(event: Any) -> HttpSource | None:
    """The HTTP source of ``event`` (see the module docstring), or None for any other event.

    The shape rules are :func:`pytest_lambda._core.http_source.http_kind`'s (the one that
    ``detect()`` uses too); this adds the REST-shaped HTTP API payload 1.0 and leaves out
    WebSocket, whose answer no HTTP client reads."""
    kind = http_kind(event)
    if kind == "apigw_v1":
        return "http_api_v1" if event.get("version") == "1.0" else "apigw_v1"
    if kind in ("apigw_v2", "function_url", "alb"):
        return kind  # type: ignore[return-value]
    return None


def alb_multi_value(event: Mapping[str, Any]) -> bool:
    """Whether the ALB target group of ``event`` has multi-value headers on (the event says it)."""
    return "multiValueHeaders" in event or "multiValueQueryStringParameters" in event
