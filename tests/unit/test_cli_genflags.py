"""Every generator parameter of every kind has a flag named after it (issue 20).

``--queue`` sets ``queue``, ``--bodies`` sets ``bodies``...; the older spellings
(``--queue-name``, ``--header``...) stay aliases giving the same event.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from pytest_lambda import events
from pytest_lambda._cli.genflags import GEN_FLAGS, add_generator_flags, flag_for
from pytest_lambda.cli import main


def _option_strings() -> set[str]:
    parser = argparse.ArgumentParser()
    add_generator_flags(parser)
    return {s for action in parser._actions for s in action.option_strings}


@pytest.mark.parametrize("kind", events.KINDS)
def test_every_parameter_has_a_flag_named_after_it(kind: str) -> None:
    options = _option_strings()
    kind_params = events.params(kind)
    missing = []
    for name in kind_params:
        flag = "--" + name.replace("_", "-")
        if flag not in options or flag_for(kind_params, name) != flag:
            missing.append(flag)
    assert missing == [], (
        f"{kind} parameters without their flag: {', '.join(missing)}; add a GenFlag row "
        "to pytest_lambda/_cli/genflags_table.py"
    )


def test_no_flag_is_defined_twice() -> None:
    spellings = [s for f in GEN_FLAGS for s in (f.flag, *f.aliases)]
    assert len(spellings) == len(set(spellings))


def _generate(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main(["events", "generate", *argv])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    result: dict[str, Any] = json.loads(captured.out)
    return result


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (["sqs", "--queue", "orders"], ["sqs", "--queue-name", "orders"]),
        (["apigw_v2", "--headers", "x-a=1"], ["apigw_v2", "--header", "x-a=1"]),
        (["apigw_v2", "--cookies", "s=1"], ["apigw_v2", "--cookie", "s=1"]),
        (
            ["apigw_v1", "--resource", "/o/{id}", "--path-parameters", "id=7"],
            ["apigw_v1", "--resource", "/o/{id}", "--path-parameter", "id=7"],
        ),
        (["sqs", "--message-attributes", "n=1"], ["sqs", "--message-attribute", "n=1"]),
        (
            ["eventbridge", "--resources", "arn:aws:s3:::b"],
            ["eventbridge", "--resource-arn", "arn:aws:s3:::b"],
        ),
        (["cloudwatch_logs", "--messages", "hi"], ["cloudwatch_logs", "--log-message", "hi"]),
    ],
)
def test_old_spellings_are_aliases(
    capsys: pytest.CaptureFixture[str], new: list[str], old: list[str]
) -> None:
    assert _generate(capsys, *new, "--seed", "3") == _generate(capsys, *old, "--seed", "3")


@pytest.mark.parametrize(
    ("argv", "kind", "params"),
    [
        (["sqs", "--bodies", "a", "--bodies", "b"], "sqs", {"bodies": ["a", "b"]}),
        (["kinesis", "--datas", "a", "--datas", "b"], "kinesis", {"datas": ["a", "b"]}),
        (["firehose", "--datas", "x"], "firehose", {"datas": ["x"]}),
        (
            ["dynamodb", "--items", '[{"pk": "a"}, {"pk": "b"}]'],
            "dynamodb",
            {"items": [{"pk": "a"}, {"pk": "b"}]},
        ),
        (
            ["sqs", "--queue", "q.fifo", "--content-based-dedup", "false"],
            "sqs",
            {"queue": "q.fifo", "content_based_dedup": False},
        ),
        (["sqs", "--dlq-source", "true"], "sqs", {"dlq_source": True}),
        (["sqs", "--dlq-source", "orders"], "sqs", {"dlq_source": "orders"}),
        (["s3", "--sequencer", "0062E99A88DC407460"], "s3", {"sequencer": "0062E99A88DC407460"}),
        (["s3", "--principal-id", "AWS:AIDAEXAMPLE"], "s3", {"principal_id": "AWS:AIDAEXAMPLE"}),
        (["s3", "--configuration-id", "cfg"], "s3", {"configuration_id": "cfg"}),
        (["sns", "--signature-version", "2"], "sns", {"signature_version": "2"}),
        (
            ["apigw_v1", "--operation-name", "ListItems"],
            "apigw_v1",
            {"operation_name": "ListItems"},
        ),
        (
            ["apigw_v1", "--stage-variables", "a=1", "--stage-variables", "b=2"],
            "apigw_v1",
            {"stage_variables": {"a": "1", "b": "2"}},
        ),
        (
            ["apigw_v1", "--binary-media-types", "image/png"],
            "apigw_v1",
            {"binary_media_types": ["image/png"]},
        ),
        (
            ["firehose", "--source", "kinesis", "--source-stream", "clicks"],
            "firehose",
            {"source": "kinesis", "source_stream": "clicks"},
        ),
    ],
)
def test_new_flags_give_the_library_event(
    capsys: pytest.CaptureFixture[str], argv: list[str], kind: str, params: dict[str, Any]
) -> None:
    assert _generate(capsys, *argv, "--seed", "5") == events.generate(kind, seed=5, **params)


def test_a_schema_flag_and_its_old_spelling_together_are_one_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["events", "generate", "kinesis", "--body-schema", "a.json", "--data-schema", "b.json"]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "pytest-lambda: error: --data-schema repeats --body-schema: both set data_schema; "
        "give one of them\n"
    )


def test_the_kept_generate_parser_carries_nothing_between_calls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with_flags = _generate(capsys, "sqs", "--seed", "9", "--bodies", "a", "--bodies", "b")
    assert [r["body"] for r in with_flags["Records"]] == ["a", "b"]
    assert _generate(capsys, "sqs", "--seed", "9") == events.sqs(seed=9)
    again = _generate(capsys, "sqs", "--seed", "9", "--set", "Records.0.body=x")
    assert again["Records"][0]["body"] == "x"
    assert _generate(capsys, "sqs", "--seed", "9") == events.sqs(seed=9)
