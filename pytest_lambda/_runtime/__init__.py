"""Run a handler the way Lambda does: the runner, context, invocation, handler, marshalling, logs."""

from __future__ import annotations
