"""The documentation does not lie: it builds, its links and anchors exist, its tables match the code.

Also checks that every docs URL an error message of the package links to exists, and that
every test shown in the docs is a collected ``*_example.py`` file, not an inline block.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docs_reference import GENERATED, render

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "pytest_lambda"
DOCS_BASE = "https://pytest-lambda-toolkit.readthedocs.io/en/latest/"

FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
EXPLICIT_ID = re.compile(r"\{[^}]*#([\w.:-]+)[^}]*\}")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SNIPPET = re.compile(r"^\s*-+8\s*<\s*-+")  # also what ruff makes of it: --8 < --
SNIPPET_OK = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')
AUTODOC = re.compile(r"^:::\s+([\w.]+)\s*$")
DOC_URL_CALL = re.compile(r"doc_url\(\s*[\"']([^\"']+)[\"']\s*(?:,\s*[\"']([^\"']*)[\"']\s*)?\)")
LITERAL_URL = re.compile(re.escape(DOCS_BASE) + r"([\w./-]*?)/?(?:#([\w.:-]+))?(?=[\s\"'`)]|$)")


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def prose_lines(text: str) -> list[str]:
    """The page's lines outside fenced code blocks."""
    out, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            in_fence = not in_fence
            continue
        if not in_fence:
            out.append(line)
    return out


def slugify(heading: str) -> str:
    """Python-Markdown's toc slug of a heading: markup dropped, then its ``slugify``."""
    from markdown.extensions.toc import slugify as toc_slugify

    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
    return str(toc_slugify(text, "-"))


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        found.update(EXPLICIT_ID.findall(line))
        heading = HEADING.match(line)
        if heading:
            found.add(slugify(EXPLICIT_ID.sub("", heading.group(2))))
        autodoc = AUTODOC.match(line)
        if autodoc:  # mkdocstrings gives each rendered object its dotted path as id
            found.add(autodoc.group(1))
    return found


def page_for(url_path: str) -> Path | None:
    """docs/<page>.md (or <page>/index.md) for a site path such as 'reference/fixtures'."""
    url_path = url_path.strip("/")
    for candidate in (DOCS / f"{url_path}.md", DOCS / url_path / "index.md"):
        if candidate.is_file():
            return candidate
    if url_path == "":
        return DOCS / "index.md"
    return None


def test_slugify_matches_markdown():
    assert slugify("Limits of an in-process runner") == "limits-of-an-in-process-runner"
    assert slugify("With `moto`") == "with-moto"
    assert slugify("lambda_clock") == "lambda_clock"
    assert slugify("What's new?") == "whats-new"


def internal_links() -> list[tuple[Path, str]]:
    links = []
    for page in pages():
        for line in prose_lines(page.read_text(encoding="utf-8")):
            for target in LINK.findall(line):
                if not re.match(r"^[a-z]+:", target):
                    links.append((page, target))
    return links


def test_docs_have_internal_links():
    assert len(internal_links()) > 50  # the parser works


@pytest.mark.parametrize(
    ("page", "target"),
    [pytest.param(p, t, id=f"{p.relative_to(DOCS)}->{t}") for p, t in internal_links()],
)
def test_internal_link_exists(page, target):
    path, _, anchor = target.partition("#")
    dest = (page.parent / path).resolve() if path else page
    assert dest.is_file(), f"{page.relative_to(ROOT)} links to missing {path}"
    if anchor and dest.suffix == ".md":
        assert anchor in anchors(dest), (
            f"{page.relative_to(ROOT)} links to #{anchor}, which {dest.relative_to(ROOT)} "
            f"does not have; it has: {', '.join(sorted(anchors(dest)))}"
        )


def referenced_doc_urls() -> list[tuple[str, str, str]]:
    """(source file, page, anchor) for every docs URL the package's messages contain."""
    found = []
    for source in sorted(PACKAGE.rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        where = str(source.relative_to(ROOT))
        found += [(where, page, anchor or "") for page, anchor in DOC_URL_CALL.findall(text)]
        found += [(where, page, anchor or "") for page, anchor in LITERAL_URL.findall(text)]
    return found


def test_package_references_docs():
    pages_linked = {page for _, page, _ in referenced_doc_urls()}
    assert {"reference/fixtures", "reference/options"} <= pages_linked  # the scanner works


@pytest.mark.parametrize(
    ("source", "page", "anchor"),
    [pytest.param(*ref, id=f"{ref[0]}:{ref[1]}#{ref[2]}") for ref in referenced_doc_urls()],
)
def test_error_message_doc_url_exists(source, page, anchor):
    doc = page_for(page)
    assert doc is not None, f"{source} links to {DOCS_BASE}{page}/, but docs/{page}.md is missing"
    if anchor:
        assert anchor in anchors(doc), f"{source} links to {page}/#{anchor}, missing in {doc}"


@pytest.mark.parametrize("anchor", ["lambda_clock", "lambda_runner", "lambda_event",
                                    "lambda_context", "lambda_handler", "lambda_seed"])  # fmt: skip
def test_fixture_anchors(anchor):
    assert anchor in anchors(DOCS / "reference" / "fixtures.md")


def test_snippets_are_well_formed_and_exist():
    included = set()
    for page in pages():
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if not SNIPPET.match(line):
                continue
            where = f"{page.relative_to(ROOT)}:{number + 1}"
            match = SNIPPET_OK.match(line.strip())
            assert match, f"{where}: malformed snippet line {line!r}"
            # ruff formats ```python blocks in Markdown and turns `--8<-- "f"` into
            # `--8 < --"f"`; ```{.python} fences are left alone and render the same
            assert number == 0 or lines[number - 1].strip() != "```python", (
                f"{where}: open snippet blocks with ```{{.python}}, not ```python"
            )
            path, section = match.groups()
            target = ROOT / path
            assert target.is_file(), f"{where} includes missing {path}"
            if section:
                assert f"--8<-- [start:{section}]" in target.read_text(encoding="utf-8")
            included.add(target.resolve())
    examples = {p.resolve() for p in DOCS.rglob("*_example.py")}
    assert examples, "no docs examples found"
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages())
    orphans = [
        p for p in examples - included if str(p.relative_to(ROOT)) not in text
    ]  # an example is shown (a snippet) or named on a page
    assert not orphans, f"examples neither shown nor named on any page: {orphans}"


def test_no_inline_test_code():
    """A test shown in the docs must be a collected *_example.py file, included as a snippet."""
    offenders = []
    for page in pages():
        in_fence = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if FENCE.match(line.strip()):
                in_fence = not in_fence
            elif in_fence and re.match(r"\s*(async\s+)?def test_", line):
                offenders.append(f"{page.relative_to(ROOT)}:{number}")
    assert not offenders


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_reference_is_current(name):
    page, make = GENERATED[name]
    text = (DOCS / page).read_text(encoding="utf-8")
    assert render(text, name) == make(), (
        f"docs/{page} is out of date with the code; run: python tests/docs/docs_reference.py"
    )


def test_event_kinds_page_lists_every_parameter():
    from pytest_lambda import events

    text = (DOCS / "reference" / "event-kinds.md").read_text(encoding="utf-8")
    for kind in events.KINDS:
        section = text.split(f"## {kind} ", 1)[1].split("\n## ", 1)[0]
        for name in events.params(kind):
            assert f"| `{name}` |" in section, f"{kind}.{name} missing from event-kinds.md"


def test_options_page_lists_every_setting():
    from pytest_lambda._plugin.options import SETTINGS

    text = (DOCS / "reference" / "options.md").read_text(encoding="utf-8")
    for s in SETTINGS.values():
        assert s.flag in text
        assert f"`{s.ini}`" in text
        assert f"`{s.env}`" in text
        assert f"{{#{s.name}}}" in text, f"options.md has no section for {s.name}"


def nav_pages(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [p for item in node for p in nav_pages(item)]
    if isinstance(node, dict):
        return [p for value in node.values() for p in nav_pages(value)]
    return []


def test_nav_and_pages_agree():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = nav_pages(config["nav"])
    assert len(nav) == len(set(nav))
    files = {str(p.relative_to(DOCS)) for p in pages()}
    assert not set(nav) - files, f"nav names missing pages: {sorted(set(nav) - files)}"
    assert not files - set(nav), f"pages missing from nav: {sorted(files - set(nav))}"


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "reference" / "fixtures" / "index.html").is_file()
    built = (tmp_path / "how-to" / "sqs" / "index.html").read_text(encoding="utf-8")
    assert "batchItemFailures" in built  # the snippets were included
    assert "--8&lt;--" not in built
