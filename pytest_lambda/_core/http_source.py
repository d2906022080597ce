"""Which HTTP source sent an event, from its shape alone (no schema, no invariants).

``http_kind(event)`` names ``apigw_v1`` (REST API proxy, payload 1.0), ``apigw_v2``
(HTTP API, payload 2.0), ``function_url``, ``alb`` or ``websocket``, and ``None`` for
anything else, including API Gateway *authorizer* events (REST ``TOKEN``/``REQUEST``,
HTTP API payload 2.0 ``REQUEST``, WebSocket ``$connect`` authorizers): they reach an
authorizer function, not an integration, and are not one of our kinds. One source is
never called another: an ALB event (``requestContext.elb``) and a WebSocket event
(``requestContext.eventType``, or ``connectionId`` with ``messageDirection``) are not REST events although they share
its ``httpMethod``-era fields, and a Function URL (``*.lambda-url.*`` domain) is not an
HTTP API although it shares payload 2.0. ``HTTP_KINDS`` lists the five. Cost: a few
dictionary lookups.

It lives in ``_core`` (standard library only) so that every layer can ask it: ``detect()``
in ``_events``, and the runtime's view of the HTTP response an invocation would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["HTTP_KINDS", "http_kind", "is_authorizer_event"]

#: The kinds whose events are HTTP requests (or WebSocket frames) through a gateway.
HTTP_KINDS: Final[tuple[str, ...]] = ("apigw_v1", "apigw_v2", "function_url", "alb", "websocket")
_WS_TYPES: Final = frozenset({"CONNECT", "DISCONNECT", "MESSAGE"})


def is_authorizer_event(event: Mapping[str, object]) -> bool:
    """An API Gateway Lambda-authorizer request (REST ``TOKEN``/``REQUEST``, HTTP API 2.0)."""
    return "methodArn" in event or "routeArn" in event or event.get("type") in ("TOKEN", "REQUEST")


def http_kind(event: object) -> str | None:
    """The HTTP source kind of ``event`` (see the module docstring), or ``None``."""
    if not isinstance(event, Mapping) or is_authorizer_event(event):
        return None
    rc = event.get("requestContext")
    if not isinstance(rc, Mapping):
        return None
    if isinstance(rc.get("elb"), Mapping):
        return "alb"
    if rc.get("eventType") in _WS_TYPES or ("connectionId" in rc and "messageDirection" in rc):
        return "websocket"  # a REST event may carry connectionId too, never messageDirection
    if event.get("version") == "2.0":
        domain = rc.get("domainName")
        if isinstance(domain, str) and ".lambda-url." in domain:
            return "function_url"
        return "apigw_v2" if "routeKey" in event else None
    if "httpMethod" in event:
        return "apigw_v1"
    return None
