"""SQS and SNS message attributes: user values to event form, name rules, the MD5 algorithm.

SQS delivers attributes to Lambda as ``{"stringValue"|"binaryValue", "stringListValues": [],
"binaryListValues": [], "dataType"}``; SNS as ``{"Type", "Value"}``. Both share the naming
rules of docs/internals/event-spec.md §1.5 / §2.5. ``md5_of_message_attributes`` is the SQS algorithm of
``sqs-message-metadata.md`` (docs/internals/event-spec.md §1.2 #2), checked against Appendix A.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from pytest_lambda._core.errors import InvalidEventSpec

__all__ = [
    "MAX_SQS_ATTRIBUTES",
    "attribute_name_problem",
    "check_attribute_name",
    "is_base64",
    "md5_of_message_attributes",
    "number_string",
    "sns_attributes",
    "sqs_attributes",
    "sqs_to_sns_attributes",
]

#: SQS accepts at most this many message attributes per message.
MAX_SQS_ATTRIBUTES: Final = 10

_NAME_CHARS = re.compile(r"[A-Za-z0-9_.-]{1,256}")
_RESERVED_PREFIX = re.compile(r"(?i)(aws|amazon)\.")
_DATA_TYPE = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)
_SNS_TYPE = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def attribute_name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid message attribute name (``None`` when it is)."""
    if not isinstance(name, str):
        return f"names are strings, not {type(name).__name__}"
    if not _NAME_CHARS.fullmatch(name):
        return "names have 1-256 characters from A-Z a-z 0-9 _ - ."
    if name.startswith(".") or name.endswith("."):
        return "names cannot start or end with '.'"
    if ".." in name:
        return "names cannot contain '..'"
    if _RESERVED_PREFIX.match(name):
        return "names starting with 'AWS.' or 'Amazon.' are reserved"
    return None


def check_attribute_name(name: object, param: str) -> str:
    problem = attribute_name_problem(name)
    if problem is not None:
        raise InvalidEventSpec(f"{param}: attribute name {name!r} is invalid: {problem}")
    assert isinstance(name, str)
    return name


def number_string(value: int | float, where: str) -> str:
    """The string SQS stores for a Number attribute (leading/trailing zeros stripped)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidEventSpec(f"{where}={value!r}: Number attributes must be finite")
        dec = Decimal(repr(value))
    else:
        dec = Decimal(value)
    if dec == 0:
        return "0"
    _sign, digits, exp = dec.normalize().as_tuple()
    assert isinstance(exp, int)
    magnitude = len(digits) + exp - 1  # power of ten of the leading digit
    if len(digits) > 38 or not -128 <= magnitude <= 126:
        raise InvalidEventSpec(
            f"{where}={value!r}: SQS Number attributes hold up to 38 significant digits "
            "between 10^-128 and 10^126; pass a string instead"
        )
    return format(dec.normalize(), "f")


def _b64_value(value: object, where: str) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, str):
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidEventSpec(
                f"{where}={value!r} is not base64; pass bytes and it is encoded for you"
            ) from None
        return value
    raise InvalidEventSpec(
        f"{where}: a binary value is bytes (or a base64 str), not {type(value).__name__}"
    )


def _plain_value(name: str, value: object, param: str) -> tuple[str, str, bool]:
    """(dataType, value, is_binary) of a plain Python attribute value."""
    where = f"{param}[{name!r}]"
    if isinstance(value, bool):
        raise InvalidEventSpec(
            f"{where}={value!r}: booleans are ambiguous; pass 'true'/'false' (String) or 1/0 (Number)"
        )
    if isinstance(value, str):
        if not value:
            raise InvalidEventSpec(f"{where}: attribute values cannot be empty")
        return "String", value, False
    if isinstance(value, (int, float)):
        return "Number", number_string(value, where), False
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "Binary", _b64_value(value, where), True
    raise InvalidEventSpec(
        f"{where}: expected str, int, float, bytes or a dict with dataType, got {type(value).__name__}"
    )


def _lower_first(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """Accept the boto3 spelling (``DataType``/``StringValue``) as well as the event's."""
    return {(k[:1].lower() + k[1:]) if isinstance(k, str) else k: v for k, v in mapping.items()}


def _full_value(name: str, spec: Mapping[Any, Any], param: str) -> tuple[str, str, bool]:
    where = f"{param}[{name!r}]"
    raw = _lower_first(spec)
    extra = set(raw) - {
        "dataType",
        "stringValue",
        "binaryValue",
        "stringListValues",
        "binaryListValues",
    }
    if extra:
        raise InvalidEventSpec(
            f"{where}: unknown key(s) {sorted(map(str, extra))}; use dataType and stringValue or binaryValue"
        )
    dtype = raw.get("dataType")
    if not isinstance(dtype, str) or len(dtype) > 256 or not _DATA_TYPE.fullmatch(dtype):
        raise InvalidEventSpec(
            f"{where}: dataType={dtype!r} must be String, Number or Binary, optionally with a "
            "custom suffix such as 'Number.float' (at most 256 characters)"
        )
    if raw.get("stringListValues") or raw.get("binaryListValues"):
        raise InvalidEventSpec(f"{where}: list values are reserved by SQS and always empty")
    binary = dtype.startswith("Binary")
    key, other = ("binaryValue", "stringValue") if binary else ("stringValue", "binaryValue")
    if other in raw or key not in raw:
        raise InvalidEventSpec(f"{where}: a {dtype} attribute has {key} (and no {other})")
    value = raw[key]
    if binary:
        return dtype, _b64_value(value, f"{where}.binaryValue"), True
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and dtype.startswith("Number")
    ):
        value = number_string(value, f"{where}.stringValue")
    if not isinstance(value, str) or not value:
        raise InvalidEventSpec(f"{where}: stringValue must be a non-empty str, got {value!r}")
    if dtype.startswith("Number") and not _NUMBER.fullmatch(value):
        raise InvalidEventSpec(f"{where}: stringValue={value!r} is not a number")
    return dtype, value, False


def _attribute_items(value: object, param: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise InvalidEventSpec(
            f"{param}: expected a dict of name → value, e.g. {{'kind': 'order'}}; got {type(value).__name__}"
        )
    return [(check_attribute_name(k, param), v) for k, v in value.items()]


def sqs_attributes(value: object, param: str = "message_attributes") -> dict[str, dict[str, Any]]:
    """User attributes → SQS event form (``stringValue``/``binaryValue`` + empty lists + dataType)."""
    items = _attribute_items(value, param)
    if len(items) > MAX_SQS_ATTRIBUTES:
        raise InvalidEventSpec(
            f"{param}: {len(items)} attributes given; SQS allows at most {MAX_SQS_ATTRIBUTES} per message"
        )
    out: dict[str, dict[str, Any]] = {}
    for name, spec in items:
        if isinstance(spec, Mapping):
            dtype, text, binary = _full_value(name, spec, param)
        else:
            dtype, text, binary = _plain_value(name, spec, param)
        key = "binaryValue" if binary else "stringValue"
        out[name] = {key: text, "stringListValues": [], "binaryListValues": [], "dataType": dtype}
    return out


def sqs_to_sns_attributes(attrs: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """SQS event-form attributes → the ``{"Type", "Value"}`` form inside an SNS envelope."""
    return {
        name: {"Type": a["dataType"], "Value": a.get("binaryValue") or a.get("stringValue") or ""}
        for name, a in attrs.items()
    }


def sns_attributes(value: object, param: str = "message_attributes") -> dict[str, dict[str, str]]:
    """User attributes → the SNS Lambda event form ``{"Type", "Value"}``.

    Plain numbers become ``String`` (for Lambda, SNS passes ``Number`` and ``String.Array``
    as String, docs/internals/event-spec.md §2.2 #7), bytes become ``Binary`` (base64). A dict in event
    form (``Type``/``Value``) is kept as given; one in Publish form (``DataType`` with
    ``StringValue``/``BinaryValue``) is converted the way SNS converts it for Lambda.
    """
    out: dict[str, dict[str, str]] = {}
    for name, spec in _attribute_items(value, param):
        where = f"{param}[{name!r}]"
        if isinstance(spec, Mapping) and ("Type" in spec or "Value" in spec):
            stype, text = spec.get("Type"), spec.get("Value")
            if set(spec) - {"Type", "Value"}:
                raise InvalidEventSpec(
                    f"{where}: an event-form attribute has exactly Type and Value"
                )
            if not isinstance(stype, str) or len(stype) > 256 or not _SNS_TYPE.fullmatch(stype):
                raise InvalidEventSpec(
                    f"{where}: Type={stype!r} must be String, String.Array, Number or Binary"
                )
            if stype.startswith("Binary"):
                text = _b64_value(text, f"{where}.Value")
            elif not isinstance(text, str):
                raise InvalidEventSpec(f"{where}: Value must be a str, got {text!r}")
            out[name] = {"Type": stype, "Value": text}
            continue
        if isinstance(spec, Mapping):
            _, text, binary = _full_value(name, spec, param)
        else:
            _, text, binary = _plain_value(name, spec, param)
        out[name] = {"Type": "Binary" if binary else "String", "Value": text}
    return out


def _put(buf: bytearray, data: bytes) -> None:
    buf += len(data).to_bytes(4, "big")
    buf += data


def md5_of_message_attributes(attrs: Mapping[str, Mapping[str, Any]]) -> str:
    """``md5OfMessageAttributes`` of SQS event-form attributes (docs/internals/event-spec.md §1.2 #2).

    Attributes sorted by name; for each: name and dataType (4-byte big-endian length +
    UTF-8), a transport byte (1 String/Number, 2 Binary), then the value (length + UTF-8
    of ``stringValue``, or length + the decoded bytes of ``binaryValue``). Raises
    ``KeyError``/``TypeError``/``ValueError`` on malformed attributes.
    """
    buf = bytearray()
    for name in sorted(attrs):
        attr = attrs[name]
        dtype = attr["dataType"]
        _put(buf, name.encode("utf-8"))
        _put(buf, dtype.encode("utf-8"))
        if dtype.startswith("Binary"):
            raw = attr["binaryValue"]
            buf.append(2)
            _put(buf, raw if isinstance(raw, bytes) else base64.b64decode(raw, validate=True))
        else:
            buf.append(1)
            _put(buf, attr["stringValue"].encode("utf-8"))
    return hashlib.md5(buf).hexdigest()


def is_base64(text: object) -> bool:
    """Whether ``text`` is a canonical-alphabet base64 string."""
    if not isinstance(text, str) or len(text) % 4 or not _B64.fullmatch(text):
        return False
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
