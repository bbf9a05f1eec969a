"""README.md and docs/*.md: every relative link resolves, and the README stays a front door."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
#: The README holds what it is, a picture, the commands, the pages and links; the rest is in docs/.
README_MAX_LINES = 160

#: [text](target) and ![alt](target), the alt text possibly over several lines.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def links(path: Path) -> list[str]:
    """The link targets of a Markdown file, outside code blocks and code spans."""
    text = CODE_SPAN.sub("", FENCE.sub("", path.read_text()))
    return LINK.findall(text)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    text = FENCE.sub("", path.read_text())
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug)
    return found


def relative_links() -> list[tuple[Path, str]]:
    return [(path, target) for path in DOCUMENTS for target in links(path)
            if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_there_are_documents_and_links_to_check():
    """The docs folder exists and the README links into it."""
    assert len(DOCUMENTS) >= 5, DOCUMENTS
    assert any(target.startswith("docs/") for target in links(REPO_ROOT / "README.md"))


@pytest.mark.parametrize(("path", "target"), relative_links(),
                         ids=lambda v: v.name if isinstance(v, Path) else v)
def test_relative_link_points_to_an_existing_file(path: Path, target: str):
    """A relative link names a file (and a heading in it, if any) that exists."""
    file_part, _, anchor = target.partition("#")
    destination = (path.parent / file_part).resolve() if file_part else path
    assert destination.exists(), f"{path.name}: {target} -> {destination} does not exist"
    assert REPO_ROOT in destination.parents or destination == REPO_ROOT, target
    if anchor and destination.suffix == ".md":
        assert anchor in anchors(destination), f"{path.name}: no heading #{anchor} in {file_part}"


def test_readme_is_short():
    """README.md is at most README_MAX_LINES lines."""
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"
