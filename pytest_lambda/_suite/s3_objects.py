"""The objects S3 events name, put in moto before the suite sends the events.

S3 sends ``ObjectCreated`` (and EventBridge ``Object Created``) only for an object that
exists, so a handler reading it
(``GetObject``) must find it: with moto on, every check puts the object of each generated
``ObjectCreated`` record in its bucket (the bucket made if missing) before the first
invocation, so ``reset()`` returns to it. An object the user's moto set-up made is kept.
A new object's bytes follow its key's suffix (text for ``.txt``, JSON for ``.json``, a
JPEG header for ``.jpg``...), plain text when the suffix says nothing: bytes of the wrong
kind would fail a handler for a reason its real uploads never give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = ["object_refs", "put_objects", "sample_body"]

_BY_SUFFIX: Final[dict[str, bytes]] = {
    ".json": b'{"id": "sample-1", "name": "sample object", "count": 1}\n',
    ".jsonl": b'{"id": "sample-1"}\n{"id": "sample-2"}\n',
    ".ndjson": b'{"id": "sample-1"}\n{"id": "sample-2"}\n',
    ".csv": b"id,name,count\nsample-1,sample object,1\n",
    ".tsv": b"id\tname\tcount\nsample-1\tsample object\t1\n",
    ".xml": b'<?xml version="1.0" encoding="UTF-8"?>\n<item id="sample-1">sample object</item>\n',
    ".html": b"<!doctype html>\n<html><body><p>sample object</p></body></html>\n",
    ".htm": b"<!doctype html>\n<html><body><p>sample object</p></body></html>\n",
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    ".jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    ".png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
    b"\x00\x00\x1f\x15\xc4\x89",
    ".gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    ".pdf": b"%PDF-1.4\n% sample object\n%%EOF\n",
}
_TEXT: Final = b"sample object\nline 2\n"


def sample_body(key: str) -> bytes:
    """Bytes an upload under ``key`` would plausibly hold, by its suffix."""
    name = key.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:], _TEXT) if dot > 0 else _TEXT


def object_refs(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(bucket, decoded key)`` of each ``ObjectCreated`` record of an S3 event, or of an
    EventBridge ``Object Created`` event from S3."""
    from urllib.parse import unquote_plus

    out = []
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        detail = event.get("detail")
        bucket = detail.get("bucket", {}).get("name") if isinstance(detail, Mapping) else None
        key = detail.get("object", {}).get("key") if isinstance(detail, Mapping) else None
        if isinstance(bucket, str) and isinstance(key, str):
            # whether EventBridge encodes the key is not documented: both forms exist
            out.append((bucket, key))
            if unquote_plus(key) != key:
                out.append((bucket, unquote_plus(key)))
        return out
    records = event.get("Records")
    for record in records if isinstance(records, list) else ():
        try:
            bucket = record["s3"]["bucket"]["name"]
            key = unquote_plus(record["s3"]["object"]["key"])
        except (KeyError, TypeError):
            continue
        if isinstance(bucket, str) and str(record.get("eventName", "")).startswith("ObjectCreated"):
            out.append((bucket, key))
    return out


def put_objects(
    events: Iterable[Mapping[str, Any]], region: str, body: bytes | None = None
) -> None:
    """Inside moto: each ``ObjectCreated`` record's object at its decoded key (as in AWS),
    with ``body`` or :func:`sample_body`; an object that exists is kept."""
    import boto3

    s3 = boto3.client("s3", region_name=region)
    made: set[str] = set()
    for event in events:
        for bucket, key in object_refs(event):
            if bucket not in made:
                made.add(bucket)
                try:
                    s3.head_bucket(Bucket=bucket)
                except Exception:
                    extra = {} if region == "us-east-1" else {
                        "CreateBucketConfiguration": {"LocationConstraint": region}}  # fmt: skip
                    s3.create_bucket(Bucket=bucket, **extra)
            try:
                s3.head_object(Bucket=bucket, Key=key)
                continue  # the set-up's object: keep its bytes
            except Exception:
                s3.put_object(
                    Bucket=bucket, Key=key, Body=sample_body(key) if body is None else body
                )
