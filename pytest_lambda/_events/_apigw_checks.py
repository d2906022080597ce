"""Helpers shared by the API Gateway kinds' ``derive`` and ``invariants``.

Identifier formats, the CLF time and X-Ray root rules, Host = domainName, the
route template ↔ path ↔ pathParameters rule and token times (auth_time ≤ iat ≤
request ≤ exp). ``run_steps`` runs derivations so that a malformed event (after
``validate=False`` overrides) skips what cannot be computed instead of raising.
"""

from __future__ import annotations

import calendar
import re
import time as _time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import unquote

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_common import fill_template, is_default_domain, parse_template, template_names
from ._apigw_http import find_header, trace_seconds
from ._overrides import Path
from ._world import clf_time

__all__ = [
    "API_ID",
    "SHORT_ID",
    "UUID4",
    "UUID_RFC4122",
    "Protected",
    "Step",
    "check_common",
    "check_template",
    "check_token_times",
    "java_seconds",
    "run_steps",
]

Protected = Callable[[Path], bool]
Step = Callable[[dict[str, Any], Protected], None]

UUID4: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# Any RFC 4122 UUID (versions 1-5, variant 10xx): REST request ids were version 1 until 2019.
UUID_RFC4122: Final = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
SHORT_ID: Final = re.compile(r"^[A-Za-z0-9+/_-]{15}=$")
API_ID: Final = re.compile(r"^[a-z0-9]{10}$")


def run_steps(steps: tuple[Step, ...], event: dict[str, Any], is_protected: Protected) -> None:
    """Run each derivation; one that meets a malformed event is skipped, never raised."""
    for step in steps:
        try:
            step(event, is_protected)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue


def java_seconds(text: object) -> int | None:
    """``Fri Jul 29 18:52:53 UTC 2016`` or ``1469814773`` → epoch seconds (None if neither)."""
    if not isinstance(text, str):
        return None
    if text.isdigit():
        return int(text)
    try:
        return calendar.timegm(_time.strptime(text, "%a %b %d %H:%M:%S UTC %Y"))
    except ValueError:
        return None


def check_token_times(out: list[str], where: str, claims: dict[str, Any], request_s: int) -> None:
    """auth_time ≤ iat ≤ request ≤ exp."""
    t = {k: java_seconds(claims.get(k)) for k in ("auth_time", "iat", "exp")}
    if t["auth_time"] is not None and t["iat"] is not None and t["auth_time"] > t["iat"]:
        out.append(f"{where}.auth_time is after its iat")
    if t["iat"] is not None and t["iat"] > request_s:
        out.append(
            f"{where}.iat ({claims['iat']!r}) is after the request ({request_s}): time flows forward"
        )
    if t["exp"] is not None and t["exp"] < request_s:
        out.append(
            f"{where}.exp ({claims['exp']!r}) is before the request: the authorizer rejects expired tokens"
        )


def check_template(out: list[str], template: str, path: str, pp: object, what: str) -> None:
    try:
        segs = parse_template(template, what)
    except InvalidEventSpec:
        out.append(f"{what} {template!r} is not a valid route template")
        return
    names = template_names(segs)
    if not names:
        if pp is not None:
            out.append(f"pathParameters is {pp!r} but {what} {template!r} has no parameters")
        return
    if not isinstance(pp, dict) or set(pp) != set(names):
        keys = sorted(pp) if isinstance(pp, dict) else pp
        out.append(
            f"pathParameters keys {keys} are not the parameters {names} of {what} {template!r}"
        )
    elif all(isinstance(v, str) for v in pp.values()) and unquote(
        fill_template(segs, pp)
    ) != unquote(path):
        out.append(
            f"{what} {template!r} filled with pathParameters gives {fill_template(segs, pp)!r}, not the path {path!r}"
        )


def check_common(
    out: list[str], rc: dict[str, Any], headers: object, epoch_key: str, time_key: str, where: str
) -> None:
    """Time text and trace root from the epoch; Host = domainName; domainPrefix."""
    ms = rc.get(epoch_key)
    if isinstance(ms, int) and not isinstance(ms, bool):
        if rc.get(time_key) != clf_time(ms):
            out.append(
                f"requestContext.{time_key} is {rc.get(time_key)!r} but {epoch_key} {ms} is {clf_time(ms)!r}"
            )
        trace = find_header(headers, "x-amzn-trace-id")
        secs = trace_seconds(trace)
        if secs is not None and secs != ms // 1000:
            out.append(
                f"{where} X-Amzn-Trace-Id root {secs:08x} is not the request's epoch seconds {ms // 1000:08x}"
            )
    domain = rc.get("domainName")
    host = find_header(headers, "host")
    if host is not None and isinstance(domain, str) and host != domain:
        out.append(f"the Host header is {host!r} but requestContext.domainName is {domain!r}")
    if isinstance(domain, str) and rc.get("domainPrefix") != domain.split(".", 1)[0]:
        out.append(
            f"requestContext.domainPrefix is {rc.get('domainPrefix')!r}, not the first label of {domain!r}"
        )
    api_id = rc.get("apiId")
    if isinstance(api_id, str) and not API_ID.match(api_id):
        out.append(f"requestContext.apiId {api_id!r} is not 10 lower-case letters and digits")
    elif is_default_domain(domain) and rc.get("domainPrefix") != api_id:
        out.append(
            f"requestContext.domainPrefix is {rc.get('domainPrefix')!r} but apiId is {api_id!r} on the default endpoint"
        )
