"""Request pieces of API Gateway events: query pairs, headers, cookies and bodies.

The query is kept as the ordered raw (percent-encoded) pairs the client sent; both
kinds derive their maps from them. Headers keep their arrival order and the
client's case; API Gateway sorts them by name case-insensitively. Bodies are
text, or base64 when API Gateway treats the content type as binary.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote_plus, unquote_plus

from pytest_lambda._core.errors import InvalidEventSpec

from ._apigw_common import BODY_METHODS, scalar
from ._fastdraw import between, word
from ._world import World

__all__ = [
    "Headers",
    "Pair",
    "b64_ok",
    "check_ip",
    "cookie_list",
    "decode_pairs",
    "draw_query",
    "enc",
    "encode_body",
    "find_header",
    "header_key",
    "header_pairs",
    "is_text_type",
    "media_type",
    "one_value",
    "parse_raw_query",
    "prepare_body",
    "query_pairs",
    "raw_query_string",
    "trace_seconds",
    "with_trace_seconds",
    "xff_hops",
]

_TOKEN_RE: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_TRACE_RE: Final = re.compile(r"Root=1-([0-9a-fA-F]{8})-")

Pair = tuple[str, "str | None"]
"""One raw (percent-encoded) query pair as the client sent it; value None = bare name."""


# -- query --------------------------------------------------------------------------
def enc(text: str) -> str:
    return text if text.isalnum() and text.isascii() else quote_plus(text, safe="")


def parse_raw_query(raw: str) -> list[Pair]:
    out: list[Pair] = []
    for piece in raw.split("&"):
        if piece:
            name, eq, value = piece.partition("=")
            out.append((name, value if eq else None))
    return out


def query_pairs(value: object, param: str = "query") -> list[Pair]:
    """User query → ordered raw pairs: dict (values may be lists), list of pairs, or a raw string."""
    if value is None:
        return []
    if isinstance(value, str):
        raw = value[1:] if value.startswith("?") else value
        if "#" in raw:
            raise InvalidEventSpec(f"{param}={value!r}: a query string cannot contain '#'")
        return parse_raw_query(raw)
    items: list[tuple[object, object]]
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if isinstance(v, (list, tuple)):
                items.extend((k, x) for x in v)
            else:
                items.append((k, v))
    elif isinstance(value, (list, tuple)):
        items = []
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise InvalidEventSpec(f"{param}: {pair!r} is not a (name, value) pair")
            items.append((pair[0], pair[1]))
    else:
        raise InvalidEventSpec(
            f"{param}={value!r}: expected a dict (values may be lists), a list of (name, value) pairs or a raw query string"
        )
    out: list[Pair] = []
    for k, v in items:
        if not isinstance(k, str) or not k:
            raise InvalidEventSpec(f"{param}: parameter name {k!r} must be a non-empty str")
        out.append((enc(k), None if v is None else enc(scalar(v, param))))
    return out


def decode_pairs(pairs: list[Pair]) -> list[tuple[str, str]]:
    return [(_unquote_plus(k), "" if v is None else _unquote_plus(v)) for k, v in pairs]


def _unquote_plus(text: str) -> str:
    """``unquote_plus(text)``, without its work when there is no escape to decode."""
    return text.replace("+", " ") if "%" not in text else unquote_plus(text)


def raw_query_string(pairs: list[Pair]) -> str:
    return "&".join(k if v is None else f"{k}={v}" for k, v in pairs)


def draw_query(world: World, method: str) -> list[Pair]:
    """Zero to three realistic query parameters (reads carry them more often)."""
    rng = world.rng
    if rng.random() >= (0.45 if method in ("GET", "HEAD", "DELETE") else 0.12):
        return []
    out: list[Pair] = []
    for _ in range(between(rng, 1, 3)):
        n = int(rng.random() * 6)
        if n == 0:
            out.append(("page", str(between(rng, 1, 20))))
        elif n == 1:
            out.append(("limit", ("10", "25", "50", "100")[int(rng.random() * 4)]))
        elif n == 2:
            out.append(("sort", ("asc", "desc", "-createdAt", "name")[int(rng.random() * 4)]))
        elif n == 3:
            out.append(("q", "+".join([word(rng) for _ in range(between(rng, 1, 3))])))
        else:
            tag = word(rng)
            out.append(("tag", tag))
            if n == 5:
                out.append(("tag", word(rng)))
    return out


# -- headers and cookies --------------------------------------------------------------
class Headers:
    """Request headers in arrival order: names compared case-insensitively, repeats kept."""

    __slots__ = ("d",)

    def __init__(self) -> None:
        self.d: dict[str, tuple[str, list[str]]] = {}

    def set(self, name: str, *values: str) -> None:
        self.d[name.lower()] = (name, list(values))

    def set_one(self, name: str, value: str) -> None:
        """``set(name, value)``: one value, no argument tuple (cheaper)."""
        self.d[name.lower()] = (name, [value])

    def set1(self, name: str, value: str) -> None:
        """``set(name, value)`` for a ``name`` already in lower case (no folding: cheaper)."""
        self.d[name] = (name, [value])

    def add(self, name: str, value: str) -> None:
        entry = self.d.get(name.lower())
        if entry is None:
            self.d[name.lower()] = (name, [value])
        else:
            entry[1].append(value)

    def get(self, name: str) -> list[str] | None:
        entry = self.d.get(name.lower())
        return None if entry is None else entry[1]

    def first(self, name: str) -> str | None:
        entry = self.d.get(name.lower())
        return entry[1][0] if entry else None

    def first1(self, name: str) -> str | None:
        """``first(name)`` for a ``name`` already in lower case (no folding: cheaper)."""
        entry = self.d.get(name)
        return entry[1][0] if entry else None

    def pop(self, name: str) -> list[str] | None:
        entry = self.d.pop(name.lower(), None)
        return None if entry is None else entry[1]

    def sorted_items(self) -> list[tuple[str, list[str]]]:
        """API Gateway sorts header names case-insensitively."""
        return [self.d[k] for k in sorted(self.d)]

    def joined(self) -> dict[str, str]:
        """Name → values joined with ',' (one value as is), sorted as :meth:`sorted_items`."""
        d = self.d
        out: dict[str, str] = {}
        for key in sorted(d):
            name, values = d[key]
            out[name] = values[0] if len(values) == 1 else ",".join(values)
        return out


def header_pairs(value: object, param: str = "headers") -> list[tuple[str, str]]:
    """User headers → (name, value) pairs: a dict (values may be lists) or a list of pairs."""
    if value is None:
        return []
    items: list[tuple[object, object]] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(v, (list, tuple)):
                items.extend((k, x) for x in v)
            else:
                items.append((k, v))
    elif isinstance(value, (list, tuple)):
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise InvalidEventSpec(f"{param}: {pair!r} is not a (name, value) pair")
            items.append((pair[0], pair[1]))
    else:
        raise InvalidEventSpec(
            f"{param}={value!r}: expected a dict (values may be lists) or a list of pairs"
        )
    out: list[tuple[str, str]] = []
    for k, v in items:
        if not isinstance(k, str) or not _TOKEN_RE.match(k):
            raise InvalidEventSpec(f"{param}: {k!r} is not a valid HTTP header name")
        text = scalar(v, f"{param}[{k!r}]")
        if "\r" in text or "\n" in text:
            raise InvalidEventSpec(f"{param}[{k!r}]: header values cannot contain CR or LF")
        out.append((k, text))
    return out


def cookie_list(value: object) -> list[str]:
    """``cookies`` → ['name=value', ...] from a list of strings or a dict."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs = list(value.items())
        if not all(isinstance(k, str) and k and isinstance(v, str) for k, v in pairs):
            raise InvalidEventSpec(f"cookies={value!r}: expected a dict of str to str")
        return [f"{k}={v}" for k, v in pairs]
    if isinstance(value, (list, tuple)) and all(isinstance(c, str) and c.strip() for c in value):
        bad = [c for c in value if ";" in c]
        if bad:
            raise InvalidEventSpec(f"cookies: {bad[0]!r} holds ';'; give one 'name=value' per item")
        return [c.strip() for c in value]
    raise InvalidEventSpec(f"cookies={value!r}: expected a list of 'name=value' strings or a dict")


def find_header(headers: object, name: str) -> str | None:
    """The value of header ``name`` (any case) in a headers map, or None."""
    if not isinstance(headers, dict):
        return None
    value = headers.get(name)
    if value is None:
        low = name.lower()
        value = next(
            (v for k, v in headers.items() if isinstance(k, str) and k.lower() == low), None
        )
    return value if isinstance(value, str) else None


def header_key(headers: object, name: str) -> str | None:
    """The key under which header ``name`` (any case) is stored, or None."""
    if not isinstance(headers, dict):
        return None
    low = name.lower()
    return next((k for k in headers if isinstance(k, str) and k.lower() == low), None)


def xff_hops(value: str) -> list[str]:
    return [h.strip() for h in value.split(",") if h.strip()]


def trace_seconds(value: object) -> int | None:
    """The epoch seconds in an X-Ray ``Root=1-{8 hex}-…`` header, or None."""
    if not isinstance(value, str):
        return None
    m = _TRACE_RE.search(value)
    return int(m.group(1), 16) if m else None


def with_trace_seconds(value: str, epoch_ms: int) -> str:
    return _TRACE_RE.sub(f"Root=1-{epoch_ms // 1000:08x}-", value, count=1)


# -- body ---------------------------------------------------------------------------
def prepare_body(
    world: World, params: Mapping[str, Any], method: str
) -> tuple[str | bytes | None, str | None]:
    """The request body (text or bytes) and the content type it implies (None: no body)."""
    if "body_schema" in params:
        if "body" in params:
            raise InvalidEventSpec("give either body= or body_schema=, not both")
        from ._payload import payload_from_schema

        payload = payload_from_schema(params["body_schema"], world)
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False), "application/json"
    if "body" not in params:
        if method in BODY_METHODS:
            return world.json_text(), "application/json"  # json.dumps(json_payload()), faster
        return None, None
    body = params["body"]
    if body is None:
        return None, None
    if isinstance(body, str):
        looks_json = body.lstrip()[:1] in ("{", "[")
        return body, "application/json" if looks_json else "text/plain; charset=utf-8"
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), "application/octet-stream"
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidEventSpec(
            f"body={body!r}: expected str, bytes or a JSON-serialisable value ({exc})"
        ) from None
    return text, "application/json"


def media_type(content_type: str | None) -> str:
    return "" if not content_type else content_type.split(";", 1)[0].strip().lower()


def encode_body(body: str | bytes, binary: bool, content_type: str | None) -> str:
    """The event's ``body``: base64 when API Gateway treats the payload as binary."""
    if binary:
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        return base64.b64encode(raw).decode("ascii")
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEventSpec(
                f"body is bytes that are not UTF-8 but content type {content_type!r} is passed "
                "as text: API Gateway base64-encodes a body only when the API treats its type "
                "as binary (REST API: a type in binary_media_types, e.g. "
                "binary_media_types=['image/*']; HTTP API: any type that is not text, e.g. "
                "'application/octet-stream')"
            ) from None
    return body


def b64_ok(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def check_ip(value: object) -> str:
    import ipaddress

    try:
        ipaddress.ip_address(value)  # type: ignore[arg-type]
    except ValueError:
        raise InvalidEventSpec(f"source_ip={value!r}: expected an IPv4 or IPv6 address") from None
    assert isinstance(value, str)
    return value


def one_value(
    params: Mapping[str, Any], param: str, header: str | None, header_name: str
) -> str | None:
    """A value given both as a parameter and as a header must agree."""
    if param not in params:
        return header
    value = params[param]
    if value is not None and not isinstance(value, str):
        raise InvalidEventSpec(f"{param}={value!r}: expected a str")
    if header is not None and value is not None and header != value:
        raise InvalidEventSpec(
            f"{param}={value!r} but headers give {header_name}: {header!r}; give one"
        )
    return value if value is not None else header


_TEXT_TYPES: Final = ("application/json", "application/xml", "application/javascript")


def is_text_type(content_type: str | None) -> bool:
    """HTTP APIs pass these bodies as text; every other (or no) content type as base64."""
    mt = media_type(content_type)
    return mt.startswith("text/") or mt in _TEXT_TYPES
