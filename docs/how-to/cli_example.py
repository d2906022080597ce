"""The commands shown in the CLI how-to, run in-process: they must keep working."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from pytest_lambda.cli import main

HERE = Path(__file__).parent
COMMANDS = [
    "events list sqs",
    'events generate sqs --seed 7 --records 3 --body \'{"orderId": "o-1"}\'',
    "events generate apigw_v1 --seed 7 --method GET --resource '/orders/{id}' "
    "--path-parameters id=o-1 --authorizer cognito",
    "events generate s3 --seed 7 --key 'photos/red flower.jpg' --event-name ObjectCreated:Put",
    "events generate sqs --seed 7 --queue orders.fifo --group-id g1 --records 3",
    'events generate sqs --seed 7 --param \'sns_envelope={"topic": "order-events"}\' '
    "--message-attributes tenant=t-1",
    'events generate kinesis --seed 7 --records 2 --data \'{"page": "/"}\'',
    "events generate sqs --seed 7 --set Records.0.body=hello --param receive_count=3",
]


def json_documents(text):
    """The JSON documents written one after the other in ``text``."""
    decoder, documents, pos = json.JSONDecoder(), [], 0
    while text[pos:].strip():
        pos += len(text[pos:]) - len(text[pos:].lstrip())
        document, pos = decoder.raw_decode(text, pos)
        documents.append(document)
    return documents


@pytest.mark.parametrize("command", COMMANDS)
def test_documented_command_works(command, capsys):
    assert main(shlex.split(command)) == 0
    out = capsys.readouterr().out
    if " generate " in f" {command} ":
        json.loads(out)  # a JSON event on stdout


def test_generate_is_reproducible(capsys):
    main(["events", "generate", "sqs", "--seed", "7"])
    first = capsys.readouterr().out
    main(["events", "generate", "sqs", "--seed", "7"])
    assert capsys.readouterr().out == first


def test_generate_validate_invoke(tmp_path, capsys, monkeypatch):
    event = tmp_path / "event.json"
    assert main(["events", "generate", "sqs", "--seed", "7", "-o", str(event)]) == 0
    assert main(["events", "validate", "--strict", str(event)]) == 0
    capsys.readouterr()

    bad = '{"orderId": "o-1", "quantity": 0}'
    code = main(["invoke", "sqs_app.handler", "--root", str(HERE), "--kind", "sqs",
                 "--seed", "7", "--body", bad])  # fmt: skip

    assert code == 0
    assert len(json.loads(capsys.readouterr().out)["batchItemFailures"]) == 1

    # invoke sqs_app.handler --event event.json --warm 3: three JSON documents, not an array
    code = main(["invoke", "sqs_app.handler", "--root", str(HERE), "--event", str(event),
                 "--warm", "3"])  # fmt: skip
    assert code == 0
    documents = json_documents(capsys.readouterr().out)
    assert len(documents) == 3
    assert all(set(d) == {"batchItemFailures"} for d in documents)
