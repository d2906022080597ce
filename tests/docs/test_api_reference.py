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


PUBLIC = sorted(set(pytest_lambda.__all__) - {"__version__", "events"})


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_in_the_api_reference(name: str) -> None:
    text = API_PAGE.read_text("utf-8")
    assert f"::: pytest_lambda.{name}\n" in text, (
        f"add '::: pytest_lambda.{name}' to {API_PAGE.relative_to(ROOT)}"
    )


def test_api_reference_shows_public_paths_only() -> None:
    text = API_PAGE.read_text("utf-8")
    private = re.findall(r"^::: (pytest_lambda\._\S*)", text, re.MULTILINE)
    assert private == []
    links = re.findall(r"api\.md#(pytest_lambda\._[\w.]*)", _all_docs())
    assert links == []


def _all_docs() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(DOCS.rglob("*.md")))


@pytest.mark.parametrize("name", [n for n in PUBLIC if isinstance(getattr(pytest_lambda, n), type)])
def test_public_class_reports_the_public_module(name: str) -> None:
    cls = getattr(pytest_lambda, name)
    assert (cls.__module__, cls.__qualname__) == ("pytest_lambda", name)


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
