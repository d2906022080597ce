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

import re
from collections.abc import Mapping
from typing import Any, Final, Literal

__all__ = ["HttpSource", "alb_multi_value", "http_source"]

HttpSource = Literal["apigw_v1", "http_api_v1", "apigw_v2", "function_url", "alb"]

_FUNCTION_URL_DOMAIN: Final = re.compile(r"[^.]+\.lambda-url\.[a-z0-9-]+\.on\.aws")


def http_source(event: Any) -> HttpSource | None:
    """The HTTP source of ``event`` (see the module docstring), or None for any other event."""
    if not isinstance(event, Mapping):
        return None
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return None
    if "methodArn" in event or "routeArn" in event or "connectionId" in context:
        return None  # authorizer and WebSocket events: no HTTP client reads the answer
    if isinstance(context.get("elb"), Mapping):
        return "alb"
    if event.get("version") == "2.0":
        domain = context.get("domainName")
        if isinstance(domain, str) and _FUNCTION_URL_DOMAIN.fullmatch(domain):
            return "function_url"
        if "routeKey" in event:
            return "apigw_v2"
        return None
    if "httpMethod" in event and ("resourcePath" in context or "httpMethod" in context):
        return "http_api_v1" if event.get("version") == "1.0" else "apigw_v1"
    return None


def alb_multi_value(event: Mapping[str, Any]) -> bool:
    """Whether the ALB target group of ``event`` has multi-value headers on (the event says it)."""
    return "multiValueHeaders" in event or "multiValueQueryStringParameters" in event
