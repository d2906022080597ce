"""The public API, its reference page, and docs that import only public names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pytest_lambda

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
API_PAGE = DOCS / "reference" / "api.md"
PRIVATE_IMPORT = re.compile(r"^\s*(from|import)\s+pytest_lambda\._\w+", re.MULTILINE)


def test_moto_state_is_exported() -> None:
    from pytest_lambda import moto_state

    # by name, not identity: other tests may re-import pytest_lambda._checks.moto
    assert (moto_state.__module__, moto_state.__qualname__) == (
        "pytest_lambda._checks.moto",
        "moto_state",
    )
    assert "moto_state" in pytest_lambda.__all__
    assert "moto_state" in dir(pytest_lambda)


@pytest.mark.parametrize("name", sorted(set(pytest_lambda.__all__) - {"__version__", "events"}))
def test_public_name_is_in_the_api_reference(name: str) -> None:
    module = getattr(pytest_lambda, name).__module__
    text = API_PAGE.read_text("utf-8")
    assert f"::: {module}.{name}\n" in text or f"::: {module}\n" in text, (
        f"add '::: {module}.{name}' to {API_PAGE.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.name)
def test_docs_import_only_public_names(page: Path) -> None:
    found = [m.group(0).strip() for m in PRIVATE_IMPORT.finditer(page.read_text("utf-8"))]
    assert found == [], f"{page.relative_to(ROOT)} imports a private module"


def test_conformance_suite_limits_describe_check_isolation() -> None:
    text = (DOCS / "how-to" / "conformance-suite.md").read_text("utf-8")
    limits = text.split("## Limits", 1)[1]
    assert "always runs the handler in its own process" not in limits
    assert "`--isolation runtime`" in limits
    assert "awslambdaric" in limits
    assert "blind spots" in limits
