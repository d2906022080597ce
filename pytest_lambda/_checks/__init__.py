"""Checks built on the runtime (never imported by it): redelivery, faults, moto state, the public LambdaRunner."""

from __future__ import annotations
