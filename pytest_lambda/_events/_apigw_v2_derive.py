"""``derive`` of HTTP API events (payload 2.0): dependent fields after overrides.

Recomputed unless the user set them: ``queryStringParameters`` from
``rawQueryString`` (decoded, repeats joined with ","), ``requestContext.routeKey``
from ``routeKey``, ``pathParameters`` from the route template and ``rawPath``,
``http.path`` from ``rawPath``, ``time`` and the X-Ray root from ``timeEpoch``,
``domainPrefix``, and ``content-length`` from the body. Mirrored pairs follow an
override of either side (``queryStringParameters`` → ``rawQueryString``,
``pathParameters`` → ``rawPath``, host ↔ ``domainName``, x-forwarded-for ↔
``sourceIp``, user-agent ↔ ``userAgent``) unless both were set.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Final

from ._apigw_checks import Protected, Step, run_steps
from ._apigw_common import (
    fill_template,
    is_default_domain,
    match_template,
    parse_template,
    split_route_key,
    template_names,
)
from ._apigw_http import (
    decode_pairs,
    enc,
    header_key,
    parse_raw_query,
    with_trace_seconds,
    xff_hops,
)
from ._world import clf_time

__all__ = ["derive", "put_in_order"]

_RC: Final = "requestContext"
_QSP: Final = "queryStringParameters"
_ORDER: Final = (
    "version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers", _QSP,
    "pathParameters", "stageVariables", _RC, "body", "isBase64Encoded",
)  # fmt: skip


def put_in_order(event: dict[str, Any], key: str, value: Any) -> None:
    """Set ``event[key]``; a new key goes to its place in the real key order."""
    if key in event or key not in _ORDER:
        event[key] = value
        return
    rank = _ORDER.index(key)
    items = list(event.items())
    event.clear()
    placed = False
    for k, v in items:
        if not placed and k in _ORDER and _ORDER.index(k) > rank:
            event[key] = value
            placed = True
        event[k] = v
    if not placed:
        event[key] = value


def _rc(event: dict[str, Any]) -> dict[str, Any]:
    rc = event[_RC]
    if not isinstance(rc, dict):
        raise TypeError(_RC)
    return rc


def _http(event: dict[str, Any]) -> dict[str, Any]:
    http = _rc(event)["http"]
    if not isinstance(http, dict):
        raise TypeError("http")
    return http


def _header(event: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    headers = event.get("headers")
    key = header_key(headers, name)
    if key is None:
        return None, None
    assert isinstance(headers, dict)
    value = headers[key]
    return key, value if isinstance(value, str) else None


def _set_header(event: dict[str, Any], p: Protected, name: str, fn: Callable[[str], str]) -> None:
    key, value = _header(event, name)
    if key is not None and value is not None and not p(("headers", key)):
        event["headers"][key] = fn(value)


def _query_back(event: dict[str, Any], p: Protected) -> None:
    qsp, raw = event.get(_QSP), event.get("rawQueryString")
    names = [k for k, _ in decode_pairs(parse_raw_query(raw))] if isinstance(raw, str) else []
    keys = [*names, *(qsp if isinstance(qsp, dict) else ())]
    if p(("rawQueryString",)) or not (p((_QSP,)) or any(p((_QSP, k)) for k in keys)):
        return
    if not isinstance(qsp, dict):
        event["rawQueryString"] = ""
        return
    pairs = (f"{enc(k)}={enc(v)}" for k, v in qsp.items() if isinstance(v, str))
    event["rawQueryString"] = "&".join(pairs)


def _query_forward(event: dict[str, Any], p: Protected) -> None:
    raw = event.get("rawQueryString")
    if p((_QSP,)) or not isinstance(raw, str):
        return
    joined: dict[str, str] = {}
    for k, v in decode_pairs(parse_raw_query(raw)):
        joined[k] = f"{joined[k]},{v}" if k in joined else v
    old = event.get(_QSP)
    old = old if isinstance(old, dict) else {}
    for k in list(joined):
        if p((_QSP, k)) and k not in old:
            del joined[k]
    joined.update({k: v for k, v in old.items() if p((_QSP, k))})
    if joined:
        put_in_order(event, _QSP, joined)
    else:
        event.pop(_QSP, None)


def _route_key(event: dict[str, Any], p: Protected) -> None:
    if not p((_RC, "routeKey")) and isinstance(event.get("routeKey"), str):
        _rc(event)["routeKey"] = event["routeKey"]


def _stage_prefix(rc: dict[str, Any]) -> str:
    stage = rc.get("stage")
    named = isinstance(stage, str) and stage != "$default"
    return f"/{stage}" if named and is_default_domain(rc.get("domainName")) else ""


def _path_params(event: dict[str, Any], p: Protected) -> None:
    _, template = split_route_key(event["routeKey"])
    pp = event.get("pathParameters")
    if template is None:
        if pp is not None and not p(("pathParameters",)):
            del event["pathParameters"]
        return
    segs = parse_template(template, "routeKey")
    names = template_names(segs)
    prefix = _stage_prefix(_rc(event))
    if p(("pathParameters",)) or any(
        p(("pathParameters", n)) for n in [*names, *(pp if isinstance(pp, dict) else ())]
    ):
        if (
            not p(("rawPath",))
            and isinstance(pp, dict)
            and all(isinstance(pp.get(n), str) for n in names)
        ):
            event["rawPath"] = prefix + fill_template(segs, pp)
        return
    raw = event["rawPath"]
    rest = raw[len(prefix) :] if prefix and raw.startswith(prefix) else raw
    found = match_template(segs, rest or "/")
    if found:
        put_in_order(event, "pathParameters", found)
    elif found is not None:
        event.pop("pathParameters", None)


def _http_path(event: dict[str, Any], p: Protected) -> None:
    if not p((_RC, "http", "path")) and isinstance(event.get("rawPath"), str):
        _http(event)["path"] = event["rawPath"]


def _time_fields(event: dict[str, Any], p: Protected) -> None:
    rc = _rc(event)
    ms = rc["timeEpoch"]
    if not isinstance(ms, int) or isinstance(ms, bool):
        return
    if not p((_RC, "time")):
        rc["time"] = clf_time(ms)
    if p((_RC, "timeEpoch")):
        _set_header(event, p, "x-amzn-trace-id", lambda v: with_trace_seconds(v, ms))


def _host(event: dict[str, Any], p: Protected) -> None:
    rc = _rc(event)
    key, host = _header(event, "host")
    if key is not None and host is not None and p(("headers", key)) and not p((_RC, "domainName")):
        rc["domainName"] = host
    elif isinstance(rc.get("domainName"), str) and p((_RC, "domainName")):
        domain = rc["domainName"]
        _set_header(event, p, "host", lambda _v: domain)
    if not p((_RC, "domainPrefix")) and isinstance(rc.get("domainName"), str):
        rc["domainPrefix"] = rc["domainName"].split(".", 1)[0]


def _mirror(header: str, field: str, as_header: Callable[[str, str], str],
            from_header: Callable[[str], str]) -> Step:  # fmt: skip
    """Keep ``requestContext.http[field]`` and a header in step, following an override."""

    def step(event: dict[str, Any], p: Protected) -> None:
        http = _http(event)
        key, value = _header(event, header)
        if key is None or value is None:
            return
        field_over = p((_RC, "http", field))
        if p(("headers", key)) and not field_over:
            http[field] = from_header(value)
        elif field_over and isinstance(http.get(field), str):
            new = http[field]
            _set_header(event, p, header, lambda old: as_header(old, new))

    return step


def _last_hop(value: str) -> str:
    hops = xff_hops(value)
    return hops[-1] if hops else value


def _replace_last_hop(old: str, ip: str) -> str:
    return ", ".join([*xff_hops(old)[:-1], ip])


def _content_length(event: dict[str, Any], p: Protected) -> None:
    body = event.get("body")
    if body is None:
        size = 0
    elif isinstance(body, str):
        raw = base64.b64decode(body) if event.get("isBase64Encoded") is True else body.encode()
        size = len(raw)
    else:
        return
    _set_header(event, p, "content-length", lambda _v: str(size))


def _bodyless_flag(event: dict[str, Any], p: Protected) -> None:
    """An override that removes the body makes ``isBase64Encoded`` false (§6.2 rule 9)."""
    if event.get("body") is None and not p(("isBase64Encoded",)) and "isBase64Encoded" in event:
        event["isBase64Encoded"] = False


_STEPS: Final[tuple[Step, ...]] = (
    _query_back,
    _query_forward,
    _route_key,
    _path_params,
    _http_path,
    _time_fields,
    _host,
    _mirror("x-forwarded-for", "sourceIp", _replace_last_hop, _last_hop),
    _mirror("user-agent", "userAgent", lambda _old, new: new, lambda v: v),
    _bodyless_flag,
    _content_length,
)


def derive(event: dict[str, Any], is_protected: Protected) -> None:
    run_steps(_STEPS, event, is_protected)
