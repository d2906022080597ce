"""Per-test defaults for ``lambda_runner.check_idempotency`` from a marker.

``@pytest.mark.lambda_idempotency(retries=1, faults=False)`` takes exactly the keywords of
:class:`IdempotencyOptions`; a typo is a ``TypeError`` naming the valid keywords, a bad
value an :class:`~pytest_lambda.InvalidOption`. Keywords given to the call win over
the marker's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pytest_lambda._core.errors import ArgumentTypeError, InvalidOption

__all__ = ["MARKER", "MARKER_HELP", "IdempotencyOptions"]

MARKER: Final = "lambda_idempotency"
MARKER_HELP: Final = (
    "lambda_idempotency(*, retries=2, faults=True, fault_points=(), seed=None, "
    "partial_batch=True, bisect=False): defaults for "
    "lambda_runner.check_idempotency() in this test. "
    "https://pytest-lambda-toolkit.readthedocs.io/en/latest/how-to/idempotency/"
)


@dataclass(frozen=True)
class IdempotencyOptions:
    """The marker's keywords: the source's ``retries``, ``faults``, ``fault_points``, ``seed``."""

    retries: int = 2
    faults: bool = True
    fault_points: tuple[str, ...] = ()
    seed: int | None = None
    #: The event source mapping reports batch item failures (``FunctionResponseTypes:
    #: ReportBatchItemFailures``); False: a batch response's failures are ignored, as Lambda does.
    partial_batch: bool = True
    #: ``BisectBatchOnFunctionError`` (Kinesis, DynamoDB Streams): a failed batch comes back halved.
    bisect: bool = False

    def __post_init__(self) -> None:
        __tracebackhide__ = True
        retries: object = self.retries
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InvalidOption(f"{MARKER}: retries={self.retries!r}: expected an int >= 0")
        faults: object = self.faults
        if not isinstance(faults, bool):
            raise InvalidOption(f"{MARKER}: faults={self.faults!r}: expected True or False")
        points: object = self.fault_points
        if isinstance(points, str) or not isinstance(points, Sequence):
            raise InvalidOption(
                f"{MARKER}: fault_points={points!r}: expected a list of dotted names like "
                "['app.db.insert_order']"
            )
        object.__setattr__(self, "fault_points", tuple(points))
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int)
        ):
            raise InvalidOption(f"{MARKER}: seed={self.seed!r}: expected an int or None")
        for name in ("partial_batch", "bisect"):
            flag: object = getattr(self, name)
            if not isinstance(flag, bool):
                raise InvalidOption(f"{MARKER}: {name}={flag!r}: expected True or False")

    @classmethod
    def from_marker(cls, args: Sequence[Any], kwargs: Mapping[str, Any]) -> IdempotencyOptions:
        """Options from a marker's (merged) arguments; positional arguments are refused."""
        __tracebackhide__ = True
        if args:
            raise ArgumentTypeError(
                f"the {MARKER} marker takes keywords only, e.g. {MARKER}(retries=1)"
            )
        valid = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(kwargs) - set(valid))
        if unknown:
            raise ArgumentTypeError(
                f"{MARKER}() got unexpected keyword(s) {', '.join(map(repr, unknown))}; "
                f"valid keywords: {', '.join(valid)}"
            )
        return cls(**kwargs)

    def keywords(self, **overrides: Any) -> dict[str, Any]:
        """The keywords for ``check_idempotency``; explicit ``overrides`` win."""
        merged: dict[str, Any] = {
            "retries": self.retries,
            "faults": self.faults,
            "fault_points": self.fault_points,
            "seed": self.seed,
            "partial_batch": self.partial_batch,
            "bisect": self.bisect,
        }
        merged.update(overrides)
        return merged
