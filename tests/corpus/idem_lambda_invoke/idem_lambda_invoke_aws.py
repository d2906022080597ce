"""moto set-up: nothing to create; Invoke calls are recorded, not run."""

from __future__ import annotations


def create() -> None:
    return None
