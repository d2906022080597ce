"""What Lambda sends on when an asynchronous invocation fails every attempt.

EventBridge rules, S3 and SNS invoke Lambda asynchronously. When the handler raises (or times
out), Lambda retries the *same* event itself, twice by default (``MaximumRetryAttempts`` 0-2),
about one and then two minutes later, with the same request id. When every attempt failed
(or the event grew older than ``MaximumEventAgeInSeconds``), the event goes:

* to an **on-failure destination** as an *invocation record* (:func:`failure_destination_record`):
  the request (``requestPayload`` = the event), the response (``responsePayload`` = the error
  object the runtime reported) and ``requestContext.condition`` ``RetriesExhausted`` or
  ``EventAgeExceeded``;
* to a **dead-letter queue** (SQS) as the event alone, with message attributes ``RequestID``,
  ``ErrorCode`` (the status code, 200 for a function error) and ``ErrorMessage``
  (:func:`dead_letter_message`).

Source: AWS Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations"
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);
docs/internals/event-spec.md §EventBridge.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec
from pytest_lambda._events._world import World, iso_ms, parse_time

__all__ = ["ASYNC_RETRY_DELAYS_S", "dead_letter_message", "failure_destination_record"]

#: Approximate delays of Lambda's own retries of a failed asynchronous invoke (seconds).
ASYNC_RETRY_DELAYS_S: Final = (60, 120)
_CONDITIONS: Final = ("RetriesExhausted", "EventAgeExceeded")
#: The DLQ's ErrorMessage attribute is cut to this many characters.
_DLQ_MESSAGE_MAX: Final = 1024


def _check(event: object, error: object) -> None:
    if not isinstance(event, Mapping):
        raise InvalidEventSpec(f"expected the event object, got {type(event).__name__}")
    if not isinstance(error, Mapping) or not isinstance(error.get("errorMessage"), str):
        raise InvalidEventSpec(
            f"error={error!r}: expected the runtime's error object, e.g. "
            "{'errorMessage': 'boom', 'errorType': 'ValueError'} (InvokeResult.error as a dict)"
        )


def failure_destination_record(
    event: Mapping[str, Any],
    error: Mapping[str, Any],
    *,
    function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:my-function",
    request_id: str | None = None,
    attempts: int = 3,
    condition: str = "RetriesExhausted",
    time: object = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """The invocation record an on-failure destination receives for ``event``.

    ``error`` is the error object the runtime reported (``errorMessage``, ``errorType``,
    ``stackTrace``); ``attempts`` is ``approximateInvokeCount`` (1 + the retries).
    """
    _check(event, error)
    if condition not in _CONDITIONS:
        raise InvalidEventSpec(f"condition={condition!r}; valid: {', '.join(_CONDITIONS)}")
    count: object = attempts
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 3:
        raise InvalidEventSpec(
            f"attempts={attempts!r}: Lambda invokes an async event 1 to 3 times "
            "(MaximumRetryAttempts 0-2)"
        )
    world = World(seed, time=time)
    ms = parse_time(time) if time is not None else world.now_ms
    return {
        "version": "1.0",
        "timestamp": iso_ms(ms),
        "requestContext": {
            "requestId": request_id or world.uuid4(),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": copy.deepcopy(dict(event)),
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": copy.deepcopy(dict(error)),
    }


def dead_letter_message(
    event: Mapping[str, Any], error: Mapping[str, Any], *, request_id: str
) -> dict[str, Any]:
    """The SQS dead-letter message for ``event``: its body and message attributes."""
    _check(event, error)
    message = str(error["errorMessage"])[:_DLQ_MESSAGE_MAX]
    return {
        "body": json.dumps(dict(event), separators=(",", ":")),
        "messageAttributes": {
            "RequestID": {"DataType": "String", "StringValue": request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": message},
        },
    }
