"""API Gateway REST proxy events (payload 1.0): schema, invariants (docs/internals/event-spec.md §5.2),
parameters, overrides, Powertools compatibility, AWS samples and the Appendix A vector."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from pytest_lambda import events
from pytest_lambda._core.errors import EventValidationError, InvalidEventSpec
from pytest_lambda._events._apigw_auth import java_date
from pytest_lambda._events._world import clf_time

SAMPLES = Path(__file__).parent.parent / "data" / "aws_samples"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SHORT_ID = re.compile(r"^[A-Za-z0-9_-]{15}=$")
JAVA_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$"
)
TOP_KEYS = [
    "resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
    "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext", "body",
    "isBase64Encoded",
]  # fmt: skip
COMBOS: list[dict[str, Any]] = [
    {},
    {"authorizer": "cognito", "endpoint": "edge"},
    {"authorizer": "lambda", "query": {"tag": ["a", "b"], "q": "x y"}},
    {"authorizer": "iam", "method": "PUT", "body": b"\x00\x01\xfe"},
    {"authorizer": "api_key", "cookies": {"s": "1"}, "stage": "dev"},
    {
        "resource": "/items/{id}",
        "headers": {"X-Probe": ["first", "second"]},
        "endpoint": "regional",
    },
    {"body": "plain text", "content_type": "text/plain", "binary_media_types": ["*/*"]},
]


def gen(seed: int = 1, **params: Any) -> dict[str, Any]:
    return events.apigw_v1(seed=seed, **params)


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    event = events.apigw_v1(seed=4, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "apigw_v1")


def header(event: dict[str, Any], name: str) -> str:
    found = [v for k, v in event["headers"].items() if k.lower() == name.lower()]
    assert len(found) == 1, (name, event["headers"])
    value: str = found[0]
    return value


# -- thousands of seeds ----------------------------------------------------------------------


def test_default_events_validate_and_keep_every_invariant_over_thousands_of_seeds() -> None:
    # Full schema validation of an API Gateway event costs ~0.5 ms; invariants ~0.05 ms.
    for seed in range(3000):
        event = gen(seed)
        if seed < 1200:
            assert events.validate(event, "apigw_v1") == "apigw_v1"
        assert events.check_invariants(event, "apigw_v1") == [], seed


@pytest.mark.parametrize("params", COMBOS[1:], ids=lambda p: "-".join(map(str, p)))
def test_parameter_combinations_validate_and_keep_invariants(params: dict[str, Any]) -> None:
    for seed in range(200):
        event = gen(seed, **params)
        events.validate(event, "apigw_v1")
        assert events.check_invariants(event, "apigw_v1") == [], (seed, params)


def test_powertools_parses_every_event_across_combinations() -> None:
    for params in COMBOS:
        for seed in range(150):
            APIGatewayProxyEventModel.model_validate(gen(seed, **params))


def test_detect_finds_the_kind() -> None:
    assert events.detect(gen(3)) == "apigw_v1"
    assert events.validate(gen(3)) == "apigw_v1"


# -- determinism and shape -------------------------------------------------------------------


def test_same_seed_and_params_give_identical_json() -> None:
    for params in COMBOS:
        assert json.dumps(gen(11, **params)) == json.dumps(gen(11, **params))


def test_different_seeds_give_different_events() -> None:
    dumps = {json.dumps(gen(seed)) for seed in range(50)}
    assert len(dumps) == 50


def test_keys_follow_the_real_order_and_there_is_no_version_key() -> None:
    event = gen(2, authorizer="lambda")
    assert list(event) == TOP_KEYS
    rc = event["requestContext"]
    assert list(rc) == [
        "accountId", "apiId", "authorizer", "deploymentId", "domainName", "domainPrefix", "extendedRequestId",
        "httpMethod", "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch",
        "resourceId", "resourcePath", "stage",
    ]  # fmt: skip
    assert "authorizer" not in gen(2)["requestContext"]


def test_defaults_draw_every_method_resource_shape_and_both_endpoints() -> None:
    seen = [gen(seed) for seed in range(400)]
    assert {e["httpMethod"] for e in seen} == {
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
    }
    resources = {e["resource"] for e in seen}
    assert {"/", "/{proxy+}"} <= resources
    assert any(e["pathParameters"] for e in seen)
    assert any(e["pathParameters"] is None for e in seen)
    assert any("X-Amz-Cf-Id" in e["headers"] for e in seen)
    assert any("X-Amz-Cf-Id" not in e["headers"] for e in seen)
    assert any(e["queryStringParameters"] for e in seen)


# -- §5.2 invariants, one by one ------------------------------------------------------------


def test_repeated_headers_last_value_wins_and_maps_share_keys() -> None:
    event = gen(headers={"X-Probe": ["first", "second"], "accept": "*/*"})
    assert event["multiValueHeaders"]["X-Probe"] == ["first", "second"]
    assert event["headers"]["X-Probe"] == "second"
    assert set(event["headers"]) == set(event["multiValueHeaders"])
    for k, values in event["multiValueHeaders"].items():
        assert event["headers"][k] == values[-1]
    both = {"headers.X-Probe": "first", "multiValueHeaders.X-Probe": ["first", "second"]}
    assert any(
        "last value wins" in p for p in broken(both, headers={"X-Probe": ["first", "second"]})
    )
    assert any(
        "different keys" in p
        for p in broken(
            {"headers.Accept": events.DELETE, "multiValueHeaders.Accept": ["1"]}, endpoint="edge"
        )
    )


def test_query_values_are_decoded_last_value_wins_like_the_real_capture() -> None:
    raw = "repeat=one&repeat=two&redirect=https%3A%2F%2Fexample.com%2Fa%2Fb&literalPlus=a+b&encodedPlus=a%2Bb&empty="
    event = gen(query=raw)
    assert event["multiValueQueryStringParameters"] == {
        "repeat": ["one", "two"], "redirect": ["https://example.com/a/b"], "literalPlus": ["a b"],
        "encodedPlus": ["a+b"], "empty": [""],
    }  # fmt: skip
    assert event["queryStringParameters"] == {
        "repeat": "two", "redirect": "https://example.com/a/b", "literalPlus": "a b",
        "encodedPlus": "a+b", "empty": "",
    }  # fmt: skip
    pairs = gen(query=[("x", "1"), ("y", "a b"), ("x", "3"), ("flag", None)])
    assert pairs["multiValueQueryStringParameters"] == {"x": ["1", "3"], "y": ["a b"], "flag": [""]}
    assert pairs["queryStringParameters"] == {"x": "3", "y": "a b", "flag": ""}
    assert gen(query={"n": 5, "v": [True, 1.5]})["multiValueQueryStringParameters"] == {
        "n": ["5"],
        "v": ["true", "1.5"],
    }


def test_no_query_no_path_parameters_no_stage_variables_are_null_not_empty() -> None:
    event = gen(query=None, resource="/orders")
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    assert gen(query={})["queryStringParameters"] is None
    problems = broken(
        {"queryStringParameters": {}, "multiValueQueryStringParameters": {}}, query=None
    )
    assert any("sends null" in p for p in problems)


def test_request_context_path_is_slash_stage_plus_path() -> None:
    event = gen(stage="live", path="/capture/space%20value")
    assert event["requestContext"]["path"] == "/live/capture/space%20value"
    assert event["requestContext"]["stage"] == "live"
    assert any("'/' + stage + path" in p for p in broken({"requestContext.path": "/capture"}))


def test_resource_equals_resource_path_and_method_equals_context_method() -> None:
    for seed in range(50):
        event = gen(seed)
        assert event["resource"] == event["requestContext"]["resourcePath"]
        assert event["httpMethod"] == event["requestContext"]["httpMethod"]
    assert any("resourcePath" in p for p in broken({"requestContext.resourcePath": "/x"}))
    assert any(
        "requestContext.httpMethod" in p
        for p in broken({"requestContext.httpMethod": "HEAD"}, method="GET")
    )


def test_resource_template_path_and_path_parameters_agree() -> None:
    built = gen(
        resource="/users/{userId}/orders/{orderId}", path_parameters={"userId": "u1", "orderId": 7}
    )
    assert built["path"] == "/users/u1/orders/7"
    assert built["pathParameters"] == {"userId": "u1", "orderId": "7"}
    extracted = gen(resource="/users/{userId}", path="/users/abc")
    assert extracted["pathParameters"] == {"userId": "abc"}
    proxy = gen(path="/capture/space%20value")
    assert proxy["resource"] == "/{proxy+}"
    assert proxy["pathParameters"] == {"proxy": "capture/space%20value"}
    assert gen(path="/")["resource"] == "/"
    assert gen(path="/")["pathParameters"] is None
    inferred = gen(path="/shops/42/items/9", path_parameters={"shopId": "42", "itemId": "9"})
    assert inferred["resource"] == "/shops/{shopId}/items/{itemId}"
    drawn = gen(resource="/files/{proxy+}")
    assert drawn["path"] == "/files/" + drawn["pathParameters"]["proxy"]
    assert any(
        "filled with pathParameters" in p
        for p in broken({"pathParameters": {"proxy": "zzz"}, "path": "/a"}, resource="/{proxy+}")
    )


def test_paths_keep_or_add_percent_encoding() -> None:
    assert gen(path="/a b/ü")["path"] == "/a%20b/%C3%BC"
    event = gen(resource="/names/{name}", path_parameters={"name": "john doe"})
    assert event["path"] == "/names/john%20doe"
    assert event["pathParameters"] == {"name": "john%20doe"}


def test_request_time_is_the_clf_form_of_the_epoch_with_a_space_before_the_zone() -> None:
    for seed in range(100):
        rc = gen(seed)["requestContext"]
        assert rc["requestTime"] == clf_time(rc["requestTimeEpoch"])
        assert rc["requestTime"].endswith(" +0000")
    assert any(
        "requestTime" in p
        for p in broken({"requestContext.requestTime": "10/Jul/2026:19:19:04+0000"})
    )


def test_appendix_a_vector_request_time_and_trace_root() -> None:
    event = gen(overrides={"requestContext.requestTimeEpoch": 1783711144836})
    assert event["requestContext"]["requestTime"] == "10/Jul/2026:19:19:04 +0000"
    assert header(event, "X-Amzn-Trace-Id").startswith("Root=1-6a5145a8-")
    assert clf_time(1783711144836) == "10/Jul/2026:19:19:04 +0000"
    real = json.loads((SAMPLES / "apigw_v1_real_capture.json").read_text("utf-8"))
    assert real["requestContext"]["requestTimeEpoch"] == 1783711144836
    assert events.check_invariants(real, "apigw_v1") == []


def test_host_is_the_domain_name_and_domain_prefix_its_first_label_and_api_id() -> None:
    for seed in range(50):
        event = gen(seed)
        rc = event["requestContext"]
        assert header(event, "Host") == rc["domainName"]
        assert (
            rc["domainName"]
            == f"{rc['apiId']}.execute-api.{event['requestContext']['domainName'].split('.')[2]}.amazonaws.com"
        )
        assert rc["domainPrefix"] == rc["domainName"].split(".")[0] == rc["apiId"]
    assert any(
        "Host header" in p
        for p in broken(
            {
                "headers.Host": "x.example.com",
                "multiValueHeaders.Host": ["x.example.com"],
                "requestContext.domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            }
        )
    )
    assert any("domainPrefix" in p for p in broken({"requestContext.domainPrefix": "other"}))


def test_region_param_drives_the_domain() -> None:
    assert gen(region="eu-west-1")["requestContext"]["domainName"].endswith(
        ".execute-api.eu-west-1.amazonaws.com"
    )


def test_trace_root_holds_the_request_epoch_seconds() -> None:
    for seed in range(100):
        event = gen(seed)
        seconds = event["requestContext"]["requestTimeEpoch"] // 1000
        assert re.match(rf"^Root=1-{seconds:08x}-[0-9a-f]{{24}}$", header(event, "X-Amzn-Trace-Id"))
    assert any(
        "X-Amzn-Trace-Id" in p
        for p in broken(
            {"multiValueHeaders.X-Amzn-Trace-Id": ["Root=1-00000000-" + "0" * 24]},
            endpoint="regional",
        )
    )


def test_regional_source_ip_is_x_forwarded_for() -> None:
    event = gen(endpoint="regional", source_ip="68.8.83.18")
    assert header(event, "X-Forwarded-For") == "68.8.83.18"
    assert event["requestContext"]["identity"]["sourceIp"] == "68.8.83.18"
    client = gen(endpoint="regional", source_ip="1.2.3.4", headers={"X-Forwarded-For": "10.0.0.1"})
    assert header(client, "X-Forwarded-For") == "10.0.0.1, 1.2.3.4"
    from_header = gen(endpoint="regional", headers={"X-Forwarded-For": "9.9.9.9"})
    assert from_header["requestContext"]["identity"]["sourceIp"] == "9.9.9.9"
    assert header(event, "X-Forwarded-Port") == "443"
    assert header(event, "X-Forwarded-Proto") == "https"
    assert any(
        "sourceIp" in p
        for p in broken(
            {
                "requestContext.identity.sourceIp": "7.7.7.7",
                "multiValueHeaders.X-Forwarded-For": ["8.8.8.8"],
            },
            endpoint="regional",
        )
    )


def test_edge_endpoint_adds_cloudfront_headers_and_the_edge_hop() -> None:
    event = gen(endpoint="edge", source_ip="68.8.83.18")
    hops = header(event, "X-Forwarded-For").split(", ")
    assert hops[0] == "68.8.83.18"
    assert len(hops) == 2
    assert re.match(r"^\d+\.\d+\.\d+\.\d+$", hops[1])
    assert re.match(r"^2\.0 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$", header(event, "Via"))
    cf_id = header(event, "X-Amz-Cf-Id")
    assert len(cf_id) == 56
    assert cf_id.endswith("==")
    assert header(event, "CloudFront-Forwarded-Proto") == "https"
    assert "CloudFront-Viewer-Country" in event["headers"]
    assert "Accept" in event["headers"]  # CloudFront forwards canonical names
    assert "X-Amz-Cf-Id" not in gen(endpoint="regional")["headers"]


def test_identity_user_agent_is_the_user_agent_header() -> None:
    event = gen(user_agent="curl/8.7.1")
    assert header(event, "User-Agent") == "curl/8.7.1"
    assert event["requestContext"]["identity"]["userAgent"] == "curl/8.7.1"
    assert gen(headers={"user-agent": "x/1"})["requestContext"]["identity"]["userAgent"] == "x/1"
    mismatch = {
        "requestContext.identity.userAgent": "other",
        "headers.User-Agent": "ua",
        "multiValueHeaders.User-Agent": ["ua"],
    }
    assert any("userAgent" in p for p in broken(mismatch))


def test_no_content_length_even_with_a_body_or_a_client_header() -> None:
    event = gen(method="POST", body={"a": 1}, headers={"Content-Length": "7"})
    assert not any(k.lower() == "content-length" for k in event["headers"])
    assert any("Content-Length" in p for p in broken({"headers.Content-Length": "3"}))


def test_is_base64_encoded_follows_binary_media_types() -> None:
    binary = gen(method="POST", body=b"\x00\x01\xff")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\x01\xff"
    assert header(binary, "content-type") == "application/octet-stream"
    text = gen(method="POST", body={"a": 1})
    assert text["isBase64Encoded"] is False
    assert text["body"] == '{"a":1}'
    image = gen(method="POST", body="xyz", content_type="image/png")
    assert image["isBase64Encoded"] is True
    assert base64.b64decode(image["body"]) == b"xyz"
    none_binary = gen(method="POST", body=b"utf-8 \xc3\xbc", binary_media_types=[])
    assert none_binary["isBase64Encoded"] is False
    assert none_binary["body"] == "utf-8 ü"
    everything = gen(method="POST", body={"a": 1}, binary_media_types=["*/*"])
    assert everything["isBase64Encoded"] is True
    get = gen(method="GET")
    assert get["body"] is None
    assert get["isBase64Encoded"] is False
    assert any("body is null" in p for p in broken({"isBase64Encoded": True}, method="GET"))
    assert any(
        "not valid base64" in p
        for p in broken({"isBase64Encoded": True, "body": "%%%"}, method="POST")
    )


def test_non_utf8_bytes_with_a_text_content_type_are_refused() -> None:
    with pytest.raises(
        InvalidEventSpec,
        match="API Gateway base64-encodes a body only when the API treats its type",
    ):
        gen(method="POST", body=b"\xff\xfe", binary_media_types=[])


def test_identifier_formats() -> None:
    for seed in range(100):
        rc = gen(seed)["requestContext"]
        assert UUID4.match(rc["requestId"])
        assert SHORT_ID.match(rc["extendedRequestId"])
        assert re.match(r"^[a-z0-9]{10}$", rc["apiId"])
        assert re.match(
            r"^[a-z0-9]{10}$" if rc["resourcePath"] == "/" else r"^[a-z0-9]{6}$", rc["resourceId"]
        )
        assert rc["protocol"] == "HTTP/1.1"
        assert re.match(r"^\d{12}$", rc["accountId"])
    assert gen(resource="/")["requestContext"]["resourceId"].isalnum()
    for key, value in (("requestId", "77375676-xmpl-4b79-853a-f982474efe18"), ("extendedRequestId", "request-id"),
                       ("apiId", "id"), ("resourceId", "ABC")):  # fmt: skip
        assert any(key in p for p in broken({f"requestContext.{key}": value})), key


def test_time_flows_forward_to_the_invocation_time() -> None:
    for seed in range(50):
        event = gen(seed, time="2026-07-10T19:19:05Z")
        epoch = event["requestContext"]["requestTimeEpoch"]
        assert 1783711145000 - 60_000 < epoch <= 1783711145000


def test_account_id_param_is_the_api_owner() -> None:
    assert gen(account_id="123456789012")["requestContext"]["accountId"] == "123456789012"


# -- authorizers -----------------------------------------------------------------------------


def test_cognito_claims_are_strings_with_java_dates_and_times_flow_forward() -> None:
    for seed in range(50):
        event = gen(seed, authorizer="cognito")
        claims = event["requestContext"]["authorizer"]["claims"]
        assert all(isinstance(v, str) for v in claims.values())
        assert JAVA_DATE.match(claims["exp"])
        assert JAVA_DATE.match(claims["iat"])
        assert claims["email_verified"] == "true"
        assert claims["token_use"] == "id"
        assert claims["iss"].startswith(
            f"https://cognito-idp.{claims['iss'].split('.')[1]}.amazonaws.com/"
        )
        assert int(claims["auth_time"]) <= event["requestContext"]["requestTimeEpoch"] // 1000
    assert java_date(1469818373) == "Fri Jul 29 18:52:53 UTC 2016"
    given = gen(authorizer={"claims": {"sub": "u-1", "exp": 1469818373, "admin": True, "n": 3}})
    assert given["requestContext"]["authorizer"] == {
        "claims": {"sub": "u-1", "exp": "Fri Jul 29 18:52:53 UTC 2016", "admin": "true", "n": "3"}
    }
    assert any(
        "not strings" in p
        for p in broken({"requestContext.authorizer.claims.n": 3}, authorizer="cognito")
    )
    assert any(
        ".exp" in p
        for p in broken(
            {"requestContext.authorizer.claims.exp": "Fri Jul 29 18:52:53 UTC 2016"},
            authorizer="cognito",
        )
    )


def test_lambda_authorizer_context_is_stringified_with_principal_and_latency() -> None:
    event = gen(authorizer={"principalId": "me", "n": 123, "ok": True, "none": None, "s": "x"})
    auth = event["requestContext"]["authorizer"]
    assert auth["principalId"] == "me"
    assert isinstance(auth["integrationLatency"], int)
    assert {k: auth[k] for k in ("n", "ok", "none", "s")} == {
        "n": "123",
        "ok": "true",
        "none": None,
        "s": "x",
    }
    drawn = gen(authorizer="lambda")["requestContext"]["authorizer"]
    assert drawn["principalId"].startswith("user-")
    assert all(
        v is None or isinstance(v, str) for k, v in drawn.items() if k != "integrationLatency"
    )
    with pytest.raises(InvalidEventSpec, match="nested"):
        gen(authorizer={"deep": {"x": 1}})
    assert any(
        "not strings" in p
        for p in broken({"requestContext.authorizer.role": 5}, authorizer="lambda")
    )


def test_iam_fills_identity_and_signs_the_request() -> None:
    for seed in range(30):
        event = gen(seed, authorizer="iam")
        ident = event["requestContext"]["identity"]
        assert "authorizer" not in event["requestContext"]
        assert re.match(r"^(ASIA|AKIA)[A-Z0-9]{16}$", ident["accessKey"])
        assert ident["caller"] == ident["user"]
        assert ident["accountId"] == event["requestContext"]["accountId"]
        assert f":{ident['accountId']}:" in ident["userArn"]
        assert ident["principalOrgId"].startswith("o-")
        assert header(event, "authorization").startswith(
            f"AWS4-HMAC-SHA256 Credential={ident['accessKey']}/"
        )
    assert any(
        "userArn" in p
        for p in broken({"requestContext.identity.accountId": "000000000000"}, authorizer="iam")
    )


def test_api_key_matches_the_x_api_key_header() -> None:
    event = gen(authorizer="api_key")
    ident = event["requestContext"]["identity"]
    assert re.match(r"^[A-Za-z0-9]{40}$", ident["apiKey"])
    assert re.match(r"^[a-z0-9]{10}$", ident["apiKeyId"])
    assert header(event, "x-api-key") == ident["apiKey"]
    assert "apiKey" not in gen()["requestContext"]["identity"]


# -- every parameter has an effect ---------------------------------------------------------

EFFECTS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = {
    "method": ({"method": "delete"}, lambda e: e["httpMethod"] == "DELETE"),
    "path": (
        {"path": "/x/y"},
        lambda e: e["path"] == "/x/y" and e["pathParameters"] == {"proxy": "x/y"},
    ),
    "resource": (
        {"resource": "/pets"},
        lambda e: e["resource"] == "/pets" and e["path"] == "/pets",
    ),
    "path_parameters": (
        {"path_parameters": {"petId": "p1"}},
        lambda e: e["pathParameters"] == {"petId": "p1"} and e["path"].endswith("/p1"),
    ),
    "query": ({"query": "a=1"}, lambda e: e["queryStringParameters"] == {"a": "1"}),
    "headers": ({"headers": {"X-Custom": "v"}}, lambda e: e["headers"]["X-Custom"] == "v"),
    "cookies": (
        {"cookies": ["a=1", "b=2"]},
        lambda e: e["headers"].get("cookie", e["headers"].get("Cookie")) == "a=1; b=2",
    ),
    "body": (
        {"body": "hello"},
        lambda e: e["body"] == "hello" and e["httpMethod"] in ("POST", "PUT", "PATCH"),
    ),
    "body_schema": (
        {"body_schema": {"type": "object", "required": ["n"], "properties": {"n": {"const": 7}}}},
        lambda e: json.loads(e["body"]) == {"n": 7},
    ),
    "content_type": (
        {"method": "POST", "content_type": "application/xml", "body": "<a/>"},
        lambda e: "application/xml" in e["headers"].values(),
    ),
    "binary_media_types": (
        {"method": "POST", "body": {"a": 1}, "binary_media_types": ["application/json"]},
        lambda e: e["isBase64Encoded"] is True,
    ),
    "stage": ({"stage": "qa"}, lambda e: e["requestContext"]["stage"] == "qa"),
    "stage_variables": (
        {"stage_variables": {"env": "qa"}},
        lambda e: e["stageVariables"] == {"env": "qa"},
    ),
    "authorizer": (
        {"authorizer": "lambda"},
        lambda e: "principalId" in e["requestContext"]["authorizer"],
    ),
    "source_ip": (
        {"source_ip": "2001:db8::1"},
        lambda e: e["requestContext"]["identity"]["sourceIp"] == "2001:db8::1",
    ),
    "user_agent": ({"user_agent": "ua/1"}, lambda e: e["headers"]["User-Agent"] == "ua/1"),
    "endpoint": ({"endpoint": "edge"}, lambda e: "Via" in e["headers"]),
    "operation_name": (
        {"operation_name": "ListPets"},
        lambda e: e["requestContext"]["operationName"] == "ListPets",
    ),
}


@pytest.mark.parametrize("name", sorted(EFFECTS))
def test_every_parameter_has_an_effect(name: str) -> None:
    params, check = EFFECTS[name]
    event = gen(9, **params)
    assert check(event), event
    events.validate(event, "apigw_v1")
    assert events.check_invariants(event, "apigw_v1") == []


def test_every_parameter_is_covered_by_an_effect_test() -> None:
    own = set(events.params("apigw_v1")) - set(events.COMMON_PARAMS)
    assert own == set(EFFECTS)


def test_custom_domain_host_header_sets_domain_name_and_unprefixed_path() -> None:
    event = gen(headers={"Host": "api.example.com"}, stage="prod", path="/v1/items")
    rc = event["requestContext"]
    assert rc["domainName"] == "api.example.com"
    assert rc["domainPrefix"] == "api"
    assert rc["path"] == "/v1/items"
    assert events.check_invariants(event, "apigw_v1") == []


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"method": "FETCH"}, r"method='FETCH'"),
        ({"path": "items"}, r"path='items'"),
        ({"path": "/a?b=1"}, r"query="),
        ({"resource": "items/{id}"}, r"resource='items/\{id\}'"),
        ({"resource": "/{proxy+}/x"}, r"greedy"),
        ({"resource": "/a/{id}", "path_parameters": {"other": "1"}}, r"path_parameters has other"),
        ({"resource": "/a/{id}", "path": "/b/1"}, r"does not match resource"),
        (
            {"resource": "/a/{id}", "path": "/a/1", "path_parameters": {"id": "2"}},
            r"path_parameters\['id'\]",
        ),
        ({"path_parameters": {"id": ""}}, r"cannot be empty"),
        ({"query": 5}, r"query=5"),
        ({"headers": {"bad name": "x"}}, r"headers: 'bad name'"),
        ({"headers": {"X-A": "a\r\nb"}}, r"CR or LF"),
        ({"cookies": [1]}, r"cookies="),
        ({"cookies": ["a=1; b=2"]}, r"one 'name=value' per item"),
        ({"body": object()}, r"body=<object"),
        ({"body": "x", "body_schema": {"type": "string"}}, r"body= or body_schema="),
        ({"content_type": 5}, r"content_type=5"),
        (
            {"content_type": "text/plain", "headers": {"Content-Type": "text/html"}},
            r"content_type='text/plain'",
        ),
        ({"binary_media_types": "image/png"}, r"binary_media_types="),
        ({"stage": "a b"}, r"stage='a b'"),
        ({"stage": "$default"}, r"stage='\$default'"),
        ({"stage_variables": {"a": 1}}, r"stage_variables="),
        ({"authorizer": "jwt"}, r"authorizer='jwt'"),
        ({"authorizer": {"claims": "x"}}, r"authorizer\['claims'\]"),
        ({"source_ip": "nope"}, r"source_ip='nope'"),
        ({"user_agent": 5}, r"user_agent=5"),
        ({"endpoint": "private"}, r"endpoint='private'"),
        ({"region": "mars-1"}, r"region='mars-1'"),
        ({"account_id": "123"}, r"account_id='123'"),
    ],
)
def test_bad_parameters_raise_invalid_event_spec_naming_the_parameter(
    params: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidEventSpec, match=match):
        gen(**params)


def test_unknown_parameter_raises_type_error_listing_valid_ones() -> None:
    with pytest.raises(
        TypeError, match=r"unexpected parameter\(s\) 'route_key'.*binary_media_types.*endpoint"
    ):
        gen(route_key="GET /x")


# -- overrides -------------------------------------------------------------------------------


def test_overrides_win_nested_and_dotted() -> None:
    event = gen(
        overrides={"requestContext": {"stage": "blue"}, "requestContext.identity.caller": "me"}
    )
    assert event["requestContext"]["stage"] == "blue"
    assert event["requestContext"]["identity"]["caller"] == "me"
    assert event["requestContext"]["path"] == f"/blue{event['path']}"


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"httpMethod": "PATCH"}, lambda e: e["requestContext"]["httpMethod"] == "PATCH"),
        ({"resource": "/{proxy+}"}, lambda e: e["requestContext"]["resourcePath"] == "/{proxy+}"),
        (
            {"path": "/a/b"},
            lambda e: (
                e["requestContext"]["path"].endswith("/a/b")
                and e["pathParameters"] == {"proxy": "a/b"}
            ),
        ),
        ({"pathParameters.proxy": "z/y"}, lambda e: e["path"] == "/z/y"),
        ({"multiValueHeaders.X-Probe": ["1", "2"]}, lambda e: e["headers"]["X-Probe"] == "2"),
        ({"headers.X-Solo": "v"}, lambda e: e["multiValueHeaders"]["X-Solo"] == ["v"]),
        (
            {"multiValueQueryStringParameters": {"k": ["1", "2"]}},
            lambda e: e["queryStringParameters"] == {"k": "2"},
        ),
        (
            {"queryStringParameters": {"k": "v"}},
            lambda e: e["multiValueQueryStringParameters"] == {"k": ["v"]},
        ),
        (
            {"requestContext.requestTimeEpoch": 1783711144836},
            lambda e: e["requestContext"]["requestTime"] == "10/Jul/2026:19:19:04 +0000",
        ),
        (
            {"requestContext.identity.sourceIp": "5.6.7.8"},
            lambda e: e["headers"]["X-Forwarded-For"] == "5.6.7.8",
        ),
        (
            {"headers.X-Forwarded-For": "5.6.7.9"},
            lambda e: e["requestContext"]["identity"]["sourceIp"] == "5.6.7.9",
        ),
        (
            {"headers.Host": "api.example.com"},
            lambda e: (
                e["requestContext"]["domainName"] == "api.example.com"
                and e["requestContext"]["domainPrefix"] == "api"
            ),
        ),
        (
            {"requestContext.domainName": "b.example.com"},
            lambda e: e["headers"]["Host"] == "b.example.com",
        ),
        (
            {"headers.User-Agent": "ua/2"},
            lambda e: e["requestContext"]["identity"]["userAgent"] == "ua/2",
        ),
        ({"body": None}, lambda e: e["isBase64Encoded"] is False),
    ],
)
def test_dependent_fields_follow_overrides(
    overrides: dict[str, Any], check: Callable[[dict[str, Any]], bool]
) -> None:
    event = gen(
        7,
        overrides=overrides,
        resource="/{proxy+}",
        endpoint="regional",
        method="POST",
        body=b"\x01",
    )
    assert check(event), event
    assert events.check_invariants(event, "apigw_v1") == []


def test_an_overridden_dependent_field_is_kept() -> None:
    event = gen(
        overrides={
            "requestContext.requestTimeEpoch": 1783711144836,
            "requestContext.requestTime": "x",
        },
        validate=False,
    )
    assert event["requestContext"]["requestTime"] == "x"
    kept = gen(
        overrides={"headers.X-A": "last", "multiValueHeaders.X-A": ["a", "b"]}, validate=False
    )
    assert kept["headers"]["X-A"] == "last"
    assert kept["multiValueHeaders"]["X-A"] == ["a", "b"]


def test_validate_false_allows_malformed_events_and_derive_never_crashes() -> None:
    with pytest.raises(
        EventValidationError, match=r"apigw_v1 event invalid at httpMethod: 'FETCH'"
    ):
        gen(overrides={"httpMethod": "FETCH"})
    assert gen(overrides={"httpMethod": "FETCH"}, validate=False)["httpMethod"] == "FETCH"
    for overrides in (
        {"requestContext": events.DELETE},
        {"headers": None, "multiValueHeaders": 3},
        {"resource": 5, "path": None},
        {"requestContext.requestTimeEpoch": "soon", "requestContext.identity": []},
        {"multiValueQueryStringParameters": {"a": "not-a-list"}},
    ):
        gen(overrides=overrides, validate=False)


def test_bad_override_path_names_the_path() -> None:
    with pytest.raises(InvalidEventSpec, match=r"requestContext\.nope"):
        gen(overrides={"requestContext.nope.deeper": 1})


# -- AWS samples ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("apigw_v1_*.json")), ids=lambda p: p.stem)
def test_aws_sample_events_validate(path: Path) -> None:
    event = json.loads(path.read_text("utf-8"))
    assert events.validate(event) == "apigw_v1"
    if "guide_input_format" not in path.stem:  # the doc's placeholders ("IP") are not addresses
        APIGatewayProxyEventModel.model_validate(event)


def test_invariants_accept_the_real_capture_and_flag_the_hand_edited_doc_sample() -> None:
    real = json.loads((SAMPLES / "apigw_v1_real_capture.json").read_text("utf-8"))
    assert events.check_invariants(real, "apigw_v1") == []
    edited = json.loads((SAMPLES / "apigw_v1_lambda_guide.json").read_text("utf-8"))
    problems = events.check_invariants(edited, "apigw_v1")
    assert any("multiValueHeaders['Host']" in p for p in problems)
    assert any("'/' + stage + path" in p for p in problems)


def test_schema_rejects_known_fixture_defects() -> None:
    real = json.loads((SAMPLES / "apigw_v1_real_capture.json").read_text("utf-8"))
    for path_, value, where in (
        (("requestContext", "accountId"), "12345678912", "requestContext.accountId"),
        (("requestContext", "requestTimeEpoch"), 1583349317, "requestContext.requestTimeEpoch"),
        (
            ("requestContext", "requestTime"),
            "10/Jul/2026:19:19:04+0000",
            "requestContext.requestTime",
        ),
        (("queryStringParameters",), "a=1", "queryStringParameters"),
    ):
        event = json.loads(json.dumps(real))
        node = event
        for key in path_[:-1]:
            node = node[key]
        node[path_[-1]] = value
        with pytest.raises(EventValidationError, match=re.escape(where)):
            events.validate(event, "apigw_v1")
    # HTTP API payload 1.0 (a "version" key) is refused by the schema and the invariants alike.
    with_version = {**real, "version": "1.0"}
    with pytest.raises(EventValidationError) as info:
        events.validate(with_version, "apigw_v1")
    assert str(info.value) == (
        "apigw_v1 event invalid at <root>: 'version' is not allowed here: REST API events have no "
        "version key; a version key marks an HTTP API payload 1.0 event, which pytest_lambda does "
        "not support (use payload 2.0 and the apigw_v2 kind)."
    )
    assert events.check_invariants(with_version, "apigw_v1") == [
        "the event has a top-level 'version' key: REST API events have none (that is the "
        "HTTP API payload 1.0 shape, which is not supported: use payload 2.0, apigw_v2)"
    ]


def test_binary_body_under_a_text_type_says_how_to_make_it_binary():
    with pytest.raises(events.InvalidEventSpec) as info:
        events.apigw_v1(
            seed=1, method="POST", body=b"\x89PNG\xff", content_type="image/png",
            binary_media_types=[],
        )  # fmt: skip
    assert "REST API: a type in binary_media_types, e.g. binary_media_types=['image/*']" in str(
        info.value
    )
