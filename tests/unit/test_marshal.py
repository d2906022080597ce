"""Response marshalling follows awslambdaric's simplejson rules byte for byte (docs/internals/runtime.md §4)."""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import json
import math
import os
import uuid
from typing import Any

import pytest

from pytest_lambda._runtime.marshal import (
    MAX_RESPONSE_BYTES,
    NOT_DECODED,
    MarshalError,
    ensure_ascii_for,
    execution_env,
    marshal,
    marshal_decoded,
)

Point = collections.namedtuple("Point", "a b")


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Plain(enum.Enum):
    ONE = 1


D = decimal.Decimal

CASES: list[tuple[Any, bytes]] = [
    (None, b"null"),
    ("plain", b'"plain"'),
    (True, b"true"),
    (10**30, b"1000000000000000000000000000000"),
    (1.0, b"1.0"),
    (-0.0, b"-0.0"),
    ((1, 2), b"[1, 2]"),
    ([], b"[]"),
    ({}, b"{}"),
    ({"a": 1, "b": [True, None]}, b'{"a": 1, "b": [true, null]}'),
    (Point(1, 2), b'{"a": 1, "b": 2}'),
    ([Point(1, [2])], b'[{"a": 1, "b": [2]}]'),
    (D("1.10"), b"1.10"),
    (D("1E+2"), b"1E+2"),
    (D("-0"), b"-0"),
    ({"price": D("3.000")}, b'{"price": 3.000}'),
    (D("NaN"), b"NaN"),
    (D("-NaN"), b"NaN"),
    (D("Infinity"), b"Infinity"),
    (D("-Infinity"), b"-Infinity"),
    (math.nan, b"NaN"),
    (math.inf, b"Infinity"),
    (-math.inf, b"-Infinity"),
    ({2: "i", 1.5: "f", True: "t", None: "n", False: "f"}, b'{"2": "i", "1.5": "f", "true": "t", "null": "n", "false": "f"}'),
    ({"nested": [b"caf\xc3\xa9"]}, b'{"nested": ["caf\\u00e9"]}'),
    ({b"key": 1}, b'{"key": 1}'),
    (Colour.RED, b'"red"'),
    ({"level": Level.HIGH}, b'{"level": 3}'),
    ("tab\tquote\"\x7f", b'"tab\\tquote\\"\\u007f"'),
]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), CASES, ids=[repr(c[0])[:30] for c in CASES])
def test_json_values_match_the_runtime(value: Any, expected: bytes) -> None:
    assert marshal(value, ensure_ascii=True) == (expected, "application/json")


EXTRA: list[Any] = [
    {"text": "h\u00e9llo \U0001f600", "n": [1, 2.5, -0.0, 10**30, None, False]},
    {"deep": [[[{"k": "v"}]]], "empty": [{}, []]},
    [math.nan],
    {"t": (1, 2)},
    {"p": Point(1, 2)},
    "\ud800",  # a lone surrogate: no UTF-8 for it
]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize(
    "value",
    [c[0] for c in CASES] + EXTRA,
    ids=[repr(c[0])[:30] for c in CASES] + [repr(v)[:30] for v in EXTRA],
)
def test_the_fast_path_writes_the_same_bytes_and_decodes_them(
    value: Any, ensure_ascii: bool
) -> None:
    try:
        expected: Any = marshal(value, ensure_ascii=ensure_ascii)
    except MarshalError as exc:
        expected = exc
    if isinstance(expected, MarshalError):
        with pytest.raises(MarshalError) as raised:
            marshal_decoded(value, ensure_ascii=ensure_ascii)
        assert str(raised.value) == str(expected)
        return
    body, content_type, decoded = marshal_decoded(value, ensure_ascii=ensure_ascii)
    assert (body, content_type) == expected
    if decoded is not NOT_DECODED:
        assert decoded == json.loads(body)


def test_the_fast_path_is_taken_for_plain_values_only() -> None:
    plain = {"statusCode": 200, "body": "ok", "items": [1, 2.5, None]}
    assert marshal_decoded(plain, ensure_ascii=True)[2] == plain
    for value in (Point(1, 2), (1, 2), {1: "a"}, [math.nan], D("1.5")):
        assert marshal_decoded(value, ensure_ascii=True)[2] is NOT_DECODED


@pytest.mark.parametrize(
    "value", [{1, 2}, {"x": datetime.datetime(2026, 1, 1)}, {(1, 2): 3}, [b"\xff"]]
)
def test_the_fast_path_fails_as_the_runtime_does(value: Any) -> None:
    with pytest.raises(MarshalError) as fast:
        marshal_decoded(value, ensure_ascii=True)
    with pytest.raises(MarshalError) as slow:
        marshal(value, ensure_ascii=True)
    assert str(fast.value) == str(slow.value)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(MarshalError, match=r"^Unable to marshal response: Circular reference"):
        marshal_decoded(loop, ensure_ascii=True)


def test_top_level_bytes_are_sent_raw() -> None:
    assert marshal(b"\x00\xffraw", ensure_ascii=True) == (b"\x00\xffraw", "application/unknown")


def test_ensure_ascii_follows_the_emulated_runtime() -> None:
    assert ensure_ascii_for("AWS_Lambda_python3.11") is True
    assert ensure_ascii_for(None) is True
    assert ensure_ascii_for("AWS_Lambda_python3.12") is False
    assert ensure_ascii_for("AWS_Lambda_python3.13") is False
    assert execution_env((3, 12)) == "AWS_Lambda_python3.12"
    text = "h\u00e9llo \U0001f600"
    assert marshal(text, ensure_ascii=True)[0] == b'"h\\u00e9llo \\ud83d\\ude00"'
    assert marshal(text, ensure_ascii=False)[0] == f'"{text}"'.encode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "Object of type set is not JSON serializable"),
        (frozenset(), "Object of type frozenset is not JSON serializable"),
        (datetime.datetime(2026, 1, 1), "Object of type datetime is not JSON serializable"),
        (uuid.UUID(int=1), "Object of type UUID is not JSON serializable"),
        ({"x": (n for n in ())}, "Object of type generator is not JSON serializable"),
        (Plain.ONE, "Object of type Plain is not JSON serializable"),
        ({(1, 2): 3}, "keys must be str, int, float, bool or None, not tuple"),
        ([b"\xff"], "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
    ],
)
def test_unserializable_values_are_marshal_errors(value: Any, message: str) -> None:
    with pytest.raises(MarshalError) as raised:
        marshal(value, ensure_ascii=True)
    assert str(raised.value) == f"Unable to marshal response: {message}"


def test_circular_references_are_marshal_errors() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(
        MarshalError, match=r"^Unable to marshal response: Circular reference detected$"
    ):
        marshal(loop, ensure_ascii=True)


def test_the_size_limit_is_six_mebibytes_plus_100_bytes() -> None:
    assert MAX_RESPONSE_BYTES == 6_291_556


ORACLE_VALUES: list[Any] = [c[0] for c in CASES] + [
    {1, 2},
    {(1, 2): 3},
    [b"\xff"],
    "h\u00e9llo \U0001f600 \x00",
    {"deep": [{"x": D("1.5"), "y": Point(D("2"), (3, [4.5]))}]},
]


@pytest.mark.parametrize("runtime", ["AWS_Lambda_python3.11", "AWS_Lambda_python3.12"])
def test_same_bytes_as_awslambdaric_itself(monkeypatch: pytest.MonkeyPatch, runtime: str) -> None:
    marshaller = pytest.importorskip("awslambdaric.lambda_runtime_marshaller")
    monkeypatch.setitem(os.environ, "AWS_EXECUTION_ENV", runtime)
    real = marshaller.LambdaMarshaller()
    for value in ORACLE_VALUES:
        try:
            body, content_type = real.marshal_response(value)
            expected: tuple[Any, ...] = (
                body if isinstance(body, bytes) else body.encode(),
                content_type,
            )
        except Exception as exc:
            expected = ("error", exc.msg)
        try:
            got: tuple[Any, ...] = marshal(value, ensure_ascii=ensure_ascii_for(runtime))
        except MarshalError as exc:
            got = ("error", str(exc))
        assert got == expected, value
