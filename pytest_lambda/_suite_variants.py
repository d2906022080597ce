"""Malformed variants of events for the suite's ``robust`` check, and what counts as an answer."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["API_KINDS", "answer_problem", "variants"]

API_KINDS: Final = ("apigw_v1", "apigw_v2")


def variants(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Malformed variants of an event: ``(description, overrides)``."""
    from ._events._overrides import DELETE

    big = "x" * 300_000
    if kind == "apigw_v1":
        return [
            ("body is invalid JSON", {"body": "{not json", "isBase64Encoded": False}),
            ("body is a number, not a string", {"body": 12345}),
            ("body is oversized (300 kB)", {"body": big, "isBase64Encoded": False}),
            ("headers missing", {"headers": DELETE, "multiValueHeaders": DELETE}),
            ("httpMethod missing", {"httpMethod": DELETE}),
            ("queryStringParameters is a string", {"queryStringParameters": "a=1"}),
            ("requestContext missing", {"requestContext": DELETE}),
        ]
    if kind == "apigw_v2":
        return [
            ("body is invalid JSON", {"body": "{not json", "isBase64Encoded": False}),
            ("body is a number, not a string", {"body": 12345}),
            ("body is oversized (300 kB)", {"body": big, "isBase64Encoded": False}),
            ("headers missing", {"headers": DELETE}),
            ("requestContext.http missing", {"requestContext.http": DELETE}),
            ("queryStringParameters is a string", {"queryStringParameters": "a=1"}),
        ]
    record_field = {
        "sqs": "Records.0.body",
        "sns": "Records.0.Sns.Message",
        "s3": "Records.0.s3.object.key",
        "kinesis": "Records.0.kinesis.data",
    }[kind]
    out: list[tuple[str, dict[str, Any]]] = [
        ("Records is empty", {"Records": []}),
        (f"{record_field} missing", {record_field: DELETE}),
        (f"{record_field} is a number", {record_field: 12345}),
    ]
    if kind in ("sqs", "sns"):
        out.append((f"{record_field} is invalid JSON", {record_field: "{not json"}))
        out.append((f"{record_field} is oversized (300 kB)", {record_field: big}))
    if kind == "kinesis":
        out.append((f"{record_field} is not base64", {record_field: "!!not base64!!"}))
    return out


def answer_problem(kind: str, inv: Any) -> str | None:
    if inv.timed_out:
        return "timed out"
    if kind not in API_KINDS:
        return None
    if inv.error is not None:
        return f"raised {inv.error.type}: {inv.error.message}"
    response = inv.response
    if kind == "apigw_v1" and not (
        isinstance(response, dict) and isinstance(response.get("statusCode"), int)
    ):
        return f"answered without a statusCode: {str(response)[:120]!r}"
    return None
