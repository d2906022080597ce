"""API Gateway HTTP API events (payload 2.0), docs/internals/event-spec.md §6.

Independent inputs are drawn or taken from the parameters (method, route key,
request path, ordered raw query pairs, client headers, cookies, body, stage,
source IP, time); dependent fields are computed from them: ``rawPath`` (decoded,
``/{stage}`` prefix for named stages), ``rawQueryString`` from the raw pairs and
``queryStringParameters`` by decoding it (repeats joined with ","), lower-cased
headers with repeats joined by ",", ``cookies`` split out of the Cookie header,
``pathParameters`` from the route template, CLF ``time`` and the X-Ray root from
``timeEpoch``, Host = domainName, ``isBase64Encoded`` from the content type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_auth import v2_authorizer
from ._apigw_common import (
    check_dict_of_str,
    check_method,
    check_path,
    check_path_params,
    check_stage,
    decoded_path,
    draw_method,
    draw_param_value,
    draw_template,
    fill_template,
    infer_template,
    match_template,
    parse_template,
    short_request_id,
    split_route_key,
    template_for_params,
)
from ._apigw_http import (
    Headers,
    check_ip,
    cookie_list,
    decode_pairs,
    draw_query,
    encode_body,
    header_pairs,
    is_text_type,
    one_value,
    prepare_body,
    query_pairs,
    raw_query_string,
    xff_hops,
)
from ._apigw_v2_checks import invariants
from ._apigw_v2_derive import derive
from ._fastdraw import between, ipv4, lower_alnum
from ._user_agents import browser_headers, signing_agent
from ._world import World, clf_time

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "method": "HTTP method GET/POST/PUT/PATCH/DELETE/HEAD/OPTIONS (default: the route's method, else drawn; POST/PUT/PATCH when a body is given)",
    "path": "request path after the stage; percent-encodings are decoded as HTTP APIs do ('%20' → ' ', a decoded '?' truncates, '%25' is rejected) (default: built from the route)",
    "route_key": "'$default', or '{METHOD|ANY} {template}' such as 'GET /items/{id}' or 'ANY /{proxy+}' (default: drawn; '$default' when only path is given)",
    "path_parameters": "dict of path parameter values (decoded): fills the route template, or must agree with path (default: drawn)",
    "query": "dict (values may be lists), list of (name, value) pairs with repeats, or a raw query string; rawQueryString keeps the order, queryStringParameters joins repeats with ',' (default: drawn, often none)",
    "headers": "dict (list values = repeated header) or list of (name, value) pairs; names are lower-cased and repeats joined with ',' (default: realistic client headers)",
    "cookies": "list of 'name=value' or dict; they land in the cookies array, the cookie header is removed (default: sometimes a session cookie for browsers)",
    "body": "str, bytes or JSON-able (sent as compact JSON); None for no body (default: a JSON object for POST/PUT/PATCH, else none)",
    "body_schema": "JSON Schema (dict or path of a .json file) the JSON body is generated from",
    "content_type": "Content-Type of the request; body is base64 unless it is text/*, application/json, application/xml or application/javascript (default: from the body); a request without a body has no body key and isBase64Encoded false",
    "stage": "'$default' or a stage name, which prefixes rawPath with '/{stage}' (default: '$default')",
    "stage_variables": "dict of stage variables (default: none, i.e. absent)",
    "authorizer": "None, 'jwt', 'lambda', 'iam', or a dict: {'claims': {...}, 'scopes': [...]} for JWT, {'jwt'|'lambda'|'iam': {...}}, else a Lambda authorizer context (default: None)",
    "source_ip": "client IP: requestContext.http.sourceIp and the last hop of x-forwarded-for (default: a drawn public IPv4)",
    "user_agent": "user-agent header and requestContext.http.userAgent (default: drawn from a pool of real agents)",
}

_LANGS: Final = ("en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9")


def _check_value(name: str, value: str, greedy: bool) -> str:
    bad = next((c for c in ("?", "%") if c in value), None) or (
        "/" if "/" in value and not greedy else None
    )
    if bad:
        raise InvalidEventSpec(
            f"path_parameters[{name!r}]={value!r}: a decoded HTTP API path parameter cannot hold {bad!r}"
        )
    return value


def _route(
    world: World, params: Mapping[str, Any], method: str | None
) -> tuple[str | None, str | None, str, dict[str, str] | None]:
    """(route method or None for the request's, template or None for $default, path, params)."""
    rng = world.rng
    path = decoded_path(check_path(params["path"])) if params.get("path") is not None else None
    given = check_path_params(params.get("path_parameters"))
    route_method: str | None = None
    template: str | None = None
    if "route_key" in params:
        route_method, template = split_route_key(params["route_key"])
    elif given:
        template = infer_template(path, given, "path_parameters") if path else None
        template = template or template_for_params(world, list(given))
        route_method = "ANY" if rng.random() < 0.3 else None
    elif path is None and rng.random() >= 0.25:
        template = draw_template(world)
        route_method = "ANY" if template == "/{proxy+}" or rng.random() < 0.2 else None
    if template is None:
        if given:
            raise InvalidEventSpec(
                f"path_parameters={given!r}: the $default route has no path parameters"
            )
        if path is None:
            segs = parse_template(draw_template(world), "route_key")
            path = fill_template(segs, {n: draw_param_value(world, k == 2) for k, n in segs if k})
        return None, None, path, None
    segs = parse_template(template, "route_key")
    names = [t for k, t in segs if k] if given else []
    if given and set(given) - set(names):
        extra = ", ".join(sorted(set(given) - set(names)))
        raise InvalidEventSpec(
            f"path_parameters has {extra} but the route {template!r} only has {names or 'none'}"
        )
    if path is None:
        values = {
            n: _check_value(n, given[n], k == 2)
            if given and n in given
            else draw_param_value(world, k == 2)
            for k, n in segs
            if k
        }
        path = fill_template(segs, values)
    else:
        found = match_template(segs, path)
        if found is None:
            raise InvalidEventSpec(f"path={path!r} does not match the route {template!r}")
        for n, v in (given or {}).items():
            if v != found[n]:
                raise InvalidEventSpec(
                    f"path_parameters[{n!r}]={v!r} but path={path!r} has {found[n]!r} there"
                )
        values = found
    return route_method, template, path, values or None


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    method = check_method(params["method"]) if "method" in params else None
    route_method = split_route_key(params["route_key"])[0] if "route_key" in params else None
    if route_method not in (None, "ANY"):
        if method is not None and method != route_method:
            raise InvalidEventSpec(
                f"method={method!r} but route_key={params['route_key']!r} is for {route_method}"
            )
        method = route_method
    route_method, template, path, path_params = _route(world, params, method)
    if method is None:
        has_body = "body" in params or "body_schema" in params
        method = draw_method(
            world, ("body_schema" in params or params["body"] is not None) if has_body else None
        )
    route_key = "$default" if template is None else f"{route_method or method} {template}"
    stage = check_stage(params["stage"], allow_default=True) if "stage" in params else "$default"
    stage_vars = (
        check_dict_of_str(params["stage_variables"], "stage_variables")
        if params.get("stage_variables")
        else None
    )
    api_id = lower_alnum(rng, 10)
    domain = f"{api_id}.execute-api.{world.region}.amazonaws.com"
    request_ms = world.now_ms - between(rng, 3, 59)
    source_ip = check_ip(params["source_ip"]) if params.get("source_ip") is not None else None
    body, implied_ct = prepare_body(world, params, method)
    authorizer = params.get("authorizer")
    auth = v2_authorizer(world, authorizer, request_ms) if authorizer is not None else None

    user_h = Headers()
    for hname, value in header_pairs(params.get("headers")):
        user_h.add(hname.lower(), value)
    ufirst = user_h.first1  # user_h's keys are lower case
    ua = one_value(params, "user_agent", ufirst("user-agent"), "user-agent")
    ct = one_value(params, "content_type", ufirst("content-type"), "content-type")
    if ct is None and "content_type" not in params:
        ct = implied_ct
    if ua is None:  # a SigV4-signed request comes from an SDK or a tool, never a browser
        ua = signing_agent(rng) if authorizer == "iam" else world.user_agent()
    browser = ua.startswith("Mozilla/")
    # HTTP APIs lower-case header names: key and name are the same (set directly, as set1)
    h = Headers()
    d = h.d
    d["accept"] = (
        "accept",
        [
            "application/json, text/plain, */*"
            if browser
            else ("*/*", "application/json")[int(rng.random() * 2)]
        ],
    )
    d["accept-encoding"] = (
        "accept-encoding",
        ["gzip, deflate, br" if browser else "gzip, deflate"],
    )
    if browser:
        d["accept-language"] = ("accept-language", [_LANGS[int(rng.random() * 4)]])
        for k, v in browser_headers(ua, rng):  # lower-case names
            d[k] = (k, [v])
    if ct is not None:
        d["content-type"] = ("content-type", [ct])
    for k, v in auth.headers if auth is not None else ():
        h.set_one(k, v)
    for key, (_, values) in user_h.d.items():
        h.set(key, *values)
    if "cookies" in params:
        extra_cookies = cookie_list(params["cookies"])
    elif browser and "cookie" not in user_h.d and rng.random() < 0.3:
        extra_cookies = [f"session={world.hex(32)}"] + (
            ["theme=dark"] if rng.random() < 0.5 else []
        )
    else:
        extra_cookies = []
    cookie = d.pop("cookie", None)
    cookies = [c.strip() for v in cookie[1] for c in v.split(";") if c.strip()] if cookie else []
    cookies += extra_cookies
    # A request without a body has no body key and isBase64Encoded false, whatever its
    # content type (every real capture; event-spec.md §6.2 rule 9 holds for bodies only).
    binary = body is not None and not is_text_type(ct)
    body_out = None if body is None else encode_body(body, binary, ct)
    host = ufirst("host")
    if host is not None:
        domain = host
    xff = user_h.d.get("x-forwarded-for")
    hops = xff_hops(",".join(xff[1])) if xff else []
    if source_ip is None:
        source_ip = hops[-1] if hops else ipv4(rng)
    if not hops or hops[-1] != source_ip:
        hops.append(source_ip)
    if "content-length" not in user_h.d:
        size = 0 if body is None else len(body if isinstance(body, bytes) else body.encode("utf-8"))
        d["content-length"] = ("content-length", [str(size)])
    d["host"] = ("host", [domain])
    d["user-agent"] = ("user-agent", [ua])
    d["x-amzn-trace-id"] = (
        "x-amzn-trace-id",
        [ufirst("x-amzn-trace-id") or world.trace_header(request_ms)],
    )
    d["x-forwarded-for"] = ("x-forwarded-for", [", ".join(hops)])
    d["x-forwarded-port"] = ("x-forwarded-port", [ufirst("x-forwarded-port") or "443"])
    d["x-forwarded-proto"] = ("x-forwarded-proto", [ufirst("x-forwarded-proto") or "https"])
    headers = h.joined()

    if isinstance(params.get("query"), str):  # a raw query string is kept byte for byte
        pairs = query_pairs(params["query"])
        raw_query = params["query"].removeprefix("?")
    else:
        pairs = query_pairs(params["query"]) if "query" in params else draw_query(world, method)
        raw_query = raw_query_string(pairs)
    raw_path = path if stage == "$default" or host is not None else f"/{stage}{path}"

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if pairs:
        qsp: dict[str, str] = {}
        for k, v in decode_pairs(pairs):
            qsp[k] = f"{qsp[k]},{v}" if k in qsp else v
        event["queryStringParameters"] = qsp
    if path_params:
        event["pathParameters"] = path_params
    if stage_vars:
        event["stageVariables"] = stage_vars
    rc: dict[str, Any] = {"accountId": world.account_id, "apiId": api_id}
    if auth is not None:
        rc["authorizer"] = auth.block
    rc["domainName"] = domain
    rc["domainPrefix"] = domain.split(".", 1)[0]
    rc["http"] = {
        "method": method,
        "path": raw_path,
        "protocol": "HTTP/1.1",
        "sourceIp": source_ip,
        "userAgent": ua,
    }
    rc["requestId"] = short_request_id(world)
    rc["routeKey"] = route_key
    rc["stage"] = stage
    rc["time"] = clf_time(request_ms)
    rc["timeEpoch"] = request_ms
    event["requestContext"] = rc
    if body_out is not None:
        event["body"] = body_out
    event["isBase64Encoded"] = binary
    return event
