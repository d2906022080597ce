"""The ``kafka`` kind: MSK and self-managed batches, their invariants and their redelivery."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_lambda import ArgumentTypeError, InvalidEventSpec, events, redeliver
from pytest_lambda._checks.redeliver import next_delivery, same_request_id

ROOT = Path(__file__).resolve().parents[2]


def _records(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for batch in event["records"].values() for r in batch]


def test_msk_event_shape() -> None:
    event = events.kafka(seed=1, topic="orders", partitions=2, records=3, cluster="sales",
                         region="eu-west-1", account_id="111122223333")  # fmt: skip
    assert list(event) == ["eventSource", "eventSourceArn", "bootstrapServers", "records"]
    assert event["eventSource"] == "aws:kafka"
    assert event["eventSourceArn"].startswith("arn:aws:kafka:eu-west-1:111122223333:cluster/sales/")
    for server in event["bootstrapServers"].split(","):
        assert server.split(".", 1)[1].startswith("sales.")
        assert ".kafka.eu-west-1.amazonaws.com:" in server
    assert list(event["records"]) == ["orders-0", "orders-1"]
    for key, batch in event["records"].items():
        assert len(batch) == 3
        assert all(f"{r['topic']}-{r['partition']}" == key for r in batch)
        offsets = [r["offset"] for r in batch]
        assert offsets == sorted(set(offsets))
        stamps = [r["timestamp"] for r in batch]
        assert stamps == sorted(stamps)
    record = event["records"]["orders-0"][0]
    assert list(record) == [
        "topic", "partition", "offset", "timestamp", "timestampType", "key", "value", "headers",
    ]  # fmt: skip
    assert record["timestampType"] == "CREATE_TIME"
    assert json.loads(base64.b64decode(record["value"]))["id"]
    assert record["headers"][0] == {"content-type": list(b"application/json")}
    assert events.detect(event) == "kafka"
    assert events.check_invariants(event) == []


def test_self_managed_event_has_no_arn_and_its_own_brokers() -> None:
    event = events.kafka(seed=2, source="self_managed", topic=["a", "b.c"], partitions=[3, 7],
                         timestamp_type="LOG_APPEND_TIME", key=None, headers={},
                         bootstrap_servers=["k1.example:9092", "k2.example:9093"])  # fmt: skip
    assert event["eventSource"] == "SelfManagedKafka"
    assert "eventSourceArn" not in event
    assert event["bootstrapServers"] == "k1.example:9092,k2.example:9093"
    assert list(event["records"]) == ["a-3", "a-7", "b.c-3", "b.c-7"]
    for record in _records(event):
        assert "key" not in record
        assert record["headers"] == []
        assert record["timestampType"] == "LOG_APPEND_TIME"
    assert events.check_invariants(event) == []


def test_keys_values_and_headers_are_encoded_as_lambda_sends_them() -> None:
    event = events.kafka(seed=3, key=b"\x00\xff", values=[b"\x80", "caf\u00e9", {"a": 1}],
                         headers=[("h", b"\x01\x02"), ("h", "x")])  # fmt: skip
    records = _records(event)
    assert [base64.b64decode(r["value"]) for r in records] == [
        b"\x80", "caf\u00e9".encode(), b'{"a": 1}',
    ]  # fmt: skip
    assert {base64.b64decode(r["key"]) for r in records} == {b"\x00\xff"}
    assert records[0]["headers"] == [{"h": [1, 2]}, {"h": [120]}]


def test_value_schema_draws_each_value() -> None:
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
    event = events.kafka(seed=4, value_schema=schema, records=4)
    values = [json.loads(base64.b64decode(r["value"])) for r in _records(event)]
    assert all(isinstance(v["n"], int) for v in values)
    assert len({json.dumps(v) for v in values}) > 1


def test_tombstones_have_a_key_and_no_value() -> None:
    event = events.kafka(seed=21, tombstone=True, records=2)
    for record in _records(event):
        assert "value" not in record
        assert base64.b64decode(record["key"])
        assert all("content-type" not in h for h in record["headers"])
    assert events.check_invariants(event) == []
    with pytest.raises(InvalidEventSpec) as info:
        events.kafka(seed=21, tombstone=True, value="x")
    assert str(info.value) == (
        "tombstone=True: a tombstone has no value; drop value/values/value_schema"
    )


def test_the_schema_takes_null_keys_and_values_as_sdk_fixtures_write_them() -> None:
    event = events.kafka(seed=22, records=2)
    first, second = event["records"][next(iter(event["records"]))]
    first["key"] = None  # Powertools for AWS Lambda (TypeScript) packages/kafka/tests/events
    second["value"] = None  # a tombstone as reported in powertools-lambda-typescript#4988
    assert events.validate(event, "kafka") == "kafka"


def test_powertools_python_rejects_a_tombstone() -> None:
    """Powertools' KafkaRecordModel requires ``value``: a tombstone (no value) fails it, so
    tombstones are left out of the Powertools sweep in test_events_compat.py."""
    from aws_lambda_powertools.utilities.parser.models import KafkaMskEventModel
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="value"):
        KafkaMskEventModel.model_validate(events.kafka(seed=23, tombstone=True))


def test_same_seed_same_event_and_the_factory_method() -> None:
    assert events.kafka(seed=9, partitions=3) == events.generate("kafka", seed=9, partitions=3)
    assert events.kafka(seed=9) != events.kafka(seed=10)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"source": "confluent"}, "source='confluent': expected one of msk, self_managed"),
        ({"timestamp_type": "NOW"}, "timestamp_type='NOW': expected one of CREATE_TIME, LOG_APPEND_TIME"),
        ({"topic": "bad topic"}, "topic='bad topic': a Kafka topic name has 1 to 249 characters of [A-Za-z0-9._-]"),
        ({"topic": ["a", "a"]}, "topic=['a', 'a']: expected one name or a list of distinct names"),
        ({"partitions": 0}, "partitions=0: a count of partitions 1..100 (an int)"),
        ({"partitions": []}, "partitions=[]: expected a non-empty list of distinct partition numbers"),
        ({"records": 0}, "records=0: records per partition are 1 to 10000 (an int)"),
        ({"partitions": 100, "records": 101}, "1 topic(s) x 100 partition(s) x 101 record(s) = 10100 records; a Kafka batch holds at most 10000"),
        ({"records": 2, "values": [1]}, "records=2 but values has 1 values; drop records= or make them agree"),
        ({"value": 1, "value_schema": {}}, "value and value_schema given together: pass one value (value), one per record (values) or a schema to generate them from (value_schema)"),
        ({"key": 5}, "key=5: expected str, bytes or None (no key)"),
        ({"headers": [("h",)]}, "headers[0]=('h',): a header is a (name, value) pair: a non-empty str name and a str or bytes value"),
        ({"cluster": "a_b"}, "cluster='a_b': an MSK cluster name has 1 to 64 characters of [A-Za-z0-9-]"),
        ({"bootstrap_servers": "nohost"}, "bootstrap_servers='nohost': expected 'host:port,host:port' or a list of 'host:port' strings"),
    ],
)  # fmt: skip
def test_bad_parameters(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEventSpec) as info:
        events.kafka(seed=1, **params)
    assert str(info.value) == message


def test_a_wrong_type_of_records_is_an_argument_type_error() -> None:
    with pytest.raises(ArgumentTypeError) as info:
        events.kafka(seed=1, records="3")
    assert str(info.value) == "records='3': records per partition are 1 to 10000 (an int)"


# -- invariants ---------------------------------------------------------------------------


def _broken(event: dict[str, Any]) -> list[str]:
    events.validate(event, "kafka")  # the schema still accepts it: only a cross-field rule breaks
    return events.check_invariants(event, "kafka")


def test_invariant_a_list_holds_one_topic_partition() -> None:
    event = events.kafka(seed=5, topic="orders", partitions=2)
    event["records"]["orders-0"][0]["partition"] = 1
    assert _broken(event) == [
        "records['orders-0'][0] is topic 'orders' partition 1 but sits under 'orders-0'; a list "
        "holds the records of partition 'orders-1'"
    ]


def test_invariant_offsets_strictly_increase() -> None:
    event = events.kafka(seed=6, topic="orders", records=3)
    batch = event["records"]["orders-0"]
    batch[2]["offset"] = batch[1]["offset"]
    assert _broken(event) == [
        f"records['orders-0'][2].offset {batch[1]['offset']} does not follow "
        f"{batch[1]['offset']}: offsets strictly increase within a partition"
    ]


def test_invariant_one_timestamp_type_per_topic() -> None:
    event = events.kafka(seed=7, topic="orders", partitions=2)
    event["records"]["orders-1"][0]["timestampType"] = "LOG_APPEND_TIME"
    assert _broken(event) == [
        "records['orders-1'][0].timestampType is LOG_APPEND_TIME but records['orders-0'][0] of "
        "the same topic 'orders' is CREATE_TIME; a topic has one timestamp type"
    ]


def test_invariant_the_arn_belongs_to_msk_only() -> None:
    msk = events.kafka(seed=8)
    del msk["eventSourceArn"]
    assert _broken(msk) == [
        "eventSource is aws:kafka (Amazon MSK) but the event has no eventSourceArn"
    ]
    own = events.kafka(seed=8, source="self_managed")
    own["eventSourceArn"] = events.kafka(seed=8)["eventSourceArn"]
    assert _broken(own) == [
        "eventSource is 'SelfManagedKafka' but the event has an eventSourceArn (only MSK events do)"
    ]


def test_invariant_msk_brokers_in_the_arn_region_of_one_cluster() -> None:
    event = events.kafka(seed=9, region="us-east-1", cluster="c1")
    event["eventSourceArn"] = event["eventSourceArn"].replace("us-east-1", "us-west-2")
    broken = _broken(event)
    assert broken[0].startswith("bootstrapServers host 'b-")
    assert broken[0].endswith("is in us-east-1 but the cluster ARN is in us-west-2")
    other = events.kafka(seed=9, region="us-east-1", cluster="c1")
    first = other["bootstrapServers"].split(",")[0]
    other["bootstrapServers"] += "," + first.replace(".c1.", ".c2.")
    assert _broken(other)[-1].startswith("bootstrapServers name brokers of 2 MSK clusters (")


def test_invariant_bootstrap_servers_listed_once() -> None:
    event = events.kafka(seed=10, bootstrap_servers="k1:9092,k1:9092")
    assert _broken(event) == ["bootstrapServers lists 'k1:9092' twice"]


def test_override_of_the_arn_region_moves_the_msk_brokers() -> None:
    event = events.kafka(seed=11, region="us-east-1",
                         overrides={"eventSourceArn": events.kafka(seed=11, region="eu-west-1")["eventSourceArn"]})  # fmt: skip
    assert ".kafka.eu-west-1.amazonaws.com:" in event["bootstrapServers"]
    assert events.check_invariants(event) == []


def test_schema_refuses_what_lambda_never_sends() -> None:
    event = events.kafka(seed=12)
    event["records"]["x-0"] = []
    with pytest.raises(events.EventValidationError) as info:
        events.validate(event, "kafka")
    assert str(info.value) == "kafka event invalid at records.x-0: [] should be non-empty"


# -- redelivery ---------------------------------------------------------------------------


def test_a_failed_batch_comes_back_whole_and_byte_for_byte() -> None:
    event = events.kafka(seed=13, partitions=2, records=2)
    assert redeliver(event, failed=True) == event
    assert redeliver(event) == event  # at least once: a duplicate of the batch
    assert same_request_id("kafka") is False  # every retry is a new invocation


def test_split_batch_on_error_gives_the_first_half_in_partition_order() -> None:
    event = events.kafka(seed=14, topic="t", partitions=2, records=3)
    half = redeliver(event, failed=True, bisect=True)
    assert list(half["records"]) == ["t-0"]
    assert half["records"]["t-0"] == event["records"]["t-0"]
    quarter = redeliver(half, failed=True, bisect=True)
    assert quarter["records"] == {"t-0": event["records"]["t-0"][:2]}
    one = events.kafka(seed=14)
    assert redeliver(one, failed=True, bisect=True) == one


def test_a_successful_batch_is_not_redelivered() -> None:
    event = events.kafka(seed=15)
    assert next_delivery(event, response={"ok": True}) is None
    with pytest.raises(InvalidEventSpec):
        redeliver(event, response={})


def test_a_partial_batch_response_is_refused_as_not_modelled() -> None:
    event = events.kafka(seed=16)
    failure = {"batchItemFailures": [{"itemIdentifier": {"partition": "x-0", "offset": 1}}]}
    with pytest.raises(InvalidEventSpec) as info:
        redeliver(event, response=copy.deepcopy(failure))
    assert str(info.value) == (
        "a partial batch response (batchItemFailures) to a Kafka event is not modelled: AWS "
        "documents ReportBatchItemFailures for Kafka event source mappings but not the item "
        "identifier's format (docs/internals/event-spec.md §4B); pass failed=True for the "
        "whole-batch retry Lambda makes after an error"
    )
    assert redeliver(event, response=failure, failed=True) == event


# -- the CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        (
            ["--topic", "t1", "--partitions", "[1, 4]", "--records", "2", "--no-key",
             "--source", "self_managed", "--timestamp-type", "LOG_APPEND_TIME", "--value", "hi",
             "--header", "a=1", "--header", "a=2",
             "--bootstrap-servers", "k1.example:9092,k2.example:9092"],
            {"topic": "t1", "partitions": [1, 4], "records": 2, "key": None,
             "source": "self_managed", "timestamp_type": "LOG_APPEND_TIME", "value": "hi",
             "headers": {"a": ["1", "2"]}, "bootstrap_servers": "k1.example:9092,k2.example:9092"},
        ),
        (
            ["--partitions", "3", "--cluster", "sales", "--key", "order-1"],
            {"partitions": 3, "cluster": "sales", "key": "order-1"},
        ),
        (["--tombstone", "--records", "2"], {"tombstone": True, "records": 2}),
    ],
)  # fmt: skip
def test_cli_flags_feed_the_generator(
    capsys: pytest.CaptureFixture[str], argv: list[str], params: dict[str, Any]
) -> None:
    from pytest_lambda.cli import main

    code = main(["events", "generate", "kafka", "--seed", "3", *argv])
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == events.kafka(seed=3, **params)


def test_cli_names_the_kafka_flags_for_a_misplaced_one(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_lambda.cli import main

    assert main(["events", "generate", "kafka", "--seed", "3", "--ttl"]) == 2
    assert capsys.readouterr().err == (
        "pytest-lambda: error: --ttl does not apply to kafka events; kafka flags: --records, "
        "--body-schema, --headers, --key, --topic, --source, --value, --partitions, --no-key, "
        "--tombstone, --timestamp-type, --cluster, --bootstrap-servers, --values, --value-schema, "
        "--region, --account-id, --time\n"
    )


def test_the_self_managed_sample_keeps_every_rule() -> None:
    event = json.loads((ROOT / "event_samples" / "kafka_self_managed.json").read_text("utf-8"))
    assert events.check_invariants(event) == []
    assert all("key" not in r for r in _records(event))
