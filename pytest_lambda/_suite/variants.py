"""Hostile but real variants of events for the suite's ``robust`` check, and what counts as an answer.

Only what the source can really deliver. API Gateway passes on what a client sends, so
the API variants are client-controlled: a body that is not JSON or JSON of another shape,
no body, no query string, a large body, and (HTTP API) a JSON body without a text
Content-Type, which API Gateway base64-encodes (docs/internals/event-spec.md §5.3 rule 9). API Gateway
never drops ``httpMethod`` or ``requestContext``, so neither do we. Queue, topic, bucket
and stream payloads come from any producer, so their variants change the payload only.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any, Final

__all__ = ["API_KINDS", "answer_problem", "apply", "contract_problem", "variants"]

API_KINDS: Final = ("apigw_v1", "apigw_v2")
_BIG: Final = 300_000
_Transform = Callable[[dict[str, Any]], None]


def _body(text: str | None) -> _Transform:
    def apply(event: dict[str, Any]) -> None:
        event["body"] = text
        event["isBase64Encoded"] = False

    return apply


def _v2_no_body(event: dict[str, Any]) -> None:
    event.pop("body", None)
    event["isBase64Encoded"] = False


def _v1_no_query(event: dict[str, Any]) -> None:
    event["queryStringParameters"] = None
    event["multiValueQueryStringParameters"] = None


def _v2_no_query(event: dict[str, Any]) -> None:
    event.pop("queryStringParameters", None)
    event["rawQueryString"] = ""


def _v2_untyped_json(event: dict[str, Any]) -> None:
    headers = event.get("headers") or {}
    for name in [h for h in headers if h.lower() == "content-type"]:
        del headers[name]
    raw = event.get("body") if not event.get("isBase64Encoded") else None
    text = raw if isinstance(raw, str) and raw else '{"id": 1}'
    event["body"] = base64.b64encode(text.encode()).decode()
    event["isBase64Encoded"] = True


def _api(kind: str) -> list[tuple[str, _Transform]]:
    out: list[tuple[str, _Transform]] = [
        ("body is not JSON", _body("{not json")),
        ("body is a JSON array, not an object", _body("[]")),
        ("body is JSON null", _body("null")),
        ("body is an empty JSON object", _body("{}")),
        ("body is large (300 kB of text)", _body("x" * _BIG)),
    ]
    if kind == "apigw_v1":
        out.append(("no body (body: null, as for a GET)", _body(None)))
        out.append(("no query string (queryStringParameters: null)", _v1_no_query))
    else:
        out.append(("no body (no body key, as for a GET)", _v2_no_body))
        out.append(("no query string (no queryStringParameters key)", _v2_no_query))
        out.append(
            ("JSON body without a Content-Type (API Gateway base64-encodes it)", _v2_untyped_json)
        )
    return out


def _set(path: str, value: object) -> _Transform:
    *parents, last = path.split(".")

    def apply(event: dict[str, Any]) -> None:
        node: Any = event
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return apply


def variants(kind: str) -> list[tuple[str, _Transform]]:
    """Hostile variants of an event of ``kind``: ``(description, transform in place)``."""
    if kind in API_KINDS:
        return _api(kind)
    if kind == "eventbridge":  # detail is whatever the emitter put there
        return [
            ("detail is empty ({})", _set("detail", {})),
            ("detail has an unexpected shape", _set("detail", {"unexpected": [None, 1, "x"]})),
            ("detail-type is one the handler does not expect", _set("detail-type", "Unknown")),
        ]
    if kind == "cloudwatch_logs":
        from pytest_lambda._events._cloudwatch_logs import CONTROL_PAYLOAD, encode

        return [
            ("a CONTROL_MESSAGE (the subscription health check)",
             _set("awslogs.data", encode(CONTROL_PAYLOAD))),
        ]  # fmt: skip
    if kind == "firehose":
        field = "records.0.data"
        return [
            (f"{field} is empty", _set(field, "")),
            (f"{field} decodes to bytes that are not UTF-8", _set(field, "//79/A==")),
            (f"{field} decodes to text that is not JSON", _set(field, "bm90IGpzb24=")),
        ]
    field = {
        "sqs": "Records.0.body",
        "sns": "Records.0.Sns.Message",
        "s3": "Records.0.s3.object.key",
        "kinesis": "Records.0.kinesis.data",
    }[kind]
    if kind == "s3":  # S3 keys are any UTF-8 up to 1,024 bytes, form-encoded in the event
        return [
            (f"{field} is 1,024 bytes long", _set(field, "k" * 1024)),
            (f"{field} has encoded spaces and unicode", _set(field, "a+b/%C3%A9t%C3%A9+%281%29.txt")),
        ]  # fmt: skip
    out: list[tuple[str, _Transform]] = [
        (f"{field} is empty", _set(field, "")),
        (f"{field} is not JSON", _set(field, "{not json")),
        (f"{field} is large (300 kB)", _set(field, "x" * _BIG)),
    ]
    if kind == "kinesis":
        out = [
            (f"{field} is empty", _set(field, "")),
            (f"{field} decodes to bytes that are not UTF-8", _set(field, "//79/A==")),
            (f"{field} decodes to text that is not JSON", _set(field, "bm90IGpzb24=")),
        ]
    return out


def apply(event: dict[str, Any], transform: _Transform) -> dict[str, Any]:
    out = copy.deepcopy(event)
    transform(out)
    return out


def answer_problem(kind: str, inv: Any) -> str | None:
    """What is wrong with the handler's answer to a hostile event, or None."""
    if inv.timed_out:
        return "timed out"
    error = inv.error
    if error is not None and (error.type.startswith("Runtime.") or error.kind == "init"):
        return f"failed in the runtime ({error.type}: {error.message})"
    if kind not in API_KINDS:
        return None
    if error is not None:
        return f"raised {error.type}: {error.message}"
    response = inv.response
    if kind == "apigw_v1" and not (
        isinstance(response, dict) and isinstance(response.get("statusCode"), int)
    ):
        return f"answered without a statusCode: {str(response)[:120]!r}"
    return None


def contract_problem(kind: str, event: Any, inv: Any) -> str | None:
    """How a successful answer breaks the source's response contract (Firehose), or None."""
    if kind != "firehose" or inv.error is not None:
        return None
    from pytest_lambda._events._firehose import response_problems

    problems = response_problems(event, inv.response)
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"the response breaks the Firehose transformation contract: {problems[0]}{more}"
