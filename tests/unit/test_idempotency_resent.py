"""Without observe=, a duplicate delivery that sends a message again is caught from its calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_lambda import check_idempotency
from pytest_lambda._checks.faults import Call
from pytest_lambda._checks.idempotency.operations import repeated_sends

FORWARDER = """
import json, os
import boto3

sqs = boto3.client("sqs", region_name="us-east-1")


def handler(event, context):
    for record in event["Records"]:
        kwargs = {"QueueUrl": os.environ["OUT"], "MessageBody": record["body"]}
        if os.environ["OUT"].endswith(".fifo"):
            kwargs["MessageDeduplicationId"] = record["messageId"]
            kwargs["MessageGroupId"] = "g"
        sqs.send_message(**kwargs)
    return {"batchItemFailures": []}
"""

DEDUPED = """
import os
import boto3

sqs = boto3.client("sqs", region_name="us-east-1")
_sent = set()  # in memory only: a warm redelivery is skipped, a cold one is not


def handler(event, context):
    for record in event["Records"]:
        if record["messageId"] in _sent:
            continue
        _sent.add(record["messageId"])
        sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=record["body"])
    return {"batchItemFailures": []}
"""

WRONG_QUEUE = FORWARDER.replace(
    'os.environ["OUT"]', '"https://sqs.us-east-1.amazonaws.com/123456789012/nope"', 1
)


@pytest.fixture
def queues() -> Iterator[Callable[[str], str]]:
    pytest.importorskip("moto")
    import boto3
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")

        def make(name: str) -> str:
            attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
            url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            return url

        yield make


def _event(lambda_event: Any) -> Any:
    return lambda_event.sqs(bodies=[{"order": 1}])


def _with_moto_state(runner: Any, lambda_event: Any, **keywords: Any) -> Any:
    """check_idempotency on one SQS event, observing and resetting moto's state."""
    from pytest_lambda import moto_state

    observe, reset = moto_state()
    return check_idempotency(runner, _event(lambda_event), observe=observe, reset=reset, **keywords)


def test_a_forwarder_sending_again_fails_without_observe(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    runner = app_runners(FORWARDER)("app.handler", env={"OUT": queues("out")})
    report = check_idempotency(runner, _event(lambda_event), faults=False)

    assert not report.ok
    (finding,) = report.errors
    assert finding.code == "idempotency.duplicate-side-effect"
    assert "sqs.SendMessage on queue 'out'" in finding.message
    assert "no observe= was given" in finding.message
    assert report.scenarios[0].detail == "warm: failed, cold: failed"


def test_a_fifo_queue_drops_the_copy_so_sending_again_is_not_a_duplicate(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    runner = app_runners(FORWARDER)("app.handler", env={"OUT": queues("out.fifo")})
    report = check_idempotency(runner, _event(lambda_event), faults=False)

    assert report.ok, str(report)


def test_a_send_skipped_warm_but_repeated_cold_is_found_on_the_cold_delivery(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    runner = app_runners(DEDUPED)("app.handler", env={"OUT": queues("out")})
    report = check_idempotency(runner, _event(lambda_event), faults=False)

    assert not report.ok
    assert report.scenarios[0].detail == "warm: passed, cold: failed"
    assert report.errors[0].environment == "cold"


def test_a_send_that_failed_is_not_counted(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    queues("out")
    runner = app_runners(WRONG_QUEUE)("app.handler")
    report = check_idempotency(runner, _event(lambda_event), faults=False)

    # the queue does not exist: every delivery fails, nothing was sent twice
    assert [f.code for f in report.errors] == ["idempotency.first-delivery-failed"]


def test_repeated_sends_needs_the_same_target_and_two_successes() -> None:
    sent = Call(0, "sqs.SendMessage", "", "out", "queue 'out'", answered=True)
    failed = Call(0, "sqs.SendMessage", "", "out", "queue 'out'", answered=False)
    other = Call(0, "sqs.SendMessage", "", "audit", "queue 'audit'", answered=True)
    write = Call(0, "dynamodb.PutItem", "", "t", "table 't'", answered=True)
    fifo = Call(0, "sqs.SendMessage", "", "out.fifo", "queue 'out.fifo'", answered=True)

    assert repeated_sends([sent], [sent]) == [sent]
    assert repeated_sends([failed], [sent]) == []
    assert repeated_sends([sent], [failed]) == []
    assert repeated_sends([sent], [other]) == []
    assert repeated_sends([write], [write]) == []
    assert repeated_sends([fifo], [fifo]) == []
    dry = Call(0, "lambda.Invoke", "", "w", answered=True, invocation_type="DryRun")
    assert repeated_sends([dry], [dry]) == []


def test_a_fifo_send_with_a_new_deduplication_id_each_time_is_a_duplicate() -> None:
    def fifo(dedup: str) -> Call:
        return Call(0, "sqs.SendMessage", "", "out.fifo", "queue 'out.fifo'", answered=True,
                    dedup_id=dedup)  # fmt: skip

    assert repeated_sends([fifo("a")], [fifo("a")]) == []  # the same id: SQS drops the copy
    assert repeated_sends([fifo("a")], [fifo("b")]) == [fifo("b")]  # a random id defeats it


def test_without_observe_a_response_difference_does_not_claim_the_state_is_the_same(
    app_runners: Callable[[str], Callable[..., Any]],
) -> None:
    make = app_runners(
        """
        import itertools

        _n = itertools.count()

        def handler(event, context):
            return {"statusCode": 200, "body": str(next(_n))}
        """
    )
    report = check_idempotency(make("app.handler"), {"id": 1}, faults=False)

    messages = " ".join(f.message for f in report.findings)
    assert "the state is the same" not in messages
    assert "the state was not observed (no observe=)" in messages


RELAY = """
import json
import boto3

events = boto3.client("events", region_name="us-east-1")


def handler(event, context):
    for record in event["Records"]:
        events.put_events(Entries=[{
            "Source": "orders", "DetailType": "OrderSeen", "Detail": record["body"],
            "EventBusName": "default",
        }])
    return {"batchItemFailures": []}
"""


def test_a_send_moto_state_does_not_compare_is_still_caught_with_observe(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    runner = app_runners(RELAY)("app.handler")
    report = _with_moto_state(runner, lambda_event, faults=False)

    assert not report.ok, str(report)
    (finding,) = report.errors
    assert finding.code == "idempotency.duplicate-side-effect"
    assert "events.PutEvents" in finding.message
    assert "observe() does not show these sends" in finding.message


def test_with_moto_state_an_sqs_resend_is_found_once_from_the_state(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    out = queues("out")
    runner = app_runners(FORWARDER)("app.handler", env={"OUT": out})
    report = _with_moto_state(runner, lambda_event, faults=False)

    assert [f.code for f in report.errors] == ["idempotency.duplicate-side-effect"]
    assert "no observe=" not in report.errors[0].message  # the state shows it


FIFO_PUBLISHER = """
import boto3

sns = boto3.client("sns", region_name="us-east-1")
TOPIC = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]


def handler(event, context):
    for record in event["Records"]:
        sns.publish(TopicArn=TOPIC, Message=record["body"], MessageGroupId="g",
                    MessageDeduplicationId=record["messageId"])
    return {"batchItemFailures": []}
"""


def test_a_fifo_topic_publish_deduplicated_on_the_message_id_passes_with_moto_state(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    runner = app_runners(FIFO_PUBLISHER)("app.handler")
    runner.load()  # the topic is made at import, before the state's baseline
    report = _with_moto_state(runner, lambda_event, faults=False)
    assert report.ok, str(report)


def test_extra_sends_count_what_a_faulted_delivery_sent_more_than_a_clean_one() -> None:
    from pytest_lambda._checks.idempotency.operations import extra_sends

    put = Call(0, "events.PutEvents", "", "default", answered=True)
    lost = Call(0, "events.PutEvents", "", "default", answered=True)
    assert extra_sends([put], [put]) == []  # one clean, one retried: the same
    assert extra_sends([put], [lost, put]) == [put]  # the lost acknowledgement's copy
    failed = Call(0, "events.PutEvents", "", "default", answered=False)
    assert extra_sends([put], [failed, put]) == []  # a send that failed sent nothing

    def fifo(dedup: str) -> Call:
        return Call(0, "sqs.SendMessage", "", "q.fifo", answered=True, dedup_id=dedup)

    assert extra_sends([fifo("a")], [fifo("a"), fifo("a")]) == []
    assert extra_sends([fifo("a")], [fifo("a"), fifo("b")]) == [fifo("b")]


RELAY_WITH_MARKER = """
import boto3

events = boto3.client("events", region_name="us-east-1")
table = boto3.resource("dynamodb", region_name="us-east-1").Table("relayed")


def handler(event, context):
    for record in event["Records"]:
        key = {"pk": record["messageId"]}
        if "Item" in table.get_item(Key=key):
            continue
        events.put_events(Entries=[{"Source": "orders", "DetailType": "Seen",
                                    "Detail": record["body"]}])
        table.put_item(Item=key)
    return {"batchItemFailures": []}
"""


def test_a_lost_acknowledgement_on_an_unobserved_send_is_found_in_crash_and_retry(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    import boto3

    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="relayed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    runner = app_runners(RELAY_WITH_MARKER)("app.handler")
    report = _with_moto_state(runner, lambda_event)

    crash = [f for f in report.errors if f.scenario == "crash and retry"]
    assert crash, str(report)
    assert all(f.code == "idempotency.duplicate-side-effect" for f in crash)
    assert (
        "the retry sent again what the failed attempt had sent (events.PutEvents)"
        in crash[0].message
    )
    assert report.scenarios[0].status == "passed"  # a duplicate delivery is skipped by the marker


FANOUT = """
import json
import boto3

lam = boto3.client("lambda", region_name="us-east-1")


def handler(event, context):
    for record in event["Records"]:
        payload = {"body": record["body"]}
        if KEYED:
            payload["idempotency_key"] = record["messageId"]
        lam.invoke(FunctionName="worker", InvocationType=TYPE, Payload=json.dumps(payload))
    return {"batchItemFailures": []}
"""


@pytest.mark.parametrize("keyed", [True, False])
def test_an_invoke_carrying_the_event_id_is_a_warning_not_an_error(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
    keyed: bool,
) -> None:
    runner = app_runners(f"KEYED = {keyed}\nTYPE = 'Event'\n" + FANOUT)("app.handler")
    report = _with_moto_state(runner, lambda_event)
    codes = {(f.code, f.severity) for f in report.findings if f.code.endswith("side-effect")}
    if keyed:
        assert report.ok, str(report)
        assert codes == {("idempotency.duplicate-side-effect", "warning")}
        assert "duplicate delivery: passed" in str(report)
    else:
        assert not report.ok
        assert ("idempotency.duplicate-side-effect", "error") in codes


@pytest.fixture
def invoke_log(queues: Callable[[str], str]) -> Iterator[None]:
    """Lambda invokes answered without running the function (as under ``check --moto``)."""
    from pytest_lambda._checks.moto_invokes import InvokeLog, install, uninstall

    log = InvokeLog()
    install(log)
    yield
    uninstall(log)


@pytest.mark.parametrize("observed", [True, False])
@pytest.mark.usefixtures("invoke_log")
def test_a_repeated_synchronous_invoke_is_a_warning_an_async_one_an_error(
    app_runners: Callable[[str], Callable[..., Any]],
    lambda_event: Any,
    observed: bool,
) -> None:
    """A RequestResponse invoke may be a query (a price, a validation): the check cannot see
    whether the called function writes, so its repeat is a warning; an Event invoke only
    exists for its effect, so its repeat is an error. With or without moto_state()."""
    verdicts = {}
    for kind in ("RequestResponse", "Event"):
        runner = app_runners(f"KEYED = False\nTYPE = {kind!r}\n" + FANOUT)("app.handler")
        if observed:
            report = _with_moto_state(runner, lambda_event)
        else:
            report = check_idempotency(runner, _event(lambda_event), faults=False)
        side = [f for f in report.findings if f.code == "idempotency.duplicate-side-effect"]
        assert side, str(report)
        verdicts[kind] = (report.ok, {f.severity for f in side})
        if kind == "RequestResponse":
            assert "synchronous (RequestResponse) invoke" in side[0].message
    assert verdicts["RequestResponse"] == (True, {"warning"})
    assert verdicts["Event"] == (False, {"error"})


LONG_SENDS = """
import json
import uuid
import boto3

sqs = boto3.client("sqs", region_name="us-east-1")
lam = boto3.client("lambda", region_name="us-east-1")
BIG = "x" * 500  # the parameters' text is cut for messages: what decides must not be


def handler(event, context):
    for record in event["Records"]:
        if MODE == "fifo":
            sqs.send_message(QueueUrl=QUEUE, MessageBody=BIG, MessageGroupId="g",
                             MessageDeduplicationId=str(uuid.uuid4()))
        else:
            lam.invoke(FunctionName="worker", Payload=json.dumps({"big": BIG}),
                       InvocationType="DryRun")
    return {"batchItemFailures": []}
"""


@pytest.mark.usefixtures("invoke_log")
def test_the_deduplication_id_and_invocation_type_are_read_whole_after_a_long_argument(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    """A random MessageDeduplicationId after a long body defeats FIFO deduplication (an
    error); a DryRun invoke after a long payload runs nothing (no finding)."""
    url = queues("out.fifo")
    fifo = app_runners(f"MODE = 'fifo'\nQUEUE = {url!r}\n" + LONG_SENDS)("app.handler")
    report = check_idempotency(fifo, _event(lambda_event), faults=False)
    assert not report.ok
    assert report.errors[0].code == "idempotency.duplicate-side-effect"

    dry = app_runners("MODE = 'dry'\nQUEUE = ''\n" + LONG_SENDS)("app.handler")
    report = check_idempotency(dry, _event(lambda_event), faults=False)
    assert report.ok, str(report)
    assert not [f for f in report.findings if f.code.endswith("side-effect")]


MARK_THEN_PUBLISH = """
import boto3

ddb = boto3.client("dynamodb", region_name="us-east-1")
sns = boto3.client("sns", region_name="us-east-1")
TOPIC = sns.create_topic(Name="orders")["TopicArn"]


def handler(event, context):
    for record in event["Records"]:
        try:
            ddb.put_item(TableName="processed", Item={"pk": {"S": record["messageId"]}},
                         ConditionExpression="attribute_not_exists(pk)")
        except ddb.exceptions.ConditionalCheckFailedException:
            continue  # seen before: skip (and so lose a publish that failed the first time)
        sns.publish(TopicArn=TOPIC, Message=record["body"])
    return {"batchItemFailures": []}
"""


def test_a_marker_written_before_the_side_effect_loses_it_on_a_retry(
    app_runners: Callable[[str], Callable[..., Any]],
    queues: Callable[[str], str],
    lambda_event: Any,
) -> None:
    import boto3

    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="processed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    runner = app_runners(MARK_THEN_PUBLISH)("app.handler")
    runner.load()  # the topic is made at import, before the state's baseline
    report = _with_moto_state(runner, lambda_event)
    lost = [f for f in report.errors if f.code == "idempotency.lost-side-effect"]
    assert lost, str(report)
    assert (
        "state['sns']['orders'][0], there after one clean delivery, is missing" in lost[0].message
    )
    assert lost[0].duplicated_call is None
