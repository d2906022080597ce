"""What an EventBridge Scheduler schedule's Lambda target receives: the schedule's own input.

A schedule with an ``Input`` delivers that JSON as the event, after replacing the context
attributes it uses (docs/internals/event-spec.md §EventBridge Scheduler):
``<aws.scheduler.schedule-arn>``, ``<aws.scheduler.scheduled-time>`` (e.g.
``2022-03-22T18:59:43Z``), ``<aws.scheduler.execution-id>`` (a new id for each attempted
invocation, e.g. ``d32c5kddcf5bb8c3``) and ``<aws.scheduler.attempt-number>`` (``1``, ``2``...).
A schedule without an input delivers the envelope of ``events.eventbridge(variant="scheduler")``.

The replacement is textual, as the service does it: a keyword inside a JSON string becomes part of
the string. The same ``seed`` and arguments give the same payload; ``attempt`` > 1 models the
scheduler's own retry after a failed invocation: a new execution id and the attempt number, the
same scheduled time and schedule. Cost: one ``json.dumps``/``json.loads`` of the input.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from ._eventbridge import SCHEDULE_ARN
from ._fastdraw import lower_alnum
from ._sns_envelope import partition
from ._world import World, iso_seconds

__all__ = ["CONTEXT_ATTRIBUTES", "MAX_RETRY_ATTEMPTS", "scheduler_input"]

#: The keywords EventBridge Scheduler replaces in a target's input.
CONTEXT_ATTRIBUTES: Final = (
    "<aws.scheduler.schedule-arn>",
    "<aws.scheduler.scheduled-time>",
    "<aws.scheduler.execution-id>",
    "<aws.scheduler.attempt-number>",
)
#: RetryPolicy.MaximumRetryAttempts is 0..185, so at most 186 attempts per scheduled time.
MAX_RETRY_ATTEMPTS: Final = 185
_KEYWORD: Final = re.compile(r"<aws\.scheduler\.[a-z-]+>")


def scheduler_input(
    input: object,
    *,
    schedule_arn: str | None = None,
    scheduled_time: object = None,
    attempt: int = 1,
    seed: int | None = None,
    region: str | None = None,
    account_id: str | None = None,
) -> Any:
    """The event a schedule with ``input`` (a JSON-able value, or JSON text) delivers.

    ``schedule_arn`` defaults to a drawn ``arn:aws:scheduler:{region}:{account}:schedule/default/{name}``;
    ``scheduled_time`` (datetime, ISO 8601 or epoch seconds) to a drawn minute. Unknown
    ``<aws.scheduler.*>`` keywords are refused: the service would leave them as they are, which
    is almost always a typo.
    """
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        raise ArgumentTypeError(f"attempt={attempt!r}: expected an int 1..{MAX_RETRY_ATTEMPTS + 1}")
    if not 1 <= attempt <= MAX_RETRY_ATTEMPTS + 1:
        raise InvalidEventSpec(
            f"attempt={attempt!r}: a schedule makes at most {MAX_RETRY_ATTEMPTS + 1} attempts "
            f"(MaximumRetryAttempts is 0..{MAX_RETRY_ATTEMPTS}); expected 1..{MAX_RETRY_ATTEMPTS + 1}"
        )
    if isinstance(input, str):
        text = input
    else:
        try:
            text = json.dumps(input)
        except (TypeError, ValueError) as exc:
            raise InvalidEventSpec(f"input={input!r:.80}: not JSON-serialisable ({exc})") from None
    unknown = sorted({k for k in _KEYWORD.findall(text) if k not in CONTEXT_ATTRIBUTES})
    if unknown:
        raise InvalidEventSpec(
            f"input uses {', '.join(unknown)}: EventBridge Scheduler replaces only "
            f"{', '.join(CONTEXT_ATTRIBUTES)}"
        )
    world = World(seed, region=region, account_id=account_id, time=scheduled_time)
    if schedule_arn is None:
        name = f"{world.word()}-{world.pick(('report', 'cleanup', 'sync', 'reminder'))}"
        part = partition(world.region)
        schedule_arn = (
            f"arn:{part}:scheduler:{world.region}:{world.account_id}:schedule/default/{name}"
        )
    elif not SCHEDULE_ARN.fullmatch(str(schedule_arn)):
        raise InvalidEventSpec(
            f"schedule_arn={schedule_arn!r}: expected "
            "arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME"
        )
    ms = world.now_ms
    when = iso_seconds(ms - ms % 60_000 if scheduled_time is None else ms)
    for _ in range(attempt - 1):  # one execution id per earlier attempt, so each differs
        lower_alnum(world.rng, 16)
    values = {
        "<aws.scheduler.schedule-arn>": schedule_arn,
        "<aws.scheduler.scheduled-time>": when,
        "<aws.scheduler.execution-id>": lower_alnum(world.rng, 16),
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    out = _KEYWORD.sub(lambda m: values[m.group(0)], text)
    try:
        return json.loads(out)
    except ValueError as exc:
        raise InvalidEventSpec(
            f"input is not JSON once the context attributes are replaced ({exc}): {out[:80]!r}"
        ) from None
