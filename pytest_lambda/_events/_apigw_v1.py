"""API Gateway REST API Lambda proxy events (payload 1.0), docs/internals/event-spec.md §5.

Independent inputs are drawn or taken from the parameters (method, resource
template, path, query pairs, client headers, body, stage, source IP, time); every
dependent field is computed from them: both header maps (last value wins), both
query maps (decoded, last value wins, null when empty), pathParameters from the
template and the raw path, ``requestContext.path`` = ``/{stage}{path}``, the CLF
``requestTime`` and the X-Ray root from ``requestTimeEpoch``, Host = domainName,
X-Forwarded-For ending in ``sourceIp`` and ``isBase64Encoded`` from the API's
binary media types.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_auth import v1_authorizer
from ._apigw_common import (
    check_dict_of_str,
    check_method,
    check_path,
    check_path_params,
    check_stage,
    draw_method,
    draw_param_value,
    draw_template,
    fill_template,
    infer_template,
    match_template,
    parse_template,
    quote_path,
    quote_segment,
    short_request_id,
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
    media_type,
    one_value,
    prepare_body,
    query_pairs,
    xff_hops,
)
from ._apigw_v1_checks import invariants
from ._apigw_v1_derive import derive
from ._fastdraw import between, ipv4, lower_alnum
from ._user_agents import browser_headers, signing_agent
from ._world import World, clf_time

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "method": "HTTP method GET/POST/PUT/PATCH/DELETE/HEAD/OPTIONS (default: drawn; POST/PUT/PATCH when a body is given)",
    "path": "request path without the stage, percent-encoding kept, e.g. '/items/42' (default: built from resource and path_parameters)",
    "resource": "resource template such as '/items/{id}' or '/{proxy+}' (default: drawn; '/{proxy+}' when only path is given)",
    "path_parameters": "dict of path parameter values: fills the template, or must agree with path; REST APIs pass them percent-encoded, as in the path ('t 1' arrives as 't%201') (default: drawn)",
    "query": "dict (values may be lists), list of (name, value) pairs with repeats, or a raw query string; decoded, last value wins (default: drawn, often none)",
    "headers": "dict (list values = repeated header) or list of (name, value) pairs; names keep the client's case (default: realistic client headers)",
    "cookies": "list of 'name=value' or dict; sent as one cookie header 'a=1; b=2' (default: sometimes a session cookie for browsers)",
    "body": "str, bytes or JSON-able (sent as compact JSON); None for no body (default: a JSON object for POST/PUT/PATCH, else none)",
    "body_schema": "JSON Schema (dict or path of a .json file) the JSON body is generated from",
    "content_type": "Content-Type of the request (default: application/json, text/plain; charset=utf-8 or application/octet-stream from the body)",
    "binary_media_types": "the API's binaryMediaTypes; isBase64Encoded is true iff the content type matches one (default: ['application/octet-stream', 'image/*', 'multipart/form-data']; a new API has [])",
    "stage": "stage name (default: drawn from prod, Prod, dev, staging, v1, live, test)",
    "stage_variables": "dict of stage variables (default: none, i.e. null)",
    "authorizer": "None, 'cognito', 'lambda', 'iam', 'api_key', or a dict: {'claims': {...}} for Cognito, else a Lambda authorizer context (default: None)",
    "source_ip": "client IP: identity.sourceIp and the hop API Gateway appends to X-Forwarded-For (default: a drawn public IPv4)",
    "user_agent": "User-Agent header and identity.userAgent (default: drawn from a pool of real agents)",
    "operation_name": "the method's operationName (set in the API definition, e.g. 'ListItems'): requestContext.operationName (default: none, the key is absent)",
    "endpoint": "'regional' or 'edge' (edge adds CloudFront-* headers, Via, X-Amz-Cf-Id and the edge hop in X-Forwarded-For) (default: drawn, mostly regional)",
}

DEFAULT_BINARY_MEDIA_TYPES: Final = ("application/octet-stream", "image/*", "multipart/form-data")
_STAGES: Final = ("prod", "Prod", "dev", "staging", "v1", "live", "test", "prod")
_IDENTITY_KEYS: Final = (
    "accessKey",
    "accountId",
    "apiKey",
    "apiKeyId",
    "caller",
    "cognitoAuthenticationProvider",
    "cognitoAuthenticationType",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "principalOrgId",
    "sourceIp",
    "user",
    "userAgent",
    "userArn",
)
_EDGE_PREFIXES: Final = ("130.176", "64.252", "70.132", "54.239", "15.158", "54.182")
_LANGS: Final = ("en-US,en;q=0.9", "en-GB,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9")


def _binary_types(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)) and all(isinstance(t, str) and "/" in t for t in value):
        return tuple(t.lower() for t in value)
    raise InvalidEventSpec(
        f"binary_media_types={value!r}: expected a list of media types like 'image/png' or 'image/*'"
    )


@functools.lru_cache(maxsize=256)
def _is_binary(content_type: str | None, types: tuple[str, ...]) -> bool:
    """Whether the API passes a ``content_type`` body as base64 (a function of its arguments)."""
    mt = media_type(content_type)
    if not mt:
        return False
    return any(t == "*/*" or t == mt or (t.endswith("/*") and mt.startswith(t[:-1])) for t in types)


def _route(world: World, params: Mapping[str, Any]) -> tuple[str, str, dict[str, str] | None]:
    """(resource, raw path, pathParameters) from whichever of the three were given."""
    template = params.get("resource")
    path = quote_path(check_path(params["path"])) if params.get("path") is not None else None
    given = check_path_params(params.get("path_parameters"))
    if template is None:
        if path is not None and given:
            enc = {k: quote_segment(v, "/" in v) for k, v in given.items()}
            template = infer_template(path, enc, "path_parameters")
        elif path is not None:
            template = "/" if path == "/" else "/{proxy+}"
        else:
            template = template_for_params(world, list(given)) if given else draw_template(world)
    elif not isinstance(template, str):
        raise InvalidEventSpec(
            f"resource={template!r}: expected a template str like '/items/{{id}}'"
        )
    segs = parse_template(template, "resource")
    names = [t for k, t in segs if k] if given else []
    if given and set(given) - set(names):
        extra = ", ".join(sorted(set(given) - set(names)))
        raise InvalidEventSpec(
            f"path_parameters has {extra} but resource={template!r} only has {names or 'no parameters'}"
        )
    if path is None:
        values = {
            name: quote_segment(
                given[name] if given and name in given else draw_param_value(world, kind == 2),
                kind == 2,
            )
            for kind, name in segs
            if kind
        }
        return template, fill_template(segs, values), values or None
    found = match_template(segs, path)
    if found is None:
        raise InvalidEventSpec(f"path={path!r} does not match resource={template!r}")
    if given:
        for name, value in given.items():
            if quote_segment(value, "/" in value) != found[name]:
                raise InvalidEventSpec(
                    f"path_parameters[{name!r}]={value!r} but path={path!r} has {found[name]!r} "
                    f"there (resource={template!r})"
                )
    return template, path, found or None


@functools.lru_cache(maxsize=256)
def _canon(name: str) -> str:
    """``x-forwarded-for`` → ``X-Forwarded-For`` (a function of the name: cached)."""
    return "-".join(p[:1].upper() + p[1:] for p in name.split("-"))


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    if "method" in params:
        method = check_method(params["method"])
    elif "body_schema" in params or "body" in params:
        method = draw_method(world, "body_schema" in params or params["body"] is not None)
    else:
        method = draw_method(world, None)
    resource, path, path_params = _route(world, params)
    stage = (
        check_stage(params["stage"], allow_default=False)
        if "stage" in params
        else _STAGES[int(rng.random() * 8)]
    )
    endpoint = params.get("endpoint") or ("edge" if rng.random() < 0.25 else "regional")
    if endpoint not in ("regional", "edge"):
        raise InvalidEventSpec(f"endpoint={endpoint!r}: expected 'regional' or 'edge'")
    edge = endpoint == "edge"
    bmt = (
        _binary_types(params["binary_media_types"])
        if "binary_media_types" in params
        else DEFAULT_BINARY_MEDIA_TYPES
    )
    stage_vars = (
        check_dict_of_str(params["stage_variables"], "stage_variables")
        if params.get("stage_variables")
        else None
    )
    api_id = lower_alnum(rng, 10)
    domain = f"{api_id}.execute-api.{world.region}.amazonaws.com"
    now = world.now_ms
    request_ms = now - between(rng, 3, 59)
    source_ip = check_ip(params["source_ip"]) if params.get("source_ip") is not None else None
    body, implied_ct = prepare_body(world, params, method)
    operation = params.get("operation_name")
    if operation is not None and (not isinstance(operation, str) or not operation):
        raise InvalidEventSpec(
            f"operation_name={operation!r}: expected the method's operation name, a non-empty str "
            "such as 'ListItems'"
        )
    authorizer = params.get("authorizer")
    auth = v1_authorizer(world, authorizer, request_ms, now) if authorizer is not None else None

    user = header_pairs(params.get("headers"))
    user_h = Headers()
    for name, value in user:
        user_h.add(name, value)
    ua = one_value(params, "user_agent", user_h.first("user-agent"), "User-Agent")
    ct = one_value(params, "content_type", user_h.first("content-type"), "Content-Type")
    if ct is None and "content_type" not in params:
        ct = implied_ct
    if ua is None:  # a SigV4-signed request comes from an SDK or a tool, never a browser
        ua = signing_agent(rng) if authorizer == "iam" else world.user_agent()
    browser = ua.startswith("Mozilla/")

    # The client's headers: lower-case key → (name as sent, values); an edge-optimized API
    # receives them through CloudFront, in canonical case.
    h = Headers()
    d = h.d
    cased: Callable[[str], str] = _canon if edge else str
    d["accept"] = (
        cased("accept"),
        [
            "application/json, text/plain, */*"
            if browser
            else ("*/*", "application/json")[int(rng.random() * 2)]
        ],
    )
    d["accept-encoding"] = (
        cased("accept-encoding"),
        ["gzip, deflate, br" if browser else "gzip, deflate"],
    )
    if browser:
        d["accept-language"] = (cased("accept-language"), [_LANGS[int(rng.random() * 4)]])
        for k, v in browser_headers(ua, rng):
            d[k] = (cased(k), [v])
    if ct is not None:
        d["content-type"] = (cased("content-type"), [ct])
    if "cookies" in params:
        cookies = cookie_list(params["cookies"])
    elif browser and rng.random() < 0.3:
        cookies = [f"session={world.hex(32)}"] + (["theme=dark"] if rng.random() < 0.5 else [])
    else:
        cookies = []
    if auth is not None:
        for k, v in auth.headers:
            h.set_one(cased(k), v)
    for key, (uname, values) in user_h.d.items():
        if key == "cookie" and cookies:
            values = ["; ".join([*values, *cookies])]
        h.set(uname, *values)
    if cookies and user_h.get("cookie") is None:
        h.set_one(cased("cookie"), "; ".join(cookies))

    # What API Gateway adds (canonical case).
    ufirst = user_h.first1
    host = ufirst("host")
    if host is not None:
        domain = host
    xff = user_h.get("x-forwarded-for")
    hops = xff_hops(",".join(xff)) if xff else []
    if source_ip is None:
        source_ip = hops[-1] if hops else ipv4(rng)
    if not hops or hops[-1] != source_ip:
        hops.append(source_ip)
    d["host"] = ("Host", [domain])
    d["user-agent"] = ("User-Agent", [ua])
    d["x-amzn-trace-id"] = (
        "X-Amzn-Trace-Id",
        [ufirst("x-amzn-trace-id") or world.trace_header(request_ms)],
    )
    d["x-forwarded-port"] = ("X-Forwarded-Port", [ufirst("x-forwarded-port") or "443"])
    d["x-forwarded-proto"] = ("X-Forwarded-Proto", [ufirst("x-forwarded-proto") or "https"])
    if edge:
        hops.append(
            f"{_EDGE_PREFIXES[int(rng.random() * 6)]}.{int(rng.random() * 256)}.{between(rng, 1, 254)}"
        )
        mobile = "Mobile" in ua
        for k, v in (
            ("CloudFront-Forwarded-Proto", "https"),
            ("CloudFront-Is-Desktop-Viewer", str(not mobile).lower()),
            ("CloudFront-Is-Mobile-Viewer", str(mobile).lower()),
            ("CloudFront-Is-SmartTV-Viewer", "false"),
            ("CloudFront-Is-Tablet-Viewer", "false"),
            (
                "CloudFront-Viewer-Country",
                ("US", "DE", "GB", "FR", "JP", "BR", "IN", "CA")[int(rng.random() * 8)],
            ),
            ("Via", f"2.0 {world.hex(32)}.cloudfront.net (CloudFront)"),
            ("X-Amz-Cf-Id", _cf_id(world)),
        ):
            h.set_one(k, v)
    d["x-forwarded-for"] = ("X-Forwarded-For", [", ".join(hops)])
    d.pop("content-length", None)  # REST APIs drop it (§5.2 #14)

    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key in sorted(d):  # as h.sorted_items(), without the intermediate list
        hname, values = d[key]
        headers[hname] = values[-1]
        multi[hname] = values

    pairs = query_pairs(params["query"]) if "query" in params else draw_query(world, method)
    qs: dict[str, str] | None = None
    mqs: dict[str, list[str]] | None = None
    if pairs:
        mqs = {}
        for k, v in decode_pairs(pairs):
            mqs.setdefault(k, []).append(v)
        qs = {k: v[-1] for k, v in mqs.items()}

    identity: dict[str, Any] = dict.fromkeys(_IDENTITY_KEYS)
    if auth is None or "apiKey" not in auth.identity:
        del identity["apiKey"], identity["apiKeyId"]
    if auth is not None:
        identity.update(auth.identity)
    identity["sourceIp"] = source_ip
    identity["userAgent"] = ua

    rc: dict[str, Any] = {"accountId": world.account_id, "apiId": api_id}
    if auth is not None and auth.block is not None:
        rc["authorizer"] = auth.block
    rc.update(
        {
            "deploymentId": lower_alnum(rng, 6),
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "extendedRequestId": short_request_id(world),
            "httpMethod": method,
            "identity": identity,
            "path": f"/{stage}{path}" if host is None else path,
            "protocol": "HTTP/1.1",
            "requestId": world.uuid4(),
            "requestTime": clf_time(request_ms),
            "requestTimeEpoch": request_ms,
            "resourceId": lower_alnum(rng, 10 if resource == "/" else 6),
            "resourcePath": resource,
            "stage": stage,
        }
    )
    if operation is not None:
        rc["operationName"] = operation
    if body is None:
        body_out, b64 = None, False
    else:
        b64 = _is_binary(ct, bmt)
        body_out = encode_body(body, b64, ct)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": qs,
        "multiValueQueryStringParameters": mqs,
        "pathParameters": path_params,
        "stageVariables": stage_vars,
        "requestContext": rc,
        "body": body_out,
        "isBase64Encoded": b64,
    }


def _cf_id(world: World) -> str:
    import base64

    return base64.urlsafe_b64encode(world.rng.randbytes(40)).decode("ascii")
