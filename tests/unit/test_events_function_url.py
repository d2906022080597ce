"""Lambda Function URL events (issue 18 part 3): payload 2.0 with the URL's own requestContext,
IAM auth, the invariants, detection apart from HTTP APIs, and Powertools' LambdaFunctionUrlModel."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import LambdaFunctionUrlModel

from pytest_lambda import InvalidEventSpec, events

VARIANTS: list[dict[str, Any]] = [
    {},
    {"auth": "iam"},
    {"method": "POST", "body": b"\x00\xff"},
    {"method": "GET", "query": "a=1&a=2&b=%20x"},
    {"cookies": ["a=1", "b=2"]},
    {
        "body_schema": {
            "type": "object",
            "properties": {"n": {"type": "integer"}},
            "required": ["n"],
        }
    },
]


@pytest.mark.parametrize("params", VARIANTS, ids=lambda p: ",".join(p) or "default")
def test_every_variant_validates_keeps_invariants_parses_with_powertools(
    params: dict[str, Any],
) -> None:
    for seed in range(120):
        event = events.function_url(seed=seed, **params)
        assert events.validate(event, invariants=True) == "function_url"
        assert events.detect(event) == "function_url"
        model = LambdaFunctionUrlModel(**event)
        assert model.requestContext.domainName == event["requestContext"]["domainName"]


def test_url_fields_differ_from_an_http_api_where_aws_differs() -> None:
    event = events.function_url(seed=7, region="eu-west-1", path="/orders/1")
    rc = event["requestContext"]
    url_id = rc["apiId"]
    assert re.fullmatch(r"[a-z0-9]{32}", url_id)
    assert rc["domainName"] == f"{url_id}.lambda-url.eu-west-1.on.aws" == event["headers"]["host"]
    assert rc["domainPrefix"] == url_id
    assert event["routeKey"] == rc["routeKey"] == rc["stage"] == "$default"
    assert event["rawPath"] == rc["http"]["path"] == "/orders/1"  # no stage prefix
    assert "pathParameters" not in event
    assert "stageVariables" not in event
    assert uuid.UUID(rc["requestId"]).version == 4


def test_iam_auth_names_the_signed_caller() -> None:
    event = events.function_url(seed=2, auth="iam")
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] in event["headers"]["authorization"]
    assert "/lambda/aws4_request" in event["headers"]["authorization"]
    assert set(iam) == {
        "accessKey",
        "accountId",
        "callerId",
        "cognitoIdentity",
        "principalOrgId",
        "userArn",
        "userId",
    }
    assert "authorizer" not in events.function_url(seed=2)["requestContext"]


def test_bodies_text_base64_or_absent() -> None:
    get = events.function_url(seed=1, method="GET", body=None)
    assert "body" not in get
    assert get["isBase64Encoded"] is False
    binary = events.function_url(seed=1, method="PUT", body=b"\x00\xff")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\xff"
    text = events.function_url(seed=1, body={"a": 1})
    assert json.loads(text["body"]) == {"a": 1}
    assert text["isBase64Encoded"] is False


def test_query_decoded_with_comma_joined_repeats_and_cookies_split_out() -> None:
    event = events.function_url(seed=1, query="a=1&a=2&b=%20x", headers={"Cookie": "s=1; t=2"})
    assert event["rawQueryString"] == "a=1&a=2&b=%20x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": " x"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["cookie"] == "s=1; t=2"  # kept, unlike an HTTP API (2026 capture)


def test_overrides_recompute_time_query_and_domain() -> None:
    event = events.function_url(
        seed=1,
        overrides={"requestContext.timeEpoch": 1_700_000_000_000, "rawQueryString": "x=1",
                   "requestContext.domainName": "abc.lambda-url.us-east-1.on.aws"},
    )  # fmt: skip
    rc = event["requestContext"]
    assert rc["time"] == "14/Nov/2023:22:13:20 +0000"
    assert event["queryStringParameters"] == {"x": "1"}
    assert rc["apiId"] == rc["domainPrefix"] == "abc"
    assert event["headers"]["host"] == rc["domainName"]
    assert events.check_invariants(event) == []


def test_invariant_messages() -> None:
    event = events.function_url(seed=1)
    event["routeKey"] = "GET /x"
    event["requestContext"]["requestId"] = "id"
    event["pathParameters"] = {"id": "1"}
    assert events.check_invariants(event, "function_url") == [
        "routeKey is 'GET /x': a Function URL always sends the placeholder '$default'",
        "pathParameters is set: Function URLs have no pathParameters (null or absent)",
        "requestContext.requestId 'id' is not a UUID",
    ]


def test_bad_auth() -> None:
    with pytest.raises(InvalidEventSpec) as exc:
        events.function_url(auth="jwt")
    assert str(exc.value) == "auth='jwt': expected 'none' or 'iam' (AWS_IAM)"


def test_what_a_2026_capture_shows() -> None:
    """hotsock/voker vokerhttp/testdata/functionurl-request.json (commit 7e397613, captured from
    CloudWatch in 2026): rawPath '/capture/space%20value' but http.path '/capture/space value',
    accountId 'anonymous' with AuthType NONE, the cookie header kept next to the cookies array,
    x-amzn-tls-version/-cipher-suite headers."""
    event = events.function_url(
        seed=9, path="/capture/space%20value", cookies=["session=abc123", "theme=dark"]
    )
    assert event["rawPath"] == "/capture/space%20value"
    assert event["requestContext"]["http"]["path"] == "/capture/space value"
    assert event["requestContext"]["accountId"] == "anonymous"
    assert event["headers"]["cookie"] == "session=abc123; theme=dark"
    assert event["cookies"] == ["session=abc123", "theme=dark"]
    tls = {events.function_url(seed=s)["headers"]["x-amzn-tls-version"] for s in range(30)}
    assert tls == {"TLSv1.2", "TLSv1.3"}  # 2022 and 2026 captures
    assert events.function_url(seed=9, path="/a b/é")["rawPath"] == "/a%20b/%C3%A9"
    iam = events.function_url(seed=9, auth="iam", account_id="111122223333")
    assert iam["requestContext"]["accountId"] == "111122223333"


def test_raw_path_and_http_path_disagreeing_is_reported() -> None:
    event = events.function_url(seed=1, path="/a%20b")
    event["requestContext"]["http"]["path"] = "/a%20b"
    assert events.check_invariants(event) == [
        "requestContext.http.path '/a%20b' is not rawPath '/a%20b' decoded ('/a b')"
    ]
