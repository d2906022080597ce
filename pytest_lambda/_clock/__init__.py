"""The frozen Lambda clock: LambdaClock, the sleep patch, freezegun compatibility."""

from __future__ import annotations
