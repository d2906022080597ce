"""``SeededRandom``: ``random.Random`` with the draws the generators use most made cheaper.

Same numbers as ``random.Random(seed)`` for every call (the seeded events stay
byte-identical): ``randrange``/``randint`` on ints inline CPython's
``_randbelow_with_getrandbits`` (``k = n.bit_length()``, ``getrandbits(k)`` until it is
below ``n``) instead of three Python frames and their argument checks; any other
argument (a step, a float, an empty range) goes to ``random.Random`` unchanged, errors
included. Seeding with an int skips ``Random.seed``'s type dispatch, which for an int
calls the C seed and clears ``gauss_next``, as here.

Cost: ``randrange(n)`` about 0.15 µs instead of 0.35 µs; seeding is CPython's MT19937
init (5-10 µs, most of a small event's cost, and unavoidable while the numbers stay).
"""

from __future__ import annotations

import _random
import random
from typing import Any

__all__ = ["SeededRandom"]

_seed_c = _random.Random.seed


class SeededRandom(random.Random):
    """A ``random.Random`` seeded with an int >= 0, drawing the same numbers faster."""

    def __init__(self, seed: int) -> None:
        _seed_c(self, seed)
        self.gauss_next = None

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if step == 1 and type(start) is int:
            if stop is None:
                n, base = start, 0
            elif type(stop) is int:
                n, base = stop - start, start
            else:
                return super().randrange(start, stop, step)
            if n > 0:
                getrandbits = self.getrandbits
                k = n.bit_length()
                r = getrandbits(k)
                while r >= n:
                    r = getrandbits(k)
                return base + r
        return super().randrange(start, stop, step)

    def randint(self, a: int, b: int) -> int:
        if type(a) is int and type(b) is int and b >= a:  # randrange(a, b + 1), inlined
            n = b - a + 1
            getrandbits = self.getrandbits
            k = n.bit_length()
            r = getrandbits(k)
            while r >= n:
                r = getrandbits(k)
            return a + r
        return super().randrange(a, b + 1)

    def below(self, n: int) -> int:
        """``randrange(n)`` for an int ``n > 0`` the caller guarantees (no checks)."""
        getrandbits = self.getrandbits
        k = n.bit_length()
        r = getrandbits(k)
        while r >= n:
            r = getrandbits(k)
        return r

    def __reduce__(self) -> Any:  # pickles as a plain Random with the same state
        return super().__reduce__()
