"""The ``lambda_event`` factory: seeded per test, reproducible with ``--lambda-seed``.

``lambda_event.sqs(seed=42)`` is ``events.sqs(seed=42, region=R, account_id=A)`` and
``pytest-lambda events generate sqs --seed 42 --region R --account-id A``: the fixture adds
the function's region and account (and a frozen ``lambda_clock``'s time) unless given.
Each event is recorded (:class:`GeneratedEvent`) so a failing test's report can print
the call and the command that give the same event.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["FUNCTION_ACCOUNT", "GeneratedEvent", "LambdaEventFactory", "derive_seed"]

#: The account of the test function (its context's ARN), and of the events' resources.
FUNCTION_ACCOUNT: Final = "123456789012"


def derive_seed(base: int, nodeid: str, index: int) -> int:
    """A stable 63-bit seed from the session seed, the test id and the call number."""
    digest = hashlib.sha256(f"{base}\x00{nodeid}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _json(value: object) -> str | None:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class GeneratedEvent:
    """One event a ``lambda_event`` call generated: enough to generate it again."""

    kind: str
    seed: int
    params: dict[str, Any]
    added: tuple[str, ...] = ()  # parameters the fixture added (region, account_id, time)
    overrides: dict[str, Any] = field(default_factory=dict)
    validate: bool = True
    #: The event itself (a failing test's replay files are written from it).
    event: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def call(self) -> str:
        """The library call: ``events.sqs(seed=42, region='us-east-1', ...)``."""
        args = [f"seed={self.seed}"] + [f"{k}={v!r}" for k, v in self.params.items()]
        if self.overrides:
            args.append(f"overrides={self.overrides!r}")
        if not self.validate:
            args.append("validate=False")
        return f"events.{self.kind}({', '.join(args)})"

    def command(self) -> str | None:
        """The CLI command giving the same event; None when a value is not JSON."""
        argv = ["pytest-lambda", "events", "generate", self.kind, "--seed", str(self.seed)]
        for name, value in self.params.items():
            flag = "--" + name.replace("_", "-")
            if name in ("region", "account_id") and isinstance(value, str):
                argv += [flag, value]
            elif name == "time" and isinstance(value, (int, float)) and not isinstance(value, bool):
                argv += [flag, repr(value)]
            else:
                text = _json(value.isoformat() if hasattr(value, "isoformat") else value)
                if text is None:
                    return None
                argv += ["--param", f"{name}={text}"]
        for path, value in self.overrides.items():
            text = _json(value)
            if text is None:
                return None
            argv += ["--set", f"{path}={text}"]
        if not self.validate:
            argv.append("--no-validate")
        return shlex.join(argv)


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
        _defaults: Mapping[str, Mapping[str, Any]] | None = None,
        _default_kind: str | None = None,
    ) -> None:
        self._base = seed
        self._nodeid = nodeid
        self._region = region
        self._account_id = account_id
        self._count = 0
        self._on_use = _on_use
        self._clock_time = _clock_time
        self._defaults = dict(_defaults or {})  # per kind: the template's trigger's parameters
        self._default_kind = _default_kind
        self.last_seed: int | None = None
        #: Every event generated in this test, in order (for the failure report).
        self.generated: list[GeneratedEvent] = []

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
        kind: str | None = None,
        *,
        seed: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        validate: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        """An event of ``kind``; keywords as in :func:`pytest_lambda.events.generate`.

        Under ``@pytest.mark.lambda_function``, ``kind`` defaults to the function's first
        trigger and each kind's parameters default to its trigger's (queue, route, bucket...).
        """
        __tracebackhide__ = True
        from pytest_lambda._events._core import generate

        if kind is None:
            if self._default_kind is None:
                from pytest_lambda._core.errors import ArgumentTypeError

                raise ArgumentTypeError(
                    "lambda_event() needs the event kind, e.g. lambda_event('sqs'); it defaults "
                    "only under @pytest.mark.lambda_function for a function with a trigger"
                )
            kind = self._default_kind
        for name, value in self._defaults.get(kind, {}).items():
            params.setdefault(name, value)

        if self._on_use is not None:
            self._on_use()
        if seed is None:
            seed = self.next_seed()
        added: list[str] = []
        if self._region is not None and "region" not in params:
            params["region"] = self._region
            added.append("region")
        if self._account_id is not None and "account_id" not in params:
            params["account_id"] = self._account_id
            added.append("account_id")
        if "time" not in params and self._clock_time is not None:
            now = self._clock_time()  # a frozen lambda_clock: the invocation time
            if now is not None:
                params["time"] = now
                added.append("time")
        self.last_seed = seed
        event = generate(kind, seed=seed, overrides=overrides, validate=validate, **params)
        self.generated.append(
            GeneratedEvent(
                kind, seed, dict(params), tuple(added), dict(overrides or {}), validate, event
            )
        )
        return event

    def reproduce_lines(self, limit: int = 10) -> list[str]:
        """For a failure report: each event's library call and CLI command."""
        if not self.generated:
            return []
        lines = [
            "events of this test (lambda_event adds the function's region and account, "
            "and a frozen lambda_clock's time, unless given):"
        ]
        for n, item in enumerate(self.generated[:limit], 1):
            lines.append(f"  {n}. {_clip(item.call())}")
            command = item.command()
            lines.append(
                f"     {_clip(command)}" if command else "     (a value is not JSON: no command)"
            )
        if len(self.generated) > limit:
            lines.append(f"  ... and {len(self.generated) - limit} more")
        return lines

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

    def kafka(self, **kwargs: Any) -> dict[str, Any]:
        """Amazon MSK or self-managed Kafka batch event."""
        __tracebackhide__ = True
        return self("kafka", **kwargs)

    def __repr__(self) -> str:
        return f"<LambdaEventFactory seed={self._base} test={self._nodeid!r}>"


_LONG: Final = 400  # characters of a reproduce line shown in full


def _clip(line: str) -> str:
    """``line``, cut short when it would fill the screen (a 100-item ``items=[...]``): the
    replay event file of the failure report holds the exact event."""
    if len(line) <= _LONG:
        return line
    return f"{line[:300]}… ({len(line):,} characters; the replay command has the exact event)"
