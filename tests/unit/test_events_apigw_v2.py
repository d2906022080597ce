"""API Gateway HTTP API events (payload 2.0): schema, invariants (docs/internals/event-spec.md §6.2),
parameters, overrides, Powertools compatibility, AWS samples and the Appendix A vector."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model

from pytest_lambda import events
from pytest_lambda._core.errors import EventValidationError, InvalidEventSpec
from pytest_lambda._events._world import clf_time

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
SHORT_ID = re.compile(r"^[A-Za-z0-9_-]{15}=$")
COMBOS: list[dict[str, Any]] = [
    {},
    {"authorizer": "jwt", "method": "POST", "body": {"a": 1}, "cookies": ["s=1", "t=2"]},
    {"authorizer": "lambda", "query": [("a", "1"), ("a", "2"), ("q", "x y")]},
    {"authorizer": "iam", "body": b"\x89PNG"},
    {"stage": "dev", "route_key": "GET /items/{id}"},
    {"route_key": "ANY /{proxy+}", "headers": {"X-Probe": ["first", "second"]}},
    {
        "path": "/capture/space%20value",
        "content_type": "application/x-www-form-urlencoded",
        "body": "a=1",
    },
]


def gen(seed: int = 1, **params: Any) -> dict[str, Any]:
    return events.apigw_v2(seed=seed, **params)


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    event = events.apigw_v2(seed=4, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "apigw_v2")


# -- thousands of seeds ----------------------------------------------------------------------


def test_default_events_validate_and_keep_every_invariant_over_thousands_of_seeds() -> None:
    # Full schema validation of an API Gateway event costs ~0.5 ms; invariants ~0.05 ms.
    for seed in range(3000):
        event = gen(seed)
        if seed < 1200:
            assert events.validate(event, "apigw_v2") == "apigw_v2"
        assert events.check_invariants(event, "apigw_v2") == [], seed


@pytest.mark.parametrize("params", COMBOS[1:], ids=lambda p: "-".join(map(str, p)))
def test_parameter_combinations_validate_and_keep_invariants(params: dict[str, Any]) -> None:
    for seed in range(200):
        event = gen(seed, **params)
        events.validate(event, "apigw_v2")
        assert events.check_invariants(event, "apigw_v2") == [], (seed, params)


def test_powertools_parses_every_event_across_combinations() -> None:
    for params in COMBOS:
        for seed in range(150):
            APIGatewayProxyEventV2Model.model_validate(gen(seed, **params))


def test_detect_finds_the_kind() -> None:
    assert events.detect(gen(3)) == "apigw_v2"


# -- determinism and shape -------------------------------------------------------------------


def test_same_seed_and_params_give_identical_json() -> None:
    for params in COMBOS:
        assert json.dumps(gen(11, **params)) == json.dumps(gen(11, **params))


def test_different_seeds_give_different_events() -> None:
    assert len({json.dumps(gen(seed)) for seed in range(50)}) == 50


def test_keys_follow_the_real_order_and_optional_keys_are_absent_not_null() -> None:
    full = gen(2, method="POST", cookies=["a=1"], query="x=1", route_key="POST /a/{id}",
               stage_variables={"v": "1"}, authorizer="lambda")  # fmt: skip
    assert list(full) == [
        "version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers",
        "queryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
        "isBase64Encoded",
    ]  # fmt: skip
    assert list(full["requestContext"]) == [
        "accountId", "apiId", "authorizer", "domainName", "domainPrefix", "http", "requestId",
        "routeKey", "stage", "time", "timeEpoch",
    ]  # fmt: skip
    assert list(full["requestContext"]["http"]) == [
        "method",
        "path",
        "protocol",
        "sourceIp",
        "userAgent",
    ]
    bare = gen(2, method="GET", query=None, route_key="$default", user_agent="curl/8.7.1")
    for key in ("cookies", "queryStringParameters", "pathParameters", "stageVariables", "body"):
        assert key not in bare
    assert "authorizer" not in bare["requestContext"]
    assert bare["rawQueryString"] == ""
    assert bare["version"] == "2.0"
    for key in ("cookies", "pathParameters", "stageVariables"):
        assert any("omit the key" in p for p in broken({key: []}))


def test_defaults_draw_varied_routes_methods_and_stage_default() -> None:
    seen = [gen(seed) for seed in range(300)]
    assert {e["requestContext"]["http"]["method"] for e in seen} == {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
    }  # fmt: skip
    keys = {e["routeKey"] for e in seen}
    assert "$default" in keys
    assert any(k.startswith("ANY /") for k in keys)
    assert any(re.match(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /", k) for k in keys)
    assert {e["requestContext"]["stage"] for e in seen} == {"$default"}
    assert any("pathParameters" in e for e in seen)
    assert any("queryStringParameters" in e for e in seen)


# -- §6.2 invariants, one by one ------------------------------------------------------------


def test_header_names_are_lower_case_and_repeats_joined_with_a_bare_comma() -> None:
    event = gen(headers={"X-Voker-Probe": ["first", "second"], "Accept": "*/*"})
    assert event["headers"]["x-voker-probe"] == "first,second"
    assert event["headers"]["accept"] == "*/*"
    assert all(k == k.lower() for k in event["headers"])
    assert list(event["headers"]) == sorted(event["headers"])
    assert any("lower-case" in p for p in broken({"headers.X-Upper": "1"}))


def test_cookies_are_split_out_of_the_cookie_header_which_is_removed() -> None:
    event = gen(headers={"Cookie": "session=abc123; theme=dark"}, cookies={"extra": "1"})
    assert event["cookies"] == ["session=abc123", "theme=dark", "extra=1"]
    assert "cookie" not in event["headers"]
    assert gen(cookies=["a=1", "b=2"])["cookies"] == ["a=1", "b=2"]
    assert "cookies" not in gen(user_agent="curl/8.7.1")
    assert any("cookie header" in p for p in broken({"headers.cookie": "a=1"}))


def test_query_string_parameters_are_the_decoded_raw_query_with_comma_joins() -> None:
    raw = "repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b&encodedPlus=a%2Bb&empty="
    event = gen(query="?" + raw)
    assert event["rawQueryString"] == raw
    assert event["queryStringParameters"] == {
        "repeat": "one,two", "redirect": "https://example.com/a/b", "literalPlus": "a b",
        "encodedPlus": "a+b", "empty": "",
    }  # fmt: skip
    pairs = gen(query=[("q", "a b"), ("n", "1"), ("q", "c/d"), ("flag", None)])
    assert pairs["rawQueryString"] == "q=a+b&n=1&q=c%2Fd&flag"
    assert pairs["queryStringParameters"] == {"q": "a b,c/d", "n": "1", "flag": ""}
    listed = gen(query={"tag": ["x", "y"], "page": 2})
    assert listed["rawQueryString"] == "tag=x&tag=y&page=2"
    none = gen(query=None)
    assert none["rawQueryString"] == ""
    assert "queryStringParameters" not in none
    mismatch = {"queryStringParameters": {"a": "1"}, "rawQueryString": "a=2"}
    assert any("decoding rawQueryString" in p for p in broken(mismatch))
    assert any(
        "holds no parameters" in p
        for p in broken({"queryStringParameters.a": "1", "rawQueryString": ""})
    )


def test_http_path_is_raw_path_and_route_keys_and_methods_agree() -> None:
    for seed in range(100):
        event = gen(seed)
        rc = event["requestContext"]
        assert rc["http"]["path"] == event["rawPath"]
        assert rc["routeKey"] == event["routeKey"]
        method = event["routeKey"].split(" ")[0]
        if method not in ("$default", "ANY"):
            assert method == rc["http"]["method"]
        assert rc["http"]["protocol"] == "HTTP/1.1"
    assert gen(route_key="DELETE /items/{id}")["requestContext"]["http"]["method"] == "DELETE"
    assert any("http.path" in p for p in broken({"requestContext.http.path": "/other"}))
    assert any(
        "requestContext.routeKey" in p
        for p in broken({"requestContext.routeKey": "$default"}, route_key="GET /a")
    )
    assert any(
        "is for GET" in p
        for p in broken({"requestContext.http.method": "POST"}, route_key="GET /a")
    )


def test_raw_path_is_percent_decoded_as_http_apis_do() -> None:
    assert gen(path="/capture/space%20value")["rawPath"] == "/capture/space value"
    assert gen(path="/l/%CE%BB")["rawPath"] == "/l/λ"
    assert gen(path="/a%2Fb")["rawPath"] == "/a/b"
    assert gen(path="/cut%3Fhere")["rawPath"] == "/cut"
    with pytest.raises(InvalidEventSpec, match="%25"):
        gen(path="/100%25")
    with pytest.raises(InvalidEventSpec, match="cannot hold '\\?'"):
        gen(route_key="GET /q/{term}", path_parameters={"term": "a?b"})
    for seed in range(200):
        assert not set(gen(seed)["rawPath"]) & set("%?#")


def test_named_stage_prefixes_raw_path_but_not_the_route() -> None:
    event = gen(stage="dev", route_key="GET /items/{id}", path_parameters={"id": "42"})
    assert event["rawPath"] == "/dev/items/42"
    assert event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "42"}
    assert event["requestContext"]["stage"] == "dev"
    assert gen(stage="$default", path="/x")["rawPath"] == "/x"
    assert any(
        "stage prefix" in p
        for p in broken(
            {"rawPath": "/items/1", "requestContext.http.path": "/items/1"}, stage="dev"
        )
    )


def test_time_is_the_clf_form_of_the_epoch_and_the_real_capture_vector() -> None:
    for seed in range(100):
        rc = gen(seed)["requestContext"]
        assert rc["time"] == clf_time(rc["timeEpoch"])
    event = gen(overrides={"requestContext.timeEpoch": 1783711145766})
    assert event["requestContext"]["time"] == "10/Jul/2026:19:19:05 +0000"
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-6a5145a9-")
    assert (
        gen(overrides={"requestContext.timeEpoch": 1783711144836})["requestContext"]["time"]
        == "10/Jul/2026:19:19:04 +0000"
    )
    assert any("time" in p for p in broken({"requestContext.time": "12/Mar/2020:19:03:58 +0000"}))


def test_host_domain_prefix_source_ip_user_agent_and_forwarded_headers() -> None:
    for seed in range(50):
        event = gen(seed)
        rc, headers = event["requestContext"], event["headers"]
        assert headers["host"] == rc["domainName"]
        assert rc["domainPrefix"] == rc["domainName"].split(".")[0] == rc["apiId"]
        assert headers["x-forwarded-for"].split(", ")[-1] == rc["http"]["sourceIp"]
        assert headers["user-agent"] == rc["http"]["userAgent"]
        assert headers["x-forwarded-port"] == "443"
        assert headers["x-forwarded-proto"] == "https"
        seconds = rc["timeEpoch"] // 1000
        assert re.match(rf"^Root=1-{seconds:08x}-[0-9a-f]{{24}}$", headers["x-amzn-trace-id"])
    client = gen(source_ip="1.2.3.4", headers={"X-Forwarded-For": "10.0.0.1"})
    assert client["headers"]["x-forwarded-for"] == "10.0.0.1, 1.2.3.4"
    for overrides, needle in (
        (
            {
                "headers.host": "x.example.com",
                "requestContext.domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            },
            "Host header",
        ),
        ({"requestContext.domainPrefix": "zz"}, "domainPrefix"),
        (
            {"headers.x-forwarded-for": "8.8.8.8", "requestContext.http.sourceIp": "7.7.7.7"},
            "sourceIp",
        ),
        ({"headers.user-agent": "a", "requestContext.http.userAgent": "b"}, "userAgent"),
        ({"headers.x-forwarded-port": "80"}, "x-forwarded-port"),
        ({"headers.x-forwarded-proto": "http"}, "x-forwarded-proto"),
        ({"headers.x-amzn-trace-id": "Root=1-00000000-" + "0" * 24}, "X-Amzn-Trace-Id"),
    ):
        assert any(needle in p for p in broken(overrides)), overrides


def test_is_base64_encoded_is_false_only_for_text_types() -> None:
    # Issue 18: without a body, no body key and false, whatever the content type (every real
    # capture: tests/data/real/apigw_v2, e.g. go-apigw-v2-request-no-authorizer.json).
    for ct in (None, "application/octet-stream", "application/json"):
        get = gen(method="GET", body=None, user_agent="curl/8.7.1", content_type=ct)
        assert get["isBase64Encoded"] is False, ct
        assert "body" not in get
        assert events.check_invariants(get, "apigw_v2") == []
    for content_type in (
        "application/json",
        "text/plain; charset=utf-8",
        "application/xml",
        "application/javascript",
        "text/csv",
    ):
        event = gen(method="POST", body="<x/>", content_type=content_type)
        assert event["isBase64Encoded"] is False, content_type
        assert event["body"] == "<x/>"
    form = gen(method="POST", body="a=1&b=2", content_type="application/x-www-form-urlencoded")
    assert form["isBase64Encoded"] is True
    assert base64.b64decode(form["body"]) == b"a=1&b=2"
    binary = gen(method="PUT", body=b"\x89PNG\x00")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG\x00"
    as_json = gen(method="POST", body=b'{"a":1}', content_type="application/json")
    assert as_json["isBase64Encoded"] is False
    assert as_json["body"] == '{"a":1}'
    assert any(
        "isBase64Encoded is False" in p
        for p in broken(
            {"isBase64Encoded": False}, content_type="image/png", method="POST", body=b"x"
        )
    )
    assert any(
        "not valid base64" in p
        for p in broken({"body": "%%%"}, content_type="image/png", method="POST", body=b"x")
    )


def test_content_length_counts_body_bytes() -> None:
    event = gen(method="POST", body='{"unicode":"lambda-λ"}')
    assert event["headers"]["content-length"] == str(len('{"unicode":"lambda-λ"}'.encode()))
    assert gen(method="PUT", body=b"\x00" * 7)["headers"]["content-length"] == "7"
    assert gen(method="GET", body=None)["headers"]["content-length"] == "0"
    assert any(
        "content-length" in p
        for p in broken({"headers.content-length": "999"}, method="POST", body="abc")
    )


def test_path_parameters_are_exactly_the_route_parameters() -> None:
    event = gen(route_key="GET /users/{userId}/files/{path+}", path="/users/u1/files/a/b c.txt")
    assert event["pathParameters"] == {"userId": "u1", "path": "a/b c.txt"}
    drawn = gen(route_key="GET /orders/{orderId}")
    assert set(drawn["pathParameters"]) == {"orderId"}
    assert drawn["rawPath"] == f"/orders/{drawn['pathParameters']['orderId']}"
    assert "pathParameters" not in gen(route_key="$default")
    assert "pathParameters" not in gen(route_key="GET /plain")
    inferred = gen(path="/shops/42", path_parameters={"shopId": "42"})
    assert inferred["routeKey"].endswith(" /shops/{shopId}")
    assert any(
        "$default route" in p for p in broken({"pathParameters": {"x": "1"}}, route_key="$default")
    )
    assert any(
        "parameters" in p
        for p in broken(
            {"pathParameters": {"other": "1"}, "rawPath": "/a/1"}, route_key="GET /a/{id}"
        )
    )


def test_identifier_formats() -> None:
    for seed in range(100):
        rc = gen(seed)["requestContext"]
        assert SHORT_ID.match(rc["requestId"])
        assert re.match(r"^[a-z0-9]{10}$", rc["apiId"])
        assert re.match(r"^\d{12}$", rc["accountId"])
    assert any("requestId" in p for p in broken({"requestContext.requestId": "id"}))
    assert any("apiId" in p for p in broken({"requestContext.apiId": "api-id"}))


def test_time_flows_forward_to_the_invocation_time() -> None:
    for seed in range(50):
        epoch = gen(seed, time="2026-07-10T19:19:05Z")["requestContext"]["timeEpoch"]
        assert 1783711145000 - 60_000 < epoch <= 1783711145000


def test_region_and_account_drive_the_domain_and_owner() -> None:
    event = gen(region="ap-south-1", account_id="123456789012")
    assert event["requestContext"]["domainName"].endswith(".execute-api.ap-south-1.amazonaws.com")
    assert event["requestContext"]["accountId"] == "123456789012"


# -- authorizers -----------------------------------------------------------------------------


def test_jwt_claims_are_strings_with_arrays_bracketed_and_scopes_from_the_scope_claim() -> None:
    scoped = 0
    for seed in range(60):
        event = gen(seed, authorizer="jwt")
        jwt = event["requestContext"]["authorizer"]["jwt"]
        assert all(isinstance(v, str) for v in jwt["claims"].values())
        request_s = event["requestContext"]["timeEpoch"] // 1000
        assert int(jwt["claims"]["iat"]) <= request_s < int(jwt["claims"]["exp"])
        if jwt["scopes"] is None:
            assert "scope" not in jwt["claims"]
        else:
            scoped += 1
            assert jwt["scopes"] == jwt["claims"]["scope"].split()
        assert event["headers"]["authorization"].startswith("Bearer ey")
    assert 0 < scoped < 60
    given = gen(
        authorizer={"claims": {"groups": ["a", "b", "c"], "n": 5, "ok": False, "scope": "r w"}}
    )
    assert given["requestContext"]["authorizer"] == {
        "jwt": {
            "claims": {"groups": "[a b c]", "n": "5", "ok": "false", "scope": "r w"},
            "scopes": ["r", "w"],
        }
    }
    explicit = gen(authorizer={"jwt": {"claims": {"sub": "x"}, "scopes": None}})
    assert explicit["requestContext"]["authorizer"] == {
        "jwt": {"claims": {"sub": "x"}, "scopes": None}
    }
    assert any(
        "not strings" in p
        for p in broken({"requestContext.authorizer.jwt.claims.n": 1}, authorizer="jwt")
    )
    assert any(
        ".exp" in p
        for p in broken(
            {"requestContext.authorizer.jwt.claims.exp": "1000000000"}, authorizer="jwt"
        )
    )


def test_lambda_authorizer_context_keeps_json_types() -> None:
    event = gen(authorizer={"userId": "u1", "n": 3, "admin": True, "roles": ["a"]})
    assert event["requestContext"]["authorizer"] == {
        "lambda": {"userId": "u1", "n": 3, "admin": True, "roles": ["a"]}
    }
    drawn = gen(authorizer="lambda")["requestContext"]["authorizer"]["lambda"]
    assert isinstance(drawn["admin"], bool)
    assert isinstance(drawn["expiresAt"], int)


def test_iam_authorizer_block_and_signature() -> None:
    event = gen(authorizer="iam")
    iam = event["requestContext"]["authorizer"]["iam"]
    assert list(iam) == [
        "accessKey",
        "accountId",
        "callerId",
        "cognitoIdentity",
        "principalOrgId",
        "userArn",
        "userId",
    ]
    assert iam["accountId"] == event["requestContext"]["accountId"]
    assert iam["callerId"] == iam["userId"]
    assert iam["cognitoIdentity"] is None
    assert event["headers"]["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={iam['accessKey']}/"
    )
    assert re.match(r"^\d{8}T\d{6}Z$", event["headers"]["x-amz-date"])


# -- every parameter has an effect ---------------------------------------------------------

EFFECTS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = {
    "method": ({"method": "patch"}, lambda e: e["requestContext"]["http"]["method"] == "PATCH"),
    "path": ({"path": "/x/y"}, lambda e: e["rawPath"] == "/x/y" and e["routeKey"] == "$default"),
    "route_key": (
        {"route_key": "ANY /{proxy+}"},
        lambda e: e["routeKey"] == "ANY /{proxy+}" and "proxy" in e["pathParameters"],
    ),
    "path_parameters": (
        {"path_parameters": {"petId": "p1"}},
        lambda e: e["pathParameters"] == {"petId": "p1"} and e["rawPath"].endswith("/p1"),
    ),
    "query": ({"query": "a=1&a=2"}, lambda e: e["queryStringParameters"] == {"a": "1,2"}),
    "headers": ({"headers": {"X-Custom": "v"}}, lambda e: e["headers"]["x-custom"] == "v"),
    "cookies": ({"cookies": ["a=1"]}, lambda e: e["cookies"] == ["a=1"]),
    "body": (
        {"body": "hello"},
        lambda e: (
            e["body"] == "hello"
            and e["requestContext"]["http"]["method"] in ("POST", "PUT", "PATCH")
        ),
    ),
    "body_schema": (
        {"body_schema": {"type": "object", "required": ["n"], "properties": {"n": {"const": 7}}}},
        lambda e: json.loads(e["body"]) == {"n": 7},
    ),
    "content_type": (
        {"method": "POST", "content_type": "image/png", "body": "x"},
        lambda e: e["isBase64Encoded"] is True and e["headers"]["content-type"] == "image/png",
    ),
    "stage": (
        {"stage": "qa"},
        lambda e: e["requestContext"]["stage"] == "qa" and e["rawPath"].startswith("/qa/"),
    ),
    "stage_variables": (
        {"stage_variables": {"env": "qa"}},
        lambda e: e["stageVariables"] == {"env": "qa"},
    ),
    "authorizer": ({"authorizer": "iam"}, lambda e: "iam" in e["requestContext"]["authorizer"]),
    "source_ip": (
        {"source_ip": "2001:db8::1"},
        lambda e: e["requestContext"]["http"]["sourceIp"] == "2001:db8::1",
    ),
    "user_agent": ({"user_agent": "ua/1"}, lambda e: e["headers"]["user-agent"] == "ua/1"),
}


@pytest.mark.parametrize("name", sorted(EFFECTS))
def test_every_parameter_has_an_effect(name: str) -> None:
    params, check = EFFECTS[name]
    event = gen(9, **params)
    assert check(event), event
    events.validate(event, "apigw_v2")
    assert events.check_invariants(event, "apigw_v2") == []


def test_every_parameter_is_covered_by_an_effect_test() -> None:
    assert set(events.params("apigw_v2")) - set(events.COMMON_PARAMS) == set(EFFECTS)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"method": "FETCH"}, r"method='FETCH'"),
        ({"route_key": "GET items"}, r"route_key='GET items'"),
        ({"route_key": "FETCH /a"}, r"route_key='FETCH /a'"),
        ({"route_key": "GET /a/{id}x"}, r"whole"),
        ({"route_key": "GET /a", "method": "POST"}, r"method='POST' but route_key='GET /a'"),
        ({"route_key": "$default", "path_parameters": {"id": "1"}}, r"\$default route"),
        ({"route_key": "GET /a/{id}", "path_parameters": {"x": "1"}}, r"path_parameters has x"),
        ({"route_key": "GET /a/{id}", "path": "/b/1"}, r"does not match the route"),
        (
            {"route_key": "GET /a/{id}", "path": "/a/1", "path_parameters": {"id": "2"}},
            r"path_parameters\['id'\]",
        ),
        ({"route_key": "GET /a/{id}", "path_parameters": {"id": "x/y"}}, r"cannot hold '/'"),
        ({"path": "relative"}, r"path='relative'"),
        ({"path": "/a#frag"}, r"holds '#'"),
        ({"query": 3.5}, r"query=3.5"),
        ({"query": [("a",)]}, r"not a \(name, value\) pair"),
        ({"headers": ["x"]}, r"not a \(name, value\) pair"),
        ({"cookies": "a=1"}, r"cookies='a=1'"),
        ({"body": {1, 2}}, r"body="),
        ({"content_type": ["x"]}, r"content_type="),
        ({"user_agent": "a", "headers": {"User-Agent": "b"}}, r"user_agent='a'"),
        ({"stage": "bad stage"}, r"stage='bad stage'"),
        ({"stage_variables": "x"}, r"stage_variables="),
        ({"authorizer": "cognito"}, r"authorizer='cognito'"),
        ({"authorizer": {"scopes": "read"}}, r"authorizer\['scopes'\]"),
        ({"authorizer": {"lambda": 5}}, r"authorizer\['lambda'\]"),
        ({"source_ip": "300.1.1.1"}, r"source_ip='300.1.1.1'"),
        ({"time": "yesterday"}, r"time='yesterday'"),
    ],
)
def test_bad_parameters_raise_invalid_event_spec_naming_the_parameter(
    params: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidEventSpec, match=match):
        gen(**params)


def test_unknown_parameter_raises_type_error_listing_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"unexpected parameter\(s\) 'resource'.*route_key"):
        gen(resource="/x")
    with pytest.raises(TypeError, match=r"'endpoint'"):
        gen(endpoint="edge")


# -- overrides -------------------------------------------------------------------------------


def test_overrides_win_nested_and_dotted() -> None:
    event = gen(overrides={"requestContext": {"accountId": "111122223333"}, "headers.x-extra": "1"})
    assert event["requestContext"]["accountId"] == "111122223333"
    assert event["headers"]["x-extra"] == "1"


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"rawQueryString": "a=1&a=2"}, lambda e: e["queryStringParameters"] == {"a": "1,2"}),
        ({"rawQueryString": ""}, lambda e: "queryStringParameters" not in e),
        ({"queryStringParameters": {"k": "a b"}}, lambda e: e["rawQueryString"] == "z=1&k=a+b"),
        (
            {"routeKey": "ANY /items/{itemId}"},
            lambda e: (
                e["requestContext"]["routeKey"] == "ANY /items/{itemId}"
                and e["pathParameters"] == {"itemId": "42"}
            ),
        ),
        (
            {"rawPath": "/items/7"},
            lambda e: (
                e["requestContext"]["http"]["path"] == "/items/7"
                and e["pathParameters"] == {"id": "7"}
            ),
        ),
        (
            {"pathParameters.id": "9"},
            lambda e: (
                e["rawPath"] == "/items/9" and e["requestContext"]["http"]["path"] == "/items/9"
            ),
        ),
        (
            {"requestContext.timeEpoch": 1783711145766},
            lambda e: e["requestContext"]["time"] == "10/Jul/2026:19:19:05 +0000",
        ),
        (
            {"headers.host": "api.example.com"},
            lambda e: (
                e["requestContext"]["domainName"] == "api.example.com"
                and e["requestContext"]["domainPrefix"] == "api"
            ),
        ),
        (
            {"requestContext.http.sourceIp": "5.6.7.8"},
            lambda e: e["headers"]["x-forwarded-for"] == "5.6.7.8",
        ),
        (
            {"headers.user-agent": "ua/3"},
            lambda e: e["requestContext"]["http"]["userAgent"] == "ua/3",
        ),
        ({"body": "abcd"}, lambda e: e["headers"]["content-length"] == "4"),
        ({"body": events.DELETE}, lambda e: e["headers"]["content-length"] == "0"),
    ],
)
def test_dependent_fields_follow_overrides(
    overrides: dict[str, Any], check: Callable[[dict[str, Any]], bool]
) -> None:
    event = gen(7, overrides=overrides, route_key="POST /items/{id}", path="/items/42", body="xy",
                content_type="text/plain", query="z=1")  # fmt: skip
    assert check(event), event
    assert events.check_invariants(event, "apigw_v2") == []


def test_an_overridden_dependent_field_is_kept() -> None:
    event = gen(
        overrides={"rawQueryString": "a=1", "queryStringParameters": {"a": "x"}}, validate=False
    )
    assert event["rawQueryString"] == "a=1"
    assert event["queryStringParameters"] == {"a": "x"}


def test_validate_false_allows_malformed_events_and_derive_never_crashes() -> None:
    with pytest.raises(
        EventValidationError, match=r"apigw_v2 event invalid at requestContext\.time"
    ):
        gen(overrides={"requestContext.time": "12/Mar/2020:19:03:58+0000"})
    for overrides in (
        {"requestContext": events.DELETE},
        {"headers": None, "rawQueryString": 5},
        {"routeKey": 1, "rawPath": None},
        {"requestContext.timeEpoch": "soon", "requestContext.http": []},
        {"body": 5, "isBase64Encoded": "yes"},
    ):
        gen(overrides=overrides, validate=False)


# -- AWS samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("apigw_v2_*.json")), ids=lambda p: p.stem)
def test_aws_sample_events_validate(path: Path) -> None:
    event = json.loads(path.read_text("utf-8"))
    assert events.validate(event) == "apigw_v2"
    if "apigw_guide" not in path.stem:  # the doc's placeholders ("IP") are not addresses
        APIGatewayProxyEventV2Model.model_validate(event)


def test_invariants_accept_real_events_and_flag_the_doc_example() -> None:
    real = json.loads((SAMPLES / "apigw_v2_real_capture.json").read_text("utf-8"))
    assert events.check_invariants(real, "apigw_v2") == []
    # The Lambda guide's example says true for a request without a body; every real capture says
    # false (issue 18), and real captures outrank the documentation's examples.
    guide = json.loads((SAMPLES / "apigw_v2_lambda_guide.json").read_text("utf-8"))
    assert events.check_invariants(guide, "apigw_v2") == [
        "isBase64Encoded is true but the event has no body: HTTP APIs send false for a request "
        "without a body"
    ]
    no_body = {k: v for k, v in real.items() if k != "body"}
    assert events.check_invariants({**no_body, "isBase64Encoded": False}, "apigw_v2") == []
    doc = json.loads((SAMPLES / "apigw_v2_apigw_guide_payload.json").read_text("utf-8"))
    problems = events.check_invariants(doc, "apigw_v2")
    assert any("lower-case" in p for p in problems)


def test_schema_rejects_known_fixture_defects() -> None:
    real = json.loads((SAMPLES / "apigw_v2_real_capture.json").read_text("utf-8"))
    for mutate, where in (
        (
            lambda e: e["requestContext"].update(time="10/Jul/2026:19:19:05+0000"),
            "requestContext.time",
        ),
        (lambda e: e["requestContext"].update(timeEpoch=1583348638), "requestContext.timeEpoch"),
        (lambda e: e.update(pathParameters=None), "pathParameters"),
        (lambda e: e.update(cookies=None), "cookies"),
        (lambda e: e.update(rawQueryString="?a=1"), "rawQueryString"),
        (lambda e: e.update(routeKey="GET"), "routeKey"),
    ):
        event = json.loads(json.dumps(real))
        mutate(event)
        with pytest.raises(EventValidationError, match=re.escape(where)):
            events.validate(event, "apigw_v2")
