"""The ``eventbridge`` event kind: one event delivered by an EventBridge rule to a Lambda target.

Field tree, key order and invariants: docs/internals/event-spec.md §EventBridge. Four variants:

* ``custom`` (default): an application's ``PutEvents`` entry on a bus; ``source`` is the
  caller's (never ``aws.``), ``detail`` the caller's object (``detail=`` or ``detail_schema=``),
  ``resources`` whatever the caller passed (``[]`` by default).
* ``scheduled``: a rule with a schedule expression: ``source`` ``aws.events``,
  ``detail-type`` ``Scheduled Event``, the rule's ARN as the only resource, ``detail`` ``{}``.
* ``s3_object_created``: S3's ``Object Created`` event (bucket with EventBridge notifications on).
* ``scheduler``: what an EventBridge Scheduler schedule whose Lambda target has no input of its own
  delivers, as users captured it: ``source`` ``aws.scheduler``, ``detail-type`` ``Scheduled Event``,
  the schedule's ARN as the only resource and ``detail`` the TEXT ``"{}"`` (a string, not an object).
  A schedule with an input delivers that input instead: :func:`._scheduler.scheduler_input`.

``time`` is UTC to the second (``2026-11-22T10:00:00Z``) and ``id`` is UUID-shaped (the
documentation says version 4; real captures show any hex, so any is accepted). Rules invoke
Lambda asynchronously: the handler's return value is discarded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._overrides import Path
from ._sns_envelope import partition
from ._world import World, iso_seconds

__all__ = ["PARAMS", "VARIANTS", "build", "derive", "invariants"]

VARIANTS: Final = ("custom", "scheduled", "s3_object_created", "scheduler")

PARAMS: Final[dict[str, str]] = {
    "variant": "'custom' (PutEvents on a bus, default), 'scheduled' (a schedule rule), "
    "'s3_object_created' or 'scheduler' (an EventBridge Scheduler schedule without input)",
    "source": "custom: the event's source, not starting with 'aws.' (default: drawn, e.g. 'com.acme.orders')",
    "detail_type": "custom: the detail-type, 1-128 characters (default: drawn, e.g. 'OrderPlaced')",
    "detail": "custom: the detail, a JSON object (default: a random object)",
    "detail_schema": "custom: JSON Schema (dict, or path of a .json file) the detail is generated from",
    "resources": "custom: list of ARNs the caller attached (default [])",
    "rule": "scheduled: the rule name, 1-64 of [.-_A-Za-z0-9] (default: drawn)",
    "bucket": "s3_object_created: bucket name (default: drawn)",
    "key": "s3_object_created: object key, unencoded (default: drawn)",
    "size": "s3_object_created: object size in bytes (default: drawn)",
    "schedule": "scheduler: the schedule name, 1-64 of [0-9A-Za-z_.-] (default: drawn)",
    "schedule_group": "scheduler: the schedule group, 1-64 of [0-9A-Za-z_.-] (default 'default')",
    "replay_name": "the archive replay that re-sent the event (adds 'replay-name'; default none)",
}

_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RULE: Final = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
_BUCKET: Final = re.compile(r"(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_RULE_ARN: Final = re.compile(
    r"arn:(aws[a-z-]*):events:([a-z0-9-]+):(\d{12}):rule/(?:[.\-_A-Za-z0-9/]+/)?([.\-_A-Za-z0-9]{1,64})"
)
SCHEDULE_ARN: Final = re.compile(
    r"arn:(aws[a-z-]*):scheduler:([a-z0-9-]+):(\d{12}):schedule/([0-9A-Za-z_.-]{1,64})/([0-9A-Za-z_.-]{1,64})"
)
#: PutEvents refuses an entry larger than 256 KiB (detail included).
MAX_DETAIL_BYTES: Final = 262_144
_VERBS: Final = ("Created", "Placed", "Updated", "Shipped", "Cancelled", "Approved", "Completed")


def event_id(world: World) -> str:
    """A UUID-shaped event id (real ids are random hex, not always version 4)."""
    h = world.hex(32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _detail(world: World, params: dict[str, Any]) -> dict[str, Any]:
    detail, schema = params.get("detail"), params.get("detail_schema")
    if detail is not None and schema is not None:
        raise InvalidEventSpec(
            "detail and detail_schema both given; pass detail for a fixed object, or "
            "detail_schema to generate one"
        )
    if schema is not None:
        from ._payload import payload_from_schema

        detail = payload_from_schema(schema, world)
        if not isinstance(detail, dict):
            raise InvalidEventSpec(
                f"detail_schema generated a {type(detail).__name__}; EventBridge detail is a "
                'JSON object: give the schema "type": "object"'
            )
    if detail is None:
        return world.json_payload()
    if not isinstance(detail, dict):
        raise InvalidEventSpec(
            f"detail={detail!r}: EventBridge detail is a JSON object (a dict); "
            "wrap a scalar, e.g. detail={'value': ...}"
        )
    size = len(json.dumps(detail, separators=(",", ":")).encode())
    if size > MAX_DETAIL_BYTES:
        raise InvalidEventSpec(
            f"detail is {size} bytes of JSON; PutEvents refuses entries over 256 KiB"
        )
    return detail


def _custom(world: World, params: dict[str, Any]) -> tuple[str, str, list[str], dict[str, Any]]:
    source = params.get("source")
    if source is None:
        source = f"com.{world.word()}.{world.word()}"
    elif not isinstance(source, str) or not 1 <= len(source) <= 256 or source.startswith("aws."):
        raise InvalidEventSpec(
            f"source={source!r}: a custom event's source is 1-256 characters and may not start "
            "with 'aws.' (PutEvents refuses it); use variant='scheduled' or 's3_object_created' "
            "for AWS service events"
        )
    detail_type = params.get("detail_type")
    if detail_type is None:
        detail_type = world.word().capitalize() + world.pick(_VERBS)
    elif not isinstance(detail_type, str) or not 1 <= len(detail_type) <= 128:
        raise InvalidEventSpec(f"detail_type={detail_type!r}: expected a str of 1-128 characters")
    resources = params.get("resources")
    if resources is None:
        resources = []
    elif not isinstance(resources, (list, tuple)) or not all(isinstance(r, str) for r in resources):
        raise InvalidEventSpec(f"resources={resources!r}: expected a list of ARN strings")
    return source, detail_type, list(resources), _detail(world, params)


def _rule_name(world: World, value: object, param: str = "rule") -> str:
    if value is None:
        return f"{world.word()}-{world.pick(('schedule', 'cron', 'nightly', 'every-5-min'))}"
    if not isinstance(value, str) or not _RULE.fullmatch(value):
        what = "a rule name" if param == "rule" else f"a {param.replace('_', ' ')} name"
        raise InvalidEventSpec(
            f"{param}={value!r}: {what} is 1-64 characters of letters, digits, '.', '-', '_'"
        )
    return value


def _s3(world: World, params: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    bucket = params.get("bucket")
    if bucket is None:
        bucket = f"{world.word()}-{world.word()}-{world.digits(4)}"
    elif not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
        raise InvalidEventSpec(
            f"bucket={bucket!r}: a bucket name is 3-63 characters of a-z, 0-9, '.', '-'"
        )
    key = params.get("key")
    if key is None:
        key = (
            f"{world.word()}/{world.word()}-{world.digits(3)}.{world.pick(('json', 'csv', 'jpg'))}"
        )
    elif not isinstance(key, str) or not 1 <= len(key.encode()) <= 1024:
        raise InvalidEventSpec(f"key={key!r}: an object key is 1-1024 bytes of UTF-8")
    size = params.get("size")
    if size is None:
        size = world.rng.randrange(1, 5_000_000)
    elif isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidEventSpec(f"size={size!r}: expected an int >= 0 (bytes)")
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": {
            "key": key,
            "size": size,
            "etag": world.hex(32),
            "sequencer": world.upper_hex(18),
        },
        "request-id": world.upper_alnum(16),
        "requester": world.account_id,
        "source-ip-address": world.ipv4(),
        "reason": "PutObject",
    }
    return [f"arn:{partition(world.region)}:s3:::{bucket}"], detail


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    variant = params.get("variant") or "custom"
    if variant not in VARIANTS:
        raise InvalidEventSpec(f"variant={variant!r}; valid variants: {', '.join(VARIANTS)}")
    allowed = {
        "custom": {"source", "detail_type", "detail", "detail_schema", "resources"},
        "scheduled": {"rule"},
        "s3_object_created": {"bucket", "key", "size"},
        "scheduler": {"schedule", "schedule_group"},
    }[variant]
    stray = sorted(p for p in params if p not in allowed | {"variant", "replay_name"})
    if stray:
        raise InvalidEventSpec(
            f"{', '.join(stray)} does not apply to variant={variant!r}; it takes "
            f"{', '.join(sorted(allowed))} (and replay_name)"
        )
    region, account = world.region, world.account_id
    eid = event_id(world)
    text_detail = False
    if variant == "custom":
        source, detail_type, resources, detail = _custom(world, params)
    elif variant == "scheduled":
        rule = _rule_name(world, params.get("rule"))
        source, detail_type, detail = "aws.events", "Scheduled Event", {}
        resources = [f"arn:{partition(region)}:events:{region}:{account}:rule/{rule}"]
    elif variant == "scheduler":
        name = _rule_name(world, params.get("schedule"), "schedule")
        group = _rule_name(world, params.get("schedule_group") or "default", "schedule_group")
        source, detail_type, detail = "aws.scheduler", "Scheduled Event", {}
        text_detail = True  # users' captures show detail as the text "{}"
        resources = [
            f"arn:{partition(region)}:scheduler:{region}:{account}:schedule/{group}/{name}"
        ]
    else:
        source, detail_type = "aws.s3", "Object Created"
        resources, detail = _s3(world, params)
    # a schedule fires on the minute boundary; other events carry their own second
    on_minute = variant in ("scheduled", "scheduler")
    ms = world.now_ms - world.now_ms % 60_000 if on_minute else world.now_ms
    event: dict[str, Any] = {
        "version": "0",
        "id": eid,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso_seconds(ms),
        "region": region,
        "resources": resources,
        "detail": "{}" if text_detail else detail,
    }
    replay = params.get("replay_name")
    if replay is not None:
        if not isinstance(replay, str) or not _RULE.fullmatch(replay):
            raise InvalidEventSpec(
                f"replay_name={replay!r}: a replay name is 1-64 of letters, digits, '.', '-', '_'"
            )
        event["replay-name"] = replay
    return event


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Keep a scheduled event's rule ARN and an S3 event's bucket ARN in step with the rest."""
    region, account = event.get("region"), event.get("account")
    resources = event.get("resources")
    if not isinstance(resources, list) or len(resources) != 1:
        return
    if event.get("source") == "aws.events" and isinstance(region, str) and isinstance(account, str):
        m = _RULE_ARN.fullmatch(str(resources[0]))
        if m and not is_protected(("resources", 0)) and (m[2], m[3]) != (region, account):
            resources[0] = f"arn:{partition(region)}:events:{region}:{account}:rule/{m[4]}"
    if (
        event.get("source") == "aws.scheduler"
        and isinstance(region, str)
        and isinstance(account, str)
    ):
        s = SCHEDULE_ARN.fullmatch(str(resources[0]))
        if s and not is_protected(("resources", 0)) and (s[2], s[3]) != (region, account):
            resources[0] = (
                f"arn:{partition(region)}:scheduler:{region}:{account}:schedule/{s[4]}/{s[5]}"
            )
    detail = event.get("detail")
    if event.get("source") == "aws.s3" and isinstance(detail, dict) and isinstance(region, str):
        bucket = detail.get("bucket")
        name = bucket.get("name") if isinstance(bucket, dict) else None
        if isinstance(name, str) and not is_protected(("resources", 0)):
            resources[0] = f"arn:{partition(region)}:s3:::{name}"


def _scheduled_problems(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    resources = event.get("resources")
    if event.get("detail") != {}:
        out.append(f"a Scheduled Event has detail {{}}, not {event.get('detail')!r}")
    if not isinstance(resources, list) or len(resources) != 1:
        out.append(
            f"a Scheduled Event has exactly one resource (its rule's ARN), not {resources!r}"
        )
        return out
    m = _RULE_ARN.fullmatch(str(resources[0]))
    if m is None:
        out.append(f"resources[0] {resources[0]!r} is not an EventBridge rule ARN")
    elif (m[2], m[3]) != (event.get("region"), event.get("account")):
        out.append(
            f"resources[0] {resources[0]!r} is not in the event's region {event.get('region')!r} "
            f"and account {event.get('account')!r}"
        )
    elif m[1] != partition(str(event.get("region"))):
        out.append(
            f"resources[0] {resources[0]!r} has partition {m[1]!r} for region {event.get('region')!r}"
        )
    return out


def _scheduler_problems(event: dict[str, Any]) -> list[str]:
    out: list[str] = []
    detail, resources = event.get("detail"), event.get("resources")
    try:
        parsed = json.loads(detail) if isinstance(detail, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        out.append(
            f"an EventBridge Scheduler event has detail '{{}}' (JSON text, a string), not {detail!r}"
        )
    if not isinstance(resources, list) or len(resources) != 1:
        return [
            *out,
            f"a Scheduler event has exactly one resource (its schedule's ARN), not {resources!r}",
        ]
    m = SCHEDULE_ARN.fullmatch(str(resources[0]))
    if m is None:
        out.append(f"resources[0] {resources[0]!r} is not an EventBridge Scheduler schedule ARN")
    elif (m[2], m[3]) != (event.get("region"), event.get("account")):
        out.append(
            f"resources[0] {resources[0]!r} is not in the event's region {event.get('region')!r} "
            f"and account {event.get('account')!r}"
        )
    return out


def _s3_problems(event: dict[str, Any]) -> list[str]:
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return []
    bucket = detail.get("bucket")
    name = bucket.get("name") if isinstance(bucket, dict) else None
    resources = event.get("resources")
    want = f"arn:{partition(str(event.get('region')))}:s3:::{name}"
    if isinstance(name, str) and resources != [want]:
        return [f"resources {resources!r} is not [{want!r}] (the bucket in detail.bucket.name)"]
    return []


def invariants(event: dict[str, Any]) -> list[str]:
    ev: Any = event
    if not isinstance(ev, dict):
        return []
    out: list[str] = []
    eid = ev.get("id")
    if isinstance(eid, str) and not _UUID.fullmatch(eid):
        out.append(f"id {eid!r} is not a lower-case UUID")
    source = ev.get("source")
    if source == "aws.events" and ev.get("detail-type") == "Scheduled Event":
        out.extend(_scheduled_problems(ev))
    elif source == "aws.s3" and ev.get("detail-type") == "Object Created":
        out.extend(_s3_problems(ev))
    elif source == "aws.scheduler" and ev.get("detail-type") == "Scheduled Event":
        out.extend(_scheduler_problems(ev))
    if isinstance(ev.get("detail"), str) and source != "aws.scheduler":
        out.append(
            f"detail is a string; only EventBridge Scheduler events (source aws.scheduler) carry "
            f"detail as text, {source!r} events carry an object"
        )
    return out
