"""An SNS subscription's FilterPolicy: the suite sends only the messages SNS would deliver."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_lambda import events
from pytest_lambda._core.errors import InvalidEventSpec
from pytest_lambda._events._filter import matches_filter, sns_policy_pattern
from pytest_lambda._suite.filtering import generate_matching
from pytest_lambda._template.app import load_app


def _record(message: object, attributes: dict[str, dict[str, str]] | None = None) -> dict:
    event = events.sns(seed=1, message=message)
    record = event["Records"][0]
    record["Sns"]["MessageAttributes"] = attributes or {}
    return record


def test_a_body_policy_matches_the_json_message() -> None:
    pattern = sns_policy_pattern({"status": ["foo"]}, "MessageBody")
    assert matches_filter(_record({"status": "foo"}), pattern)
    assert not matches_filter(_record({"status": "bar"}), pattern)
    assert not matches_filter(_record("not json"), pattern)


def test_an_attribute_policy_matches_typed_attributes() -> None:
    pattern = sns_policy_pattern(
        json.dumps({"kind": [{"prefix": "ord"}], "n": [{"numeric": [">", 3]}]}), None
    )
    attrs = {"kind": {"Type": "String", "Value": "order"}, "n": {"Type": "Number", "Value": "5"}}
    assert matches_filter(_record({}, attrs), pattern)
    attrs["n"]["Value"] = "2"
    assert not matches_filter(_record({}, attrs), pattern)
    with pytest.raises(InvalidEventSpec, match="FilterPolicy"):
        sns_policy_pattern("{not json", None)


@pytest.mark.parametrize("scope", ["MessageBody", "MessageAttributes"])
def test_generated_sns_events_are_steered_to_pass_the_policy(scope: str) -> None:
    pattern = sns_policy_pattern({"status": ["foo"], "tier": [{"prefix": "gold"}]}, scope)
    for seed in range(5):
        event = generate_matching("sns", seed, {}, [pattern])
        assert all(matches_filter(r, pattern) for r in event["Records"])


SNS_EVENT = (
    "      Events:\n        Alerts:\n          Type: SNS\n          Properties:\n"
    "            Topic: arn:aws:sns:us-east-1:123456789012:alerts\n"
    "            FilterPolicyScope: MessageBody\n            FilterPolicy:\n"
    "              status: [foo]\n"
)


def test_a_sam_sns_trigger_keeps_its_filter_policy(
    tmp_path: Path, sam_template: Callable[..., str]
) -> None:
    (tmp_path / "template.yaml").write_text(sam_template(properties=SNS_EVENT))
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    fn = load_app(tmp_path / "template.yaml").functions["Fn"]
    assert fn.filter_criteria("sns") == {
        "FilterPolicy": {"status": ["foo"]}, "FilterPolicyScope": "MessageBody",
    }  # fmt: skip
