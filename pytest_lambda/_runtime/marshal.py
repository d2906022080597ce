"""Response marshalling exactly as the Python runtime does it (awslambdaric 4.2, simplejson).

The runtime encodes a handler's return value with ``simplejson`` and a custom ``default``
(docs/internals/runtime.md §4). This module re-implements those rules with a small recursive encoder, so
the runner needs no simplejson at run time:

* top-level ``bytes`` are sent raw (content type ``application/unknown``);
* ``bytes`` nested in containers are decoded as UTF-8 into JSON strings;
* ``Decimal`` is written as its exact literal (``1.10``, ``1E+2``), a NaN Decimal as ``NaN``;
* ``NaN``/``Infinity`` floats are written as such (not strict JSON, sent anyway);
* anything with an ``_asdict()`` method (a namedtuple) becomes an object, a tuple an array;
* dict keys that are ``int``/``float``/``bool``/``None`` are stringified, other keys fail;
* ``str``/``int`` enums are written as their value (they are ``str``/``int`` instances);
* anything else (``set``, ``datetime``, ``UUID``, a coroutine...) is ``Runtime.MarshalError``.

``ensure_ascii`` follows the runtime: non-ASCII is escaped unless ``AWS_EXECUTION_ENV`` names
python3.12 or later (:func:`ensure_ascii_for`).
"""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any, Final

__all__ = [
    "MAX_RESPONSE_BYTES",
    "NOT_DECODED",
    "MarshalError",
    "RawResponse",
    "ensure_ascii_for",
    "execution_env",
    "marshal",
    "marshal_decoded",
    "one_shot_encoder",
]

MAX_RESPONSE_BYTES: Final = 6 * 1024 * 1024 + 100
"""The synchronous response limit the platform enforces: 6 MiB + 100 bytes = 6,291,556."""

_UNESCAPED_RUNTIMES: Final = frozenset(f"AWS_Lambda_python3.{minor}" for minor in (12, 13, 14, 15))

RawResponse = tuple[bytes, str]
"""What the runtime posts: the body and its content type."""


class MarshalError(Exception):
    """The return value cannot be encoded; ``str()`` is the runtime's ``errorMessage``."""


def execution_env(version: tuple[int, int]) -> str:
    """The ``AWS_EXECUTION_ENV`` value of the managed runtime for a Python ``(major, minor)``."""
    return f"AWS_Lambda_python{version[0]}.{version[1]}"


def ensure_ascii_for(aws_execution_env: str | None) -> bool:
    """Whether the runtime escapes non-ASCII for this ``AWS_EXECUTION_ENV`` (≤ 3.11: yes)."""
    return aws_execution_env not in _UNESCAPED_RUNTIMES


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(float(value))


def _decimal(value: decimal.Decimal) -> str:
    return "NaN" if value.is_nan() else str(value)


def _asdict(value: Any) -> tuple[Any] | None:
    method = getattr(value, "_asdict", None)
    if callable(method):
        try:
            return (method(),)
        except TypeError:
            pass
    return None


class _Encoder:
    """One encoding pass: the simplejson check order, with circular-reference markers."""

    __slots__ = ("markers", "string")

    def __init__(self, ensure_ascii: bool) -> None:
        self.string = encode_basestring_ascii if ensure_ascii else encode_basestring
        self.markers: set[int] = set()

    def key(self, key: Any) -> str:
        if isinstance(key, str):
            return key
        if isinstance(key, bytes):
            return str(key, "utf-8")
        if isinstance(key, float):
            return _float(key)
        if key is True:
            return "true"
        if key is False:
            return "false"
        if key is None:
            return "null"
        if isinstance(key, int):
            return str(int(key))
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")

    def scalar(self, value: Any) -> str | None:
        """The JSON text of a scalar, or None when ``value`` is not one."""
        if isinstance(value, str):
            return self.string(str.__str__(value))
        if isinstance(value, bytes):
            return self.string(str(value, "utf-8"))
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int):
            return int.__repr__(int(value))
        if isinstance(value, float):
            return _float(value)
        return None

    def encode(self, value: Any, out: list[str]) -> None:
        text = self.scalar(value)
        if text is not None:
            out.append(text)
            return
        asdict = _asdict(value)
        if asdict is not None:
            mapping = asdict[0]
            if not isinstance(mapping, dict):
                raise TypeError(f"_asdict() must return a dict, not {type(mapping).__name__}")
            self.container(value, mapping, out)
        elif isinstance(value, (list, tuple, dict)):
            self.container(value, value, out)
        elif isinstance(value, decimal.Decimal):
            out.append(_decimal(value))  # the runtime's default(): the exact literal
        elif type(value).__name__ == "RawJSON" and isinstance(
            getattr(value, "encoded_json", None), str
        ):
            out.append(value.encoded_json)  # simplejson.RawJSON is written as is
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def container(self, owner: Any, value: Any, out: list[str]) -> None:
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        marker = id(owner)
        if marker in self.markers:
            raise ValueError("Circular reference detected")
        self.markers.add(marker)
        if isinstance(value, dict):
            out.append("{")
            first = True
            for key, item in value.items():
                if not first:
                    out.append(", ")
                first = False
                out.append(self.string(self.key(key)))
                out.append(": ")
                self.encode(item, out)
            out.append("}")
        else:
            out.append("[")
            for index, item in enumerate(value):
                if index:
                    out.append(", ")
                self.encode(item, out)
            out.append("]")
        self.markers.discard(marker)


class _NotPlain(Exception):
    """The fast path met something other than plain dict/list/str/int/float/bool/None."""


def _plain(value: Any, out: list[str], string: Any) -> None:
    """Encode a tree of exact built-in JSON types (the common case) with no per-type checks."""
    kind = type(value)
    if kind is str:
        out.append(string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        out.append("{")
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            if first:
                first = False
            else:
                out.append(", ")
            out.append(string(key))
            out.append(": ")
            _plain(item, out, string)
        out.append("}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(", ")
            _plain(item, out, string)
        out.append("]")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is bool:
        out.append("true" if value else "false")
    elif value is None:
        out.append("null")
    elif kind is float:
        out.append(_float(value))
    else:
        raise _NotPlain


def marshal(value: Any, *, ensure_ascii: bool) -> RawResponse:
    """``(body, content_type)`` as the runtime posts them; :class:`MarshalError` if it can't.

    The error message is the runtime's ``errorMessage``, e.g.
    ``Unable to marshal response: Object of type set is not JSON serializable``.
    """
    if isinstance(value, bytes):
        return value, "application/unknown"
    string = encode_basestring_ascii if ensure_ascii else encode_basestring
    out: list[str] = []
    try:
        _plain(value, out, string)
        return "".join(out).encode("utf-8"), "application/json"
    except (_NotPlain, RecursionError):
        pass  # a tuple, namedtuple, Decimal, bytes, enum, non-str key...: the full rules
    except Exception as exc:  # e.g. a lone surrogate that cannot be encoded
        raise MarshalError(f"Unable to marshal response: {exc}") from exc
    encoder = _Encoder(ensure_ascii)
    try:
        text = encoder.scalar(value)
        if text is None:
            out = []
            encoder.encode(value, out)
            text = "".join(out)
        return text.encode("utf-8"), "application/json"
    except Exception as exc:  # the runtime turns any encoding failure into a MarshalError
        raise MarshalError(f"Unable to marshal response: {exc}") from exc


NOT_DECODED: Final[Any] = object()


def one_shot_encoder(
    *, ensure_ascii: bool, allow_nan: bool, separators: tuple[str, str] = (", ", ": ")
) -> Callable[[Any], str]:
    """``json.JSONEncoder(...).encode``, the C encoder built once instead of per call.

    ``JSONEncoder.encode`` makes a new C encoder (and a dict of the containers it is in, for
    the circular-reference check) at every call, about as long as encoding a small event.
    This one is built once, with no such dict: a circular structure then fails with
    ``RecursionError`` instead of ``ValueError`` (callers catch both and apply their own
    rules). The same text as ``encode`` otherwise (the same C encoder and arguments).
    Without the C accelerator, ``encode`` itself.
    """
    encoder = json.JSONEncoder(
        ensure_ascii=ensure_ascii, allow_nan=allow_nan, separators=separators
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    strings = encode_basestring_ascii if ensure_ascii else encode_basestring
    c_encode = make(
        None, encoder.default, strings, None, encoder.key_separator, encoder.item_separator,
        False, False, allow_nan,
    )  # fmt: skip
    join = "".join

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return strings(value)  # as JSONEncoder.encode does
        return join(c_encode(value, 0))

    return encode


_C_ENCODE: Final = {
    ascii: one_shot_encoder(ensure_ascii=ascii, allow_nan=True) for ascii in (True, False)
}
_scan: Final = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_decode_text: Final = json.JSONDecoder().decode


def decode_compact(text: str) -> Any:
    """``json.loads(text)`` for a document this process encoded (no surrounding whitespace):
    the C scanner called directly, without the Python wrapper's two regex matches."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _decode_text(text)  # raises the decoder's own error
    return value if end == len(text) else _decode_text(text)


def marshal_decoded(value: Any, *, ensure_ascii: bool) -> tuple[bytes, str, Any]:
    """:func:`marshal`, and the body decoded as a client would (or :data:`NOT_DECODED`).

    Fast path (cost: the C encoder, the decode a client makes anyway, one comparison in C):
    ``json``'s C encoder writes exactly what the runtime writes for ``dict``/``list``/``str``/
    ``int``/``float``/``bool``/``None`` (same separators, string escaping and number text).
    Where the two may differ (a tuple or namedtuple, a non-string key, ``NaN``), or where it
    fails (a ``set``, ``Decimal``, a circular reference), the decoded copy does not equal the
    value, and :func:`marshal` applies the runtime's rules (and raises its errors) instead.
    """
    if not isinstance(value, bytes):
        try:
            text = _C_ENCODE[ensure_ascii](value)
            copy = decode_compact(text)
            if copy == value:
                return text.encode("utf-8"), "application/json", copy
        except Exception:  # anything the C encoder refuses: the runtime's rules decide
            pass
    body, content_type = marshal(value, ensure_ascii=ensure_ascii)
    return body, content_type, NOT_DECODED
