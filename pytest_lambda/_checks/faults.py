"""Side-effect points: record every AWS call and user fault point, and inject one failure.

A *point* is one call the handler makes during an invocation: every AWS API call
through botocore (boto3 clients and resources alike) and every call of a user
``fault_points`` callable. A :class:`Recorder` numbers the calls of an invocation and,
when given a :class:`Fault`, fails call ``k``:

* ``before``: the call never happens (botocore: ``EndpointConnectionError``);
* ``after``: the call happened but the handler gets an exception instead of the
  result, a lost acknowledgement (botocore: ``ReadTimeoutError``).

:func:`botocore_hook` registers on ``before-call`` / ``after-call`` of every botocore
client created while it is installed (``ClientCreator.create_client`` is patched, so
clients created at module import, during init, are covered) and of every client (or
boto3 resource's client) held in a module global when it is installed.
User callables given as dotted names are wrapped by
:func:`pytest_lambda._checks.fault_points.fault_point_hook`.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from pytest_lambda._checks.statediff import short
from pytest_lambda._core.errors import LambdaTestError

__all__ = [
    "Call",
    "Fault",
    "Mode",
    "Recorder",
    "botocore_hook",
    "describe_resource",
]

Mode = Literal["before", "after"]
_UNIQUE: Final = "pytest_lambda_faults"
_CTX_KEY: Final = "pytest_lambda_call"


@dataclass(frozen=True)
class Call:
    """One side-effect call: its position in the invocation, label and arguments."""

    index: int
    point: str
    detail: str
    target: str = ""  # the table, bucket, queue or topic an AWS call acts on, when known
    resource: str = ""  # what it touched, for people: "table 'orders'", "s3://b/k", "queue 'q'"
    answered: bool = False  # an AWS call that got a success (2xx) answer
    error_code: str = ""  # an AWS call answered with an error: its code (ResourceNotFoundException)
    # what decides whether a send delivers (read from the parameters, not the cut ``detail``):
    dedup_id: str | None = None  # SQS/SNS MessageDeduplicationId(s); batches: all, joined
    invocation_type: str = ""  # lambda.Invoke: RequestResponse (the default), Event or DryRun

    def describe(self) -> str:
        return f"{self.point}({self.detail})" if self.detail else self.point

    def label(self) -> str:
        """``sqs.SendMessage to queue 'out'``: the point and the resource it touched."""
        return f"{self.point} on {self.resource}" if self.resource else self.point


@dataclass(frozen=True)
class Fault:
    """Fail call number ``index`` (0-based) of an invocation, ``before`` or ``after`` it."""

    index: int
    mode: Mode
    point: str
    resource: str = ""  # what the call touched, e.g. "table 'orders'"

    def describe(self) -> str:
        """What was done to the call, e.g. ``store.put (point 3) failed before the call``."""
        on = f", {self.resource}" if self.resource else ""
        where = f"{self.point} (point {self.index + 1}{on})"
        if self.mode == "before":
            return f"{where} failed before the call was made"
        return f"{where} succeeded but its acknowledgement was lost"


class Recorder:
    """Numbers the side-effect calls of one invocation and injects at most one fault."""

    def __init__(self) -> None:
        self.active = False
        self.calls: list[Call] = []
        self.fault: Fault | None = None
        self.fired: Call | None = None

    def start(self, fault: Fault | None = None) -> None:
        self.active, self.calls, self.fault, self.fired = True, [], fault, None

    def stop(self) -> list[Call]:
        self.active = False
        return list(self.calls)

    def enter(
        self,
        point: str,
        detail: str,
        error: Callable[[Mode, str], BaseException],
        target: str = "",
        resource: str = "",
        *,
        dedup_id: str | None = None,
        invocation_type: str = "",
    ) -> int:
        """Record a call about to happen; raise when the fault is ``before`` it."""
        if not self.active:
            return -1
        call = Call(
            len(self.calls), point, detail, target, resource,
            dedup_id=dedup_id, invocation_type=invocation_type,
        )  # fmt: skip
        self.calls.append(call)
        if (
            self.fault is not None
            and self.fault.index == call.index
            and self.fault.mode == "before"
        ):
            self.fired = call
            raise error("before", point)
        return call.index

    def leave(
        self, index: int, error: Callable[[Mode, str], BaseException], *, answered: bool = False,
        error_code: str = "",
    ) -> None:  # fmt: skip
        """A call returned (``answered``: with a success; ``error_code``: AWS's error);
        raise when the fault is ``after`` it."""
        if (answered or error_code) and self.active and 0 <= index < len(self.calls):
            self.calls[index] = replace(self.calls[index], answered=answered, error_code=error_code)
        fault = self.fault
        if index < 0 or not self.active or fault is None:
            return
        if fault.index == index and fault.mode == "after":
            self.fired = self.calls[index]
            raise error("after", self.calls[index].point)


# -- botocore ----------------------------------------------------------------------------


@functools.cache
def _botocore_errors() -> tuple[Any, Any]:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    # botocore's own types, so the handler's ``except`` clauses see a real AWS failure; a
    # LambdaTestError too, like every exception the project raises on purpose.
    class InjectedConnectionError(EndpointConnectionError, LambdaTestError):  # type: ignore[misc]
        fmt = (
            "pytest_lambda injected a fault before {operation} (the request was never sent): "
            'Could not connect to the endpoint URL: "{endpoint_url}"'
        )

    class InjectedReadTimeoutError(ReadTimeoutError, LambdaTestError):  # type: ignore[misc]
        fmt = (
            "pytest_lambda injected a fault after {operation} succeeded (a lost "
            'acknowledgement): Read timeout on endpoint URL: "{endpoint_url}"'
        )

    return InjectedConnectionError, InjectedReadTimeoutError


def _aws_error(mode: Mode, point: str) -> BaseException:
    before, after = _botocore_errors()
    url = "https://" + point.split(".")[0] + ".amazonaws.com/"
    cls = before if mode == "before" else after
    error: BaseException = cls(operation=point, endpoint_url=url)
    return error


_TARGET_PARAMS: Final = (
    "TableName", "Bucket", "QueueUrl", "QueueName", "TopicArn", "StreamName", "FunctionName",
    "TargetArn", "Source", "FromEmailAddress",
)  # fmt: skip


def _name(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _target(params: Any) -> str:
    """The resource an AWS call acts on (its last name part), or ""."""
    if not isinstance(params, dict):
        return ""
    for name in _TARGET_PARAMS:
        value = params.get(name)
        if isinstance(value, str) and value:
            if name == "FunctionName" and ":function:" in value:
                return value.split(":function:", 1)[1].split(":", 1)[0]
            return _name(value)
    tables = params.get("RequestItems")  # BatchWriteItem / BatchGetItem
    if isinstance(tables, dict) and tables:
        return ", ".join(map(str, tables))
    items = params.get("TransactItems")  # TransactWriteItems / TransactGetItems
    if isinstance(items, list):
        names = {
            str(op.get("TableName"))
            for item in items
            if isinstance(item, dict)
            for op in item.values()
            if isinstance(op, dict) and op.get("TableName")
        }
        return ", ".join(sorted(names))
    return ""


_NOUN: Final = {
    "dynamodb": "table",
    "sqs": "queue",
    "sns": "topic",
    "lambda": "function",
    "kinesis": "stream",
    "ses": "sender",
    "sesv2": "sender",
}


def describe_resource(point: str, target: str, key: str = "") -> str:
    """``table 'orders'``, ``s3://bucket/key``, ``queue 'out'`` …; ``""`` when unknown."""
    svc = point.partition(".")[0]
    if not target:
        return ""
    if svc == "s3":
        return f"s3://{target}/{key}" if key else f"bucket {target!r}"
    noun = _NOUN.get(svc)
    return f"{noun} {target!r}" if noun else repr(target)


def _dedup_id(params: Any) -> str | None:
    """The ``MessageDeduplicationId`` of a send; of a batch, every entry's, joined (None when
    one entry has none: the queue's content-based deduplication decides)."""
    if not isinstance(params, dict):
        return None
    entries = params.get("Entries", params.get("PublishBatchRequestEntries"))
    if isinstance(entries, list):
        ids = [e.get("MessageDeduplicationId") if isinstance(e, dict) else None for e in entries]
        if not ids or not all(isinstance(i, str) for i in ids):
            return None
        return "\x1f".join(ids)  # type: ignore[arg-type]
    found = params.get("MessageDeduplicationId")
    return found if isinstance(found, str) else None


def _resource(service: str, params: Any) -> str:
    target = _target(params)
    key = params.get("Key") if isinstance(params, dict) and service == "s3" else ""
    return describe_resource(f"{service}.Op", target, key if isinstance(key, str) else "")


class _BotocoreHandlers:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def params(self, params: Any = None, context: Any = None, **kwargs: Any) -> None:
        if self.recorder.active and isinstance(context, dict):
            context[_CTX_KEY + "_params"] = short(params, 160)
            context[_CTX_KEY + "_target"] = _target(params)
            model = kwargs.get("model")
            svc = model.service_model.service_name if model is not None else ""
            context[_CTX_KEY + "_resource"] = _resource(svc, params)
            context[_CTX_KEY + "_dedup"] = _dedup_id(params)
            if svc == "lambda" and isinstance(params, dict):
                kind = params.get("InvocationType", "RequestResponse")
                context[_CTX_KEY + "_invocation"] = kind if isinstance(kind, str) else ""

    def before(self, model: Any = None, context: Any = None, **_: Any) -> None:
        if not self.recorder.active or model is None:
            return
        label = f"{model.service_model.service_name}.{model.name}"
        detail = context.get(_CTX_KEY + "_params", "") if isinstance(context, dict) else ""
        target = context.get(_CTX_KEY + "_target", "") if isinstance(context, dict) else ""
        where = context.get(_CTX_KEY + "_resource", "") if isinstance(context, dict) else ""
        found = context if isinstance(context, dict) else {}
        index = self.recorder.enter(
            label, detail, _aws_error, target, where,
            dedup_id=found.get(_CTX_KEY + "_dedup"),
            invocation_type=found.get(_CTX_KEY + "_invocation", "") if label == "lambda.Invoke" else "",
        )  # fmt: skip
        if isinstance(context, dict):
            context[_CTX_KEY] = index

    def after(
        self, context: Any = None, http_response: Any = None, parsed: Any = None, **_: Any
    ) -> None:
        if isinstance(context, dict):
            status = getattr(http_response, "status_code", None)
            answered = isinstance(status, int) and 200 <= status < 300
            code = ""
            if not answered and isinstance(parsed, dict):
                found = (parsed.get("Error") or {}).get("Code")
                code = found if isinstance(found, str) else ""
            self.recorder.leave(
                context.get(_CTX_KEY, -1), _aws_error, answered=answered, error_code=code
            )

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build", self.params, unique_id=_UNIQUE + "_params")
        events.register("before-call", self.before, unique_id=_UNIQUE + "_before")
        events.register("after-call", self.after, unique_id=_UNIQUE + "_after")

    @staticmethod
    def detach(client: Any) -> None:
        events = client.meta.events
        for event, suffix in (
            ("before-parameter-build", "_params"),
            ("before-call", "_before"),
            ("after-call", "_after"),
        ):
            events.unregister(event, unique_id=_UNIQUE + suffix)


def _module_clients(base: type) -> list[Any]:
    """Clients (and boto3 resources' clients) held in module globals right now."""
    found: dict[int, Any] = {}
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for value in list(namespace.values()):
            if isinstance(value, base):
                found[id(value)] = value
            elif type(value).__module__ == "boto3.resources.factory":  # a resource or a Table
                client = getattr(getattr(value, "meta", None), "client", None)
                if isinstance(client, base):
                    found[id(client)] = client
    return list(found.values())


@contextlib.contextmanager
def botocore_hook(recorder: Recorder) -> Iterator[bool]:
    """Record (and fail) botocore API calls while active; yields False without botocore."""
    try:
        from botocore.client import BaseClient, ClientCreator
    except ImportError:
        yield False
        return
    handlers = _BotocoreHandlers(recorder)
    clients = _module_clients(BaseClient)
    for client in clients:
        handlers.attach(client)
    original = ClientCreator.create_client

    @functools.wraps(original)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        handlers.attach(client)
        clients.append(client)
        return client

    ClientCreator.create_client = create_client
    try:
        yield True
    finally:
        ClientCreator.create_client = original
        for client in clients:
            with contextlib.suppress(Exception):
                handlers.detach(client)
