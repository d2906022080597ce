"""Default values of S3 events: realistic buckets, keys, sizes, requesters, blocks.

Every draw uses the event's ``World`` (seeded): same seed, same values.
"""

from __future__ import annotations

import time as _time
from typing import Any, Final

from ._fastdraw import between, pick, slug, upper_alnum, version_chars, word
from ._s3_names import MIB, EventType
from ._world import World, iso_ms

__all__ = [
    "PART",
    "configuration_id",
    "default_bucket",
    "default_key",
    "default_size",
    "principal",
    "type_block",
    "version_id",
    "write_ms",
]

PART: Final = 8 * MIB  # the AWS CLI / SDK default part size
_DAY_MS: Final = 86_400_000
_EXTENSIONS: Final = (
    "jpg",
    "png",
    "pdf",
    "csv",
    "json",
    "txt",
    "gz",
    "parquet",
    "mp4",
    "zip",
    "log",
    "xml",
)
_FAILURES: Final = (
    "AssumeRoleNotPermitted",
    "DstBucketNotFound",
    "DstBucketUnversioned",
    "DstKmsKeyNotFound",
    "DstKmsKeyInvalidState",
    "DstPutObjNotPermitted",
    "SrcGetObjNotPermitted",
    "DstMultipartCompleteNotPermitted",
)
_TRANSITION_CLASSES: Final = (
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
# How long before eventTime the object (version) was written, in ms, by event family.
_AGE_MS: Final[dict[str, tuple[int, int]]] = {
    "ObjectRestore": (30 * _DAY_MS, 700 * _DAY_MS),
    "ReducedRedundancyLostObject": (_DAY_MS, 700 * _DAY_MS),
    "LifecycleTransition": (30 * _DAY_MS, 700 * _DAY_MS),
    "IntelligentTiering": (90 * _DAY_MS, 700 * _DAY_MS),
    "ObjectTagging": (1_000, 365 * _DAY_MS),
    "ObjectAcl": (1_000, 365 * _DAY_MS),
    "Replication:OperationFailedReplication": (1_000, 120_000),
    "Replication:OperationMissedThreshold": (900_000, 960_000),
    "Replication:OperationReplicatedAfterThreshold": (960_000, 3_600_000),
    "Replication:OperationNotTracked": (900_000, 7_200_000),
}


def default_bucket(world: World) -> str:
    rng = world.rng
    a, b = word(world.rng).lower(), word(world.rng).lower()
    style = int(rng.random() * 4)
    if style == 0:
        return f"{a}-{b}-{world.region}"
    if style == 1:
        return f"{a}-{b}-{world.account_id}"
    if style == 2:
        return f"{a}-{b}-{world.hex(16)}"
    return f"{a}-{b}-{pick(rng, ('prod', 'staging', 'dev', 'data', 'uploads', 'assets'))}"


def default_key(world: World, event_ms: int) -> str:
    rng = world.rng
    t = _time.gmtime(event_ms // 1000)
    ext = pick(rng, _EXTENSIONS)
    top = word(world.rng).lower()
    style = int(rng.random() * 10)
    if style < 4:
        return f"{top}/{t.tm_year}/{t.tm_mon:02d}/{t.tm_mday:02d}/{word(world.rng)}-{word(world.rng)}.{ext}"
    if style < 6:
        return f"{top}/{word(world.rng).lower()}/{world.uuid4()}.{ext}"
    if style < 8:
        return (
            f"{top}/year={t.tm_year}/month={t.tm_mon:02d}/day={t.tm_mday:02d}/"
            f"part-{int(rng.random() * 100_000):05d}-{world.hex(8)}.{ext}"
        )
    if style < 9:
        words = [word(rng) for _ in range(between(rng, 2, 4))]
        return f"{top}/{words[0].capitalize()} {' '.join(words[1:])}.{ext}"
    return f"{top}-{word(world.rng)}+{word(world.rng)}.{ext}"


def default_size(world: World, parts: int) -> int:
    rng = world.rng
    if parts == -1:
        parts = between(rng, 2, 40)
    if parts:
        return (parts - 1) * PART + between(rng, 1, PART)
    if rng.random() < 0.01:
        return 0
    return int(10 ** rng.uniform(1.5, 7.5))


def principal(world: World, owner: str) -> str:
    rng = world.rng
    roll = rng.random()
    if roll < 0.4:
        return "AWS:AIDA" + upper_alnum(rng, 17)
    if roll < 0.8:
        session = slug(world.rng) if rng.random() < 0.7 else f"i-0{world.hex(16)}"
        return f"AWS:AROA{upper_alnum(rng, 17)}:{session}"
    return owner


def configuration_id(world: World, event_ms: int) -> str:
    roll = world.rng.random()
    if roll < 0.5:
        return world.uuid4()
    if roll < 0.7:
        t = _time.gmtime(event_ms // 1000 - between(world.rng, 30 * 86_400, 900 * 86_400))
        stamp = (
            f"{t.tm_year}{t.tm_mon:02d}{t.tm_mday:02d}{t.tm_hour:02d}{t.tm_min:02d}{t.tm_sec:02d}"
        )
        return f"tf-s3-lambda-{stamp}{world.digits(8)}"
    return f"{slug(world.rng)}-notification"


def type_block(
    world: World, name: str, kind: EventType, event_ms: int, write_ms: int, bucket: str
) -> dict[str, Any]:
    rng = world.rng
    if kind.block == "glacierEventData":
        # The restored copy expires at midnight UTC after the requested number of days.
        expiry = (event_ms // _DAY_MS + between(rng, 1, 30) + 1) * _DAY_MS
        return {
            "restoreEventData": {
                "lifecycleRestorationExpiryTime": iso_ms(expiry),
                "lifecycleRestoreStorageClass": pick(rng, ("GLACIER", "DEEP_ARCHIVE")),
            }
        }
    if kind.block == "replicationEventData":
        dest = f"{bucket[:54]}-replica"
        data: dict[str, Any] = {
            "replicationRuleId": slug(world.rng) + "-replication-rule"
            if rng.random() < 0.5
            else world.uuid4(),
            "destinationBucket": f"arn:aws:s3:::{dest}",
            "s3Operation": "OBJECT_PUT",
            "requestTime": iso_ms(write_ms),
        }
        if name == "Replication:OperationFailedReplication":
            data["failureReason"] = pick(rng, _FAILURES)
        return data
    if kind.block == "lifecycleEventData":
        return {"transitionEventData": {"destinationStorageClass": pick(rng, _TRANSITION_CLASSES)}}
    return {"destinationAccessTier": pick(rng, ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS"))}


def write_ms(world: World, name: str, kind: EventType, event_ms: int) -> int:
    if kind.fresh:
        return event_ms - between(world.rng, 0, 400)
    lo, hi = _AGE_MS.get(name) or _AGE_MS[name.split(":")[0]]
    return event_ms - between(world.rng, lo, hi)


def version_id(world: World) -> str:
    """About 32 characters of [A-Za-z0-9._], like ``096fKKXTRTtl3on89fVO.nfljtsv6qko``."""
    return version_chars(world.rng, 32)
