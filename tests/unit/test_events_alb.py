"""ALB target events (issue 18 part 3): both header modes, health checks, ALB's undecoded query,
binary bodies, the invariants, detection, overrides and Powertools' AlbModel."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import AlbModel
from pydantic import ValidationError

from pytest_lambda import EventValidationError, InvalidEventSpec, events

VARIANTS: list[dict[str, Any]] = [
    {},
    {"multi_value_headers": True},
    {"health_check": True},
    {"health_check": True, "multi_value_headers": True},
    {"body": b"\x00\x01\xff", "method": "POST"},
    {"query": "q=a%20b&q=c&flag", "multi_value_headers": True},
    {"protocol": "http"},
]


@pytest.mark.parametrize("params", VARIANTS, ids=lambda p: ",".join(p) or "default")
def test_every_variant_validates_keeps_invariants_and_is_detected(params: dict[str, Any]) -> None:
    for seed in range(150):
        event = events.alb(seed=seed, **params)
        assert events.validate(event, invariants=True) == "alb"
        assert events.detect(event) == "alb"


@pytest.mark.parametrize("params", [p for p in VARIANTS if not p.get("multi_value_headers")])
def test_powertools_alb_model_parses_single_value_events(params: dict[str, Any]) -> None:
    for seed in range(60):
        model = AlbModel(**events.alb(seed=seed, **params))
        assert model.requestContext.elb.targetGroupArn.startswith("arn:aws:elasticloadbalancing:")


def test_powertools_alb_model_refuses_the_multi_value_shape_as_it_refuses_a_real_one() -> None:
    """AlbModel (Powertools 3.x) requires headers and queryStringParameters; a real multi-value
    capture (Powertools' own albMultiValueHeadersEvent.json) has neither, so it fails the same way."""
    event = events.alb(seed=1, multi_value_headers=True)
    with pytest.raises(ValidationError) as exc:
        AlbModel(**event)
    assert {e["loc"][0] for e in exc.value.errors()} == {"headers", "queryStringParameters"}


def test_single_mode_keeps_the_last_repeat_multi_mode_keeps_all_in_order() -> None:
    single = events.alb(
        seed=3, query=[("a", "1"), ("a", "2")], headers=[("X-Tag", "x"), ("X-Tag", "y")]
    )
    assert single["queryStringParameters"]["a"] == "2"
    assert single["headers"]["x-tag"] == "y"
    assert "multiValueHeaders" not in single
    assert "multiValueQueryStringParameters" not in single
    multi = events.alb(
        seed=3,
        multi_value_headers=True,
        query=[("a", "1"), ("a", "2")],
        headers=[("X-Tag", "x"), ("X-Tag", "y")],
    )
    assert multi["multiValueQueryStringParameters"]["a"] == ["1", "2"]
    assert multi["multiValueHeaders"]["x-tag"] == ["x", "y"]
    assert "headers" not in multi
    assert "queryStringParameters" not in multi


def test_query_is_passed_percent_encoded_as_alb_does_not_decode_it() -> None:
    event = events.alb(seed=2, query="name=J%C3%BCrgen+K&x=%3F")
    assert event["queryStringParameters"] == {"name": "J%C3%BCrgen+K", "x": "%3F"}
    assert events.alb(seed=2, query={"q": "a b"})["queryStringParameters"] == {"q": "a+b"}


def test_health_check_is_a_bare_get_from_the_elb_health_checker() -> None:
    event = events.alb(seed=5, health_check=True, path="/health")
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/health"
    assert event["headers"] == {"user-agent": "ELB-HealthChecker/2.0"}
    assert event["queryStringParameters"] == {}
    assert event["body"] == ""
    assert event["isBase64Encoded"] is False
    with pytest.raises(InvalidEventSpec) as exc:
        events.alb(health_check=True, body="x")
    assert (
        str(exc.value)
        == "health_check=True: a health check request has no body; drop them or health_check"
    )


def test_body_is_always_present_text_or_base64() -> None:
    get = events.alb(seed=4, method="GET", body=None)
    assert get["body"] == ""
    assert get["isBase64Encoded"] is False
    binary = events.alb(seed=4, method="POST", body=b"\x89PNG", content_type="image/png")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG"
    assert binary["headers"]["content-length"] == "4"
    text = events.alb(seed=4, body={"a": 1})
    assert json.loads(text["body"]) == {"a": 1}
    assert text["isBase64Encoded"] is False


def test_target_group_arn_region_account_and_forwarding_headers() -> None:
    event = events.alb(
        seed=8, region="eu-west-1", account_id="111122223333", target_group="api-tg",
        source_ip="203.0.113.9", protocol="http",
    )  # fmt: skip
    arn = event["requestContext"]["elb"]["targetGroupArn"]
    assert arn.startswith("arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/api-tg/")
    assert len(arn.rsplit("/", 1)[1]) == 16
    h = event["headers"]
    assert h["x-forwarded-for"].split(", ")[-1] == "203.0.113.9"
    assert (h["x-forwarded-proto"], h["x-forwarded-port"]) == ("http", "80")
    assert h["host"].endswith(".eu-west-1.elb.amazonaws.com")
    assert all(k == k.lower() for k in h)


def test_seeded_determinism() -> None:
    assert events.alb(seed=11) == events.alb(seed=11)
    assert events.alb(seed=11) != events.alb(seed=12)


def test_invariant_messages() -> None:
    event = events.alb(seed=1)
    both = dict(event, multiValueHeaders={k: [v] for k, v in event["headers"].items()})
    assert events.check_invariants(both, "alb") == [
        "the event has headers, queryStringParameters and multiValueHeaders: ALB sends one header "
        "mode, multi-value (target group setting on) or single-value, never both"
    ]
    bad = json.loads(json.dumps(event))
    bad["requestContext"]["elb"]["targetGroupArn"] = (
        "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/abc"
    )
    bad["headers"]["X-Up"] = "1"
    assert events.check_invariants(bad, "alb") == [
        "requestContext.elb.targetGroupArn 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/abc' "
        "is not a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>)",
        "header name 'X-Up' is not lower-case: ALB lower-cases header names",
    ]


def test_schema_refuses_mixed_modes_and_a_missing_body() -> None:
    event = events.alb(seed=1)
    del event["body"]
    with pytest.raises(EventValidationError) as exc:
        events.validate(event)
    assert str(exc.value) == "alb event invalid at <root>: 'body' is a required property"


def test_overrides_and_derive_an_emptied_body_is_not_base64() -> None:
    event = events.alb(seed=1, body=b"\x00", overrides={"body": ""})
    assert event["isBase64Encoded"] is False
    event = events.alb(seed=1, overrides={"path": "/x"})
    assert event["path"] == "/x"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"target_group": "-bad"},
            "target_group='-bad': expected 1-32 letters, digits or '-', not starting or ending with '-'",
        ),
        ({"protocol": "ftp"}, "protocol='ftp': expected 'https' or 'http'"),
        ({"multi_value_headers": "yes"}, "multi_value_headers='yes': expected True or False"),
    ],
)
def test_bad_parameters(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as exc:
        events.alb(**params)
    assert str(exc.value) == message


def test_validate_names_the_header_mode_problem_in_words() -> None:
    both = events.alb(seed=1, multi_value_headers=True)
    both["headers"] = {}
    with pytest.raises(EventValidationError) as exc:
        events.validate(both)
    assert str(exc.value) == (
        "alb event invalid at <root>: has headers and multiValueHeaders, "
        "multiValueQueryStringParameters: ALB sends one header mode, "
        "multiValueHeaders/multiValueQueryStringParameters (target group setting on) or "
        "headers/queryStringParameters, never both"
    )
    neither = events.alb(seed=1)
    del neither["headers"]
    with pytest.raises(EventValidationError) as exc:
        events.validate(neither)
    assert str(exc.value) == (
        "alb event invalid at <root>: has neither headers nor multiValueHeaders: "
        "ALB always sends one of them"
    )


def test_the_other_modes_null_fields_are_accepted_as_sdk_structs_log_them() -> None:
    """hotsock/voker vokerhttp/testdata/alb-request.json (commit 2785c1da, a 2026 capture logged
    through Go structs) has multiValueHeaders with "headers": null, "queryStringParameters": null."""
    event = events.alb(seed=1, multi_value_headers=True)
    event["headers"] = event["queryStringParameters"] = None
    assert events.validate(event, invariants=True) == "alb"


def test_path_arrives_percent_encoded_as_on_the_wire() -> None:
    assert events.alb(seed=1, path="/capture/space%20value")["path"] == "/capture/space%20value"
    assert events.alb(seed=1, path="/a b/é")["path"] == "/a%20b/%C3%A9"
