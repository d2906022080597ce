"""Application Load Balancer target events, docs/internals/event-spec.md §11.

An ALB invokes a Lambda target with the request: ``httpMethod``, ``path``, the query,
the headers, ``body`` (``""`` when there is none) and ``isBase64Encoded``, plus
``requestContext.elb.targetGroupArn``. The target group's *multi-value headers* setting
picks the header mode: off, the event has ``headers`` and ``queryStringParameters``
(a repeated name keeps its last value); on, ``multiValueHeaders`` and
``multiValueQueryStringParameters`` (every value, in order). Never both.

ALB does not decode the query string: keys and values are passed as the client
percent-encoded them. Header names arrive lower-cased. A body is base64 when its
content type is not text (``text/*``, JSON, XML, JavaScript). Health checks are
``GET`` requests whose only header is ``user-agent: ELB-HealthChecker/2.0``.

Independent inputs: method, path, query pairs, headers, body, the header mode, the
target group, the client IP and the listener protocol; dependent: the header maps,
``x-forwarded-*``, ``host``, the X-Ray root (from the time) and ``isBase64Encoded``.
Cost: one event in about 20 µs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_common import (
    check_method,
    check_path,
    draw_method,
    draw_param_value,
    draw_template,
    fill_template,
    parse_template,
    quote_path,
)
from ._apigw_http import (
    b64_ok,
    check_ip,
    draw_query,
    encode_body,
    header_pairs,
    is_text_type,
    one_value,
    prepare_body,
    query_pairs,
    xff_hops,
)
from ._fastdraw import between, ipv4, slug
from ._world import World

__all__ = ["HEALTH_CHECK_AGENT", "PARAMS", "build", "derive", "invariants"]

HEALTH_CHECK_AGENT: Final = "ELB-HealthChecker/2.0"

PARAMS: Final[dict[str, str]] = {
    "method": "HTTP method (default: drawn; POST/PUT/PATCH when a body is given; GET for health checks)",
    "path": "request path, passed percent-encoded as on the wire ('/a b' arrives as '/a%20b') (default: drawn)",
    "query": "dict (values may be lists), list of (name, value) pairs or a raw query string; ALB does not decode it (default: drawn, often none)",
    "headers": "dict (list values = repeated header) or list of (name, value) pairs; names are lower-cased (default: realistic client headers)",
    "multi_value_headers": "True when the target group has multi-value headers on: multiValueHeaders/multiValueQueryStringParameters instead of headers/queryStringParameters (default: False)",
    "health_check": "True for a target group health check request (default: False)",
    "body": "str, bytes or JSON-able (sent as compact JSON); None for no body (default: a JSON object for POST/PUT/PATCH, else none)",
    "body_schema": "JSON Schema (dict or path of a .json file) the JSON body is generated from",
    "content_type": "Content-Type of the request; body is base64 unless it is text/*, application/json, application/xml or application/javascript (default: from the body)",
    "target_group": "target group name, 1-32 letters, digits or '-' (default: drawn)",
    "protocol": "listener protocol 'https' or 'http' (x-forwarded-proto and -port) (default: 'https')",
    "source_ip": "client IP: the last hop of x-forwarded-for (default: a drawn public IPv4)",
    "user_agent": "user-agent header (default: drawn from a pool of real agents)",
}

_BROWSER_ACCEPT: Final = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_TG_NAME_RE: Final = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
TG_ARN_RE: Final = re.compile(
    r"^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):(\d+):targetgroup/"
    r"([A-Za-z0-9-]{1,32})/([0-9a-f]{16})$"
)
_TRACE_RE: Final = re.compile(
    r"^(Self=1-[0-9a-f]{8}-[0-9a-f]{24};)?Root=1-[0-9a-f]{8}-[0-9a-f]{24}"
)


def _target_group(world: World, params: dict[str, Any]) -> str:
    name = params.get("target_group")
    if name is None:
        name = f"{slug(world.rng)}-tg"[:32]
    elif not isinstance(name, str) or not _TG_NAME_RE.match(name):
        raise InvalidEventSpec(
            f"target_group={name!r}: expected 1-32 letters, digits or '-', not starting or ending with '-'"
        )
    return (
        f"arn:aws:elasticloadbalancing:{world.region}:{world.account_id}:"
        f"targetgroup/{name}/{world.hex(16)}"
    )


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if not isinstance(value, bool):
        raise InvalidEventSpec(f"{name}={value!r}: expected True or False")
    return value


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    multi = _flag(params, "multi_value_headers")
    health = _flag(params, "health_check")
    proto = params.get("protocol", "https")
    if proto not in ("https", "http"):
        raise InvalidEventSpec(f"protocol={proto!r}: expected 'https' or 'http'")
    arn = _target_group(world, params)
    if health:
        extra = sorted({"query", "headers", "body", "body_schema", "content_type"} & set(params))
        if extra:
            raise InvalidEventSpec(
                f"health_check=True: a health check request has no {', '.join(extra)}; "
                "drop them or health_check"
            )
        hc_method = check_method(params.get("method", "GET"))
        path = check_path(params["path"]) if params.get("path") is not None else "/"
        hv: dict[str, str] = {"user-agent": HEALTH_CHECK_AGENT}
        event: dict[str, Any] = {"requestContext": {"elb": {"targetGroupArn": arn}}}
        event["httpMethod"] = hc_method
        event["path"] = path
        if multi:
            event["multiValueQueryStringParameters"] = {}
            event["multiValueHeaders"] = {k: [v] for k, v in hv.items()}
        else:
            event["queryStringParameters"] = {}
            event["headers"] = hv
        event["body"] = ""
        event["isBase64Encoded"] = False
        return event

    method = check_method(params["method"]) if "method" in params else None
    if method is None:
        has_body = "body" in params or "body_schema" in params
        method = draw_method(
            world, ("body_schema" in params or params["body"] is not None) if has_body else None
        )
    if params.get("path") is not None:  # as on the wire: a space or 'é' arrives encoded
        path = quote_path(check_path(params["path"]))
    else:
        segs = parse_template(draw_template(world), "path")
        path = fill_template(segs, {n: draw_param_value(world, k == 2) for k, n in segs if k})
    body, implied_ct = prepare_body(world, params, method)

    user: dict[str, list[str]] = {}  # lower-case name -> values, in arrival order
    for hname, value in header_pairs(params.get("headers")):
        user.setdefault(hname.lower(), []).append(value)

    def given(name: str) -> str | None:
        values = user.get(name)
        return values[0] if values else None

    ua = one_value(params, "user_agent", given("user-agent"), "user-agent")
    ct = one_value(params, "content_type", given("content-type"), "content-type")
    if ct is None and "content_type" not in params:
        ct = implied_ct
    ua = ua if ua is not None else world.user_agent()
    browser = ua.startswith("Mozilla/")
    source_ip = check_ip(params["source_ip"]) if params.get("source_ip") is not None else None
    lb = slug(rng)[:24].rstrip("-")
    host = f"{lb}-{between(rng, 100_000_000, 2_099_999_999)}.{world.region}.elb.amazonaws.com"

    h: dict[str, list[str]] = {
        "accept": [_BROWSER_ACCEPT if browser else "*/*"],
        "accept-encoding": ["gzip, deflate, br" if browser else "gzip, deflate"],
    }
    if browser:
        h["accept-language"] = ["en-US,en;q=0.9"]
    if body is not None:
        size = len(body if isinstance(body, bytes) else body.encode("utf-8"))
        h["content-length"] = [str(size)]
    if ct is not None:
        h["content-type"] = [ct]
    h["host"] = [host]
    h["user-agent"] = [ua]
    h["x-amzn-trace-id"] = [world.trace_header(world.now_ms)]
    h.update(user)
    xff = user.get("x-forwarded-for")
    hops = xff_hops(",".join(xff)) if xff else []
    if source_ip is None:
        source_ip = hops[-1] if hops else ipv4(rng)
    if not hops or hops[-1] != source_ip:
        hops.append(source_ip)
    h["x-forwarded-for"] = [", ".join(hops)]
    h["x-forwarded-port"] = [given("x-forwarded-port") or ("443" if proto == "https" else "80")]
    h["x-forwarded-proto"] = [given("x-forwarded-proto") or proto]

    pairs = query_pairs(params["query"]) if "query" in params else draw_query(world, method)
    binary = body is not None and not is_text_type(ct)
    event = {"requestContext": {"elb": {"targetGroupArn": arn}}, "httpMethod": method, "path": path}
    if multi:
        mq: dict[str, list[str]] = {}
        for k, v in pairs:
            mq.setdefault(k, []).append("" if v is None else v)
        event["multiValueQueryStringParameters"] = mq
        event["multiValueHeaders"] = h
    else:
        event["queryStringParameters"] = {k: ("" if v is None else v) for k, v in pairs}
        event["headers"] = {k: vs[-1] for k, vs in h.items()}
    event["body"] = "" if body is None else encode_body(body, binary, ct)
    event["isBase64Encoded"] = binary
    return event


def derive(event: dict[str, Any], is_protected: Callable[[str], bool]) -> None:
    """ALB events have no field computed from another that an override could break,
    except ``isBase64Encoded`` for an emptied body (an empty body is never base64)."""
    if event.get("body") == "" and not is_protected("isBase64Encoded"):
        event["isBase64Encoded"] = False


def _header(headers: object, name: str) -> str | None:
    if isinstance(headers, dict):
        value = headers.get(name)
        if isinstance(value, list):
            return value[-1] if value and isinstance(value[-1], str) else None
        return value if isinstance(value, str) else None
    return None


def shape_problem(event: object) -> str | None:
    """What the schema's header-mode ``oneOf`` means, in words (``None``: not that)."""
    if not isinstance(event, dict):
        return None
    single = [k for k in ("headers", "queryStringParameters") if event.get(k) is not None]
    multi = [
        k
        for k in ("multiValueHeaders", "multiValueQueryStringParameters")
        if event.get(k) is not None
    ]
    if single and multi:
        return (
            f"has {', '.join(single)} and {', '.join(multi)}: ALB sends one header mode, "
            "multiValueHeaders/multiValueQueryStringParameters (target group setting on) or "
            "headers/queryStringParameters, never both"
        )
    if event.get("headers") is None and event.get("multiValueHeaders") is None:
        return "has neither headers nor multiValueHeaders: ALB always sends one of them"
    return None


def invariants(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    arn = event.get("requestContext", {}).get("elb", {}).get("targetGroupArn")
    if isinstance(arn, str) and not TG_ARN_RE.match(arn):
        out.append(
            f"requestContext.elb.targetGroupArn {arn!r} is not a target group ARN "
            "(arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>)"
        )
    single = [k for k in ("headers", "queryStringParameters") if event.get(k) is not None]
    multi = [
        k
        for k in ("multiValueHeaders", "multiValueQueryStringParameters")
        if event.get(k) is not None
    ]
    if single and multi:
        out.append(
            f"the event has {', '.join(single)} and {', '.join(multi)}: ALB sends one header "
            "mode, multi-value (target group setting on) or single-value, never both"
        )
    headers = event.get("multiValueHeaders") if multi else event.get("headers")
    if isinstance(headers, dict):
        upper = [k for k in headers if isinstance(k, str) and k != k.lower()]
        if upper:
            out.append(f"header name {upper[0]!r} is not lower-case: ALB lower-cases header names")
        trace = _header(headers, "x-amzn-trace-id")
        if trace is not None and not _TRACE_RE.match(trace):
            out.append(
                f"x-amzn-trace-id {trace!r} is not an X-Ray trace header (Root=1-<8 hex>-<24 hex>)"
            )
        proto, port = _header(headers, "x-forwarded-proto"), _header(headers, "x-forwarded-port")
        if proto is not None and proto not in ("http", "https"):
            out.append(f"x-forwarded-proto {proto!r} is neither 'http' nor 'https'")
        if port is not None and not port.isdigit():
            out.append(f"x-forwarded-port {port!r} is not a port number")
        if _header(headers, "user-agent") == HEALTH_CHECK_AGENT and event.get("body") not in (
            "",
            None,
        ):
            out.append(
                "a health check request (user-agent ELB-HealthChecker/2.0) has an empty body"
            )
    body = event.get("body")
    if event.get("isBase64Encoded") is True and isinstance(body, str) and not b64_ok(body):
        out.append("isBase64Encoded is true but body is not valid base64")
    if event.get("isBase64Encoded") is True and body == "":
        out.append("isBase64Encoded is true for an empty body: ALB sends an empty body as text")
    return out
