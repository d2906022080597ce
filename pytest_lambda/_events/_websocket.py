"""API Gateway WebSocket API events (Lambda proxy integration), docs/internals/event-spec.md §13.

Three event types, told by ``requestContext.eventType`` and ``routeKey``:

* ``CONNECT`` on ``$connect``: the upgrade request's ``headers`` and
  ``multiValueHeaders`` (client case kept), the query as ``queryStringParameters`` and
  ``multiValueQueryStringParameters`` when there is one, no body;
* ``DISCONNECT`` on ``$disconnect``: the gateway's own headers (``Host``,
  ``x-api-key``, ``X-Forwarded-For``, ``x-restapi``), ``disconnectStatusCode`` (a
  WebSocket close code) and ``disconnectReason``;
* ``MESSAGE`` on ``$default`` or a custom route: no headers, ``messageId``, the frame
  as ``body`` (a binary frame base64 with ``isBase64Encoded`` true).

Every event carries ``connectionId``, ``connectedAt`` (ms, at or before
``requestTimeEpoch``), ``requestTime`` (CLF of ``requestTimeEpoch``), ``requestId`` =
``extendedRequestId``, ``messageDirection: "IN"``, ``stage``, ``apiId`` and
``domainName`` ``<apiId>.execute-api.<region>.amazonaws.com``, ``identity.sourceIp``.
Ids are 16 characters of base64 ending in ``=``. Cost: one event in about 15 µs.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_common import check_stage
from ._apigw_http import (
    Headers,
    b64_ok,
    check_ip,
    decode_pairs,
    header_pairs,
    query_pairs,
    trace_seconds,
    with_trace_seconds,
)
from ._fastdraw import ipv4, lower_alnum
from ._world import World, clf_time

__all__ = ["EVENT_TYPES", "PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "route": "'$connect', '$disconnect', '$default' or a custom route key such as 'sendMessage' (default: drawn; a message route when body is given, $connect for headers or query, $disconnect for a close code or reason)",
    "body": "message frame (MESSAGE routes only): str, bytes (a binary frame, base64) or JSON-able (default: a JSON object with the route as its 'action')",
    "body_schema": "JSON Schema (dict or path of a .json file) the JSON message is generated from (MESSAGE routes only)",
    "headers": "$connect only: dict or list of (name, value) pairs added to the upgrade request's headers (client case kept)",
    "query": "$connect only: dict (values may be lists), list of pairs or a raw query string (default: none)",
    "stage": "stage name (default: drawn: 'dev', 'prod' or 'production')",
    "connection_id": "connectionId, 16 characters ending in '=' (default: drawn)",
    "disconnect_status_code": "$disconnect only: WebSocket close code (default: 1001, 1000 or 1006)",
    "disconnect_reason": "$disconnect only: close reason text (default: '' or a gateway reason)",
    "authorizer": "dict: the Lambda REQUEST authorizer's context (principalId and string values), on $connect and messages (default: none)",
    "source_ip": "client IP: requestContext.identity.sourceIp (default: a drawn public IPv4)",
    "user_agent": "client user agent: the User-Agent header and identity.userAgent on $connect/$disconnect (default: drawn)",
}

#: eventType for each reserved route; every other route is a MESSAGE.
EVENT_TYPES: Final[dict[str, str]] = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}
_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{15}=$")
_DOMAIN_RE: Final = re.compile(r"^([a-z0-9]{10})\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")
_ROUTE_RE: Final = re.compile(r"^(\$connect|\$disconnect|\$default|[^$\s][^\s]{0,127})$")
_RC: Final = "requestContext"
_REASONS: Final = ("", "Client-side close frame status not set", "Going away")


def _ws_id(world: World) -> str:
    return world.b64url(15) + "="


def _route(world: World, params: Mapping[str, Any]) -> str:
    route = params.get("route")
    if route is None and ({"body", "body_schema"} & set(params)):
        return "$default" if world.rng.random() < 0.4 else "sendMessage"  # a frame: a message
    if route is None and ({"headers", "query"} & set(params)):
        return "$connect"
    if route is None and ({"disconnect_status_code", "disconnect_reason"} & set(params)):
        return "$disconnect"
    if route is None:
        r = world.rng.random()
        return (
            "$connect"
            if r < 0.25
            else "$disconnect"
            if r < 0.4
            else "$default"
            if r < 0.6
            else ("sendMessage")
        )
    if not isinstance(route, str) or not _ROUTE_RE.match(route):
        raise InvalidEventSpec(
            f"route={route!r}: expected '$connect', '$disconnect', '$default' or a route key "
            "without spaces that does not start with '$'"
        )
    return route


def _only(params: Mapping[str, Any], route: str, names: tuple[str, ...], where: str) -> None:
    given = [n for n in names if n in params]
    if given:
        raise InvalidEventSpec(f"route={route!r}: {', '.join(given)} apply to {where} only")


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    route = _route(world, params)
    etype = EVENT_TYPES.get(route, "MESSAGE")
    if etype != "CONNECT":
        _only(params, route, ("headers", "query"), "$connect")
    if etype != "DISCONNECT":
        _only(params, route, ("disconnect_status_code", "disconnect_reason"), "$disconnect")
    if etype != "MESSAGE":
        _only(params, route, ("body", "body_schema"), "MESSAGE routes")
    if etype == "DISCONNECT":
        _only(params, route, ("authorizer",), "$connect and MESSAGE routes")
    stage = (
        check_stage(params["stage"], allow_default=False)
        if "stage" in params
        else ("dev", "prod", "production")[rng.randrange(3)]
    )
    conn = params.get("connection_id")
    if conn is None:
        conn = _ws_id(world)
    elif not isinstance(conn, str) or not _ID_RE.match(conn):
        raise InvalidEventSpec(
            f"connection_id={conn!r}: expected 16 characters (letters, digits, '-', '_') ending in '='"
        )
    source_ip = check_ip(params["source_ip"]) if params.get("source_ip") is not None else ipv4(rng)
    ua = params.get("user_agent")
    if ua is not None and not isinstance(ua, str):
        raise InvalidEventSpec(f"user_agent={ua!r}: expected a str")
    ua = ua or world.user_agent()
    api_id = lower_alnum(rng, 10)
    domain = f"{api_id}.execute-api.{world.region}.amazonaws.com"
    request_ms = world.now_ms - rng.randrange(3, 60)
    connected = request_ms - (
        rng.randrange(0, 2) if etype == "CONNECT" else rng.randrange(1_000, 600_000)
    )
    event: dict[str, Any] = {}
    if etype == "CONNECT":
        h = Headers()
        h.set_one("Host", domain)
        h.set_one("Origin", f"https://{world.slug()}.example.com")
        h.set_one("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
        h.set_one("Sec-WebSocket-Key", base64.b64encode(rng.randbytes(16)).decode("ascii"))
        h.set_one("Sec-WebSocket-Version", "13")
        h.set_one("User-Agent", ua)
        h.set_one("X-Amzn-Trace-Id", world.trace_header(request_ms))
        h.set_one("X-Forwarded-For", source_ip)
        h.set_one("X-Forwarded-Port", "443")
        h.set_one("X-Forwarded-Proto", "https")
        for name, value in header_pairs(params.get("headers")):
            entry = h.d.get(name.lower())
            if entry is None:
                h.add(name, value)
            elif name.lower() not in ("host", "x-forwarded-for"):
                h.d[name.lower()] = (entry[0], [value])  # the client's value replaces ours
        event["headers"] = {n: vs[-1] for n, vs in h.d.values()}
        event["multiValueHeaders"] = {n: list(vs) for n, vs in h.d.values()}
        pairs = query_pairs(params.get("query"))
        if pairs:
            single: dict[str, str] = {}
            multi: dict[str, list[str]] = {}
            for k, v in decode_pairs(pairs):
                single[k] = v
                multi.setdefault(k, []).append(v)
            event["queryStringParameters"] = single
            event["multiValueQueryStringParameters"] = multi
    elif etype == "DISCONNECT":
        gw = {"Host": domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        event["headers"] = gw
        event["multiValueHeaders"] = {k: [v] for k, v in gw.items()}
    rc: dict[str, Any] = {"routeKey": route}
    auth = params.get("authorizer")
    if auth is not None:
        if not isinstance(auth, Mapping):
            raise InvalidEventSpec(
                f"authorizer={auth!r}: expected a dict (the authorizer's context)"
            )
        block = {k: v if k == "principalId" else _context_value(k, v) for k, v in auth.items()}
        block.setdefault("principalId", f"user-{world.hex(12)}")
        rc["authorizer"] = block
    if etype == "MESSAGE":
        rc["messageId"] = _ws_id(world)
    if etype == "DISCONNECT":
        code = params.get("disconnect_status_code", (1001, 1000, 1006)[rng.randrange(3)])
        if not isinstance(code, int) or isinstance(code, bool) or not 1000 <= code <= 4999:
            raise InvalidEventSpec(
                f"disconnect_status_code={code!r}: expected a WebSocket close code, 1000-4999"
            )
        rc["disconnectStatusCode"] = code
    rc["eventType"] = etype
    request_id = _ws_id(world)
    rc["extendedRequestId"] = request_id
    rc["requestTime"] = clf_time(request_ms)
    rc["messageDirection"] = "IN"
    if etype == "DISCONNECT":
        reason = params.get("disconnect_reason", _REASONS[rng.randrange(3)])
        if not isinstance(reason, str):
            raise InvalidEventSpec(f"disconnect_reason={reason!r}: expected a str")
        rc["disconnectReason"] = reason
    rc["stage"] = stage
    rc["connectedAt"] = connected
    rc["requestTimeEpoch"] = request_ms
    rc["identity"] = (
        {"sourceIp": source_ip} if etype == "MESSAGE" else {"userAgent": ua, "sourceIp": source_ip}
    )
    rc["requestId"] = request_id
    rc["domainName"] = domain
    rc["connectionId"] = conn
    rc["apiId"] = api_id
    event[_RC] = rc
    binary = False
    if etype == "MESSAGE":
        body = _message(world, params, route)
        binary = isinstance(body, bytes)
        event["body"] = base64.b64encode(body).decode("ascii") if isinstance(body, bytes) else body
    event["isBase64Encoded"] = binary
    return event


def _context_value(name: str, value: object) -> str:
    """An authorizer context value as API Gateway passes it on: a string (REQUEST authorizers
    of REST and WebSocket APIs stringify numbers and booleans; nested values are refused)."""
    if isinstance(value, (Mapping, list, tuple)):
        raise InvalidEventSpec(
            f"authorizer context {name!r}={value!r}: a Lambda authorizer context holds only "
            "strings, numbers, booleans and null (API Gateway rejects nested values)"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _message(world: World, params: Mapping[str, Any], route: str) -> str | bytes:
    if "body_schema" in params:
        if "body" in params:
            raise InvalidEventSpec("give either body= or body_schema=, not both")
        from ._payload import payload_from_schema

        return json.dumps(payload_from_schema(params["body_schema"], world), separators=(",", ":"))
    if "body" not in params:
        payload: dict[str, Any] = {"action": route} if route != "$default" else {}
        payload["message"] = world.sentence()
        return json.dumps(payload, separators=(",", ":"))
    body = params["body"]
    if isinstance(body, (str, bytes)):
        return body
    if body is None:
        raise InvalidEventSpec(
            "body=None: a MESSAGE event always carries the frame (give '' for an empty one)"
        )
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidEventSpec(
            f"body={body!r}: expected str, bytes or a JSON-serialisable value ({exc})"
        ) from None


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def derive(event: dict[str, Any], is_protected: Callable[[str], bool]) -> None:
    """Recompute after overrides, unless set: ``requestTime`` and the X-Ray root from
    ``requestTimeEpoch``, ``extendedRequestId`` from ``requestId``, ``eventType`` from
    ``routeKey``, and the single-value header and query maps from the multi-value ones."""
    rc = _obj(event.get(_RC))
    epoch = rc.get("requestTimeEpoch")
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        if not is_protected(f"{_RC}.requestTime"):
            rc["requestTime"] = clf_time(epoch)
        for field in ("headers", "multiValueHeaders"):
            headers = _obj(event.get(field))
            for key, value in headers.items():
                if key.lower() == "x-amzn-trace-id" and not is_protected(f"{field}.{key}"):
                    headers[key] = (
                        [with_trace_seconds(v, epoch) for v in value]
                        if isinstance(value, list)
                        else with_trace_seconds(value, epoch)
                    )
    if isinstance(rc.get("requestId"), str) and not is_protected(f"{_RC}.extendedRequestId"):
        rc["extendedRequestId"] = rc["requestId"]
    route = rc.get("routeKey")
    if isinstance(route, str) and not is_protected(f"{_RC}.eventType"):
        rc["eventType"] = EVENT_TYPES.get(route, "MESSAGE")
    for multi, single in (("multiValueHeaders", "headers"), ("multiValueQueryStringParameters", "queryStringParameters")):  # fmt: skip
        mv = event.get(multi)
        if isinstance(mv, dict) and not is_protected(single) and is_protected(multi):
            event[single] = {k: v[-1] for k, v in mv.items() if isinstance(v, list) and v}


def invariants(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    rc = _obj(event.get(_RC))
    route, etype = rc.get("routeKey"), rc.get("eventType")
    if isinstance(route, str) and etype != EVENT_TYPES.get(route, "MESSAGE"):
        out.append(
            f"eventType {etype!r} does not match routeKey {route!r} (expected {EVENT_TYPES.get(route, 'MESSAGE')!r})"
        )
    if etype == "MESSAGE":
        if "messageId" not in rc:
            out.append("a MESSAGE event lacks requestContext.messageId (every frame has one)")
        for key in ("headers", "multiValueHeaders"):
            if key in event:
                out.append(f"a MESSAGE event has no {key}: frames carry none")
    elif "messageId" in rc:
        out.append(f"a {etype} event has no messageId (MESSAGE events only)")
    if etype == "DISCONNECT":
        for key in ("disconnectStatusCode", "disconnectReason"):
            if key not in rc:
                out.append(
                    f"a DISCONNECT event lacks requestContext.{key} (always sent on $disconnect)"
                )
    else:
        for key in ("disconnectStatusCode", "disconnectReason"):
            if key in rc:
                out.append(f"requestContext.{key} is only sent on $disconnect")
    if etype != "MESSAGE" and "body" in event:
        out.append(f"a {etype} event has no body")
    if rc.get("messageDirection") != "IN":
        out.append(
            f"messageDirection {rc.get('messageDirection')!r}: events sent to Lambda are 'IN'"
        )
    if rc.get("requestId") != rc.get("extendedRequestId"):
        out.append("requestId is not extendedRequestId: a WebSocket API sends the same id twice")
    for key in ("connectionId", "requestId", "messageId"):
        value = rc.get(key)
        if value is not None and not (isinstance(value, str) and _ID_RE.match(value)):
            out.append(f"requestContext.{key} {value!r} is not 16 characters ending in '='")
    epoch, at = rc.get("requestTimeEpoch"), rc.get("connectedAt")
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        if rc.get("requestTime") != clf_time(epoch):
            out.append(
                f"requestTime {rc.get('requestTime')!r} is not requestTimeEpoch {epoch} ({clf_time(epoch)!r})"
            )
        if isinstance(at, int) and at > epoch:
            out.append(
                f"connectedAt {at} is after requestTimeEpoch {epoch}: a connection exists before its requests"
            )
        for field in ("headers",):
            for key, value in _obj(event.get(field)).items():
                if key.lower() == "x-amzn-trace-id":
                    secs = trace_seconds(value)
                    if secs is not None and abs(secs - epoch // 1000) > 1:
                        out.append(
                            "the X-Ray root time in X-Amzn-Trace-Id is not requestTimeEpoch's second"
                        )
    domain, api = rc.get("domainName"), rc.get("apiId")
    m = _DOMAIN_RE.match(domain) if isinstance(domain, str) else None
    if m is not None and m.group(1) != api:
        out.append(f"domainName {domain!r} is not the apiId {api!r}'s execute-api host")
    headers, mv = event.get("headers"), event.get("multiValueHeaders")
    if isinstance(headers, dict) and isinstance(mv, dict):
        if set(headers) != set(mv) or any(
            isinstance(mv[k], list) and mv[k] and mv[k][-1] != v for k, v in headers.items()
        ):
            out.append("headers is not multiValueHeaders with the last value of each name")
        host = next((v for k, v in headers.items() if k.lower() == "host"), None)
        if host is not None and isinstance(domain, str) and host != domain:
            out.append(f"Host header {host!r} is not domainName {domain!r}")
    if ("queryStringParameters" in event) != ("multiValueQueryStringParameters" in event):
        out.append("queryStringParameters and multiValueQueryStringParameters come together")
    body = event.get("body")
    if event.get("isBase64Encoded") is True and isinstance(body, str) and not b64_ok(body):
        out.append("isBase64Encoded is true but body is not valid base64")
    return out
