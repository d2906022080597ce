"""What the HTTP client receives: a handler's answer passed through its event's HTTP source.

``http_response(invocation)`` (``Invocation.http``) applies the rules of the source the event
came through (:mod:`pytest_lambda._runtime.http_source`), as AWS documents them
(docs/explanation/runner-parity.md, "The response as the HTTP client sees it"):

* REST API proxy integration (``apigw_v1``): the answer must be an object with an integer
  ``statusCode`` and only the keys ``statusCode``, ``headers``, ``multiValueHeaders``,
  ``body`` (a string), ``isBase64Encoded``; anything else, and a handler error, is
  ``502 {"message": "Internal server error"}``. Past the integration timeout (29 s) the
  client gets ``504 {"message": "Endpoint request timed out"}``.
* HTTP API payload 2.0 (``apigw_v2``) and Function URLs: an answer without ``statusCode`` is
  ``200``, ``content-type: application/json``, the whole answer (its JSON text) as the
  body; ``cookies`` become ``Set-Cookie`` headers. Errors: HTTP API ``500
  {"message":"Internal Server Error"}`` (``503 {"message":"Service Unavailable"}`` past its
  30 s timeout), Function URL ``502 Internal Server Error``.
* HTTP API payload 1.0 (``http_api_v1``): REST's response format, HTTP API's error answers.
* ALB: an integer ``statusCode``; the header field matching the target group's multi-value
  mode (``multiValueHeaders`` on, ``headers`` off); a string body; a response JSON of at
  most 1 MB. Anything else, a handler error or a timeout is ``502 Bad Gateway``.

``HttpResponse.gateway_error`` says why the source answered instead of the handler (None
when the handler's response was passed on). Cost: one pass over the response; no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core.errors import LambdaTestError
from pytest_lambda._runtime.http_source import HttpSource, alb_multi_value, http_source

if TYPE_CHECKING:
    from pytest_lambda._runtime.invocation import Invocation

__all__ = ["HttpHeaders", "HttpResponse", "NotAnHttpEvent", "http_response"]

REST_TIMEOUT_S: Final = 29.0
HTTP_API_TIMEOUT_S: Final = 30.0
ALB_MAX_RESPONSE: Final = 1024 * 1024
_REST_KEYS: Final = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
)
SOURCE_NAMES: Final[dict[str, str]] = {
    "apigw_v1": "API Gateway (REST API)",
    "http_api_v1": "API Gateway (HTTP API, payload 1.0)",
    "apigw_v2": "API Gateway (HTTP API)",
    "function_url": "the Function URL",
    "alb": "the load balancer",
}
_ALB_502: Final = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


class NotAnHttpEvent(LambdaTestError, TypeError):
    """``Invocation.http`` on an invocation whose event no HTTP source sends."""

    __module__ = "pytest_lambda"


class HttpHeaders(Mapping[str, str]):
    """Response headers, names case-insensitive, in order; a name may repeat (``Set-Cookie``).

    ``headers["x"]`` joins repeated values with ``", "`` (as httpx does); ``get_list("x")``
    gives each value; ``raw`` is the ``(name, value)`` pairs as sent.
    """

    __module__ = "pytest_lambda"

    def __init__(self, pairs: list[tuple[str, str]] | None = None) -> None:
        self.raw: tuple[tuple[str, str], ...] = tuple(pairs or ())

    def get_list(self, name: str) -> list[str]:
        """Every value of ``name`` (case-insensitive), in order; [] if absent."""
        low = name.lower()
        return [v for k, v in self.raw if k.lower() == low]

    def __getitem__(self, name: str) -> str:
        values = self.get_list(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, str] = {}
        for k, _ in self.raw:
            seen.setdefault(k.lower(), k)
        return iter(seen.values())

    def __len__(self) -> int:
        return len({k.lower() for k, _ in self.raw})

    def __repr__(self) -> str:
        return f"HttpHeaders({list(self.raw)!r})"


@dataclass(frozen=True)
class HttpResponse:
    """The HTTP response the client receives through ``source``.

    ``status_code``, ``headers`` (:class:`HttpHeaders`), ``content`` (the body bytes, base64
    decoded), ``text`` and ``json()`` as in requests/httpx; ``cookies`` are the ``Set-Cookie``
    values; ``gateway_error`` is why the source answered itself (None: the handler's answer).
    """

    __module__ = "pytest_lambda"
    status_code: int
    headers: HttpHeaders
    content: bytes
    source: HttpSource
    gateway_error: str | None = None
    multi_value: bool = field(default=False, repr=False)

    @property
    def text(self) -> str:
        """The body as text (UTF-8; undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    @property
    def cookies(self) -> list[str]:
        """The ``Set-Cookie`` header values, in order."""
        return self.headers.get_list("set-cookie")

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` if it is not JSON)."""
        return json.loads(self.content)


def _gateway(source: HttpSource, status: int, body: str, why: str, ctype: str) -> HttpResponse:
    return HttpResponse(status, HttpHeaders([("Content-Type", ctype)]), body.encode(), source, why)


def _failed(source: HttpSource, why: str) -> HttpResponse:
    """The source's answer to a handler error or a malformed response."""
    if source == "apigw_v1":
        return _gateway(
            source, 502, '{"message": "Internal server error"}', why, "application/json"
        )
    if source in ("apigw_v2", "http_api_v1"):
        return _gateway(source, 500, '{"message":"Internal Server Error"}', why, "application/json")
    if source == "function_url":
        return _gateway(source, 502, "Internal Server Error", why, "text/plain")
    return _gateway(source, 502, _ALB_502, why, "text/html")


def _timed_out(source: HttpSource, limit_s: float) -> HttpResponse | None:
    why = f"the integration timed out ({limit_s:g} s) before the handler answered"
    if source == "apigw_v1":
        return _gateway(
            source, 504, '{"message": "Endpoint request timed out"}', why, "application/json"
        )
    if source in ("apigw_v2", "http_api_v1"):
        return _gateway(source, 503, '{"message":"Service Unavailable"}', why, "application/json")
    return None  # ALB and Function URLs wait for the function's own timeout


def _status(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    return None


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class _Malformed(Exception):
    pass


def _single(headers: object, field_name: str) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise _Malformed(f"{field_name} is not an object")
    out = []
    for name, value in headers.items():
        text = _scalar(value)
        if text is None:
            raise _Malformed(f"{field_name}[{name!r}] is not a string: {value!r}")
        out.append((str(name), text))
    return out


def _multi(headers: object) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise _Malformed("multiValueHeaders is not an object")
    out = []
    for name, values in headers.items():
        if not isinstance(values, list):
            raise _Malformed(f"multiValueHeaders[{name!r}] is not a list: {values!r}")
        for value in values:
            text = _scalar(value)
            if text is None:
                raise _Malformed(f"multiValueHeaders[{name!r}] holds a non-string: {value!r}")
            out.append((str(name), text))
    return out


def _body(response: Mapping[str, Any]) -> bytes:
    body = response.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise _Malformed(f"body is not a string but {type(body).__name__}: {str(body)[:60]!r}")
    flag = response.get("isBase64Encoded", False)
    if not isinstance(flag, bool):
        raise _Malformed(f"isBase64Encoded is not a boolean: {flag!r}")
    if not flag:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise _Malformed("isBase64Encoded is true but body is not base64") from None


def _statuscode(response: Mapping[str, Any]) -> int:
    if "statusCode" not in response:
        raise _Malformed("statusCode is missing")
    status = _status(response["statusCode"])
    if status is None:
        raise _Malformed(f"statusCode is not an HTTP status number: {response['statusCode']!r}")
    return status


def _rest(response: Any, source: HttpSource) -> HttpResponse:
    if not isinstance(response, Mapping):
        raise _Malformed(f"the response is not a JSON object: {str(response)[:80]!r}")
    unknown = sorted(set(response) - _REST_KEYS)
    if unknown:
        raise _Malformed(f"unknown key{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))}")
    status = _statuscode(response)
    multi = _multi(response.get("multiValueHeaders"))
    overridden = {k.lower() for k, _ in multi}
    single = [
        (k, v)
        for k, v in _single(response.get("headers"), "headers")
        if k.lower() not in overridden
    ]
    pairs = single + multi
    if not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", "application/json"))
    return HttpResponse(status, HttpHeaders(pairs), _body(response), source)


def _v2(response: Any, body: bytes, source: HttpSource) -> HttpResponse:
    if not isinstance(response, Mapping) or "statusCode" not in response:
        headers = HttpHeaders([("Content-Type", "application/json")])
        return HttpResponse(200, headers, body, source)
    status = _statuscode(response)
    pairs = _single(response.get("headers"), "headers")
    cookies = response.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise _Malformed(f"cookies is not a list of strings: {cookies!r}")
        pairs += [("Set-Cookie", c) for c in cookies]
    return HttpResponse(status, HttpHeaders(pairs), _body(response), source)


def _alb(response: Any, multi_value: bool, size: int) -> HttpResponse:
    if size > ALB_MAX_RESPONSE:
        raise _Malformed(
            f"the response JSON is {size:,} bytes, over the 1 MB a Lambda target may send"
        )
    if not isinstance(response, Mapping):
        raise _Malformed(f"the response is not a JSON object: {str(response)[:80]!r}")
    status = _statuscode(response)
    mine, other = (
        ("multiValueHeaders", "headers") if multi_value else ("headers", "multiValueHeaders")
    )
    if other in response and mine not in response:
        mode = "on" if multi_value else "off"
        raise _Malformed(
            f"the target group has multi-value headers {mode}, so the response must use {mine}, not {other}"
        )
    pairs = _multi(response.get(mine)) if multi_value else _single(response.get(mine), mine)
    return HttpResponse(status, HttpHeaders(pairs), _body(response), "alb", None, multi_value)


def http_response(
    invocation: Invocation, *, integration_timeout: float | None = None
) -> HttpResponse:
    """What the HTTP client receives for ``invocation``; :class:`NotAnHttpEvent` if no HTTP
    source sends its event. ``integration_timeout`` (seconds) replaces the gateway's default
    (29 s REST, 30 s HTTP API)."""
    event: Any = None
    if invocation.event_payload:
        event = json.loads(invocation.event_payload)
    source = http_source(event)
    if source is None:
        raise NotAnHttpEvent(
            "Invocation.http: the event is not an HTTP request (API Gateway REST or HTTP API, "
            "ALB or Function URL), so no HTTP client received this response; read "
            "Invocation.response instead"
        )
    limit = integration_timeout
    if limit is None:
        limit = REST_TIMEOUT_S if source == "apigw_v1" else HTTP_API_TIMEOUT_S
    if invocation.duration_ms >= limit * 1000:  # a timed-out handler ran its whole timeout
        answer = _timed_out(source, limit)
        if answer is not None:
            return answer
    error = invocation.error
    if error is not None:
        what = "timed out" if invocation.timed_out else f"failed ({error.type}: {error.message})"
        return _failed(source, f"the handler {what}")
    try:
        if source in ("apigw_v1", "http_api_v1"):
            return _rest(invocation.response, source)
        if source in ("apigw_v2", "function_url"):
            return _v2(invocation.response, invocation.body, source)
        assert isinstance(event, Mapping)
        return _alb(invocation.response, alb_multi_value(event), len(invocation.body))
    except _Malformed as exc:
        return _failed(source, f"malformed response for {SOURCE_NAMES[source]}: {exc}")
