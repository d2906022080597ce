"""Lambda's facts the runner, the options, the CLI and the context all check, written once.

Standard library only. Each fact comes with a validator that returns None for a good value or
the one error text for a bad one; callers add their own prefix (``LambdaRunner: memory_mb=64:
``, ``--memory 64: ``, ``memory_limit_in_mb=64: ``), so a bad value reads the same wherever it
was given. Sources: the Lambda quotas page (timeout, memory) and CreateFunction's parameter
rules (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html), see
``docs/internals/runtime.md``. Cost: a comparison or a regex match per call.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DEFAULT_ISOLATION",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_REGION",
    "DEFAULT_TIMEOUT",
    "EVENT_KINDS",
    "ISOLATIONS",
    "MAX_MEMORY_MB",
    "MAX_TIMEOUT",
    "MIN_MEMORY_MB",
    "REGION",
    "isolation_problem",
    "memory_problem",
    "region_problem",
    "timeout_problem",
]

EVENT_KINDS: Final[tuple[str, ...]] = (
    "apigw_v1",
    "apigw_v2",
    "s3",
    "sns",
    "sqs",
    "kinesis",
    "dynamodb",
    "alb",
    "function_url",
    "websocket",
    "eventbridge",
    "firehose",
    "cloudwatch_logs",
    "kafka",
)
"""The event kinds the generator knows, in documentation order (one module each in ``_events``)."""
MAX_TIMEOUT: Final = 900.0
"""Lambda's largest function timeout, in seconds."""
MIN_MEMORY_MB: Final = 128
MAX_MEMORY_MB: Final = 10240
"""Lambda's memory sizes, in MB (any integer in between)."""
REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
"""How an AWS region name is spelled (``us-east-1``, ``us-gov-west-1``)."""
ISOLATIONS: Final = ("module", "runtime")
"""The runner's isolation modes: in this process, or awslambdaric in a subprocess."""

DEFAULT_TIMEOUT: Final = 3.0
DEFAULT_MEMORY_MB: Final = 128
DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ISOLATION: Final = "module"
"""The runner's defaults (Lambda's own for timeout and memory)."""

TIMEOUT_TEXT: Final = "Lambda timeouts are above 0 and at most 900 seconds"
MEMORY_TEXT: Final = "Lambda memory is 128 to 10240 MB"
REGION_TEXT: Final = "is not an AWS region name like 'us-east-1'"
ISOLATION_TEXT: Final = "use 'module' (in this process) or 'runtime' (awslambdaric in a subprocess)"


def timeout_problem(seconds: float) -> str | None:
    """None for a timeout Lambda accepts (a number, not NaN), else the error text."""
    return None if 0 < seconds <= MAX_TIMEOUT else TIMEOUT_TEXT


def memory_problem(mb: int) -> str | None:
    """None for a memory size Lambda accepts, else the error text."""
    return None if MIN_MEMORY_MB <= mb <= MAX_MEMORY_MB else MEMORY_TEXT


def region_problem(name: object) -> str | None:
    """None for a name spelled like a region, else the text (it follows the value: ``x is ...``)."""
    return None if isinstance(name, str) and REGION.fullmatch(name) else REGION_TEXT


def isolation_problem(name: object) -> str | None:
    """None for an isolation mode of :data:`ISOLATIONS`, else the error text."""
    return None if name in ISOLATIONS else ISOLATION_TEXT
