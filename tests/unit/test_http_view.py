"""``Invocation.http``: the response as the HTTP client sees it, by each source's rules."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import LambdaClock, LambdaRunner, NotAnHttpEvent, events
from pytest_lambda._runtime.http_source import http_source

REAL = Path(__file__).parent.parent / "data" / "real"


def _real(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((REAL / name).read_text())
    return event


REST = events.generate("apigw_v1", seed=3)
HTTP_API = events.generate("apigw_v2", seed=3)
ALB = _real("alb/ptpy-albevent.json")
ALB_MV = _real("alb/ptpy-albmultivalueheadersevent.json")
URL = _real("lambda_url/ptpy-lambdafunctionurlevent.json")


def http(answer: Any, event: dict[str, Any], **kwargs: Any) -> Any:
    def handler(e: Any, c: Any) -> Any:
        if isinstance(answer, BaseException):
            raise answer
        return answer

    with LambdaRunner(handler, **kwargs) as runner:
        return runner.invoke(event).http


# -- which source ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "source"),
    [
        (REST, "apigw_v1"),
        (HTTP_API, "apigw_v2"),
        (ALB, "alb"),
        (ALB_MV, "alb"),
        (URL, "function_url"),
        (_real("lambda_url/go-lambda-urls-request.json"), "function_url"),
        ({**REST, "version": "1.0"}, "http_api_v1"),
        (events.generate("sqs", seed=1), None),
        ({**REST, "methodArn": "arn:aws:execute-api:..."}, None),
        ({"requestContext": {"connectionId": "x", "routeKey": "$connect"}}, None),
        ("text", None),
    ],
)
def test_the_source_is_told_from_the_event_shape(event: Any, source: str | None) -> None:
    assert http_source(event) == source


def test_a_non_http_event_has_no_http_view() -> None:
    with LambdaRunner(lambda e, c: {"statusCode": 200}) as runner:
        inv = runner.invoke(events.generate("sqs", seed=1))
    with pytest.raises(NotAnHttpEvent) as info:
        _ = inv.http
    assert str(info.value) == (
        "Invocation.http: the event is not an HTTP request (API Gateway REST or HTTP API, ALB "
        "or Function URL), so no HTTP client received this response; read Invocation.response "
        "instead"
    )
    assert isinstance(info.value, TypeError)


# -- REST API proxy integration ----------------------------------------------------------


def test_rest_passes_a_well_formed_response_on() -> None:
    resp = http(
        {
            "statusCode": 201,
            "headers": {"X-One": "1", "Set-Cookie": "lost=1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps({"id": 7}),
        },
        REST,
    )
    assert resp.gateway_error is None
    assert resp.status_code == 201
    assert resp.json() == {"id": 7}
    assert resp.text == '{"id": 7}'
    assert resp.cookies == ["a=1", "b=2"]  # multiValueHeaders wins over headers
    assert resp.headers["x-one"] == "1"
    assert resp.headers["set-cookie"] == "a=1, b=2"
    assert resp.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"body": "x"}, "statusCode is missing"),
        ({"statusCode": "abc", "body": "x"}, "statusCode is not an HTTP status number: 'abc'"),
        ({"statusCode": 200, "body": {"a": 1}}, "body is not a string but dict: \"{'a': 1}\""),
        ({"statusCode": 200, "cookies": ["a=1"]}, "unknown key 'cookies'"),
        ({"statusCode": 200, "headers": {"a": ["1"]}}, "headers['a'] is not a string: ['1']"),
        (
            {"statusCode": 200, "multiValueHeaders": {"a": "1"}},
            "multiValueHeaders['a'] is not a list: '1'",
        ),
        ("ok", "the response is not a JSON object: 'ok'"),
        (None, "the response is not a JSON object: 'None'"),
    ],
)
def test_rest_answers_502_to_a_malformed_proxy_response(answer: Any, why: str) -> None:
    resp = http(answer, REST)
    assert resp.status_code == 502
    assert resp.json() == {"message": "Internal server error"}
    assert resp.gateway_error == f"malformed response for API Gateway (REST API): {why}"


def test_rest_answers_502_to_a_handler_error() -> None:
    resp = http(KeyError("id"), REST)
    assert (resp.status_code, resp.text) == (502, '{"message": "Internal server error"}')
    assert resp.gateway_error == "the handler failed (KeyError: 'id')"


def test_rest_decodes_a_base64_body() -> None:
    png = b"\x89PNG\r\n\x1a\n"
    answer = {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": base64.b64encode(png).decode(),
        "isBase64Encoded": True,
    }
    resp = http(answer, REST)
    assert resp.content == png
    assert resp.headers["content-type"] == "image/png"
    bad = http({**answer, "body": "not base64!"}, REST)
    assert bad.status_code == 502
    assert bad.gateway_error is not None
    assert bad.gateway_error.endswith("isBase64Encoded is true but body is not base64")


@pytest.fixture
def clock() -> Iterator[LambdaClock]:
    with LambdaClock() as clock:
        clock.move_to("2026-11-22T10:00:00Z")
        yield clock


def _sleeper(seconds: float) -> Callable[[Any, Any], Any]:
    def handler(event: Any, context: Any) -> Any:
        time.sleep(seconds)
        return {"statusCode": 200, "body": "late"}

    return handler


def test_rest_times_out_after_29_seconds_with_504(clock: LambdaClock) -> None:
    with LambdaRunner(_sleeper(30), timeout=60, clock=clock) as runner:
        inv = runner.invoke(REST)
    assert inv.ok  # the function finished, but the gateway had given up
    resp = inv.http
    assert (resp.status_code, resp.json()) == (504, {"message": "Endpoint request timed out"})
    assert resp.gateway_error == "the integration timed out (29 s) before the handler answered"
    assert inv.http.status_code == 504
    from pytest_lambda._runtime.http_view import http_response

    assert http_response(inv, integration_timeout=45).status_code == 200


def test_a_function_timeout_below_the_gateways_is_a_function_error(clock: LambdaClock) -> None:
    with LambdaRunner(_sleeper(10), timeout=3, clock=clock) as runner:
        inv = runner.invoke(REST)
        v2 = runner.invoke(HTTP_API)
    assert inv.timed_out
    assert (inv.http.status_code, inv.http.gateway_error) == (502, "the handler timed out")
    assert (v2.http.status_code, v2.http.text) == (500, '{"message":"Internal Server Error"}')


# -- HTTP API payload 2.0 and Function URLs ------------------------------------------------


@pytest.mark.parametrize("event", [HTTP_API, URL], ids=["apigw_v2", "function_url"])
def test_a_response_without_status_code_is_200_json(event: dict[str, Any]) -> None:
    resp = http({"message": "hi", "body": "not the body"}, event)
    assert resp.gateway_error is None
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == {"message": "hi", "body": "not the body"}
    text = http("Hello, world!", event)
    assert (text.status_code, text.text) == (200, '"Hello, world!"')  # the JSON text


@pytest.mark.parametrize("event", [HTTP_API, URL], ids=["apigw_v2", "function_url"])
def test_cookies_become_set_cookie_headers(event: dict[str, Any]) -> None:
    resp = http(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain"},
            "cookies": ["a=1; Path=/", "b=2; Max-Age=60"],
            "body": "made",
        },
        event,
    )
    assert resp.status_code == 201
    assert resp.cookies == ["a=1; Path=/", "b=2; Max-Age=60"]
    assert resp.headers.get_list("Set-Cookie") == ["a=1; Path=/", "b=2; Max-Age=60"]
    assert resp.text == "made"


def test_http_api_and_function_url_errors() -> None:
    v2 = http(ValueError("boom"), HTTP_API)
    assert (v2.status_code, v2.text) == (500, '{"message":"Internal Server Error"}')
    url = http(ValueError("boom"), URL)
    assert (url.status_code, url.text) == (502, "Internal Server Error")
    bad = http({"statusCode": "x"}, HTTP_API)
    assert bad.status_code == 500
    assert bad.gateway_error == (
        "malformed response for API Gateway (HTTP API): statusCode is not an HTTP status number: 'x'"
    )


def test_http_api_times_out_after_30_seconds_with_503(clock: LambdaClock) -> None:
    with LambdaRunner(_sleeper(31), timeout=60, clock=clock) as runner:
        v2 = runner.invoke(HTTP_API).http
        url = runner.invoke(URL).http
    assert (v2.status_code, v2.json()) == (503, {"message": "Service Unavailable"})
    assert url.status_code == 200  # a Function URL waits for the function


def test_http_api_payload_1_0_uses_rest_format_and_http_api_errors() -> None:
    event = {**copy.deepcopy(REST), "version": "1.0"}
    assert http({"statusCode": 204}, event).status_code == 204
    resp = http({"body": "x"}, event)
    assert (resp.status_code, resp.text) == (500, '{"message":"Internal Server Error"}')


# -- ALB ------------------------------------------------------------------------------


def test_alb_single_value_mode_uses_headers() -> None:
    resp = http(
        {
            "statusCode": 200,
            "statusDescription": "200 OK",
            "headers": {"Set-cookie": "a=1"},
            "body": "hi",
        },
        ALB,
    )
    assert (resp.status_code, resp.text, resp.cookies) == (200, "hi", ["a=1"])
    assert not resp.multi_value


def test_alb_multi_value_mode_uses_multi_value_headers() -> None:
    answer = {"statusCode": 200, "multiValueHeaders": {"Set-cookie": ["a=1", "b=2"]}}
    resp = http(answer, ALB_MV)
    assert resp.cookies == ["a=1", "b=2"]
    assert resp.multi_value


@pytest.mark.parametrize(
    ("event", "answer", "why"),
    [
        (ALB_MV, {"statusCode": 200, "headers": {"a": "1"}},
         "the target group has multi-value headers on, so the response must use multiValueHeaders, not headers"),
        (ALB, {"statusCode": 200, "multiValueHeaders": {"a": ["1"]}},
         "the target group has multi-value headers off, so the response must use headers, not multiValueHeaders"),
        (ALB, {"body": "x"}, "statusCode is missing"),
        (ALB, {"statusCode": 200, "body": 5}, "body is not a string but int: '5'"),
        (ALB, {"statusCode": 200, "body": "x" * 1_100_000},
         "the response JSON is 1,100,031 bytes, over the 1 MB a Lambda target may send"),
    ],
)  # fmt: skip
def test_alb_answers_502_to_a_malformed_response(event: Any, answer: Any, why: str) -> None:
    resp = http(answer, event)
    assert resp.status_code == 502
    assert resp.headers["content-type"] == "text/html"
    assert "<title>502 Bad Gateway</title>" in resp.text
    assert resp.gateway_error == f"malformed response for the load balancer: {why}"


def test_alb_answers_502_to_an_error_and_a_timeout(clock: LambdaClock) -> None:
    assert http(RuntimeError("x"), ALB).status_code == 502
    with LambdaRunner(_sleeper(10), timeout=3, clock=clock) as runner:
        resp = runner.invoke(ALB).http
    assert (resp.status_code, resp.gateway_error) == (502, "the handler timed out")


def test_runtime_isolation_gives_the_same_view(tmp_path: Path) -> None:
    pytest.importorskip("awslambdaric")
    (tmp_path / "web.py").write_text(
        "def handler(e, c):\n    return {'statusCode': 200, 'cookies': ['a=1'], 'body': 'hi'}\n"
    )
    with LambdaRunner("web.handler", root=str(tmp_path), isolation="runtime") as runner:
        v2 = runner.invoke(HTTP_API).http
        rest = runner.invoke(REST).http
    assert (v2.status_code, v2.cookies, v2.text) == (200, ["a=1"], "hi")
    assert rest.status_code == 502  # REST has no cookies key
    assert (
        rest.gateway_error == "malformed response for API Gateway (REST API): unknown key 'cookies'"
    )
