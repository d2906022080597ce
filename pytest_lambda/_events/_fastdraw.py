"""Cheap seeded draws for the hot path of the S3 and Kinesis generators.

``random.Random.randrange``/``choices`` cost about a microsecond per call or per
character; an event draws dozens. These helpers use one C call each
(``random()``, ``randbytes()``) and stay fully determined by the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Final, TypeVar

from ._world import _words

__all__ = ["between", "lower_alnum", "pick", "slug", "upper_alnum", "version_chars"]

_T = TypeVar("_T")


def _table(alphabet: bytes) -> bytes:
    return bytes(alphabet[i % len(alphabet)] for i in range(256))


_UPPER: Final = _table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LOWER: Final = _table(b"abcdefghijklmnopqrstuvwxyz0123456789")
# 64 characters: every byte maps to one without bias.
_VERSION: Final = _table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._")


def between(rng: Random, lo: int, hi: int) -> int:
    """An int in ``lo..hi`` inclusive (for spans well below 2**50)."""
    return lo + int(rng.random() * (hi - lo + 1))


def pick(rng: Random, seq: Sequence[_T]) -> _T:
    return seq[int(rng.random() * len(seq))]


def upper_alnum(rng: Random, n: int) -> str:
    """``n`` characters of [A-Z0-9] (request ids, canonical ids)."""
    return rng.randbytes(n).translate(_UPPER).decode("ascii")


def lower_alnum(rng: Random, n: int) -> str:
    return rng.randbytes(n).translate(_LOWER).decode("ascii")


def version_chars(rng: Random, n: int) -> str:
    """``n`` characters of [A-Za-z0-9._], the alphabet of S3 version ids."""
    return rng.randbytes(n).translate(_VERSION).decode("ascii")


def slug(rng: Random) -> str:
    """Two lower-case words joined by '-', e.g. ``orders-ledger``."""
    return f"{word(rng).lower()}-{word(rng).lower()}"


_WORDS: tuple[str, ...] = ()  # _words(), loaded on first use (it imports Faker's list)


def word(rng: Random) -> str:
    """A word of Faker's lorem list (the same list as ``World.word``)."""
    words = _WORDS or _load_words()
    return words[int(rng.random() * len(words))]


def _load_words() -> tuple[str, ...]:
    global _WORDS
    _WORDS = _words()
    return _WORDS


_PRIVATE_FIRST: Final = frozenset((0, 10, 100, 127, 169, 172, 192, 198, 203))


def ipv4(rng: Random) -> str:
    """A public-looking IPv4 address (no private, loopback or multicast first octet)."""
    while True:
        n = rng.getrandbits(32)
        a = n >> 24
        if a < 224 and a not in _PRIVATE_FIRST:
            return f"{a}.{(n >> 16) & 255}.{(n >> 8) & 255}.{1 + (n & 255) % 254}"


def json_order(rng: Random, uuid: str) -> bytes:
    """A small order-like JSON object, compact, as UTF-8 (the default record payload).

    Same shape as ``World.json_payload``; written directly because every value is
    drawn from JSON-safe alphabets (hex, letters, digits), so no escaping is needed.
    """
    items = ",".join(
        f'{{"sku":"{upper_alnum(rng, 8)}","quantity":{between(rng, 1, 5)}}}'
        for _ in range(between(rng, 1, 3))
    )
    amount = between(rng, 100, 99_999) / 100
    return (
        f'{{"id":"{uuid}","type":"{word(rng)}","customer":"{word(rng)}",'
        f'"amount":{amount!r},"items":[{items}]}}'
    ).encode()
