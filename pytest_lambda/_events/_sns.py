"""The ``sns`` event kind: one notification delivered to a Lambda subscription.

Field tree, key order and invariants: docs/internals/event-spec.md §2. The Lambda payload uses
``SigningCertUrl``/``UnsubscribeUrl`` (``Url`` casing) and ``Subject: null`` when no
subject was published. The Signature is well-formed base64 of 256 bytes but cannot
verify (it needs AWS's private key). :func:`sns_envelope_body` builds the body SNS
writes into SQS when raw delivery is off (§2.4), used by ``sqs(sns_envelope=True)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

from ._overrides import Path
from ._sns_envelope import (
    MAX_MESSAGE_BYTES,
    check_subject,
    check_topic_name,
    default_message,
    dns_suffix,
    partition,
    signing_cert_url,
    sns_envelope_body,
    sns_region_of_url,
    text_payload,
)
from ._sqs_attrs import is_base64, sns_attributes
from ._world import World, iso_ms

__all__ = ["PARAMS", "build", "derive", "invariants", "sns_envelope_body"]

PARAMS: Final[dict[str, str]] = {
    "message": "str, or a JSON-able value sent as compact JSON (default: a random JSON object)",
    "message_schema": "JSON Schema (dict, or path of a .json file) the message is generated from",
    "subject": "str of 1-99 characters without line breaks, or None for Subject: null (default None)",
    "topic": "topic name, 1-256 chars of [A-Za-z0-9_-] (default: drawn); ARNs use region/account_id",
    "message_attributes": (
        "dict name → str / bytes (Binary) / int / float (sent as String, as SNS does for Lambda), "
        "or {'Type': ..., 'Value': ...}"
    ),
    "signature_version": "'1' (SHA1withRSA, default) or '2' (SHA256withRSA)",
}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _signature_version(value: object) -> str:
    if value is None:
        return "1"
    if isinstance(value, bool) or str(value) not in ("1", "2"):
        raise InvalidEventSpec(
            f"signature_version={value!r}: SNS signs with version '1' (SHA1withRSA) or '2' (SHA256withRSA)"
        )
    return str(value)


def _message(world: World, params: dict[str, Any]) -> str:
    message = params.get("message")
    schema = params.get("message_schema")
    if message is not None and schema is not None:
        raise InvalidEventSpec(
            "message and message_schema both given; pass message for a fixed text, or "
            "message_schema to generate one"
        )
    if schema is not None:
        from ._payload import payload_from_schema

        message = payload_from_schema(schema, world)
    if message is None:
        return default_message(world)
    return text_payload(message, "message", MAX_MESSAGE_BYTES)


def _default_topic(world: World) -> str:
    return world.slug(2) if world.rng.random() < 0.6 else f"{world.word()}-topic"


def build(world: World, params: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, dict[str, str]]
    if params:
        topic = params.get("topic")
        topic = _default_topic(world) if topic is None else check_topic_name(topic, "topic")
        subject = check_subject(params.get("subject"), "subject")
        sig_version = _signature_version(params.get("signature_version"))
        attrs = sns_attributes(params.get("message_attributes"))
        message = _message(world, params)
    else:  # the default event: the same draws, without the checks
        topic, subject, sig_version, attrs = _default_topic(world), None, "1", {}
        message = default_message(world)
    region = world.region
    topic_arn = f"arn:{partition(region)}:sns:{region}:{world.account_id}:{topic}"
    sub_arn = f"{topic_arn}:{world.uuid4()}"
    host = f"https://sns.{region}.{dns_suffix(region)}"
    sent_ms = world.now_ms - 15 - int(world.rng.random() * 886)  # delivery latency
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": sub_arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": world.uuid5_shaped(),
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": iso_ms(sent_ms),
                    "SignatureVersion": sig_version,
                    "Signature": world.b64(256),
                    "SigningCertUrl": signing_cert_url(region),
                    "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={sub_arn}",
                    "MessageAttributes": attrs,
                },
            }
        ]
    }


def _arn_parts(arn: object) -> list[str] | None:
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    return parts if len(parts) >= 6 and parts[0] == "arn" else None


def derive(event: dict[str, Any], is_protected: Callable[[Path], bool]) -> None:
    """Subscription ARN from TopicArn, the URLs from the subscription ARN's region."""
    records = event.get("Records")
    if not isinstance(records, list):
        return
    for i, rec in enumerate(records):
        sns = rec.get("Sns") if isinstance(rec, dict) else None
        if not isinstance(sns, dict):
            continue
        assert isinstance(rec, dict)
        topic = sns.get("TopicArn")
        sub = rec.get("EventSubscriptionArn")
        if (
            isinstance(topic, str)
            and isinstance(sub, str)
            and not sub.startswith(topic + ":")
            and not is_protected(("Records", i, "EventSubscriptionArn"))
        ):
            suffix = sub.rsplit(":", 1)[-1]
            sub = rec["EventSubscriptionArn"] = f"{topic}:{suffix}"
        parts = _arn_parts(sub)
        if parts is None:
            continue
        region = parts[3]
        host = f"https://sns.{region}.{dns_suffix(region)}"
        if not is_protected(("Records", i, "Sns", "UnsubscribeUrl")):
            sns["UnsubscribeUrl"] = f"{host}/?Action=Unsubscribe&SubscriptionArn={sub}"
        cert = sns.get("SigningCertUrl")
        if (
            isinstance(cert, str)
            and "/SimpleNotificationService-" in cert
            and not is_protected(("Records", i, "Sns", "SigningCertUrl"))
        ):
            sns["SigningCertUrl"] = host + cert[cert.index("/SimpleNotificationService-") :]


def _record_problems(rec: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    sns = rec.get("Sns")
    if not isinstance(sns, dict):
        return out
    topic = sns.get("TopicArn")
    sub = rec.get("EventSubscriptionArn")
    if (
        isinstance(topic, str)
        and isinstance(sub, str)
        and (not sub.startswith(topic + ":") or not _UUID.fullmatch(sub[len(topic) + 1 :]))
    ):
        out.append(
            f"{where}.EventSubscriptionArn {sub!r} is not Sns.TopicArn {topic!r} + ':' + a UUID"
        )
    topic_parts = _arn_parts(topic)
    topic_region = topic_parts[3] if topic_parts else None
    unsub = sns.get("UnsubscribeUrl")
    if (
        isinstance(unsub, str)
        and isinstance(sub, str)
        and not unsub.endswith(f"SubscriptionArn={sub}")
    ):
        out.append(
            f"{where}.Sns.UnsubscribeUrl {unsub!r} does not embed EventSubscriptionArn {sub!r}"
        )
    for key in ("UnsubscribeUrl", "SigningCertUrl"):
        url_region = sns_region_of_url(sns.get(key))
        if url_region is not None and topic_region is not None and url_region != topic_region:
            out.append(
                f"{where}.Sns.{key} is served from {url_region} but TopicArn is in {topic_region}"
            )
    attrs = sns.get("MessageAttributes")
    if isinstance(attrs, dict):
        for name, attr in attrs.items():
            if (
                isinstance(attr, dict)
                and str(attr.get("Type", "")).startswith("Binary")
                and not is_base64(attr.get("Value"))
            ):
                out.append(
                    f"{where}.Sns.MessageAttributes[{name!r}].Value {attr.get('Value')!r} is "
                    "Binary but not base64"
                )
    return out


def invariants(event: dict[str, Any]) -> list[str]:
    ev: Any = event
    records = ev.get("Records") if isinstance(ev, dict) else None
    if not isinstance(records, list):
        return []
    out: list[str] = []
    if len(records) != 1:
        out.append(f"Records has {len(records)} records; SNS invokes Lambda with exactly one")
    for i, rec in enumerate(records):
        if isinstance(rec, dict):
            out.extend(_record_problems(rec, f"Records[{i}]"))
    return out
