"""``events.matches_filter``: Lambda's FilterCriteria rules (AWS Lambda Developer Guide,
"Lambda event filtering", filter rule syntax table and the SQS/Kinesis/DynamoDB pages)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from pytest_lambda import events
from pytest_lambda._core.errors import InvalidEventSpec


def sqs(body: object) -> dict[str, Any]:
    return events.sqs(seed=1, body=body)["Records"][0]


def kinesis(data: object) -> dict[str, Any]:
    return events.kinesis(seed=1, data=data)["Records"][0]


ORDER = {"type": "order", "amount": 25, "region": "us-west-2", "file": "a.PNG",
         "tags": ["x", "vip"], "customer": {"tier": "gold"}, "note": None}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"type": ["order"]}, True),
        ({"type": ["refund", "order"]}, True),  # OR within a list
        ({"type": ["refund"]}, False),
        ({"type": [{"equals-ignore-case": "ORDER"}]}, True),
        ({"type": [{"prefix": "ord"}]}, True),
        ({"file": [{"suffix": ".PNG"}]}, True),
        ({"file": [{"suffix": ".png"}]}, False),  # suffix is case-sensitive
        ({"type": [{"anything-but": ["refund", "void"]}]}, True),
        ({"type": [{"anything-but": "order"}]}, False),
        ({"region": [{"anything-but": {"prefix": "us-"}}]}, False),
        ({"missing": [{"anything-but": "x"}]}, False),  # anything-but needs the field
        ({"amount": [{"numeric": [">", 10, "<=", 25]}]}, True),
        ({"amount": [{"numeric": ["=", 25.0]}]}, True),
        ({"amount": [{"numeric": ["<", 25]}]}, False),
        ({"type": [{"numeric": [">", 0]}]}, False),  # a string is not a number
        ({"amount": ["25"]}, False),  # nor a number a string
        ({"amount": [25]}, True),
        ({"customer": {"tier": ["gold"]}}, True),  # nested
        ({"customer": {"tier": [{"exists": True}]}}, True),
        ({"customer": {"level": [{"exists": False}]}}, True),
        ({"type": [{"exists": False}]}, False),
        ({"note": [None]}, True),  # null
        ({"tags": ["vip"]}, True),  # any element of an array
        ({"type": ["order"], "amount": [{"numeric": [">", 100]}]}, False),  # AND of keys
        ({"$or": [{"type": ["refund"]}, {"amount": [25]}]}, True),
        ({"$or": [{"type": ["refund"]}, {"amount": [26]}]}, False),
    ],
)
def test_rules_on_an_sqs_json_body(rule: dict[str, Any], expected: bool) -> None:
    assert events.matches_filter(sqs(ORDER), {"body": rule}) is expected


def test_sqs_plain_string_bodies_match_only_plain_string_rules() -> None:
    plain = sqs("hello world")
    assert events.matches_filter(plain, {"body": ["hello world"]})
    assert events.matches_filter(plain, {"body": [{"prefix": "hello"}]})
    assert not events.matches_filter(plain, {"body": {"type": ["order"]}})
    assert not events.matches_filter(sqs(ORDER), {"body": [json.dumps(ORDER)]})


def test_kinesis_data_is_decoded_from_base64_json() -> None:
    record = kinesis({"order": {"type": "buy", "quantity": 1000}})
    assert events.matches_filter(record, {"data": {"order": {"type": ["buy"]}}})
    assert not events.matches_filter(record, {"data": {"order": {"type": ["sell"]}}})
    record["kinesis"]["data"] = base64.b64encode(b"not json").decode()
    assert not events.matches_filter(record, {"data": {"order": {"type": ["buy"]}}})


def test_dynamodb_records_are_matched_as_they_are() -> None:
    event = events.dynamodb(seed=2, event_name="INSERT", item={"status": "NEW", "n": 3})
    record = event["Records"][0]
    assert events.matches_filter(record, {"eventName": ["INSERT"]})
    assert events.matches_filter(record, {"dynamodb": {"NewImage": {"status": {"S": ["NEW"]}}}})
    assert not events.matches_filter(record, {"eventName": ["REMOVE"]})
    assert not events.matches_filter(record, {"dynamodb": {"OldImage": {"status": {"S": ["NEW"]}}}})


def test_several_filters_are_ored_in_every_accepted_form() -> None:
    record = sqs(ORDER)
    refund = {"body": {"type": ["refund"]}}
    order = {"body": {"type": ["order"]}}
    assert events.matches_filter(record, [refund, order])
    assert not events.matches_filter(record, [refund])
    criteria = {"Filters": [{"Pattern": json.dumps(refund)}, {"Pattern": json.dumps(order)}]}
    assert events.matches_filter(record, criteria)
    assert events.matches_filter(record, json.dumps(criteria))
    assert events.matches_filter(record, json.dumps(order))


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "{not json",
            "the text: not JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1))",
        ),
        (
            {"body": {"type": "order"}},
            "body.type: a key must map to a list of rules or a nested object, not 'order'",
        ),
        (
            {"body": {"type": []}},
            "body.type: an empty list of rules matches nothing; give at least one rule",
        ),
        (
            {"body": {"type": [{"contains": "x"}]}},
            "body.type: unknown operator 'contains'; "
            "valid: prefix, suffix, equals-ignore-case, anything-but, numeric, exists",
        ),
        (
            {"body": {"n": [{"numeric": [">", "5"]}]}},
            "body.n: numeric takes [op, number] or "
            "[op, number, op, number] with op one of =, <, <=, >, >=, not ['>', '5']",
        ),
        ({"body": {"n": [{"exists": "yes"}]}}, "body.n: exists takes true or false, not 'yes'"),
        ({"body": {"n": [{"prefix": 5}]}}, "body.n: prefix takes a string, not 5"),
        ({"$or": [{"a": ["x"]}]}, "$or: $or takes a list of at least two patterns"),
        ([], "the list: no pattern given"),
        (
            {"Filters": [{"pattern": "{}"}]},
            'Filters[0]: each filter must be {"Pattern": "<JSON text>"}',
        ),
        ({}, "the pattern: a pattern must be a non-empty JSON object, not {}"),
    ],
)
def test_a_malformed_pattern_is_one_clear_error(pattern: object, message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.matches_filter(sqs(ORDER), pattern)
    assert str(info.value) == (
        f"filter pattern: {message}; see the rule syntax in AWS's 'Lambda event filtering' "
        'page (e.g. {"body": {"type": ["order"]}})'
    )


def test_sqs_and_kinesis_filters_name_the_one_key_they_filter_on() -> None:
    from pytest_lambda._events._filter import parse_filters

    with pytest.raises(InvalidEventSpec, match=r"^filter pattern: attributes: sqs event source "
                       r"mappings filter on the 'body' key only;"):  # fmt: skip
        parse_filters({"attributes": {"x": ["y"]}}, "sqs")
    with pytest.raises(InvalidEventSpec, match="kinesis event source mappings filter on the "
                       "'data' key only"):  # fmt: skip
        parse_filters({"partitionKey": ["1"]}, "kinesis")
    assert parse_filters({"eventName": ["INSERT"]}, "dynamodb") == ({"eventName": ["INSERT"]},)


def test_a_pattern_on_an_sqs_key_other_than_body_is_refused_not_a_silent_miss() -> None:
    from pytest_lambda import events
    from pytest_lambda._core.errors import InvalidEventSpec

    record = events.sqs(seed=1)["Records"][0]
    with pytest.raises(InvalidEventSpec, match="filter on the 'body' key only"):
        events.matches_filter(record, {"attributes": {"ApproximateReceiveCount": ["1"]}})
