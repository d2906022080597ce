"""``invariants`` of REST API proxy events (payload 1.0), docs/internals/event-spec.md §5.2.

Only rules that real events always keep: header and query maps agree (last value
wins, null when empty), ``requestContext.path`` = ``/{stage}{path}`` on the default
endpoint, resource ↔ path ↔ pathParameters, CLF ``requestTime`` and the X-Ray root
from ``requestTimeEpoch``, Host = domainName, ``sourceIp`` is the client hop of
X-Forwarded-For, no Content-Length, base64 bodies, identifier formats, string
authorizer claims and context, token times.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from ._apigw_checks import SHORT_ID, UUID_RFC4122, check_common, check_template, check_token_times
from ._apigw_common import is_default_domain
from ._apigw_http import b64_ok, find_header, xff_hops

__all__ = ["invariants"]

_RESOURCE_ID: Final = re.compile(r"^(?:[a-z0-9]{6}|[a-z0-9]{10})$")
_RC: Final = "requestContext"
# 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID1_EPOCH: Final = 0x01B21DD213814000


def check_pair(out: list[str], event: dict[str, Any], single: str, multi: str) -> None:
    one, many = event.get(single), event.get(multi)
    if isinstance(one, dict) and isinstance(many, dict):
        if set(one) != set(many):
            only1, only2 = sorted(set(one) - set(many)), sorted(set(many) - set(one))
            out.append(
                f"{single} and {multi} have different keys (only in {single}: {only1}, only in {multi}: {only2})"
            )
        for k, v in one.items():
            values = many.get(k)
            if isinstance(values, list) and values and v != values[-1]:
                out.append(
                    f"{single}[{k!r}] is {v!r} but the last value of {multi}[{k!r}] is {values[-1]!r} (the last value wins)"
                )
    elif (one is None) != (many is None):
        out.append(
            f"{single} is {_kind(one)} but {multi} is {_kind(many)}: both are null or both objects"
        )


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def invariants(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    # Events older than November 2018 have neither multi-value map (a legacy shape the schema
    # accepts when both are absent); otherwise each map agrees with its single-value twin.
    if "multiValueHeaders" in event or "multiValueQueryStringParameters" in event:
        check_pair(out, event, "headers", "multiValueHeaders")
        check_pair(out, event, "queryStringParameters", "multiValueQueryStringParameters")
    for key in (
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
    ):
        if event.get(key) == {}:
            out.append(f"{key} is {{}} but API Gateway sends null when there are none")
    if "version" in event:
        out.append(
            "the event has a top-level 'version' key: REST API events have none (that is the "
            "HTTP API payload 1.0 shape, which is not supported: use payload 2.0, apigw_v2)"
        )
    rc = _obj(event.get(_RC))
    headers = event.get("headers")
    path, resource, stage = event.get("path"), event.get("resource"), rc.get("stage")
    domain = rc.get("domainName")
    if (
        is_default_domain(domain)
        and isinstance(stage, str)
        and stage != "$default"
        and isinstance(path, str)
        and rc.get("path") != f"/{stage}{path}"
    ):
        out.append(
            f"requestContext.path is {rc.get('path')!r} but '/' + stage + path is {f'/{stage}{path}'!r}"
        )
    if resource != rc.get("resourcePath"):
        out.append(
            f"resource is {resource!r} but requestContext.resourcePath is {rc.get('resourcePath')!r}"
        )
    if event.get("httpMethod") != rc.get("httpMethod"):
        out.append(
            f"httpMethod is {event.get('httpMethod')!r} but requestContext.httpMethod is {rc.get('httpMethod')!r}"
        )
    if isinstance(resource, str) and isinstance(path, str):
        check_template(out, resource, path, event.get("pathParameters"), "resource")
    check_common(out, rc, headers, "requestTimeEpoch", "requestTime", "headers")
    ident = _obj(rc.get("identity"))
    xff, sip = find_header(headers, "x-forwarded-for"), ident.get("sourceIp")
    if xff and isinstance(sip, str):
        hops = xff_hops(xff)
        edge = find_header(headers, "x-amz-cf-id") is not None and len(hops) >= 2
        expected = hops[-2] if edge else hops[-1]
        if sip != expected:
            out.append(
                f"requestContext.identity.sourceIp is {sip!r} but X-Forwarded-For {xff!r} has {expected!r} as the client hop"
            )
    ua = find_header(headers, "user-agent")
    if ua is not None and ident.get("userAgent") != ua:
        out.append(
            f"requestContext.identity.userAgent is {ident.get('userAgent')!r} but the User-Agent header is {ua!r}"
        )
    if find_header(headers, "content-length") is not None:
        out.append("headers hold Content-Length: REST API events never carry it")
    body, flag = event.get("body"), event.get("isBase64Encoded")
    if body is None and flag is True:
        out.append("isBase64Encoded is true but body is null")
    elif flag is True and isinstance(body, str) and not b64_ok(body):
        out.append("isBase64Encoded is true but body is not valid base64")
    _check_ids(out, rc)
    _check_authorizer(out, rc, ident)
    return out


def _check_ids(out: list[str], rc: dict[str, Any]) -> None:
    rid, ext, res = rc.get("requestId"), rc.get("extendedRequestId"), rc.get("resourceId")
    if isinstance(rid, str) and not UUID_RFC4122.match(rid):
        out.append(f"requestContext.requestId {rid!r} is not an RFC 4122 UUID")
    elif isinstance(rid, str) and rid[14] == "1" and isinstance(rc.get("requestTimeEpoch"), int):
        # A version-1 id (2018-2019 captures) embeds the request time, to the millisecond.
        ms = (uuid.UUID(rid).time - _UUID1_EPOCH) // 10_000
        if ms != rc["requestTimeEpoch"]:
            out.append(
                f"requestContext.requestId {rid!r} is a version-1 UUID of time {ms} ms "
                f"but requestTimeEpoch is {rc['requestTimeEpoch']}"
            )
    if isinstance(ext, str) and not SHORT_ID.match(ext):
        out.append(
            f"requestContext.extendedRequestId {ext!r} is not 15 base64url characters and '='"
        )
    if isinstance(res, str) and not _RESOURCE_ID.match(res):
        out.append(
            f"requestContext.resourceId {res!r} is not 6 (or 10, root) lower-case letters and digits"
        )


def _check_authorizer(out: list[str], rc: dict[str, Any], ident: dict[str, Any]) -> None:
    auth = rc.get("authorizer")
    ms = rc.get("requestTimeEpoch")
    if isinstance(auth, dict):
        claims = auth.get("claims")
        if isinstance(claims, dict):
            bad = sorted(k for k, v in claims.items() if not isinstance(v, str))
            if bad:
                out.append(
                    f"requestContext.authorizer.claims {bad} are not strings (Cognito claims are all strings)"
                )
            if isinstance(ms, int):
                check_token_times(out, "requestContext.authorizer.claims", claims, ms // 1000)
        elif "principalId" in auth:
            bad = sorted(
                k
                for k, v in auth.items()
                if k not in ("principalId", "integrationLatency")
                and v is not None
                and not isinstance(v, str)
            )
            if bad:
                out.append(
                    f"requestContext.authorizer context values {bad} are not strings (API Gateway stringifies them)"
                )
            if not isinstance(auth.get("integrationLatency", 0), int):
                out.append("requestContext.authorizer.integrationLatency is not an integer")
    arn, acct = ident.get("userArn"), ident.get("accountId")
    if (
        isinstance(arn, str)
        and arn.count(":") >= 5
        and isinstance(acct, str)
        and acct
        and arn.split(":")[4] != acct
    ):
        out.append(f"requestContext.identity.userArn {arn!r} is not in identity.accountId {acct!r}")
