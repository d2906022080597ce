"""``invariants`` of HTTP API events (payload 2.0), docs/internals/event-spec.md §6.2.

Only rules that real events always keep: lower-case header names, cookies moved
out of the cookie header, ``queryStringParameters`` = decoded ``rawQueryString``
with repeats joined by ",", ``http.path`` = ``rawPath``, route key and method
agreement, the ``/{stage}`` prefix, CLF ``time`` and the X-Ray root from
``timeEpoch``, Host = domainName, ``sourceIp`` = last X-Forwarded-For hop,
forwarded port and proto, ``isBase64Encoded`` from the content type,
content-length, pathParameters from the route, identifier formats, JWT claims.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_checks import SHORT_ID, check_common, check_template, check_token_times
from ._apigw_common import is_default_domain, split_route_key
from ._apigw_http import b64_ok, decode_pairs, find_header, is_text_type, parse_raw_query, xff_hops

__all__ = ["invariants"]

_RC: Final = "requestContext"


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _query(out: list[str], event: dict[str, Any]) -> None:
    raw, qsp = event.get("rawQueryString"), event.get("queryStringParameters")
    if not isinstance(raw, str):
        return
    expected: dict[str, str] = {}
    for k, v in decode_pairs(parse_raw_query(raw)):
        expected[k] = f"{expected[k]},{v}" if k in expected else v
    if not expected and qsp is not None:
        out.append(
            f"queryStringParameters is {qsp!r} but rawQueryString {raw!r} holds no parameters (the key is absent then)"
        )
    elif expected and qsp != expected:
        out.append(
            f"queryStringParameters is {qsp!r} but decoding rawQueryString {raw!r} gives {expected!r}"
        )


def _route(out: list[str], event: dict[str, Any], rc: dict[str, Any], http: dict[str, Any]) -> None:
    route_key, raw_path = event.get("routeKey"), event.get("rawPath")
    if route_key != rc.get("routeKey"):
        out.append(
            f"routeKey is {route_key!r} but requestContext.routeKey is {rc.get('routeKey')!r}"
        )
    if http.get("path") != raw_path:
        out.append(f"requestContext.http.path is {http.get('path')!r} but rawPath is {raw_path!r}")
    try:
        method, template = split_route_key(route_key)
    except InvalidEventSpec:
        out.append(f"routeKey {route_key!r} is neither '$default' nor '{{METHOD}} {{template}}'")
        return
    if method not in (None, "ANY") and http.get("method") != method:
        out.append(
            f"routeKey {route_key!r} is for {method} but requestContext.http.method is {http.get('method')!r}"
        )
    stage = rc.get("stage")
    prefix = ""
    if isinstance(stage, str) and stage != "$default" and is_default_domain(rc.get("domainName")):
        prefix = f"/{stage}"
        if (
            isinstance(raw_path, str)
            and raw_path != prefix
            and not raw_path.startswith(prefix + "/")
        ):
            out.append(f"rawPath {raw_path!r} does not start with the stage prefix {prefix!r}")
    pp = event.get("pathParameters")
    if template is None:
        if pp is not None:
            out.append(f"pathParameters is {pp!r} but the $default route has no parameters")
    elif isinstance(raw_path, str):
        rest = raw_path[len(prefix) :] if prefix and raw_path.startswith(prefix) else raw_path
        check_template(out, template, rest or "/", pp, "the route")


def _body(out: list[str], event: dict[str, Any], headers: object) -> None:
    body, flag = event.get("body"), event.get("isBase64Encoded")
    ct = find_header(headers, "content-type")
    if "body" not in event or body is None:
        # Real captures (2020-2024): a request without a body has no body key and false.
        if flag is True:
            out.append(
                "isBase64Encoded is true but the event has no body: HTTP APIs send false "
                "for a request without a body"
            )
    elif isinstance(flag, bool) and flag == is_text_type(ct):
        rule = "text/*, application/json, application/xml and application/javascript are passed as text, the rest as base64"
        out.append(f"isBase64Encoded is {flag} for content-type {ct!r}: {rule}")
    if flag is True and isinstance(body, str) and not b64_ok(body):
        out.append("isBase64Encoded is true but body is not valid base64")
    length = find_header(headers, "content-length")
    if isinstance(body, str) and length is not None and length.isdigit():
        try:
            size = len(base64.b64decode(body) if flag is True else body.encode("utf-8"))
        except (binascii.Error, ValueError):
            return
        if size != int(length):
            out.append(f"the content-length header is {length} but the body has {size} bytes")


def _authorizer(out: list[str], rc: dict[str, Any]) -> None:
    jwt = _obj(_obj(rc.get("authorizer")).get("jwt"))
    claims, scopes = jwt.get("claims"), jwt.get("scopes")
    if isinstance(claims, dict):
        bad = sorted(k for k, v in claims.items() if not isinstance(v, str))
        if bad:
            out.append(
                f"requestContext.authorizer.jwt.claims {bad} are not strings (HTTP APIs stringify claims)"
            )
        ms = rc.get("timeEpoch")
        if isinstance(ms, int):
            check_token_times(out, "requestContext.authorizer.jwt.claims", claims, ms // 1000)
    if scopes is not None and (
        not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
    ):
        out.append(f"requestContext.authorizer.jwt.scopes is {scopes!r}: a list of str or null")


def invariants(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    headers = event.get("headers")
    rc = _obj(event.get(_RC))
    http = _obj(rc.get("http"))
    if isinstance(headers, dict):
        upper = sorted(k for k in headers if isinstance(k, str) and k != k.lower())
        if upper:
            out.append(f"header names {upper} are not lower-case (HTTP APIs lower-case them)")
        if find_header(headers, "cookie") is not None:
            out.append(
                "the cookie header is present: HTTP APIs move cookies into the cookies array"
            )
    for key in ("cookies", "queryStringParameters", "pathParameters", "stageVariables"):
        if key in event and not event[key]:
            out.append(f"{key} is {event[key]!r}: HTTP APIs omit the key when there is nothing")
    _query(out, event)
    _route(out, event, rc, http)
    check_common(out, rc, headers, "timeEpoch", "time", "headers")
    xff, sip = find_header(headers, "x-forwarded-for"), http.get("sourceIp")
    if xff and isinstance(sip, str) and xff_hops(xff)[-1:] != [sip]:
        out.append(
            f"requestContext.http.sourceIp is {sip!r} but the last x-forwarded-for hop of {xff!r} is not"
        )
    ua = find_header(headers, "user-agent")
    if ua is not None and http.get("userAgent") != ua:
        out.append(
            f"requestContext.http.userAgent is {http.get('userAgent')!r} but the user-agent header is {ua!r}"
        )
    for name, value in (("x-forwarded-port", "443"), ("x-forwarded-proto", "https")):
        got = find_header(headers, name)
        if got is not None and got != value:
            out.append(f"the {name} header is {got!r}; API Gateway sets {value!r}")
    _body(out, event, headers)
    rid = rc.get("requestId")
    if isinstance(rid, str) and not SHORT_ID.match(rid):
        out.append(f"requestContext.requestId {rid!r} is not 15 base64url characters and '='")
    _authorizer(out, rc)
    return out
