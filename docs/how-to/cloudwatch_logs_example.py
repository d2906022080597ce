"""CloudWatch Logs recipe: decode the subscription payload, handle both line formats."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_lambda import LambdaRunner, events

HERE = Path(__file__).parent

ERROR_JSON = json.dumps({"level": "ERROR", "message": "payment failed", "service": "orders"})


def test_counts_errors_in_text_and_json_lines(lambda_event):
    event = lambda_event.cloudwatch_logs(
        log_group="/aws/lambda/orders",
        messages=[
            "START RequestId: 8f5e0c1a-0000-4000-8000-000000000001 Version: $LATEST\n",
            "2026-11-22T10:00:00.000Z\t8f5e0c1a-0000-4000-8000-000000000001\tERROR\tboom\n",
            ERROR_JSON + "\n",
        ],
    )
    payload = events.decode_cloudwatch_logs(event)  # what the function will see, decoded
    assert payload["messageType"] == "DATA_MESSAGE"
    with LambdaRunner("cloudwatch_logs_app.handler", root=HERE) as runner:
        assert runner.invoke(event).response == {"/aws/lambda/orders": 2}


def test_the_health_check_is_ignored(lambda_event):
    event = lambda_event.cloudwatch_logs(message_type="CONTROL_MESSAGE")
    with LambdaRunner("cloudwatch_logs_app.handler", root=HERE) as runner:
        assert runner.invoke(event).response == {}
