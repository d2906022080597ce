"""The ``cloudwatch_logs`` event kind: a CloudWatch Logs subscription delivery to Lambda.

Field tree and invariants: docs/internals/event-spec.md §13. The event is
``{"awslogs": {"data": BASE64}}`` where ``data`` is base64 of the **gzip** of the JSON payload:
``messageType`` (``DATA_MESSAGE``, or ``CONTROL_MESSAGE`` for the health checks CloudWatch Logs
sends when a subscription is created), ``owner``, ``logGroup``, ``logStream``,
``subscriptionFilters``, ``logEvents`` (``id``, ``timestamp``, ``message``) and, for an
account-level subscription policy, ``policyLevel``. A log event id is a 56-digit decimal whose
value shifted right by 144 bits is the event's ``timestamp``; its low 16 bits count up within a
delivery (verified on a 2024 capture). :func:`decode` gives the payload back.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import struct
import zlib
from collections.abc import Callable, Mapping
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._fastdraw import between, pick, word
from ._overrides import Path
from ._world import World, iso_ms

__all__ = ["CONTROL_PAYLOAD", "PARAMS", "build", "decode", "derive", "encode", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "message_type": "'DATA_MESSAGE' (default) or 'CONTROL_MESSAGE' (a subscription health check)",
    "log_group": "log group name (default: '/aws/lambda/<function>')",
    "log_stream": "log stream name (default: a Lambda stream, 'YYYY/MM/DD/[$LATEST]<32 hex>')",
    "subscription_filter": "subscription filter name (default: drawn)",
    "messages": "list of log lines, one log event each (default: drawn, see log_format)",
    "log_events": "number of log events when messages is not given, 1..10000 (default 3)",
    "log_format": "'lambda' (START/END/REPORT and text lines), 'json' (Powertools Logger JSON) or "
    "'mixed' (default) for the drawn messages",
    "policy_level": "'ACCOUNT_LEVEL_POLICY' for an account-level subscription (adds policyLevel)",
}

_FORMATS: Final = ("lambda", "json", "mixed")
_GROUP: Final = re.compile(r"[\w#/.\-]{1,512}")
_LEVELS: Final = ("INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR")
_CONTROL: Final = "CWL CONTROL MESSAGE: Checking health of destination Lambda function."
#: A health-check delivery (its timestamp is fixed here; build() draws one).
CONTROL_PAYLOAD: Final[dict[str, Any]] = {
    "messageType": "CONTROL_MESSAGE",
    "owner": "CloudwatchLogs",
    "logGroup": "",
    "logStream": "",
    "subscriptionFilters": [],
    "logEvents": [{"id": "", "timestamp": 1_764_000_000_000, "message": _CONTROL}],
}


# The gzip header, fixed: no name, mtime 0, "maximum compression" flag, OS "Unix". Written
# here, not by gzip.compress(), whose header changed in Python 3.13 (OS byte 255, "unknown"):
# a seeded event is the same bytes on every Python (given zlib's deflate; zlib-ng's differs).
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"


def gzip_member(raw: bytes) -> bytes:
    """``raw`` as one gzip member (RFC 1952) with the fixed header above, deflated at level 9."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(raw) + deflate.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)


def encode(payload: Mapping[str, Any]) -> str:
    """``awslogs.data`` for ``payload``: base64 of the gzip of its compact JSON."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.b64encode(gzip_member(raw)).decode("ascii")


def decode(event: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a CloudWatch Logs subscription event (``awslogs.data`` un-base64'd, gunzipped)."""
    try:
        data = event["awslogs"]["data"]
        payload: dict[str, Any] = json.loads(gzip.decompress(base64.b64decode(data, validate=True)))
    except (KeyError, TypeError, binascii.Error, OSError, EOFError, ValueError) as exc:
        raise InvalidEventSpec(
            f"awslogs.data is not base64 of gzip of JSON ({type(exc).__name__}: {exc}); "
            "CloudWatch Logs sends base64(gzip(json))"
        ) from None
    return payload


def _lines(world: World, fmt: str, count: int, start_ms: int) -> list[tuple[int, str]]:
    rng = world.rng
    request_id = world.uuid4()
    trace = f"1-{start_ms // 1000:08x}-{world.hex(24)}"
    service = word(rng)
    fn_arn = f"arn:aws:lambda:{world.region}:{world.account_id}:function:{service}"
    out: list[tuple[int, str]] = []
    ms = start_ms
    for i in range(count):
        ms += between(rng, 0, 39)
        kind = fmt if fmt != "mixed" else pick(rng, ("lambda", "json"))
        level = pick(rng, _LEVELS)
        text = " ".join(word(rng) for _ in range(between(rng, 3, 8))).capitalize() + "."
        if kind == "json":
            record = {
                "level": level,
                "location": f"handler:{rng.randrange(10, 200)}",
                "message": text,
                "timestamp": f"{iso_ms(ms)[:10]} {iso_ms(ms)[11:19]},{ms % 1000:03d}+0000",
                "service": service,
                "cold_start": i == 0,
                "function_name": service,
                "function_memory_size": "128",
                "function_arn": fn_arn,
                "function_request_id": request_id,
                "xray_trace_id": trace,
            }
            line = json.dumps(record, separators=(",", ":")) + "\n"
        elif i == 0:
            line = f"START RequestId: {request_id} Version: $LATEST\n"
        elif i == count - 1 and count > 2:
            dur = between(rng, 2, 899) + rng.random()
            line = (
                f"REPORT RequestId: {request_id}\tDuration: {dur:.2f} ms\tBilled Duration: "
                f"{int(dur) + 1} ms\tMemory Size: 128 MB\tMax Memory Used: {between(rng, 40, 119)} MB\t\n"
            )
        else:
            line = f"{iso_ms(ms)}\t{request_id}\t{level}\t{text}\n"
        out.append((ms, line))
    return out


def _payload(world: World, params: dict[str, Any]) -> dict[str, Any]:
    mtype = params.get("message_type") or "DATA_MESSAGE"
    if mtype not in ("DATA_MESSAGE", "CONTROL_MESSAGE"):
        raise InvalidEventSpec(f"message_type={mtype!r}; valid: DATA_MESSAGE, CONTROL_MESSAGE")
    start = world.now_ms - world.rng.randrange(1_000, 60_000)  # logs reach the subscription late
    low = world.rng.getrandbits(112) << 16
    if mtype == "CONTROL_MESSAGE":
        return {
            "messageType": "CONTROL_MESSAGE",
            "owner": "CloudwatchLogs",
            "logGroup": "",
            "logStream": "",
            "subscriptionFilters": [],
            "logEvents": [{"id": "", "timestamp": start, "message": _CONTROL}],
        }
    fmt = params.get("log_format") or "mixed"
    if fmt not in _FORMATS:
        raise InvalidEventSpec(f"log_format={fmt!r}; valid: {', '.join(_FORMATS)}")
    messages = params.get("messages")
    if messages is not None:
        if (
            not isinstance(messages, (list, tuple))
            or not messages
            or not all(isinstance(m, str) for m in messages)
        ):
            raise InvalidEventSpec(f"messages={messages!r:.80}: expected a non-empty list of str")
        lines = []
        ms = start
        for m in messages:
            ms += world.rng.randrange(0, 40)
            lines.append((ms, m))
    else:
        count = params.get("log_events", 3)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10_000:
            raise InvalidEventSpec(f"log_events={count!r}: expected an int from 1 to 10000")
        lines = _lines(world, fmt, count, start)
    fn = f"{word(world.rng)}-{word(world.rng)}"
    group = params.get("log_group") or f"/aws/lambda/{fn}"
    if not isinstance(group, str) or not _GROUP.fullmatch(group):
        raise InvalidEventSpec(
            f"log_group={group!r}: a log group name is 1-512 of letters, digits, '_-./#'"
        )
    day = iso_ms(start)[:10].replace("-", "/")
    stream = params.get("log_stream") or f"{day}/[$LATEST]{world.hex(32)}"
    filt = params.get("subscription_filter") or f"{word(world.rng)}-subscription"
    payload: dict[str, Any] = {
        "messageType": "DATA_MESSAGE",
        "owner": world.account_id,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": [filt],
        "logEvents": [
            {"id": str((ms << 144) | low | n), "timestamp": ms, "message": text}
            for n, (ms, text) in enumerate(lines)
        ],
    }
    policy = params.get("policy_level")
    if policy is not None:
        if policy != "ACCOUNT_LEVEL_POLICY":
            raise InvalidEventSpec(
                f"policy_level={policy!r}; the only level is 'ACCOUNT_LEVEL_POLICY'"
            )
        payload["policyLevel"] = policy
    return payload


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    return {"awslogs": {"data": encode(_payload(world, params))}}


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Nothing is derived: the payload is compressed; build it with the parameters."""


def _payload_problems(payload: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    from ._validate import schema

    sub = schema("cloudwatch_logs")
    validator = Draft202012Validator({**sub["$defs"]["payload"], "$defs": sub["$defs"]})
    errors = list(validator.iter_errors(payload))
    if errors:
        e = errors[0]
        where = ".".join(map(str, e.absolute_path)) or "<root>"
        return [f"the decoded awslogs.data is invalid at {where}: {e.message[:160]}"]
    return []


def invariants(event: dict[str, Any]) -> list[str]:
    try:
        payload = decode(event)
    except InvalidEventSpec as exc:
        return [str(exc)]
    raw = base64.b64decode(event["awslogs"]["data"])
    if raw[:2] != b"\x1f\x8b":
        return [f"awslogs.data is compressed with header {raw[:2].hex()}, not gzip (1f8b)"]
    out = _payload_problems(payload)
    if out:
        return out
    if payload["messageType"] == "CONTROL_MESSAGE":
        return out
    last = -1
    for i, ev in enumerate(payload["logEvents"]):
        ident = int(ev["id"])
        if ident >> 144 != ev["timestamp"]:
            out.append(
                f"logEvents[{i}].id {ev['id']} does not encode its timestamp {ev['timestamp']} "
                "(id >> 144 is the timestamp in real deliveries)"
            )
        if ident <= last:
            out.append(f"logEvents[{i}].id does not increase after logEvents[{i - 1}].id")
        last = ident
    return out
