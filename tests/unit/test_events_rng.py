"""``SeededRandom`` draws exactly what ``random.Random`` draws (seeded events stay identical)."""

from __future__ import annotations

import random

import pytest

from pytest_lambda._events._rng import SeededRandom


@pytest.mark.parametrize("seed", [0, 1, 42, 2**62 + 5])
def test_same_numbers_as_random_random(seed: int) -> None:
    a, b = random.Random(seed), SeededRandom(seed)
    for n in (1, 2, 3, 14, 1000, 10**12, 2**64 + 3):
        for _ in range(50):
            assert a.randrange(n) == b.randrange(n)
            assert a.randrange(5, n + 5) == b.randrange(5, n + 5)
            assert a.randint(1, n) == b.randint(1, n)
            assert a.randrange(0, 2 * n, 2) == b.randrange(0, 2 * n, 2)
            assert a.random() == b.random()
            assert a.choice("abcdefg") == b.choice("abcdefg")
            assert a.randrange(n) == b.below(n)
    assert a.getstate() == b.getstate()


def test_bad_ranges_raise_as_random_random_does() -> None:
    rng = SeededRandom(1)
    with pytest.raises(ValueError, match="empty range"):
        rng.randrange(0)
    with pytest.raises(ValueError, match="empty range"):
        rng.randrange(5, 5)
