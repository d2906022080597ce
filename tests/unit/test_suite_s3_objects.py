"""With moto on, the suite puts the objects its S3 events announce, with bytes of their kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_lambda._suite.s3_objects import object_refs, sample_body
from pytest_lambda.cli import main

READER = """
import json
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        s3.put_object(Bucket=bucket + "-out", Key=key, Body=text.upper())
    return {"ok": True}
"""

SETUP = """
import boto3


def buckets():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="uploads")
    s3.create_bucket(Bucket="uploads-out")
"""


def test_sample_bodies_follow_the_key() -> None:
    assert sample_body("in/report.txt").decode("utf-8")
    assert json.loads(sample_body("a/b.JSON"))
    assert sample_body("photo.jpg").startswith(b"\xff\xd8\xff")
    assert sample_body("image.png").startswith(b"\x89PNG")
    assert sample_body("no-suffix").decode("utf-8")
    assert sample_body(".hidden").decode("utf-8")


def test_object_refs_are_the_created_objects_at_their_decoded_keys() -> None:
    event = {
        "Records": [
            {"eventName": "ObjectCreated:Put",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "a+b%C3%A9.txt"}}},
            {"eventName": "ObjectRemoved:Delete",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "gone.txt"}}},
            {"eventName": "ObjectCreated:Put", "s3": {}},
        ]
    }  # fmt: skip
    assert object_refs(event) == [("b", "a bé.txt")]
    bridged = {"source": "aws.s3", "detail-type": "Object Created",
               "detail": {"bucket": {"name": "b"}, "object": {"key": "in/a+b.txt"}}}  # fmt: skip
    assert object_refs(bridged) == [("b", "in/a+b.txt"), ("b", "in/a b.txt")]


def test_a_handler_reading_its_object_passes_the_checks_under_moto(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("moto")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(READER)
    (tmp_path / "s3_objects_setup.py").write_text(SETUP)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest_lambda.events.s3]\nbucket = "uploads"\nkey = "in/notes of the day.txt"\n'
    )
    argv = ["check", "app.handler", "--events", "s3", "--seed", "4", "--moto-setup",
            "s3_objects_setup:buckets", "--json"]  # fmt: skip
    main(argv)
    doc = json.loads(capsys.readouterr().out)
    verdicts = {r["check"]: r["verdict"] for r in doc["results"]}
    assert verdicts["invokes"] == "passed", doc
    assert verdicts["idempotent"] == "passed", doc
    assert verdicts["warm-reuse"] == "passed", doc
