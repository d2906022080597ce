"""``time=`` is the invocation time: an HTTP request was received 3 to 59 ms before it.

The docs (``docs/reference/fixtures.md``) say the same about a frozen ``lambda_clock``;
this test keeps code and docs in agreement (issue 20).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_lambda import events
from pytest_lambda._events._world import clf_time

T_MS = 1_783_711_144_000  # 2026-07-10T19:19:04Z
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference" / "fixtures.md"


def _request_ms(kind: str, event: dict[str, object]) -> int:
    context = event["requestContext"]
    assert isinstance(context, dict)
    key = "requestTimeEpoch" if kind in ("apigw_v1", "websocket") else "timeEpoch"
    value = context[key]
    assert isinstance(value, int)
    return value


@pytest.mark.parametrize("kind", ["apigw_v1", "apigw_v2", "function_url", "websocket"])
@pytest.mark.parametrize("seed", range(40))
def test_http_request_is_received_3_to_59_ms_before_the_invocation(kind: str, seed: int) -> None:
    event = events.generate(kind, seed=seed, time=T_MS / 1000)
    request_ms = _request_ms(kind, event)
    assert T_MS - 59 <= request_ms <= T_MS - 3
    context = event["requestContext"]
    assert isinstance(context, dict)
    assert context.get("requestTime", context.get("time")) == clf_time(request_ms)


@pytest.mark.parametrize("seed", range(20))
def test_alb_trace_root_is_the_invocation_second(seed: int) -> None:
    event = events.alb(seed=seed, time=T_MS / 1000)
    headers = event["headers"]
    assert headers["x-amzn-trace-id"].startswith(f"Root=1-{T_MS // 1000:08x}-")


def test_the_docs_say_what_the_generator_does() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "the frozen instant is the **invocation time**" in text
    assert "reached API Gateway or the Function URL 3 to 59 ms earlier" in text
    assert "arrives at it" not in text
