"""The ``lambda_event`` factory: seeded per test, reproducible with ``--lambda-seed``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["FUNCTION_ACCOUNT", "LambdaEventFactory", "derive_seed"]

#: The account of the test function (its context's ARN), and of the events' resources.
FUNCTION_ACCOUNT: Final = "123456789012"


def derive_seed(base: int, nodeid: str, index: int) -> int:
    """A stable 63-bit seed from the session seed, the test id and the call number."""
    digest = hashlib.sha256(f"{base}\x00{nodeid}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class LambdaEventFactory:
    """Generates events for one test: ``lambda_event.sqs(...)`` or ``lambda_event("sqs", ...)``.

    The n-th event of a test is seeded from ``(session seed, test node id, n)``,
    so a test gets the same events on every run with the same ``--lambda-seed``,
    whatever other tests run and in whatever order. While the test's ``lambda_clock`` is
    frozen, events are generated at its time unless ``time=`` is given.
    """

    __module__ = "pytest_lambda"

    def __init__(
        self,
        *,
        seed: int,
        nodeid: str,
        region: str | None = None,
        account_id: str | None = None,
        _on_use: Any = None,
        _clock_time: Callable[[], float | None] | None = None,
    ) -> None:
        self._base = seed
        self._nodeid = nodeid
        self._region = region
        self._account_id = account_id
        self._count = 0
        self._on_use = _on_use
        self._clock_time = _clock_time
        self.last_seed: int | None = None

    @property
    def seed(self) -> int:
        """The session seed these events derive from (what ``--lambda-seed`` sets)."""
        return self._base

    def next_seed(self) -> int:
        """The seed the next generated event will use (and consume it)."""
        seed = derive_seed(self._base, self._nodeid, self._count)
        self._count += 1
        return seed

    def __call__(
        self,
        kind: str,
        *,
        seed: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        validate: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        """An event of ``kind``; keywords as in :func:`pytest_lambda.events.generate`."""
        __tracebackhide__ = True
        from pytest_lambda._events._core import generate

        if self._on_use is not None:
            self._on_use()
        if seed is None:
            seed = self.next_seed()
        if self._region is not None:
            params.setdefault("region", self._region)
        if self._account_id is not None:
            params.setdefault("account_id", self._account_id)
        if "time" not in params and self._clock_time is not None:
            now = self._clock_time()  # a frozen lambda_clock: the invocation time
            if now is not None:
                params["time"] = now
        self.last_seed = seed
        return generate(kind, seed=seed, overrides=overrides, validate=validate, **params)

    def apigw_v1(self, **kwargs: Any) -> dict[str, Any]:
        """API Gateway REST API (payload 1.0) event."""
        __tracebackhide__ = True
        return self("apigw_v1", **kwargs)

    def apigw_v2(self, **kwargs: Any) -> dict[str, Any]:
        """API Gateway HTTP API (payload 2.0) event."""
        __tracebackhide__ = True
        return self("apigw_v2", **kwargs)

    def s3(self, **kwargs: Any) -> dict[str, Any]:
        """S3 notification event."""
        __tracebackhide__ = True
        return self("s3", **kwargs)

    def sns(self, **kwargs: Any) -> dict[str, Any]:
        """SNS notification event."""
        __tracebackhide__ = True
        return self("sns", **kwargs)

    def sqs(self, **kwargs: Any) -> dict[str, Any]:
        """SQS batch event."""
        __tracebackhide__ = True
        return self("sqs", **kwargs)

    def kinesis(self, **kwargs: Any) -> dict[str, Any]:
        """Kinesis Data Streams batch event."""
        __tracebackhide__ = True
        return self("kinesis", **kwargs)

    def dynamodb(self, **kwargs: Any) -> dict[str, Any]:
        """DynamoDB Streams batch event."""
        __tracebackhide__ = True
        return self("dynamodb", **kwargs)

    def alb(self, **kwargs: Any) -> dict[str, Any]:
        """Application Load Balancer target event."""
        __tracebackhide__ = True
        return self("alb", **kwargs)

    def function_url(self, **kwargs: Any) -> dict[str, Any]:
        """Lambda Function URL event."""
        __tracebackhide__ = True
        return self("function_url", **kwargs)

    def websocket(self, **kwargs: Any) -> dict[str, Any]:
        """API Gateway WebSocket API event."""
        __tracebackhide__ = True
        return self("websocket", **kwargs)

    def eventbridge(self, **kwargs: Any) -> dict[str, Any]:
        """EventBridge rule event (custom, scheduled or S3 Object Created)."""
        __tracebackhide__ = True
        return self("eventbridge", **kwargs)

    def firehose(self, **kwargs: Any) -> dict[str, Any]:
        """Firehose data-transformation event."""
        __tracebackhide__ = True
        return self("firehose", **kwargs)

    def cloudwatch_logs(self, **kwargs: Any) -> dict[str, Any]:
        """CloudWatch Logs subscription event."""
        __tracebackhide__ = True
        return self("cloudwatch_logs", **kwargs)

    def __repr__(self) -> str:
        return f"<LambdaEventFactory seed={self._base} test={self._nodeid!r}>"
