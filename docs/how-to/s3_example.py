"""S3 recipe: keys with spaces, '+' and non-ASCII characters arrive encoded."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.lambda_handler("s3_app.handler", root=Path(__file__).parent)


@pytest.mark.parametrize(
    ("key", "on_the_wire"),
    [
        ("photos/red flower.jpg", "photos/red+flower.jpg"),
        ("reports/q1+q2.csv", "reports/q1%2Bq2.csv"),
        ("photos/café.png", "photos/caf%C3%A9.png"),
    ],
)
def test_handler_decodes_keys(lambda_event, lambda_runner, key, on_the_wire):
    event = lambda_event.s3(key=key)  # give the decoded key; the event carries the encoded one
    assert event["Records"][0]["s3"]["object"]["key"] == on_the_wire

    result = lambda_runner.invoke(event)

    assert result.response == {"keys": [key]}


def test_delete_events_have_no_size(lambda_event):
    event = lambda_event.s3(event_name="ObjectRemoved:Delete")

    assert "size" not in event["Records"][0]["s3"]["object"]
