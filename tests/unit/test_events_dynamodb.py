"""DynamoDB Streams batches: schema, every invariant (docs/internals/event-spec.md §4A),
parameters, DynamoDB JSON marshalling and item sizes, overrides, Powertools compatibility."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel

from pytest_lambda import events
from pytest_lambda._core.errors import EventValidationError, InvalidEventSpec
from pytest_lambda._events._ddb_json import item_size, marshal, marshal_item

VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["orderId", "qty"],
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
        "qty": {"type": "integer", "minimum": 1, "maximum": 9},
    },
}


def ddb(event: dict[str, Any], i: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = event["Records"][i]["dynamodb"]
    return record


def broken(overrides: dict[str, Any], **params: Any) -> list[str]:
    params.setdefault("records", 3)
    params.setdefault("event_name", "MODIFY")
    event = events.dynamodb(seed=5, overrides=overrides, validate=False, **params)
    return events.check_invariants(event, "dynamodb")


# -- many seeds, every variant -------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("ttl", [False, True])
def test_events_validate_keep_every_invariant_and_parse_with_powertools(
    view: str, ttl: bool
) -> None:
    for seed in range(150):
        event = events.dynamodb(seed=seed, records=1 + seed % 7, view_type=view, ttl=ttl)
        assert events.validate(event, invariants=True) == "dynamodb"
        assert events.detect(event) == "dynamodb"
        DynamoDBStreamModel.model_validate(event)


def test_same_seed_same_event_and_seeds_differ() -> None:
    assert events.dynamodb(seed=3, records=4) == events.dynamodb(seed=3, records=4)
    assert events.dynamodb(seed=3) != events.dynamodb(seed=4)


def test_default_item_uses_every_attribute_type() -> None:
    image = ddb(events.dynamodb(seed=1, event_name="INSERT"))["NewImage"]
    tags = {next(iter(av)) for av in image.values()}
    assert tags == {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


@pytest.mark.parametrize(
    ("view", "name", "new", "old"),
    [
        ("KEYS_ONLY", "INSERT", False, False),
        ("KEYS_ONLY", "MODIFY", False, False),
        ("KEYS_ONLY", "REMOVE", False, False),
        ("NEW_IMAGE", "INSERT", True, False),
        ("NEW_IMAGE", "MODIFY", True, False),
        ("NEW_IMAGE", "REMOVE", False, False),
        ("OLD_IMAGE", "INSERT", False, False),
        ("OLD_IMAGE", "MODIFY", False, True),
        ("OLD_IMAGE", "REMOVE", False, True),
        ("NEW_AND_OLD_IMAGES", "INSERT", True, False),
        ("NEW_AND_OLD_IMAGES", "MODIFY", True, True),
        ("NEW_AND_OLD_IMAGES", "REMOVE", False, True),
    ],
)
def test_view_type_decides_the_images(view: str, name: str, new: bool, old: bool) -> None:
    record = ddb(events.dynamodb(seed=2, view_type=view, event_name=name))
    assert ("NewImage" in record, "OldImage" in record) == (new, old)
    assert record["StreamViewType"] == view


def test_modify_changes_an_attribute_but_not_the_keys() -> None:
    record = ddb(events.dynamodb(seed=8, event_name="MODIFY"))
    assert record["NewImage"] != record["OldImage"]
    for key, value in record["Keys"].items():
        assert record["NewImage"][key] == record["OldImage"][key] == value


def test_user_item_key_schema_and_ttl() -> None:
    event = events.dynamodb(
        seed=1,
        table="Sessions",
        key_schema={"userId": "S", "createdAt": "N"},
        item={"userId": "u-1", "createdAt": 1700000000, "blob": b"\x00\x01", "ids": {1, 2}},
        event_name="REMOVE",
        ttl=True,
    )
    record = event["Records"][0]
    assert record["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert record["dynamodb"]["Keys"] == {"userId": {"S": "u-1"}, "createdAt": {"N": "1700000000"}}
    assert record["dynamodb"]["OldImage"]["blob"] == {"B": "AAE="}
    assert record["dynamodb"]["OldImage"]["ids"] == {"NS": ["1", "2"]}
    assert ":table/Sessions/stream/" in record["eventSourceARN"]


def test_ttl_marks_only_removes() -> None:
    event = events.dynamodb(seed=1, event_name=["INSERT", "REMOVE", "MODIFY"], ttl=True)
    assert ["userIdentity" in r for r in event["Records"]] == [False, True, False]


def test_items_and_item_schema() -> None:
    event = events.dynamodb(seed=1, items=[{"pk": "a"}, {"pk": "b"}], key_schema={"pk": "S"})
    assert [r["dynamodb"]["Keys"] for r in event["Records"]] == [
        {"pk": {"S": "a"}},
        {"pk": {"S": "b"}},
    ]
    event = events.dynamodb(seed=1, records=4, item_schema=ITEM_SCHEMA, event_name="INSERT")
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        assert image["orderId"]["S"].startswith("ORD-")
        assert 1 <= int(image["qty"]["N"]) <= 9


def test_sequence_numbers_increase_and_arn_has_a_label() -> None:
    event = events.dynamodb(seed=4, records=50, region="eu-west-1", account_id="111122223333")
    seqs = [int(ddb(event, i)["SequenceNumber"]) for i in range(50)]
    assert seqs == sorted(set(seqs))
    arn = event["Records"][0]["eventSourceARN"]
    assert arn.startswith("arn:aws:dynamodb:eu-west-1:111122223333:table/")
    label = arn.rsplit("/stream/", 1)[1]
    assert len(label) == 23
    assert label[10] == "T"
    assert label[19] == "."


# -- DynamoDB JSON and SizeBytes -----------------------------------------------------


def test_marshal_every_type() -> None:
    assert marshal_item(
        {
            "s": "x", "n": 3, "f": 1.5, "d": Decimal("2.50"), "b": b"hi", "t": True, "z": None,
            "m": {"a": 1}, "l": [1, "a"], "ss": {"b", "a"}, "ns": {2, 1}, "bs": {b"a"},
        }
    ) == {
        "s": {"S": "x"}, "n": {"N": "3"}, "f": {"N": "1.5"}, "d": {"N": "2.50"},
        "b": {"B": "aGk="}, "t": {"BOOL": True}, "z": {"NULL": True},
        "m": {"M": {"a": {"N": "1"}}}, "l": {"L": [{"N": "1"}, {"S": "a"}]},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["YQ=="]},
    }  # fmt: skip


def test_marshal_refuses_what_dynamodb_cannot_hold() -> None:
    with pytest.raises(InvalidEventSpec) as info:
        marshal({1, "a"}, "item.mixed")
    assert str(info.value) == (
        "item.mixed={1, 'a'}: not a DynamoDB value; use str, number, bytes, bool, None, dict, "
        "list, or a non-empty set of str, numbers or bytes"
    ) or str(info.value).startswith("item.mixed={'a', 1}")
    with pytest.raises(InvalidEventSpec, match=r"^item.x=nan: DynamoDB numbers are finite$"):
        marshal(float("nan"), "item.x")


def test_item_size_follows_the_documented_rules() -> None:
    # Powertools' fixture (tests/data/real/dynamodb/ptpy-dynamostreamevent.json): 26 and 59
    keys = {"Id": {"N": "101"}}
    new = {"Message": {"S": "New item!"}, "Id": {"N": "101"}}
    assert item_size(keys) + item_size(new) == 26
    changed = {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}}
    assert item_size(keys) + item_size(new) + item_size(changed) == 59
    assert item_size({"b": {"B": base64.b64encode(b"abc").decode()}}) == 1 + 3
    assert item_size({"t": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {}}}) == 1 + 3
    assert item_size({"l": {"L": [{"S": "ab"}]}}) == 1 + 3 + 2 + 1
    assert item_size({"n": {"N": "-0012.3400"}}) == 1 + 2 + 1  # 1234: two bytes + one


# -- every invariant, word for word --------------------------------------------------


def test_new_image_on_a_keys_only_stream() -> None:
    assert broken({"Records.0.dynamodb.NewImage": {"pk": {"S": "x"}}}, view_type="KEYS_ONLY")[
        0
    ] == ("Records[0].dynamodb.NewImage is present but a KEYS_ONLY stream carries no NewImage")


def test_new_image_on_a_remove() -> None:
    problems = broken(
        {"Records.0.eventName": "REMOVE", "Records.0.dynamodb.SizeBytes": 1},
        view_type="NEW_AND_OLD_IMAGES",
    )
    assert "Records[0].dynamodb.NewImage is present but an REMOVE has no new item" in problems


def test_missing_old_image() -> None:
    from pytest_lambda.events import DELETE

    assert (
        "Records[1].dynamodb.OldImage is missing: a NEW_AND_OLD_IMAGES stream carries it on MODIFY records"
        in broken({"Records.1.dynamodb.OldImage": DELETE})
    )


def test_keys_disagree_with_the_image() -> None:
    problems = broken({"Records.0.dynamodb.Keys.pk": {"S": "other"}})
    assert problems[0].startswith(
        "Records[0].dynamodb.Keys.pk is {'S': 'other'} but NewImage.pk is {'S': 'CUSTOMER#"
    )
    assert problems[0].endswith("; Keys are the item's key attributes")


def test_keys_with_three_attributes_or_a_bool() -> None:
    problems = broken(
        {"Records.0.dynamodb.Keys.x": {"BOOL": True}},
        view_type="KEYS_ONLY",
        key_schema={"pk": "S", "sk": "S"},
    )
    assert problems[:2] == [
        "Records[0].dynamodb.Keys has 3 attributes; a table key is a partition key and at most one sort key",
        "Records[0].dynamodb.Keys.x is {'BOOL': True}; key attributes are S, N or B",
    ]


def test_size_bytes_must_match() -> None:
    event = events.dynamodb(
        seed=5, view_type="KEYS_ONLY", key_schema={"pk": "S"}, item={"pk": "abc"}
    )
    assert ddb(event)["SizeBytes"] == 2 + 3
    assert events.check_invariants(
        events.dynamodb(
            seed=5, view_type="KEYS_ONLY", key_schema={"pk": "S"}, item={"pk": "abc"},
            overrides={"Records.0.dynamodb.SizeBytes": 26},
        )
    ) == [
        "Records[0].dynamodb.SizeBytes is 26 but Keys and images measure 5 bytes "
        "(DynamoDB item size: names + values + overheads)"
    ]  # fmt: skip


def test_overrides_recompute_size_and_keys() -> None:
    event = events.dynamodb(
        seed=5, event_name="INSERT", view_type="NEW_IMAGE", key_schema={"pk": "S"},
        item={"pk": "a", "v": "hello"},
        overrides={"Records.0.dynamodb.NewImage.pk": {"S": "zz"}},
    )  # fmt: skip
    assert ddb(event)["Keys"] == {"pk": {"S": "zz"}}
    assert ddb(event)["SizeBytes"] == (2 + 2) + (2 + 2 + 1 + 5)
    assert events.check_invariants(event) == []


def test_sequence_numbers_must_increase() -> None:
    seq0 = ddb(events.dynamodb(seed=5, records=3, event_name="MODIFY"))["SequenceNumber"]
    assert broken({"Records.1.dynamodb.SequenceNumber": seq0}) == [
        f"Records[1].dynamodb.SequenceNumber {seq0} repeats Records[0]'s; records of a shard arrive in strictly increasing sequence"
    ]
    assert broken({"Records.2.dynamodb.SequenceNumber": "1"}) == [
        "Records[2].dynamodb.SequenceNumber 1 is below Records[1]'s; records of a shard arrive in strictly increasing sequence"
    ]


def test_creation_times_do_not_decrease() -> None:
    assert broken({"Records.2.dynamodb.ApproximateCreationDateTime": 1_600_000_000})[-1].startswith(
        "Records[2].dynamodb.ApproximateCreationDateTime 1.6e+09 is before Records[1]'s"
    )


def test_arn_region_label_and_one_stream() -> None:
    problems = broken({"Records.0.awsRegion": "eu-north-1"}, region="us-east-1")
    assert problems[0].startswith("Records[1] has eventSourceARN 'arn:aws:dynamodb:us-east-1:")
    other = "arn:aws:dynamodb:eu-north-1:123456789012:table/Orders/stream/2020-01-01T00:00:00.000"
    assert broken({"Records.*.eventSourceARN": other}, region="us-east-1")[0] == (
        "Records[0].eventSourceARN is in region 'eu-north-1' but awsRegion is 'us-east-1'"
    )
    assert (
        "Records[1] has awsRegion 'us-east-1' but Records[0] has 'eu-north-1'; "
        "one batch comes from one shard of one stream"
    ) in problems
    late = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2099-01-01T00:00:00.000"
    problems = broken(
        {"Records.*.eventSourceARN": late}, region="us-east-1", account_id="123456789012"
    )
    assert problems[0].startswith(
        "Records[0].eventSourceARN's stream label 2099-01-01T00:00:00.000 is after the record's "
        "ApproximateCreationDateTime"
    )
    assert problems[0].endswith("; the stream existed before its records")


def test_one_view_type_and_one_key_per_batch() -> None:
    problems = broken({"Records.1.dynamodb.StreamViewType": "NEW_IMAGE"})
    assert (
        "Records[1] has StreamViewType 'NEW_IMAGE' but Records[0] has 'NEW_AND_OLD_IMAGES'; "
        "one batch comes from one shard of one stream"
    ) in problems
    problems = broken({"Records.2.dynamodb.Keys.sk": events.DELETE}, view_type="KEYS_ONLY")
    assert problems == [
        "Records[2] has Keys attributes ['pk'] but Records[0] has ['pk', 'sk']; "
        "one batch comes from one shard of one stream"
    ]


def test_user_identity_only_on_remove() -> None:
    assert broken(
        {"Records.0.userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}}
    ) == [
        "Records[0].userIdentity is present on a MODIFY record; only a TTL deletion (REMOVE) carries it"
    ]


def test_sets_hold_distinct_values() -> None:
    assert broken(
        {
            "Records.0.dynamodb.NewImage.tags": {"SS": ["a", "a"]},
            "Records.0.dynamodb.OldImage.tags": {"SS": ["a", "a"]},
        }
    )[:1] == [
        "Records[0].dynamodb.NewImage.tags.SS repeats an element; a set holds each value once"
    ]


# -- schema --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "where"),
    [
        (
            {"Records.0.dynamodb.NewImage.total": {"N": "abc"}},
            "Records[0].dynamodb.NewImage.total.N",
        ),
        (
            {"Records.0.dynamodb.NewImage.total": {"S": "a", "N": "1"}},
            "Records[0].dynamodb.NewImage.total",
        ),
        ({"Records.0.dynamodb.NewImage.tags": {"SS": []}}, "Records[0].dynamodb.NewImage.tags.SS"),
        ({"Records.0.dynamodb.StreamViewType": "ALL"}, "Records[0].dynamodb.StreamViewType"),
        (
            {"Records.0.eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/T1"},
            "Records[0].eventSourceARN",
        ),
        (
            {"Records.0.userIdentity": {"type": "Service", "principalId": "x"}},
            "Records[0].userIdentity.principalId",
        ),
    ],
)
def test_schema_rejects(override: dict[str, Any], where: str) -> None:
    with pytest.raises(EventValidationError) as info:
        events.dynamodb(seed=1, event_name="MODIFY", overrides=override)
    assert info.value.path == where


# -- parameters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"records": 0}, "records=0: a DynamoDB Streams batch holds 1 to 10000 records (an int)"),
        (
            {"view_type": "ALL"},
            "view_type='ALL': expected one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES",
        ),
        ({"event_name": "PUT"}, "event_name='PUT': expected one of INSERT, MODIFY, REMOVE"),
        (
            {"records": 2, "event_name": ["INSERT"]},
            "event_name has 1 names for 2 records; give one per record or a single name",
        ),
        ({"table": "ab"}, "table='ab': a table name has 3 to 255 characters of [A-Za-z0-9_.-]"),
        (
            {"key_schema": {"pk": "BOOL"}},
            "key_schema={'pk': 'BOOL'}: expected a partition key and optionally a sort key, name → 'S', 'N' or 'B', e.g. {'pk': 'S', 'sk': 'N'}",
        ),
        ({"ttl": "yes"}, "ttl='yes': expected True or False"),
        (
            {"item": {"a": 1}, "items": [{"a": 1}]},
            "item and items given together: pass one item (item), one per record (items) or a schema to generate them from (item_schema)",
        ),
        (
            {"records": 3, "items": [{"a": 1}]},
            "records=3 but items has 1 items; drop records= or make them agree",
        ),
        ({"item": [1]}, "item=[1]: expected a dict (the item)"),
        (
            {"item": {"pk": 5}, "key_schema": {"pk": "S"}},
            "item key attribute 'pk' is {'N': '5'} but key_schema says 'S'; key attributes are S, N or B as the table declares",
        ),
        ({"item_schema": {"type": "string"}}, None),
    ],
)
def test_bad_parameters(params: dict[str, Any], message: str | None) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.dynamodb(seed=1, **params)
    if message is not None:
        assert str(info.value) == message
    else:
        assert "an item is an object: give the schema 'type': 'object'" in str(info.value)
