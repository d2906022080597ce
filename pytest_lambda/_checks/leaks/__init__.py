"""The warm-reuse check: state one invocation leaves for the next."""

from __future__ import annotations
