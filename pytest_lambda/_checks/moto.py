"""moto integration: a ready ``observe``/``reset`` pair over moto's in-memory AWS.

>>> with mock_aws():
...     create_tables_and_buckets()
...     observe, reset = moto_state()          # the starting state is taken now
...     assert_idempotent("app.handler", event, observe=observe, reset=reset)

``observe()`` returns a plain snapshot::

    {"dynamodb": {table: {"pk=o-1": {item as Python values}}},
     "s3": {bucket: {key: md5 of the bytes}},      # versioned bucket: [md5 per version]
     "sqs": {queue name: [message bodies: in queue order for FIFO, sorted otherwise]},
     "sns": {topic name: [published messages]},
     "lambda": {function name: [Invoke payloads]},
     "ses": {sender: [emails sent through SES (v1 or v2): destinations, subject, body]}}

On a versioned bucket every put of a key adds a version, so a duplicate put of the same
bytes is seen (the list grows). ``lambda.Invoke`` calls are recorded at the botocore level
and answered without running the function (moto would need Docker):
:mod:`pytest_lambda._checks.moto_invokes`.

``reset()`` puts back the state of the moment ``moto_state()`` was called: items, objects,
queued messages, sent notifications and emails, and drops tables, buckets, queues and topics
created since, and forgets the Invoke calls recorded since. moto is imported when ``moto_state()`` is called, never before.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pytest_lambda._checks.moto_invokes import InvokeLog

__all__ = ["MOTO_MISSING", "moto_state", "parse_ignored_state", "without"]

MOTO_MISSING: Final = "moto_state() needs moto and boto3: pip install 'pytest-lambda-toolkit[moto]'"
SERVICES: Final = ("dynamodb", "s3", "sqs", "sns", "lambda", "ses")


def _backends(service: str) -> Iterator[tuple[str, str, Any]]:
    """``(account, region, backend)`` for every instantiated backend of ``service``."""
    import importlib

    module = importlib.import_module(f"moto.{service}.models")
    backend_dict = getattr(module, f"{service}_backends")
    for account, regions in list(backend_dict.items()):
        for region, backend in list(regions.items()):
            yield account, region, backend


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return value


def _item(attributes: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    return {name: _plain(des.deserialize(v)) for name, v in sorted(attributes.items())}


def _label(seen: dict[str, int], name: str, region: str) -> str:
    return name if seen.get(name, 0) <= 1 else f"{region}/{name}"


def _observe_dynamodb() -> dict[str, Any]:
    tables = [(r, n, t) for _, r, b in _backends("dynamodb") for n, t in b.tables.items()]
    seen: dict[str, int] = {}
    for _, name, _ in tables:
        seen[name] = seen.get(name, 0) + 1
    out: dict[str, Any] = {}
    for region, name, table in tables:
        keys = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        items: dict[str, Any] = {}
        for item in table.all_items():
            plain = _item(item.to_json()["Attributes"])
            items[",".join(f"{k}={plain.get(k)}" for k in keys)] = plain
        out[_label(seen, name, region)] = dict(sorted(items.items()))
    return out


def _md5(obj: Any) -> str | None:
    value = getattr(obj, "value", None)  # a delete marker has none
    return None if value is None else hashlib.md5(value).hexdigest()


def _observe_s3() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _, _, backend in _backends("s3"):
        for name, bucket in backend.buckets.items():
            if bucket.versioning_status:  # "Enabled" or "Suspended": versions are kept
                out[name] = {
                    key: [_md5(v) for v in bucket.keys.getlist(key)] for key in sorted(bucket.keys)
                }
                continue
            out[name] = {
                key: hashlib.md5(obj.value).hexdigest() for key, obj in sorted(bucket.keys.items())
            }
    return out


def _observe_sqs() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _, _, backend in _backends("sqs"):
        for name, queue in backend.queues.items():
            bodies = [m.body for m in queue._messages]
            # A standard queue promises no order, so a retry that sends the same messages
            # in another order leaves the same state; FIFO order is part of the state.
            out[name] = bodies if name.endswith(".fifo") else sorted(bodies)
    return out


def _observe_sns() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _, _, backend in _backends("sns"):
        for arn, topic in backend.topics.items():
            name = arn.rsplit(":", 1)[-1]
            if name.endswith(".fifo"):
                # SNS drops a FIFO message whose deduplication id (the id given, or the
                # content's hash) it saw in the last 5 minutes; moto keeps every copy and not
                # the id: a copy with the same content, subject, attributes and group is one
                unique = {repr(n[1:5]): n[1] for n in topic.sent_notifications}
                out[name] = list(unique.values())
            else:
                out[name] = sorted((n[1] for n in topic.sent_notifications), key=str)
    return out


def _observe_ses() -> dict[str, Any]:
    out: dict[str, list[Any]] = {}
    for _, _, backend in _backends("ses"):
        for message in backend.sent_messages:
            fields = {k: _plain(v) for k, v in vars(message).items() if k != "id"}
            sender = str(fields.pop("source", "") or "(raw message)")
            out.setdefault(sender, []).append(fields)
    return {sender: sorted(sent, key=str) for sender, sent in out.items()}


class _Baseline:
    """What ``reset()`` restores, captured when ``moto_state()`` is called."""

    def __init__(self, invokes: InvokeLog) -> None:
        self.invokes = invokes
        self.invoked = list(invokes.calls)
        self.versions = {
            (id(b), n): {k: list(bk.keys.getlist(k)) for k in bk.keys}
            for _, _, b in _backends("s3")
            for n, bk in b.buckets.items()
            if bk.versioning_status
        }
        self.tables = {
            id(b): (b, {n: (t, copy.deepcopy(t.items)) for n, t in b.tables.items()})
            for _, _, b in _backends("dynamodb")
        }
        self.buckets = {
            id(b): (
                b,
                {n: (bk, {k: o.value for k, o in bk.keys.items()}) for n, bk in b.buckets.items()},
            )
            for _, _, b in _backends("s3")
        }
        self.queues = {
            id(b): (b, {n: (q, copy.deepcopy(q._messages)) for n, q in b.queues.items()})
            for _, _, b in _backends("sqs")
        }
        self.topics = {
            id(b): (b, {a: (t, list(t.sent_notifications)) for a, t in b.topics.items()})
            for _, _, b in _backends("sns")
        }
        self.emails = {id(b): list(b.sent_messages) for _, _, b in _backends("ses")}

    def restore(self) -> None:
        for _, _, backend in _backends("dynamodb"):
            saved = self.tables.get(id(backend), (backend, {}))[1]
            for name in [n for n in backend.tables if n not in saved]:
                del backend.tables[name]
            for name, (table, items) in saved.items():
                backend.tables[name] = table
                table.items = copy.deepcopy(items)
        for _, _, backend in _backends("s3"):
            saved_buckets = self.buckets.get(id(backend), (backend, {}))[1]
            for name in [n for n in backend.buckets if n not in saved_buckets]:
                del backend.buckets[name]
            for name, (bucket, objects) in saved_buckets.items():
                backend.buckets[name] = bucket
                versions = self.versions.get((id(backend), name))
                if versions is not None:
                    for stale in [k for k in bucket.keys if k not in versions]:
                        del bucket.keys[stale]
                    for stale, kept in versions.items():
                        bucket.keys.setlist(stale, list(kept))
                    continue
                for key in [k for k in bucket.keys if k not in objects]:
                    del bucket.keys[key]
                for key, value in objects.items():
                    current = bucket.keys.get(key)
                    if current is None or current.value != value:
                        backend.put_object(name, key, value, disable_notification=True)
        for _, _, backend in _backends("sqs"):
            saved_queues = self.queues.get(id(backend), (backend, {}))[1]
            for name in [n for n in backend.queues if n not in saved_queues]:
                del backend.queues[name]
            for name, (queue, messages) in saved_queues.items():
                backend.queues[name] = queue
                queue._messages = copy.deepcopy(messages)
        for _, _, backend in _backends("sns"):
            saved_topics = self.topics.get(id(backend), (backend, {}))[1]
            for arn in [a for a in backend.topics if a not in saved_topics]:
                del backend.topics[arn]
            for arn, (topic, sent) in saved_topics.items():
                backend.topics[arn] = topic
                topic.sent_notifications = list(sent)
        for _, _, backend in _backends("ses"):
            backend.sent_messages[:] = self.emails.get(id(backend), [])
        self.invokes.calls[:] = self.invoked


def parse_ignored_state(raw: str, origin: str) -> tuple[str, ...]:
    """``dynamodb.access_log,sqs.audit``: the parts of :func:`moto_state`'s snapshots to leave
    out (``SERVICE.NAME`` for one table, bucket, queue, topic, function or sender; ``SERVICE``
    for all of a service's). :class:`InvalidOption` names a part that is not one."""
    from pytest_lambda._core.errors import InvalidOption

    out = tuple(p.strip() for p in raw.split(",") if p.strip())
    for part in out:
        service = part.split(".", 1)[0]
        if service not in SERVICES:
            raise InvalidOption(
                f"{origin}={raw!r}: {part!r} is not SERVICE or SERVICE.NAME with SERVICE one "
                f"of {', '.join(SERVICES)} (e.g. dynamodb.access_log)"
            )
    return out


def without(
    observe: Callable[[], dict[str, Any]], ignored: tuple[str, ...]
) -> Callable[[], dict[str, Any]]:
    """``observe`` with the ``ignored`` parts (:func:`parse_ignored_state`) left out."""
    if not ignored:
        return observe

    def observed() -> dict[str, Any]:
        state = observe()
        for part in ignored:
            service, _, name = part.partition(".")
            if not name:
                state.pop(service, None)
            elif isinstance(state.get(service), dict):
                state[service].pop(name, None)
        return state

    observed.sees_aws_writes = getattr(observe, "sees_aws_writes", False)  # type: ignore[attr-defined]
    observed.ignored_state = ignored  # type: ignore[attr-defined]  # read by the idempotency check
    return observed


def moto_state() -> tuple[Callable[[], dict[str, Any]], Callable[[], None]]:
    """``(observe, reset)`` over moto's DynamoDB, S3, SQS, SNS and SES state and Lambda ``Invoke``
    calls (see the module docs).

    Call it inside ``moto.mock_aws()`` once the starting resources exist: ``reset()``
    returns to the state of that moment.
    """
    __tracebackhide__ = True
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as exc:
        raise ImportError(MOTO_MISSING) from exc
    from pytest_lambda._checks.moto_invokes import InvokeLog, install

    invokes = InvokeLog()
    install(invokes)
    baseline = _Baseline(invokes)

    def observe() -> dict[str, Any]:
        return {
            "dynamodb": _observe_dynamodb(),
            "s3": _observe_s3(),
            "sqs": _observe_sqs(),
            "sns": _observe_sns(),
            "lambda": invokes.observe(),
            "ses": _observe_ses(),
        }

    def reset() -> None:
        baseline.restore()

    observe.sees_aws_writes = True  # type: ignore[attr-defined]  # read by the idempotency check

    return observe, reset
