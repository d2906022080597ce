"""Lambda Function URL events, docs/internals/event-spec.md §12.

A Function URL sends the HTTP API payload 2.0 shape with what AWS fixes for URLs:
``routeKey`` and ``requestContext.routeKey``/``stage`` are the placeholder
``"$default"``, there are no ``pathParameters`` or ``stageVariables``, ``rawPath`` is
the request path as sent (percent-encoding kept, no stage prefix) while
``requestContext.http.path`` is it decoded, ``domainName`` is
``<url-id>.lambda-url.<region>.on.aws`` with the 32-character url id as ``apiId`` and
``domainPrefix``, ``requestId`` is a UUID, ``accountId`` is ``"anonymous"`` for
``AuthType=NONE``, and with ``AWS_IAM`` ``requestContext.authorizer.iam`` names the
signed caller. A request without a body has no ``body`` key and ``isBase64Encoded``
false; a body is base64 unless its content type is text. The ``cookie`` header stays
in ``headers`` and is also split into ``cookies``; ``x-amzn-tls-version`` and
``x-amzn-tls-cipher-suite`` name the client's TLS session (a 2026 capture, see
docs/internals/event-spec.md §12).

Independent: method, path, query pairs, headers, cookies, body, auth, client IP, time;
dependent: ``queryStringParameters`` (decoded, repeats joined by ","), ``http``,
``host`` = ``domainName``, ``x-forwarded-for``'s last hop = ``sourceIp``, the CLF
``time`` and X-Ray root from ``timeEpoch``. Cost: one event in about 25 µs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import unquote

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_auth import v2_authorizer
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
    Headers,
    b64_ok,
    check_ip,
    cookie_list,
    decode_pairs,
    draw_query,
    encode_body,
    find_header,
    header_pairs,
    is_text_type,
    one_value,
    parse_raw_query,
    prepare_body,
    query_pairs,
    raw_query_string,
    trace_seconds,
    with_trace_seconds,
    xff_hops,
)
from ._fastdraw import ipv4, lower_alnum
from ._world import World, clf_time

__all__ = ["PARAMS", "URL_DOMAIN_RE", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "method": "HTTP method (default: drawn; POST/PUT/PATCH when a body is given)",
    "path": "request path as the client sent it: rawPath keeps its percent-encoding, requestContext.http.path is it decoded (default: drawn)",
    "query": "dict (values may be lists), list of (name, value) pairs or a raw query string; queryStringParameters decodes it and joins repeats with ',' (default: drawn, often none)",
    "headers": "dict (list values = repeated header) or list of (name, value) pairs; names are lower-cased and repeats joined with ',' (default: realistic client headers)",
    "cookies": "list of 'name=value' or dict: the cookie header and the cookies array (default: sometimes a session cookie for browsers)",
    "body": "str, bytes or JSON-able (sent as compact JSON); None for no body (default: a JSON object for POST/PUT/PATCH, else none)",
    "body_schema": "JSON Schema (dict or path of a .json file) the JSON body is generated from",
    "content_type": "Content-Type of the request; body is base64 unless it is text/*, application/json, application/xml or application/javascript (default: from the body)",
    "auth": "the URL's AuthType: 'none' (NONE: accountId 'anonymous') or 'iam' (AWS_IAM: requestContext.authorizer.iam and SigV4 headers) (default: 'none')",
    "source_ip": "client IP: requestContext.http.sourceIp and the last hop of x-forwarded-for (default: a drawn public IPv4)",
    "user_agent": "user-agent header and requestContext.http.userAgent (default: drawn from a pool of real agents)",
}

#: ``<url-id>.lambda-url.<region>.on.aws``; 2021 preview URLs ended in ``.amazonaws.com``.
URL_DOMAIN_RE: Final = re.compile(
    r"^([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.(?:on\.aws|amazonaws\.com)$"
)
_RC: Final = "requestContext"
#: (x-amzn-tls-version, x-amzn-tls-cipher-suite) pairs seen in captures (2022: TLSv1.2, 2026: 1.3).
_TLS: Final = (
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
)


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    rng = world.rng
    auth_type = params.get("auth", "none")
    if auth_type not in ("none", "iam"):
        raise InvalidEventSpec(f"auth={auth_type!r}: expected 'none' or 'iam' (AWS_IAM)")
    method = check_method(params["method"]) if "method" in params else None
    if method is None:
        has_body = "body" in params or "body_schema" in params
        method = draw_method(
            world, ("body_schema" in params or params["body"] is not None) if has_body else None
        )
    if params.get("path") is not None:
        path = quote_path(check_path(params["path"]))
    else:
        segs = parse_template(draw_template(world), "path")
        path = fill_template(segs, {n: draw_param_value(world, k == 2) for k, n in segs if k})
        path = quote_path(path)
    url_id = lower_alnum(rng, 32)
    domain = f"{url_id}.lambda-url.{world.region}.on.aws"
    request_ms = world.now_ms - rng.randrange(3, 60)
    body, implied_ct = prepare_body(world, params, method)
    auth = v2_authorizer(world, "iam", request_ms) if auth_type == "iam" else None

    user_h = Headers()
    for hname, value in header_pairs(params.get("headers")):
        user_h.add(hname.lower(), value)
    ufirst = user_h.first1  # user_h's keys are lower case
    ua = one_value(params, "user_agent", ufirst("user-agent"), "user-agent")
    ct = one_value(params, "content_type", ufirst("content-type"), "content-type")
    if ct is None and "content_type" not in params:
        ct = implied_ct
    ua = ua if ua is not None else world.user_agent()
    browser = ua.startswith("Mozilla/")
    source_ip = check_ip(params["source_ip"]) if params.get("source_ip") is not None else None
    # Function URLs lower-case header names: key and name are the same (set directly, as set1)
    h = Headers()
    d = h.d
    d["accept"] = ("accept", ["text/html,application/xhtml+xml,*/*;q=0.8" if browser else "*/*"])
    d["accept-encoding"] = (
        "accept-encoding",
        ["gzip, deflate, br" if browser else "gzip, deflate"],
    )
    if browser:
        d["accept-language"] = ("accept-language", ["en-US,en;q=0.9"])
    if body is not None:
        size = len(body if isinstance(body, bytes) else body.encode("utf-8"))
        d["content-length"] = ("content-length", [str(size)])
    if ct is not None:
        d["content-type"] = ("content-type", [ct])
    for k, v in auth.headers if auth is not None else ():
        h.set_one(k, v.replace("/execute-api/", "/lambda/"))  # SigV4 scope: the lambda service
    for key, (_, values) in user_h.d.items():
        h.set(key, *values)
    if "cookies" in params:
        extra = cookie_list(params["cookies"])
    elif browser and "cookie" not in user_h.d and rng.random() < 0.3:
        extra = [f"session={world.hex(32)}"]
    else:
        extra = []
    cookie = d.pop("cookie", None)
    cookies = [c.strip() for v in cookie[1] for c in v.split(";") if c.strip()] if cookie else []
    cookies += extra
    if cookies:
        d["cookie"] = ("cookie", ["; ".join(cookies)])
    xff = user_h.d.get("x-forwarded-for")
    hops = xff_hops(",".join(xff[1])) if xff else []
    if source_ip is None:
        source_ip = hops[-1] if hops else ipv4(rng)
    if not hops or hops[-1] != source_ip:
        hops.append(source_ip)
    d["host"] = ("host", [domain])
    d["user-agent"] = ("user-agent", [ua])
    tls_version, cipher = _TLS[rng.below(len(_TLS))]
    d["x-amzn-tls-cipher-suite"] = (
        "x-amzn-tls-cipher-suite",
        [ufirst("x-amzn-tls-cipher-suite") or cipher],
    )
    d["x-amzn-tls-version"] = ("x-amzn-tls-version", [ufirst("x-amzn-tls-version") or tls_version])
    d["x-amzn-trace-id"] = (
        "x-amzn-trace-id",
        [ufirst("x-amzn-trace-id") or world.trace_header(request_ms)],
    )
    d["x-forwarded-for"] = ("x-forwarded-for", [", ".join(hops)])
    d["x-forwarded-port"] = ("x-forwarded-port", ["443"])
    d["x-forwarded-proto"] = ("x-forwarded-proto", ["https"])

    if isinstance(params.get("query"), str):
        pairs = query_pairs(params["query"])
        raw_query = params["query"].removeprefix("?")
    else:
        pairs = query_pairs(params["query"]) if "query" in params else draw_query(world, method)
        raw_query = raw_query_string(pairs)
    binary = body is not None and not is_text_type(ct)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = {k: ",".join(vs) for k, (_, vs) in h.d.items()}
    if pairs:
        qsp: dict[str, str] = {}
        for k, v in decode_pairs(pairs):
            qsp[k] = f"{qsp[k]},{v}" if k in qsp else v
        event["queryStringParameters"] = qsp
    account = world.account_id if auth is not None else "anonymous"
    rc: dict[str, Any] = {"accountId": account, "apiId": url_id}
    if auth is not None:
        rc["authorizer"] = auth.block
    rc["domainName"] = domain
    rc["domainPrefix"] = url_id
    rc["http"] = {
        "method": method,
        "path": unquote(path),
        "protocol": "HTTP/1.1",
        "sourceIp": source_ip,
        "userAgent": ua,
    }
    rc["requestId"] = world.uuid4()  # str(uuid.UUID(int=<128 random bits>, version=4))
    rc["routeKey"] = "$default"
    rc["stage"] = "$default"
    rc["time"] = clf_time(request_ms)
    rc["timeEpoch"] = request_ms
    event[_RC] = rc
    if body is not None:
        event["body"] = encode_body(body, binary, ct)
    event["isBase64Encoded"] = binary
    return event


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def derive(event: dict[str, Any], is_protected: Callable[[str], bool]) -> None:
    """Recompute after overrides, unless set: ``queryStringParameters`` from
    ``rawQueryString``, ``http.path`` from ``rawPath`` (decoded), ``time`` and the X-Ray root from
    ``timeEpoch``, ``domainPrefix``/``apiId`` and ``host`` from ``domainName``."""
    rc = _obj(event.get(_RC))
    raw = event.get("rawQueryString")
    if isinstance(raw, str) and not is_protected("queryStringParameters"):
        qsp: dict[str, str] = {}
        for k, v in decode_pairs(parse_raw_query(raw)):
            qsp[k] = f"{qsp[k]},{v}" if k in qsp else v
        if qsp:
            event["queryStringParameters"] = qsp
        else:
            event.pop("queryStringParameters", None)
    http = _obj(rc.get("http"))
    if isinstance(event.get("rawPath"), str) and http and not is_protected(f"{_RC}.http.path"):
        http["path"] = unquote(event["rawPath"])
    epoch = rc.get("timeEpoch")
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        if not is_protected(f"{_RC}.time"):
            rc["time"] = clf_time(epoch)
        headers = _obj(event.get("headers"))
        trace = headers.get("x-amzn-trace-id")
        if isinstance(trace, str) and not is_protected("headers.x-amzn-trace-id"):
            headers["x-amzn-trace-id"] = with_trace_seconds(trace, epoch)
    domain = rc.get("domainName")
    if isinstance(domain, str) and (m := URL_DOMAIN_RE.match(domain)):
        for key in ("domainPrefix", "apiId"):
            if not is_protected(f"{_RC}.{key}"):
                rc[key] = m.group(1)
        headers = _obj(event.get("headers"))
        if "host" in headers and not is_protected("headers.host"):
            headers["host"] = domain


def invariants(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    rc = _obj(event.get(_RC))
    http = _obj(rc.get("http"))
    headers = _obj(event.get("headers"))
    for where, value in (("routeKey", event.get("routeKey")), (f"{_RC}.routeKey", rc.get("routeKey")), (f"{_RC}.stage", rc.get("stage"))):  # fmt: skip
        if value != "$default":
            out.append(
                f"{where} is {value!r}: a Function URL always sends the placeholder '$default'"
            )
    for key in ("pathParameters", "stageVariables"):
        if event.get(key) is not None:
            out.append(f"{key} is set: Function URLs have no {key} (null or absent)")
    domain = rc.get("domainName")
    m = URL_DOMAIN_RE.match(domain) if isinstance(domain, str) else None
    if m is None:
        out.append(f"{_RC}.domainName {domain!r} is not <url-id>.lambda-url.<region>.on.aws")
    else:
        for key in ("apiId", "domainPrefix"):
            if rc.get(key) != m.group(1):
                out.append(
                    f"{_RC}.{key} {rc.get(key)!r} is not the url id {m.group(1)!r} of domainName"
                )
        host = find_header(headers, "host")
        if host is not None and host != domain:
            out.append(f"host header {host!r} is not domainName {domain!r}")
    upper = [k for k in headers if k != k.lower()]
    if upper:
        out.append(
            f"header name {upper[0]!r} is not lower-case: Function URLs lower-case header names"
        )
    cookie = headers.get("cookie")
    if isinstance(cookie, str):
        split = [c.strip() for c in cookie.split(";") if c.strip()]
        if split != event.get("cookies"):
            out.append(
                f"cookies {event.get('cookies')!r} is not the cookie header {cookie!r} split on ';'"
            )
    if rc.get("accountId") != "anonymous" and not re.fullmatch(r"\d{12}", str(rc.get("accountId"))):
        out.append(
            f"{_RC}.accountId {rc.get('accountId')!r} is neither 'anonymous' (AuthType NONE) nor an account id"
        )
    raw = event.get("rawQueryString")
    if isinstance(raw, str):
        expected: dict[str, str] = {}
        for k, v in decode_pairs(parse_raw_query(raw)):
            expected[k] = f"{expected[k]},{v}" if k in expected else v
        if (event.get("queryStringParameters") or {}) != expected:
            out.append(
                "queryStringParameters is not rawQueryString decoded (repeats joined with ',')"
            )
    raw_path = event.get("rawPath")
    if isinstance(raw_path, str) and http.get("path") != unquote(raw_path):
        out.append(
            f"{_RC}.http.path {http.get('path')!r} is not rawPath {raw_path!r} decoded "
            f"({unquote(raw_path)!r})"
        )
    req = rc.get("requestId")
    try:
        uuid.UUID(str(req))
        if not re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", str(req)
        ):
            raise ValueError
    except ValueError:
        out.append(f"{_RC}.requestId {req!r} is not a UUID")
    epoch = rc.get("timeEpoch")
    if isinstance(epoch, int) and not isinstance(epoch, bool):
        if rc.get("time") != clf_time(epoch):
            out.append(
                f"{_RC}.time {rc.get('time')!r} is not timeEpoch {epoch} ({clf_time(epoch)!r})"
            )
        secs = trace_seconds(headers.get("x-amzn-trace-id"))
        if secs is not None and abs(secs - epoch // 1000) > 1:
            out.append("the X-Ray root time in x-amzn-trace-id is not timeEpoch's second")
    xff = headers.get("x-forwarded-for")
    if isinstance(xff, str) and xff_hops(xff) and xff_hops(xff)[-1] != http.get("sourceIp"):
        out.append(f"sourceIp {http.get('sourceIp')!r} is not the last x-forwarded-for hop {xff!r}")
    ua = find_header(headers, "user-agent")
    if ua is not None and http.get("userAgent") not in (None, ua):
        out.append("requestContext.http.userAgent is not the user-agent header")
    body = event.get("body")
    if "body" not in event or body is None:
        if event.get("isBase64Encoded") is True:
            out.append("isBase64Encoded is true for a request without a body")
    elif event.get("isBase64Encoded") is True and isinstance(body, str) and not b64_ok(body):
        out.append("isBase64Encoded is true but body is not valid base64")
    elif (
        event.get("isBase64Encoded") is False
        and (ct := find_header(headers, "content-type")) is not None
        and not is_text_type(ct)
        and body
    ):
        out.append(
            f"isBase64Encoded is false for a body of content type {ct!r}: "
            "Function URLs base64 a non-text body"
        )
    return out
