"""isolation="runtime": the handler runs in an awslambdaric child against a local Runtime API."""

from __future__ import annotations
