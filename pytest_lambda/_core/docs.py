"""Where the documentation lives; every anchor an error message links to is checked by a test."""

from __future__ import annotations

from typing import Final

__all__ = ["DOCS_BASE", "doc_url"]

DOCS_BASE: Final = "https://pytest-lambda-toolkit.readthedocs.io/en/latest/"


def doc_url(page: str, anchor: str = "") -> str:
    """URL of ``docs/<page>.md`` (and ``#anchor``) on the documentation site."""
    return f"{DOCS_BASE}{page}/" + (f"#{anchor}" if anchor else "")
