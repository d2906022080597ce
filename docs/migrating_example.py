"""Examples of the migration page: the plugin's context in place of a Powertools stub."""

from __future__ import annotations

import migrating_app
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel, SqsModel


def test_stops_early(lambda_event, lambda_clock, lambda_context):
    lambda_clock.move_to("2026-01-01T00:00:00Z")
    lambda_clock.shift(2.5)  # 0.5 s left of the default 3 s

    assert migrating_app.handler(lambda_event.sqs(records=3), lambda_context) == {"done": 0}


def test_has_time(lambda_event, lambda_context):
    assert migrating_app.handler(lambda_event.sqs(records=3), lambda_context) == {"done": 3}


def test_powertools_models_parse_generated_events(lambda_event):
    SqsModel.model_validate(lambda_event.sqs(records=3))
    APIGatewayProxyEventModel.model_validate(lambda_event.apigw_v1())
