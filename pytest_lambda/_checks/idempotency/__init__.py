"""The idempotency check: redeliveries, crash and retry, and what differs."""

from __future__ import annotations
