"""S3 facts the generator and the invariant checks share: event types, names, keys.

* ``EVENT_TYPES``: every ``eventName`` S3 puts in a notification (docs/internals/event-spec.md §3.3,
  without the ``s3:`` prefix) with what its record carries: eventVersion, whether
  the object still has a size and eTag, the type-specific block, who caused it.
* ``bucket_name_problem``: the bucket naming rules of docs/internals/event-spec.md §3.5, one message
  per rule.
* ``encode_key`` / ``key_problem``: object keys travel form-encoded
  (``quote_plus(key, safe="/")``: ``"red flower.jpg"`` → ``"red+flower.jpg"``).
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple
from urllib.parse import quote_plus, unquote_to_bytes

__all__ = [
    "BLOCK_OWNERS",
    "ETAG_RE",
    "EVENT_TYPES",
    "MAX_KEY_BYTES",
    "MIB",
    "SEQUENCER_RE",
    "SERVICE_PRINCIPAL",
    "EventType",
    "as_dict",
    "bucket_name_problem",
    "encode_key",
    "key_problem",
    "minimum_version",
]

MIB: Final = 1024 * 1024
MAX_KEY_BYTES: Final = 1024
#: ``userIdentity.principalId`` and ``sourceIPAddress`` of events S3 itself originates.
SERVICE_PRINCIPAL: Final = "s3.amazonaws.com"
#: eTag: 32 lower-case hex (single part), or hex + "-N" for an N-part multipart upload.
ETAG_RE: Final = re.compile(r"^[0-9a-f]{32}(?:-([1-9]\d{0,4}))?$")
#: sequencer as real events carry it: 16 to 18 upper-case hex digits.
SEQUENCER_RE: Final = re.compile(r"^[0-9A-F]{16,18}$")


def as_dict(value: object) -> dict[str, Any]:
    """``value`` if it is a dict, else an empty one (for malformed, overridden events)."""
    return value if isinstance(value, dict) else {}


class EventType(NamedTuple):
    """What a record of one ``eventName`` carries."""

    version: str  # eventVersion S3 writes for this type
    deleted: bool  # the object (version) is gone: no size, no eTag
    marker: bool  # a delete marker was created: versionId is the marker's
    service: bool  # originated by S3 itself, not by a request
    block: str | None  # the type-specific top-level block, if any
    fresh: bool  # the event is a write (PUT/DELETE): sequencer time ~ eventTime


def _t(
    version: str,
    *,
    deleted: bool = False,
    marker: bool = False,
    service: bool = False,
    block: str | None = None,
    fresh: bool = False,
) -> EventType:
    return EventType(version, deleted, marker, service, block, fresh)


EVENT_TYPES: Final[dict[str, EventType]] = {
    "ObjectCreated:Put": _t("2.1", fresh=True),
    "ObjectCreated:Post": _t("2.1", fresh=True),
    "ObjectCreated:Copy": _t("2.1", fresh=True),
    "ObjectCreated:CompleteMultipartUpload": _t("2.1", fresh=True),
    "ObjectRemoved:Delete": _t("2.1", deleted=True, fresh=True),
    "ObjectRemoved:DeleteMarkerCreated": _t("2.1", deleted=True, marker=True, fresh=True),
    "ObjectRestore:Post": _t("2.1"),
    "ObjectRestore:Completed": _t("2.1", service=True, block="glacierEventData"),
    "ObjectRestore:Delete": _t("2.3", service=True),
    "ReducedRedundancyLostObject": _t("2.1", service=True),
    "Replication:OperationFailedReplication": _t("2.2", service=True, block="replicationEventData"),
    "Replication:OperationMissedThreshold": _t("2.2", service=True, block="replicationEventData"),
    "Replication:OperationReplicatedAfterThreshold": _t(
        "2.2", service=True, block="replicationEventData"
    ),
    "Replication:OperationNotTracked": _t("2.2", service=True, block="replicationEventData"),
    "LifecycleExpiration:Delete": _t("2.3", deleted=True, service=True, fresh=True),
    "LifecycleExpiration:DeleteMarkerCreated": _t(
        "2.3", deleted=True, marker=True, service=True, fresh=True
    ),
    "LifecycleTransition": _t("2.3", service=True, block="lifecycleEventData"),
    "IntelligentTiering": _t("2.3", service=True, block="intelligentTieringEventData"),
    "ObjectTagging:Put": _t("2.3"),
    "ObjectTagging:Delete": _t("2.3"),
    "ObjectAcl:Put": _t("2.3"),
}

#: The top-level blocks that belong to one family of event types only.
BLOCK_OWNERS: Final[dict[str, tuple[str, ...]]] = {
    "glacierEventData": ("ObjectRestore:Completed",),
    "replicationEventData": tuple(n for n in EVENT_TYPES if n.startswith("Replication:")),
    "lifecycleEventData": ("LifecycleTransition",),
    "intelligentTieringEventData": ("IntelligentTiering",),
}


def minimum_version(event_name: str) -> tuple[int, int] | None:
    """The lowest eventVersion S3 uses for ``event_name`` (None if unknown)."""
    kind = EVENT_TYPES.get(event_name)
    if kind is None:
        return None
    major, minor = kind.version.split(".")
    return int(major), int(minor)


# -- bucket names (docs/internals/event-spec.md §3.5) --------------------------------------------------
_BUCKET_CHARS = re.compile(r"^[a-z0-9.-]+$")
_IP_SHAPED = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")


def bucket_name_problem(name: str) -> str | None:
    """Which naming rule ``name`` breaks, or None for a valid general-purpose bucket name."""
    if not 3 <= len(name) <= 63:
        return f"a bucket name has 3 to 63 characters (this one has {len(name)})"
    if not _BUCKET_CHARS.match(name):
        bad = sorted({c for c in name if not (c.islower() or c.isdigit() or c in ".-")} - {""})
        return (
            "a bucket name uses only lower-case letters, digits, '.' and '-' "
            f"(found {''.join(bad)!r})"
        )
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "a bucket name must start and end with a letter or a digit"
    if ".." in name:
        return "a bucket name must not contain two adjacent periods"
    if _IP_SHAPED.match(name):
        return "a bucket name must not be formatted as an IP address"
    if name.startswith("xn--"):
        return "a bucket name must not start with the reserved prefix 'xn--'"
    if name.endswith("-s3alias"):
        return "a bucket name must not end with the reserved suffix '-s3alias'"
    if name.endswith("--ol-s3"):
        return "a bucket name must not end with the reserved suffix '--ol-s3'"
    return None


# -- object keys (docs/internals/event-spec.md §3.2 #4) -----------------------------------------------
def encode_key(key: str) -> str:
    """The key as S3 writes it in a notification: form-encoded, '/' kept."""
    return quote_plus(key, safe="/")


# Characters a form encoder always escapes, and that S3 is seen escaping: a raw one
# means the key was not encoded (e.g. a hand-written fixture with "a b.txt").
_NEVER_RAW = frozenset("&=?#:")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be the form-encoded key of a real S3 notification (None if it can).

    The rule is deliberately about the *encoding*, not about one encoder's choices:
    real events percent-encode some characters Python's ``quote_plus`` leaves alone
    (``-`` as ``%2D`` in AWS's replication example) and the treatment of ``~``/``*`` is
    undocumented. So: no raw whitespace, control or non-ASCII character, none of
    ``& = ? # :`` unescaped, every ``%`` starts a ``%XX`` escape, and the decoded key is
    1..1024 bytes of valid UTF-8.
    """
    for ch in key:
        if ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F:
            return f"contains a raw {ch!r}; S3 form-encodes keys (a space is sent as '+')"
        if ord(ch) > 0x7E:
            return f"contains a raw non-ASCII {ch!r}; S3 percent-encodes the key's UTF-8 bytes"
        if ch in _NEVER_RAW:
            return f"contains a raw {ch!r}; S3 sends it percent-encoded ({encode_key(ch)})"
    if _ESCAPE.search(key):
        return "has a '%' that does not start a %XX escape; a literal '%' is sent as '%25'"
    raw = unquote_to_bytes(key.replace("+", " "))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "decodes to bytes that are not UTF-8; S3 keys are UTF-8"
    if not 1 <= len(raw) <= MAX_KEY_BYTES:
        return f"decodes to {len(raw)} bytes; an S3 key has 1 to {MAX_KEY_BYTES} bytes"
    return None
