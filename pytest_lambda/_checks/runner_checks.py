"""The checks as ``LambdaRunner`` methods (a mixin; each check lives in its own module).

Defaults for a test come from its markers through the ``lambda_runner`` fixture
(``lambda_idempotency(...)``); keywords given to the call win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_lambda._checks.idempotency.options import IdempotencyOptions
    from pytest_lambda._checks.idempotency.report import IdempotencyReport
    from pytest_lambda._checks.leaks.report import LeakReport

__all__ = ["RunnerChecks"]


class RunnerChecks:
    """Check methods shared by every isolation mode of ``LambdaRunner``."""

    _idempotency_defaults: IdempotencyOptions | None = None

    def check_idempotency(
        self,
        event: Mapping[str, Any],
        *,
        kind: str | None = None,
        retries: int | None = None,
        observe: Callable[[], object] | None = None,
        reset: Callable[[], object] | None = None,
        faults: bool | None = None,
        fault_points: Sequence[str] | None = None,
        seed: int | None = None,
        partial_batch: bool | None = None,
        bisect: bool | None = None,
    ) -> IdempotencyReport:
        """Deliver ``event`` as its source would (duplicates, crash and retry) and compare.

        ``retries``/``faults``/``fault_points``/``seed`` default to the test's
        ``lambda_idempotency`` marker, else 2 / True / () / None.
        See :func:`pytest_lambda.assert_idempotent` and the idempotency how-to.
        """
        __tracebackhide__ = True
        from pytest_lambda._checks.idempotency.check import check_idempotency
        from pytest_lambda._checks.idempotency.options import IdempotencyOptions

        explicit = {
            k: v
            for k, v in {
                "retries": retries,
                "faults": faults,
                "fault_points": fault_points,
                "seed": seed,
                "partial_batch": partial_batch,
                "bisect": bisect,
            }.items()
            if v is not None
        }
        defaults = self._idempotency_defaults or IdempotencyOptions()
        keywords = defaults.keywords(**explicit)
        return check_idempotency(
            self,  # type: ignore[arg-type]
            event,
            kind=kind,
            observe=observe,
            reset=reset,
            **keywords,
        )

    def check_warm_reuse(
        self,
        events: Sequence[Any] | tuple[str, int],
        *,
        reset: Callable[[], object] | None = None,
        allow: Iterable[str] = (),
        strict: bool = False,
        seed: int | None = None,
    ) -> LeakReport:
        """Run ``events`` warm in one environment and each cold; report state that leaks.

        ``events`` is a list of events, or ``(kind, n)`` for n seeded events of a kind.
        See :func:`pytest_lambda.assert_no_state_leak` and the warm-reuse how-to.
        """
        __tracebackhide__ = True
        from pytest_lambda._checks.leaks.check import check_warm_reuse

        return check_warm_reuse(
            self,  # type: ignore[arg-type]
            events,
            reset=reset,
            allow=allow,
            strict=strict,
            seed=seed,
        )
