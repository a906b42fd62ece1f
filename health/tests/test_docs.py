"""The repository documents itself: docs/api.md lists exactly the operations
the service serves, and no Markdown link leads outside the repository."""

import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "put", "patch", "delete")
# Folders that are not the project's own writing.
SKIPPED = {".git", ".venv", "node_modules", "staticfiles", "results", "__pycache__"}

# [text](target) and [text](target "title"), and reference definitions [x]: target.
INLINE_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in METHODS
    }


def documented_operations() -> set[str]:
    text = (ROOT / "docs" / "api.md").read_text()
    return set(re.findall(r"^### ((?:GET|POST|PUT|PATCH|DELETE) /\S*)\s*$", text, re.M))


def markdown_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts)
    )


def relative_links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text())
    links = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [
        link
        for link in links
        if not re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I) and not link.startswith("#")
    ]


def test_it_documents_every_operation_of_the_schema_in_docs_api(db):
    missing = schema_operations() - documented_operations()

    assert not missing, f"docs/api.md has no '### METHOD /path' for {sorted(missing)}"


def test_it_documents_no_operation_the_schema_lacks(db):
    extra = documented_operations() - schema_operations()

    assert not extra, f"docs/api.md documents operations not served: {sorted(extra)}"


def test_it_finds_the_markdown_it_checks():
    names = {path.relative_to(ROOT).as_posix() for path in markdown_files()}

    assert {"README.md", "CONTRIBUTING.md", "docs/api.md", "docs/domain.md"} <= names


@pytest.mark.parametrize(
    "path", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_it_links_only_to_files_inside_the_repository(path):
    broken = []
    for link in relative_links(path):
        target = (path.parent / link.split("#")[0].split("?")[0]).resolve()
        if not target.is_relative_to(ROOT):
            broken.append(f"{link} (outside the repository)")
        elif not target.exists():
            broken.append(f"{link} (no such file)")

    assert not broken, f"{path.relative_to(ROOT)}: {broken}"


@pytest.mark.parametrize(
    "path", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_it_never_points_at_the_shared_folder_beside_the_repository(path):
    assert "../shared" not in path.read_text()


def test_it_catches_a_link_that_escapes(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "See [the spec](../shared/spec.md), [ok](#top), [web](https://x.io) and\n"
        "```\n[not a link](../ignored.md)\n```\n[ref]: ../other.md\n"
    )

    assert relative_links(page) == ["../shared/spec.md", "../other.md"]
