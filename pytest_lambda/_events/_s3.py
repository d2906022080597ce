"""S3 event notifications (``eventSource`` ``aws:s3``): exactly one record.

Independent facts are drawn first (event type, bucket, decoded key, object write
time, size, versioning); every dependent field is built from them: the
form-encoded key, ``bucket.arn``, ``eventVersion``, the sequencer (epoch seconds
of the write, never after ``eventTime``), the absence of size/eTag for deletes and
the type-specific blocks. S3 has no payload, so this kind takes no ``body_schema``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from . import _s3_draw as draw
from ._fastdraw import between, ipv4, pick, upper_alnum
from ._overrides import Path
from ._s3_check import invariants
from ._s3_names import (
    BLOCK_OWNERS,
    ETAG_RE,
    EVENT_TYPES,
    MAX_KEY_BYTES,
    MIB,
    SEQUENCER_RE,
    SERVICE_PRINCIPAL,
    EventType,
    as_dict,
    bucket_name_problem,
    encode_key,
)
from ._world import World, iso_ms

__all__ = ["PARAMS", "build", "derive", "invariants"]

PARAMS: Final[dict[str, str]] = {
    "bucket": "bucket name, checked against S3's naming rules (default: a realistic name)",
    "key": "object key, DECODED ('photos/red flower.jpg'); the event carries it form-encoded "
    "('photos/red+flower.jpg'). Overrides of Records.0.s3.object.key are the raw wire form "
    "(default: a realistic path)",
    "event_name": "event type without the 's3:' prefix, e.g. 'ObjectCreated:Put', "
    "'ObjectRemoved:Delete', 'ObjectRestore:Completed' (default 'ObjectCreated:Put')",
    "size": "object size in bytes, int >= 0; not allowed for deletes (default: drawn)",
    "etag": "32 lower-case hex, or 'hex-N' for an N-part multipart upload; not allowed for "
    "deletes (default: drawn, multipart for CompleteMultipartUpload)",
    "version_id": "object version id; giving one means a versioned bucket (default: none, "
    "or drawn when versioned)",
    "versioned": "bool: the bucket has versioning enabled, so the record carries a versionId "
    "(default False; True for delete markers and replication)",
    "source_ip": "requestParameters.sourceIPAddress: an IPv4/IPv6 address or a service "
    "principal such as 's3.amazonaws.com' (default: drawn)",
    "principal_id": "userIdentity.principalId of the requester (default: an IAM user or role)",
    "configuration_id": "s3.configurationId, the notification configuration's id (default: drawn)",
    "sequencer": "s3.object.sequencer, 16-18 upper-case hex (default: '00' + the write's epoch "
    "seconds in 8 hex + 8 hex)",
}

_MAX_SIZE: Final = 5 * 1024**4  # 5 TiB, the largest object
_MAX_SINGLE_PUT: Final = 5 * 1024**3  # 5 GiB, the largest single PUT or copy
_EMPTY_MD5: Final = "d41d8cd98f00b204e9800998ecf8427e"
_SERVICE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")


# -- parameter checks ----------------------------------------------------------------
def _int_param(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name}={value!r}: expected an int from 0 to {_MAX_SIZE} (5 TiB)")
    return value


def _event_name(params: dict[str, Any]) -> str:
    name = params.get("event_name", "ObjectCreated:Put")
    if not isinstance(name, str):
        raise ArgumentTypeError(
            f"event_name={name!r}: expected a string such as 'ObjectCreated:Put'"
        )
    if name in EVENT_TYPES:
        return name
    if name.startswith("s3:"):
        raise InvalidEventSpec(
            f"event_name={name!r}: S3 notifications carry the event type WITHOUT the 's3:' "
            f"prefix (the prefix exists only in bucket configuration); use {name[3:]!r}"
        )
    if name.endswith("*"):
        raise InvalidEventSpec(
            f"event_name={name!r}: wildcards exist only in notification configuration, never in "
            f"events; pick one type, e.g. {name[:-1] + 'Put' if name.startswith('ObjectCreated') else 'ObjectCreated:Put'!r}"
        )
    raise InvalidEventSpec(
        f"event_name={name!r} is not an S3 event type; valid: {', '.join(EVENT_TYPES)}"
    )


def _str_param(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidEventSpec(f"{name}={value!r}: expected a non-empty string")
    return value


def _bucket(world: World, params: dict[str, Any]) -> str:
    name = _str_param(params, "bucket")
    if name is None:
        return draw.default_bucket(world)
    problem = bucket_name_problem(name)
    if problem:
        raise InvalidEventSpec(f"bucket={name!r}: {problem}")
    return name


def _key(world: World, params: dict[str, Any], event_ms: int) -> str:
    key = params.get("key")
    if key is None:
        return draw.default_key(world, event_ms)
    if not isinstance(key, str):
        raise ArgumentTypeError(
            f"key={key!r}: expected the decoded object key as a string, e.g. 'photos/red flower.jpg'"
        )
    size = len(key.encode("utf-8", "surrogatepass"))
    if not 1 <= size <= MAX_KEY_BYTES:
        raise InvalidEventSpec(
            f"key of {size} UTF-8 bytes: an S3 object key has 1 to {MAX_KEY_BYTES} bytes"
        )
    return key


def _size_etag(
    world: World, params: dict[str, Any], name: str, kind: EventType
) -> tuple[int | None, str | None]:
    size, etag = params.get("size"), params.get("etag")
    if kind.deleted:
        for pname, value in (("size", size), ("etag", etag)):
            if value is not None:
                raise InvalidEventSpec(
                    f"{pname}={value!r} with event_name={name!r}: S3 sends no size or eTag for "
                    "deleted objects; drop it or pick another event_name"
                )
        return None, None
    if size is not None and not 0 <= _int_param(size, "size") <= _MAX_SIZE:
        raise InvalidEventSpec(f"size={size!r}: expected an int from 0 to {_MAX_SIZE} (5 TiB)")
    parts = 0
    if etag is not None:
        if isinstance(etag, str) and etag.startswith('"'):
            raise InvalidEventSpec(f"etag={etag!r}: events carry the eTag without quotes")
        m = ETAG_RE.match(etag) if isinstance(etag, str) else None
        if m is None or int(m.group(1) or 0) > 10_000:
            raise InvalidEventSpec(
                f"etag={etag!r}: expected 32 lower-case hex digits, or 'hex-N' for a multipart "
                "upload of N parts (1..10000)"
            )
        parts = int(m.group(1) or 0)
    elif name == "ObjectCreated:CompleteMultipartUpload":
        parts = -1  # drawn below, from the size
    if size is None:
        size = draw.default_size(world, parts)
    if parts == -1:
        parts = min(10_000, max(1, -(-size // draw.PART)))
    if parts and size < (parts - 1) * 5 * MIB:
        raise InvalidEventSpec(
            f"size={size} with etag={etag!r}: a {parts}-part upload has at least {parts - 1} "
            f"parts of 5 MiB, so size >= {(parts - 1) * 5 * MIB}"
        )
    if (
        not parts
        and size > _MAX_SINGLE_PUT
        and name in ("ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy")
    ):
        raise InvalidEventSpec(
            f"size={size} with event_name={name!r}: a single PUT, POST or copy stores at most "
            "5 GiB; use event_name='ObjectCreated:CompleteMultipartUpload'"
        )
    if etag is None:
        etag = _EMPTY_MD5 if size == 0 and not parts else world.hex(32)
        if parts:
            etag = f"{etag}-{parts}"
    return size, etag


def _version_id(world: World, params: dict[str, Any], name: str, kind: EventType) -> str | None:
    version_id = _str_param(params, "version_id")
    versioned = params.get("versioned")
    if versioned is not None and not isinstance(versioned, bool):
        raise InvalidEventSpec(f"versioned={versioned!r}: expected True or False")
    needs = kind.marker or kind.block == "replicationEventData"
    if versioned is False and (version_id is not None or needs):
        why = (
            "version_id implies a versioned bucket"
            if version_id is not None
            else f"{name} events only happen in versioned buckets"
        )
        raise InvalidEventSpec(f"versioned=False with event_name={name!r}: {why}")
    if version_id is not None:
        if any(c.isspace() for c in version_id) or len(version_id) > 1024:
            raise InvalidEventSpec(f"version_id={version_id!r}: a version id has no whitespace")
        return version_id
    if versioned or needs:
        return draw.version_id(world)
    return None


def _sequencer(world: World, params: dict[str, Any], write_ms: int) -> str:
    given = _str_param(params, "sequencer")
    if given is not None:
        if not SEQUENCER_RE.match(given):
            raise InvalidEventSpec(f"sequencer={given!r}: expected 16 to 18 upper-case hex digits")
        return given
    return f"00{max(0, write_ms // 1000) & 0xFFFFFFFF:08X}{world.upper_hex(8)}"


def _source_ip(world: World, params: dict[str, Any], kind: EventType) -> str:
    value = _str_param(params, "source_ip")
    if value is None:
        if kind.service:
            return SERVICE_PRINCIPAL
        if world.rng.random() < 0.05:
            return "2600:1f18:" + ":".join(f"{world.rng.getrandbits(16):x}" for _ in range(6))
        return ipv4(world.rng)
    if _SERVICE_HOST.match(value):
        return value
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise InvalidEventSpec(
            f"source_ip={value!r}: expected an IPv4/IPv6 address or a service principal such as "
            f"{SERVICE_PRINCIPAL!r}"
        ) from None
    return value


# -- build ---------------------------------------------------------------------------
def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """One realistic S3 notification record, wrapped in ``{"Records": [...]}``."""
    name = _event_name(params)
    kind = EVENT_TYPES[name]
    rng = world.rng
    bucket = _bucket(world, params)
    event_ms = world.now_ms - between(rng, 20, 2_500)
    write_ms = draw.write_ms(world, name, kind, event_ms)
    key = _key(world, params, write_ms)
    size, etag = _size_etag(world, params, name, kind)
    version_id = _version_id(world, params, name, kind)
    sequencer = _sequencer(world, params, write_ms)
    owner = "A" + upper_alnum(rng, 12 + (rng.random() < 0.5))
    principal = _str_param(params, "principal_id")
    if principal is None:
        principal = SERVICE_PRINCIPAL if kind.service else draw.principal(world, owner)
    source_ip = _source_ip(world, params, kind)
    configuration_id = _str_param(params, "configuration_id") or draw.configuration_id(
        world, event_ms
    )

    obj: dict[str, Any] = {"key": encode_key(key)}
    if size is not None:
        obj["size"] = size
        obj["eTag"] = etag
    if version_id is not None:
        obj["versionId"] = version_id
    obj["sequencer"] = sequencer
    request_id = upper_alnum(rng, 16) if rng.random() < 0.7 else world.upper_hex(16)
    record: dict[str, Any] = {
        "eventVersion": kind.version,
        "eventSource": "aws:s3",
        "awsRegion": world.region,
        "eventTime": iso_ms(event_ms),
        "eventName": name,
        "userIdentity": {"principalId": principal},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {
            "x-amz-request-id": request_id,
            "x-amz-id-2": world.b64(pick(rng, (48, 56, 72))),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": owner},
                "arn": "arn:aws:s3:::" + bucket,
            },
            "object": obj,
        },
    }
    if kind.block is not None:
        record[kind.block] = draw.type_block(world, name, kind, event_ms, write_ms, bucket)
    return {"Records": [record]}


# -- derive --------------------------------------------------------------------------
def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Recompute what depends on overridden fields: bucket ARN, eventVersion, delete shape."""
    records = event.get("Records")
    if not isinstance(records, list):
        return
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            continue
        s3 = as_dict(rec.get("s3"))
        bucket = as_dict(s3.get("bucket"))
        if isinstance(bucket.get("name"), str):
            path: Path = ("Records", i, "s3", "bucket", "arn")
            if not is_protected(path):
                arn = bucket.get("arn")
                partition = (
                    arn.split(":")[1] if isinstance(arn, str) and arn.count(":") >= 5 else "aws"
                )
                bucket["arn"] = f"arn:{partition}:s3:::{bucket['name']}"
        name = rec.get("eventName")
        kind = EVENT_TYPES.get(name) if isinstance(name, str) else None
        if kind is None:
            continue
        if not is_protected(("Records", i, "eventVersion")):
            rec["eventVersion"] = kind.version
        obj = as_dict(s3.get("object"))
        if kind.deleted:
            for field in ("size", "eTag"):
                if field in obj and not is_protected(("Records", i, "s3", "object", field)):
                    del obj[field]
        for block, owners in BLOCK_OWNERS.items():
            if block in rec and name not in owners and not is_protected(("Records", i, block)):
                del rec[block]
