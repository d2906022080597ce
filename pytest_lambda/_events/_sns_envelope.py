"""SNS pieces shared by the ``sns`` and ``sqs`` kinds: names, ARNs, URLs, the SQS envelope.

The SNS → SQS envelope (raw delivery off, docs/internals/event-spec.md §2.4) is the pretty-printed JSON
SNS writes: 2-space indent, ``" : "`` separators, ``SigningCertURL``/``UnsubscribeURL``
casing, ``Subject`` only when set, ``MessageAttributes`` only when any (each value compact
on one line); the FIFO variant has ``SequenceNumber`` and no signature fields.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidEventSpec

from ._sqs_attrs import is_base64
from ._world import World, iso_ms

__all__ = [
    "COMPACT",
    "MAX_MESSAGE_BYTES",
    "SnsEnvelopes",
    "check_subject",
    "check_topic_name",
    "default_message",
    "dns_suffix",
    "envelope_problems",
    "iso_to_ms",
    "partition",
    "signing_cert_url",
    "sns_envelope_body",
    "sns_region_of_url",
    "text_payload",
]

#: SNS Publish accepts messages up to 256 KiB (UTF-8 bytes, attributes included).
MAX_MESSAGE_BYTES: Final = 262_144

_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BAD_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SUBJECT_BAD = re.compile(r"[\x00-\x1f\x7f]")
_SNS_HOST = re.compile(r"^https://sns\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/")
_ENVELOPE_START = '{\n  "Type" : "Notification"'
#: Compact JSON as services write it (no spaces, UTF-8 kept); built once, reused.
COMPACT: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def partition(region: str) -> str:
    """The ARN partition of ``region``."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def sns_region_of_url(url: object) -> str | None:
    """The region in an ``https://sns.{region}.amazonaws.com/...`` URL."""
    m = _SNS_HOST.match(url) if isinstance(url, str) else None
    return m.group(1) if m else None


def check_topic_name(name: object, param: str) -> str:
    """A valid SNS topic name (1-256 chars of [A-Za-z0-9_-], FIFO ones end in .fifo)."""
    if not isinstance(name, str):
        raise InvalidEventSpec(f"{param}={name!r}: a topic name is a str such as 'orders-events'")
    if name.startswith(("arn:", "https:")):
        raise InvalidEventSpec(
            f"{param}={name!r}: pass the topic name only; region= and account_id= build the ARN"
        )
    base = name[:-5] if name.endswith(".fifo") else name
    if len(name) > 256 or not _TOPIC.fullmatch(base):
        raise InvalidEventSpec(
            f"{param}={name!r}: topic names have 1-256 characters from A-Z a-z 0-9 _ - "
            "(plus the .fifo suffix of FIFO topics)"
        )
    return name


def check_subject(subject: object, param: str) -> str | None:
    """A valid SNS subject: UTF-8 text under 100 characters without line breaks, or None."""
    if subject is None:
        return None
    if not isinstance(subject, str):
        raise ArgumentTypeError(f"{param}={subject!r}: a subject is a str (or None for no subject)")
    if not subject or len(subject) >= 100 or _SUBJECT_BAD.search(subject):
        raise InvalidEventSpec(
            f"{param}={subject!r}: SNS subjects are 1-99 characters without line breaks or "
            "control characters"
        )
    return subject


def text_payload(value: object, param: str, max_bytes: int) -> str:
    """A message body from a str (as is) or a JSON-able value (compact JSON)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEventSpec(
                f"{param}: bytes that are not UTF-8 cannot be a message body; base64-encode them first"
            ) from None
    if not isinstance(value, str):
        try:
            value = COMPACT.encode(value)
        except (TypeError, ValueError) as exc:
            raise InvalidEventSpec(
                f"{param}: {type(value).__name__} value is not JSON-serialisable ({exc}); "
                "pass a str or plain dicts/lists/numbers"
            ) from None
    assert isinstance(value, str)
    if not value:
        raise InvalidEventSpec(f"{param}: messages cannot be empty (at least 1 character)")
    bad = _BAD_TEXT.search(value)
    if bad:
        raise InvalidEventSpec(
            f"{param}: character {bad.group()!r} at index {bad.start()} is not allowed in "
            "messages (allowed: tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD, "
            "U+10000-U+10FFFF)"
        )
    size = len(value.encode("utf-8"))
    if size > max_bytes:
        raise InvalidEventSpec(f"{param}: {size} bytes; the service accepts at most {max_bytes}")
    return value


def default_message(world: World) -> str:
    """``COMPACT.encode(world.json_payload())``: :meth:`World.json_text` (same draws, same text).

    The default body of SQS messages and SNS notifications.
    """
    return world.json_text()


@functools.cache
def signing_cert_url(region: str) -> str:
    """SigningCertURL: one certificate per region, as in real notifications."""
    digest = hashlib.md5(f"sns-signing-cert:{region}".encode()).hexdigest()
    return f"https://sns.{region}.{dns_suffix(region)}/SimpleNotificationService-{digest}.pem"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class SnsEnvelopes:
    """Builds the envelopes of one subscription (one topic, one subscription id)."""

    __slots__ = ("attr_block", "fifo", "head", "sig_version", "tail", "world")

    def __init__(
        self,
        world: World,
        *,
        topic: str,
        subject: str | None = None,
        attributes: Mapping[str, Mapping[str, str]] | None = None,
        signature_version: str = "1",
    ) -> None:
        region = world.region
        fifo = topic.endswith(".fifo")
        topic_arn = f"arn:{partition(region)}:sns:{region}:{world.account_id}:{topic}"
        sub_arn = f"{topic_arn}:{world.uuid4()}"
        self.world = world
        self.fifo = fifo
        self.sig_version = signature_version
        self.head = f'  "TopicArn" : {_q(topic_arn)},\n'
        if subject is not None:
            self.head += f'  "Subject" : {_q(subject)},\n'
        unsubscribe = f"https://sns.{region}.{dns_suffix(region)}/?Action=Unsubscribe&SubscriptionArn={sub_arn}"
        self.tail = f'  "UnsubscribeURL" : {_q(unsubscribe)}'
        if not fifo:
            self.tail = f'  "SigningCertURL" : {_q(signing_cert_url(region))},\n' + self.tail
        self.attr_block = ""
        if attributes:
            lines = ",\n".join(
                f'    {_q(name)} : {{"Type":{_q(a["Type"])},"Value":{_q(a["Value"])}}}'
                for name, a in attributes.items()
            )
            self.attr_block = f',\n  "MessageAttributes" : {{\n{lines}\n  }}'

    def body(self, message: str, timestamp_ms: int, sequence_number: str | None = None) -> str:
        """The envelope of one notification, exactly as SNS writes it into the SQS body."""
        world = self.world
        parts = [_ENVELOPE_START, f',\n  "MessageId" : "{world.uuid5_shaped()}",\n']
        if self.fifo:
            seq = sequence_number or str(10**19 + world.rng.randrange(1, 10**6) * 1000)
            parts.append(f'  "SequenceNumber" : "{seq}",\n')
        parts.append(self.head)
        parts.append(f'  "Message" : {_q(message)},\n  "Timestamp" : "{iso_ms(timestamp_ms)}",\n')
        if not self.fifo:
            parts.append(
                f'  "SignatureVersion" : "{self.sig_version}",\n'
                f'  "Signature" : "{world.b64(256)}",\n'
            )
        parts.append(self.tail)
        parts.append(self.attr_block)
        parts.append("\n}")
        return "".join(parts)


def sns_envelope_body(
    world: World,
    message: str,
    *,
    topic: str,
    subject: str | None = None,
    attributes: Mapping[str, Mapping[str, str]] | None = None,
    timestamp_ms: int | None = None,
    signature_version: str = "1",
    sequence_number: str | None = None,
) -> str:
    """The SQS ``body`` SNS writes for ``message`` published to ``topic`` (raw delivery off).

    ``topic`` is a name in ``world``'s region and account (``.fifo`` gives the FIFO
    variant), ``attributes`` are in ``{"Type", "Value"}`` form, ``timestamp_ms`` defaults
    to a few ms before ``world.now_ms``. The Signature is well-formed but cannot verify.
    """
    check_topic_name(topic, "topic")
    check_subject(subject, "subject")
    if timestamp_ms is None:
        timestamp_ms = world.now_ms - world.rng.randint(5, 200)
    maker = SnsEnvelopes(
        world,
        topic=topic,
        subject=subject,
        attributes=attributes,
        signature_version=signature_version,
    )
    return maker.body(message, timestamp_ms, sequence_number)


def iso_to_ms(text: object) -> int | None:
    """Epoch ms of an ISO 8601 timestamp such as ``2024-05-01T12:00:00.123Z`` (None if not one)."""
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return round(parsed.timestamp() * 1000)


def _arn_region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) >= 6 else None


def envelope_problems(body: object, where: str, sent_ms: int | None) -> list[str]:
    """Invariants broken by an SNS envelope inside an SQS ``body`` (``[]`` if not an envelope)."""
    if not isinstance(body, str) or not body.startswith("{") or '"Notification"' not in body[:60]:
        return []
    try:
        env: Any = json.loads(body)
    except ValueError:
        return []
    if not isinstance(env, dict) or env.get("Type") != "Notification" or "TopicArn" not in env:
        return []
    out: list[str] = []
    topic = env.get("TopicArn")
    region = _arn_region(topic) if isinstance(topic, str) else None
    for key in ("UnsubscribeUrl", "SigningCertUrl"):
        if key in env:
            out.append(
                f"{where}: the SNS envelope has {key!r}; SNS writes {key[:-3]}URL in SQS/HTTP envelopes"
            )
    unsub = env.get("UnsubscribeURL")
    if isinstance(unsub, str) and isinstance(topic, str):
        marker = f"SubscriptionArn={topic}:"
        if marker not in unsub:
            out.append(
                f"{where}: envelope UnsubscribeURL {unsub!r} does not embed TopicArn {topic!r} + ':'"
            )
    for key in ("UnsubscribeURL", "SigningCertURL"):
        url_region = sns_region_of_url(env.get(key))
        if url_region is not None and region is not None and url_region != region:
            out.append(f"{where}: envelope {key} is in {url_region} but TopicArn in {region}")
    if isinstance(topic, str) and topic.endswith(".fifo"):
        present = [k for k in ("Signature", "SignatureVersion", "SigningCertURL") if k in env]
        if present:
            out.append(
                f"{where}: FIFO topic envelope has {', '.join(present)}; SNS omits them for FIFO topics"
            )
        if "SequenceNumber" not in env:
            out.append(f"{where}: FIFO topic envelope lacks SequenceNumber")
    attrs = env.get("MessageAttributes")
    if isinstance(attrs, dict):
        for name, attr in attrs.items():
            if (
                isinstance(attr, dict)
                and str(attr.get("Type", "")).startswith("Binary")
                and not is_base64(attr.get("Value"))
            ):
                out.append(
                    f"{where}: envelope MessageAttributes[{name!r}] is Binary but not base64"
                )
    ts = iso_to_ms(env.get("Timestamp"))
    if ts is not None and sent_ms is not None and ts > sent_ms:
        out.append(
            f"{where}: envelope Timestamp {env.get('Timestamp')} is after the SQS SentTimestamp "
            f"{sent_ms} (SNS delivers after publishing)"
        )
    return out
