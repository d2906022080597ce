"""Handlers for the warm-reuse recipes: state kept on purpose, and state kept by mistake."""

from __future__ import annotations

from typing import Any

_settings: dict[str, str] | None = None
_signed_in_user: str | None = None


def _load_settings() -> dict[str, str]:
    global _settings
    if _settings is None:  # loaded on first use, then reused warm: recommended
        _settings = {"currency": "EUR"}  # stands for a slow read of a file or a parameter
    return _settings


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SQS: acknowledges the batch; keeps only its settings between invocations."""
    ids = [record["messageId"] for record in event["Records"]]
    return {"received": len(ids), "currency": _load_settings()["currency"]}


def profile(event: dict[str, Any], context: Any) -> dict[str, Any]:
    user = event["user"] if event.get("token") else None  # per request: a local
    return {"orders_of": user}


def leaky_profile(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _signed_in_user
    if event.get("token"):
        _signed_in_user = event["user"]  # a bug: the next request may be another user's
    return {"orders_of": _signed_in_user}
