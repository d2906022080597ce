"""``LambdaContext``: the ``context`` argument of a handler, as the Python runtime builds it.

Attributes, types and ``repr`` follow awslambdaric 4.2's ``LambdaContext``:
``memory_limit_in_mb`` is a string, ``identity`` is always an object (fields ``None`` when
no Cognito identity is sent), ``client_context`` is ``None`` unless one is given.
``get_remaining_time_in_millis()`` counts down to the deadline on a :class:`LambdaClock`.
"""

from __future__ import annotations

import copy
import logging
import math
import re
import sys
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from pytest_lambda._core import facts
from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption

if TYPE_CHECKING:
    from pytest_lambda._clock.clock import LambdaClock

__all__ = ["Client", "ClientContext", "CognitoIdentity", "LambdaContext"]

_FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ACCOUNT_ID: Final = re.compile(r"\d{12}")
_QUALIFIER: Final = re.compile(r"\$LATEST|\d+|[A-Za-z0-9_-]{1,128}")
# Checked in order: "us-isob-" before "us-iso-".
_PARTITIONS: Final = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
)
_W3C_FIELDS: Final = ("traceparent", "tracestate", "baggage")
_IDENTITY_KEYS: Final = ("cognitoIdentityId", "cognitoIdentityPoolId")
_CLIENT_CONTEXT_KEYS: Final = ("client", "custom", "env", "w3c")


def _fields_repr(obj: object, names: tuple[str, ...]) -> str:
    inner = ",".join(f"{name}={getattr(obj, name)}" for name in names)
    return f"{type(obj).__name__}([{inner}])"


class CognitoIdentity:
    """``context.identity``: the Amazon Cognito identity of a mobile-SDK caller."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")
    _FIELDS: Final = __slots__

    def __init__(
        self, cognito_identity_id: str | None = None, cognito_identity_pool_id: str | None = None
    ) -> None:
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id

    def __repr__(self) -> str:
        return _fields_repr(self, self._FIELDS)


class Client:
    """``context.client_context.client``: the mobile app that invoked the function."""

    __slots__ = (
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    )
    _FIELDS: Final = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )

    def __init__(self, fields: Mapping[str, Any]) -> None:
        for name in self._FIELDS:
            setattr(self, name, fields.get(name))

    def __repr__(self) -> str:
        return _fields_repr(self, self._FIELDS)


class ClientContext:
    """``context.client_context``: what a mobile SDK sent (``custom``, ``env``, ``client``)."""

    __slots__ = ("client", "custom", "env")
    _FIELDS: Final = ("custom", "env", "client")

    def __init__(self, custom: Any = None, env: Any = None, client: Client | None = None) -> None:
        self.custom = custom
        self.env = env
        self.client = client

    def __repr__(self) -> str:
        return _fields_repr(self, self._FIELDS)


def _bad(message: str) -> InvalidOption:
    return InvalidOption(f"LambdaContext: {message}")


def _check_keys(what: str, given: Mapping[str, Any], valid: tuple[str, ...]) -> None:
    __tracebackhide__ = True
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise _bad(
            f"{what} has unknown key(s) {', '.join(map(repr, unknown))}; valid keys are "
            f"{', '.join(valid)} (the real runtime would silently ignore them)"
        )


def _identity(raw: Mapping[str, Any] | None) -> CognitoIdentity:
    __tracebackhide__ = True
    if raw is None:
        return CognitoIdentity()
    if not isinstance(raw, Mapping):
        raise _bad(f"identity must be a mapping like {{'cognitoIdentityId': ...}}, not {raw!r}")
    _check_keys("identity", raw, _IDENTITY_KEYS)
    return CognitoIdentity(raw.get("cognitoIdentityId"), raw.get("cognitoIdentityPoolId"))


def _client_context(
    raw: Mapping[str, Any] | None,
) -> tuple[ClientContext | None, dict[str, str]]:
    """The ``ClientContext`` and the allow-listed W3C trace fields (``w3c`` is taken out)."""
    __tracebackhide__ = True
    if raw is None:
        return None, {}
    if not isinstance(raw, Mapping):
        raise _bad(f"client_context must be a mapping like {{'custom': {{...}}}}, not {raw!r}")
    _check_keys("client_context", raw, _CLIENT_CONTEXT_KEYS)
    raw_w3c = raw.get("w3c")
    w3c = {}
    if isinstance(raw_w3c, Mapping):
        w3c = {k: raw_w3c[k] for k in _W3C_FIELDS if isinstance(raw_w3c.get(k), str)}
    raw_client = raw.get("client")
    client = None
    if raw_client is not None:
        if not isinstance(raw_client, Mapping):
            raise _bad(f"client_context['client'] must be a mapping, not {raw_client!r}")
        _check_keys("client_context['client']", raw_client, Client._FIELDS)
        client = Client(raw_client)
    custom, env = copy.deepcopy(raw.get("custom")), copy.deepcopy(raw.get("env"))
    return ClientContext(custom, env, client), w3c


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _positive_seconds(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _check_deadline(deadline_ms: object) -> None:
    __tracebackhide__ = True
    if deadline_ms is not None and (
        isinstance(deadline_ms, bool) or not isinstance(deadline_ms, int)
    ):
        raise ArgumentTypeError(
            f"LambdaContext: deadline_ms={deadline_ms!r} must be epoch milliseconds (an int)"
        )


def _memory(value: object) -> str:
    __tracebackhide__ = True
    text = str(value).strip() if isinstance(value, (int, str)) else ""
    if isinstance(value, bool) or not text.isdigit() or facts.memory_problem(int(text)):
        raise _bad(f"memory_limit_in_mb={value!r}: {facts.MEMORY_TEXT}")
    return str(int(text))


def _function_arn(region: str, account_id: str, function_name: str, qualifier: str | None) -> str:
    partition = "aws"
    for prefix, name in _PARTITIONS:
        if region.startswith(prefix):
            partition = name
            break
    arn = f"arn:{partition}:lambda:{region}:{account_id}:function:{function_name}"
    return arn if qualifier is None else f"{arn}:{qualifier}"


class LambdaContext:
    """The Lambda context object; every attribute and method of the real runtime's.

    ``timeout`` and ``deadline_ms`` are conveniences of this class: the real context has
    neither (its deadline is the private ``_epoch_deadline_time_in_ms``, kept here too).
    Without ``deadline_ms`` the deadline is ``timeout`` seconds after construction on
    ``clock``, and follows the clock when ``move_to()`` jumps it, so only time that
    passes (``shift()``, a patched ``time.sleep``, real time) uses up the remaining time.
    """

    __module__ = "pytest_lambda"

    def __init__(
        self,
        *,
        function_name: str = "test-function",
        function_version: str = "$LATEST",
        memory_limit_in_mb: int | str = 128,
        timeout: float = 3.0,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        qualifier: str | None = None,
        invoked_function_arn: str | None = None,
        aws_request_id: str | None = None,
        log_group_name: str | None = None,
        log_stream_name: str | None = None,
        identity: Mapping[str, Any] | None = None,
        client_context: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
        deadline_ms: int | None = None,
        clock: LambdaClock | None = None,
    ) -> None:
        __tracebackhide__ = True
        if not _matches(_FUNCTION_NAME, function_name):
            raise _bad(
                f"function_name={function_name!r} is not a Lambda function name "
                "(1-64 letters, digits, '-' or '_')"
            )
        if not _matches(_ACCOUNT_ID, account_id):
            raise _bad(f"account_id={account_id!r} is not a 12-digit AWS account id")
        if not isinstance(region, str):
            raise ArgumentTypeError(f"LambdaContext: region={region!r} must be a str")
        if (problem := facts.region_problem(region)) is not None:
            raise _bad(f"region={region!r} {problem}")
        if qualifier is not None and not _matches(_QUALIFIER, qualifier):
            raise _bad(f"qualifier={qualifier!r} is not '$LATEST', a version number or an alias")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise ArgumentTypeError(
                f"LambdaContext: timeout={timeout!r} must be a number of seconds"
            )
        if not _positive_seconds(timeout):
            raise _bad(f"timeout={timeout!r} must be a number of seconds greater than 0")
        _check_deadline(deadline_ms)
        if qualifier is not None and qualifier.isdigit() and function_version == "$LATEST":
            function_version = qualifier  # invoking version 7 runs version 7

        self._clock = clock
        self.timeout = float(timeout)
        self.aws_request_id = aws_request_id if aws_request_id is not None else str(uuid.uuid4())
        self.function_name = function_name
        self.function_version = function_version
        self.memory_limit_in_mb = _memory(memory_limit_in_mb)
        self.invoked_function_arn = invoked_function_arn or _function_arn(
            region, account_id, function_name, qualifier
        )
        self.log_group_name = log_group_name or f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name or self._new_log_stream_name()
        self.identity = _identity(identity)
        self.client_context, self._w3c_fields = _client_context(client_context)
        self.tenant_id = tenant_id
        self._epoch_deadline_time_in_ms = self._start_deadline(deadline_ms)

    # -- what the real context offers ---------------------------------------------------
    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the deadline on this context's clock (never below 0)."""
        return max(0, self._epoch_deadline_time_in_ms - self._now_ms())

    def log(self, msg: object) -> None:
        """Write ``str(msg)`` to the runtime log sink if one is installed, else to stdout."""
        for handler in logging.getLogger().handlers:
            sink = getattr(handler, "log_sink", None)
            if sink is not None:
                sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def w3c(self) -> dict[str, str]:
        """The W3C trace-context fields (traceparent, tracestate, baggage) the caller sent."""
        return dict(self._w3c_fields)

    def __repr__(self) -> str:
        names = (
            "aws_request_id",
            "log_group_name",
            "log_stream_name",
            "function_name",
            "memory_limit_in_mb",
            "function_version",
            "invoked_function_arn",
            "client_context",
            "identity",
            "tenant_id",
        )
        return _fields_repr(self, names)

    # -- conveniences of the fake -------------------------------------------------------
    @property
    def deadline_ms(self) -> int:
        """The invocation deadline, epoch milliseconds on the clock."""
        return self._epoch_deadline_time_in_ms

    def _restart(
        self, *, aws_request_id: str | None = None, deadline_ms: int | None = None
    ) -> LambdaContext:
        """A copy for a new invocation: new request id and deadline, same function and stream."""
        __tracebackhide__ = True
        _check_deadline(deadline_ms)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.aws_request_id = aws_request_id if aws_request_id is not None else str(uuid.uuid4())
        old_identity = self.identity
        new.identity = CognitoIdentity(
            old_identity.cognito_identity_id, old_identity.cognito_identity_pool_id
        )
        old = self.client_context
        if old is not None:
            client = None if old.client is None else copy.copy(old.client)
            new.client_context = ClientContext(
                copy.deepcopy(old.custom), copy.deepcopy(old.env), client
            )
        new._w3c_fields = dict(self._w3c_fields)
        new._epoch_deadline_time_in_ms = new._start_deadline(deadline_ms)
        return new

    # -- internals ----------------------------------------------------------------------
    def _now_ms(self) -> int:
        if self._clock is not None:
            return self._clock._now_ms()
        return int(time.time() * 1000)

    def _start_deadline(self, deadline_ms: int | None) -> int:
        if deadline_ms is not None:
            return deadline_ms
        if self._clock is not None:
            self._clock._subscribe(self)
        return self._now_ms() + round(self.timeout * 1000)

    def _rebase(self, delta_ms: int) -> None:
        """The clock jumped (move_to/stop): keep the remaining time, move the deadline."""
        self._epoch_deadline_time_in_ms += delta_ms

    def _new_log_stream_name(self) -> str:
        today = (
            self._clock.now() if self._clock is not None else datetime.now(timezone.utc)
        ).date()
        return f"{today:%Y/%m/%d}/[{self.function_version}]{uuid.uuid4().hex}"
