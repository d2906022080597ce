"""``derive`` of REST API proxy events (payload 1.0): dependent fields after overrides.

Recomputed unless the user set them: ``headers`` from ``multiValueHeaders`` and
``queryStringParameters`` from ``multiValueQueryStringParameters`` (last value
wins), ``requestContext.httpMethod``, ``resourcePath``, ``path`` (``/{stage}{path}``),
``requestTime`` and the X-Ray root from ``requestTimeEpoch``, ``pathParameters``
from ``resource`` and ``path``, ``domainPrefix``. For pairs that mirror each other
(``headers[k]`` and ``multiValueHeaders[k]``, Host and ``domainName``,
X-Forwarded-For and ``sourceIp``, User-Agent and ``userAgent``, ``pathParameters``
and ``path``) an override of either side is carried to the other, unless both were set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ._apigw_checks import Protected, Step, run_steps
from ._apigw_common import (
    fill_template,
    is_default_domain,
    match_template,
    parse_template,
    template_names,
)
from ._apigw_http import header_key, with_trace_seconds, xff_hops
from ._world import clf_time

__all__ = ["derive"]

_RC: Final = "requestContext"


def _rc(event: dict[str, Any]) -> dict[str, Any]:
    rc = event.get(_RC)
    if not isinstance(rc, dict):
        raise TypeError("requestContext")
    return rc


def _header_over(event: dict[str, Any], p: Protected, key: str) -> bool:
    return p(("headers", key)) or p(("multiValueHeaders", key))


def _header_value(event: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    """(key, last value) of a header, from multiValueHeaders first, then headers."""
    for where in ("multiValueHeaders", "headers"):
        hmap = event.get(where)
        key = header_key(hmap, name)
        if key is None:
            continue
        assert isinstance(hmap, dict)
        value = hmap[key]
        if isinstance(value, list) and value and isinstance(value[-1], str):
            return key, value[-1]
        if isinstance(value, str):
            return key, value
    return None, None


def _set_header(event: dict[str, Any], p: Protected, name: str, fn: Callable[[str], str]) -> None:
    """Rewrite an existing header's values with ``fn`` in both maps, unless protected."""
    for where in ("multiValueHeaders", "headers"):
        hmap = event.get(where)
        key = header_key(hmap, name)
        if key is None or _header_over(event, p, key):
            continue
        assert isinstance(hmap, dict)
        value = hmap[key]
        hmap[key] = [fn(v) for v in value] if isinstance(value, list) else fn(value)


def _pair_back(single: str, multi: str) -> Step:
    """An override of ``single[k]`` (or its removal) becomes ``multi[k] = [v]``."""

    def step(event: dict[str, Any], p: Protected) -> None:
        one, many = event.get(single), event.get(multi)
        if not isinstance(one, dict) or p((multi,)):
            return
        if not isinstance(many, dict):
            if not any(p((single, k)) for k in one):
                return
            many = event[multi] = {}
        for k, v in one.items():
            if p((single, k)) and not p((multi, k)):
                many[k] = [v]
        for k in [k for k in many if k not in one and p((single, k)) and not p((multi, k))]:
            del many[k]

    return step


def _pair_forward(single: str, multi: str, null_when_empty: bool) -> Step:
    """``single[k] = multi[k][-1]`` for every key the user did not set."""

    def step(event: dict[str, Any], p: Protected) -> None:
        if p((single,)):
            return
        many = event.get(multi)
        if many is None or (null_when_empty and many == {}):
            if null_when_empty and many == {} and not p((multi,)):
                event[multi] = None
            event[single] = None
            return
        if not isinstance(many, dict):
            return
        one = event.get(single)
        one = one if isinstance(one, dict) else {}
        new: dict[str, Any] = {}
        for k, v in many.items():
            if p((single, k)):
                if k in one:
                    new[k] = one[k]
            elif isinstance(v, list) and v:
                new[k] = v[-1]
        new.update({k: v for k, v in one.items() if k not in new and p((single, k))})
        event[single] = new

    return step


def _method(event: dict[str, Any], p: Protected) -> None:
    if not p((_RC, "httpMethod")) and isinstance(event.get("httpMethod"), str):
        _rc(event)["httpMethod"] = event["httpMethod"]


def _resource(event: dict[str, Any], p: Protected) -> None:
    if not p((_RC, "resourcePath")) and isinstance(event.get("resource"), str):
        _rc(event)["resourcePath"] = event["resource"]


def _path_params(event: dict[str, Any], p: Protected) -> None:
    segs = parse_template(event["resource"], "resource")
    names = template_names(segs)
    pp = event.get("pathParameters")
    pp_over = p(("pathParameters",)) or any(
        p(("pathParameters", n)) for n in [*names, *(pp if isinstance(pp, dict) else ())]
    )
    if pp_over:
        if (
            not p(("path",))
            and isinstance(pp, dict)
            and all(isinstance(pp.get(n), str) for n in names)
        ):
            event["path"] = fill_template(segs, pp)
        return
    path = event.get("path")
    found = match_template(segs, path) if isinstance(path, str) else None
    if found is not None:
        event["pathParameters"] = found or None


def _rc_path(event: dict[str, Any], p: Protected) -> None:
    rc = _rc(event)
    stage, path = rc.get("stage"), event.get("path")
    if (
        not p((_RC, "path"))
        and is_default_domain(rc.get("domainName"))
        and isinstance(stage, str)
        and isinstance(path, str)
    ):
        rc["path"] = f"/{stage}{path}"


def _time_fields(event: dict[str, Any], p: Protected) -> None:
    rc = _rc(event)
    ms = rc["requestTimeEpoch"]
    if not isinstance(ms, int) or isinstance(ms, bool):
        return
    if not p((_RC, "requestTime")):
        rc["requestTime"] = clf_time(ms)
    if not p((_RC, "requestTimeEpoch")):
        return
    _set_header(event, p, "X-Amzn-Trace-Id", lambda v: with_trace_seconds(v, ms))


def _host(event: dict[str, Any], p: Protected) -> None:
    rc = _rc(event)
    key, host = _header_value(event, "host")
    if (
        key is not None
        and host is not None
        and _header_over(event, p, key)
        and not p((_RC, "domainName"))
    ):
        rc["domainName"] = host
    elif isinstance(rc.get("domainName"), str) and p((_RC, "domainName")):
        domain = rc["domainName"]
        _set_header(event, p, "host", lambda _v: domain)
    if not p((_RC, "domainPrefix")) and isinstance(rc.get("domainName"), str):
        rc["domainPrefix"] = rc["domainName"].split(".", 1)[0]


def _source_ip(event: dict[str, Any], p: Protected) -> None:
    ident = _rc(event)["identity"]
    key, xff = _header_value(event, "x-forwarded-for")
    if key is None or xff is None or not isinstance(ident, dict):
        return
    hops = xff_hops(xff)
    idx = -2 if _header_value(event, "x-amz-cf-id")[1] is not None and len(hops) >= 2 else -1
    sip_over = p((_RC, "identity", "sourceIp"))
    if _header_over(event, p, key) and not sip_over:
        ident["sourceIp"] = hops[idx]
    elif sip_over and isinstance(ident.get("sourceIp"), str):
        hops[idx] = ident["sourceIp"]
        joined = ", ".join(hops)
        _set_header(event, p, "x-forwarded-for", lambda _v: joined)


def _user_agent(event: dict[str, Any], p: Protected) -> None:
    ident = _rc(event)["identity"]
    key, ua = _header_value(event, "user-agent")
    if key is None or not isinstance(ident, dict):
        return
    ua_over = p((_RC, "identity", "userAgent"))
    if _header_over(event, p, key) and not ua_over:
        ident["userAgent"] = ua
    elif ua_over and isinstance(ident.get("userAgent"), str):
        value = ident["userAgent"]
        _set_header(event, p, "user-agent", lambda _v: value)


def _body_flag(event: dict[str, Any], p: Protected) -> None:
    if event.get("body") is None and not p(("isBase64Encoded",)) and "isBase64Encoded" in event:
        event["isBase64Encoded"] = False


_STEPS: Final[tuple[Step, ...]] = (
    _pair_back("headers", "multiValueHeaders"),
    _pair_back("queryStringParameters", "multiValueQueryStringParameters"),
    _method,
    _resource,
    _path_params,
    _rc_path,
    _time_fields,
    _host,
    _source_ip,
    _user_agent,
    _body_flag,
    _pair_forward("headers", "multiValueHeaders", null_when_empty=False),
    _pair_forward("queryStringParameters", "multiValueQueryStringParameters", null_when_empty=True),
)


def derive(event: dict[str, Any], is_protected: Protected) -> None:
    run_steps(_STEPS, event, is_protected)
