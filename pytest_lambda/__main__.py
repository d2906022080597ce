"""``python -m pytest_lambda``: the ``pytest-lambda`` command."""

from __future__ import annotations

from .cli import main

__all__: list[str] = []

raise SystemExit(main())
