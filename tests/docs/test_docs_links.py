"""The docs are the contract and they live in the repository: every link between them
lands on a file and a heading that exist, nothing cites a document outside the
repository, and every `docs/protocol.md §N` a comment cites is a section of it."""
from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path
from typing import Dict, List, Set

import pytest

from conftest import REPO

_FENCE = re.compile(r"^\s*(```+|~~~+)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files() -> List[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def prose_lines(path: Path) -> List[tuple[int, str]]:
    """(line number, text) of the lines outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = heading.replace("`", "").replace("*", "")       # inline markup
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)     # links keep their text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@functools.lru_cache(maxsize=None)
def anchors(path: Path) -> Set[str]:
    """The anchors of a file's headings (a repeated one gets -1, -2, ... as on GitHub)."""
    seen: Dict[str, int] = {}
    for _, line in prose_lines(path):
        match = _HEADING.match(line)
        if match:
            anchor = github_anchor(match.group(2))
            seen[anchor] = seen.get(anchor, -1) + 1
            if seen[anchor]:
                seen[f"{anchor}-{seen[anchor]}"] = 0
    return set(seen)


def test_github_anchor_matches_githubs_rules():
    assert github_anchor("10. Arrays (version 2)") == "10-arrays-version-2"
    assert github_anchor("6. Where GoRay's driver differs from ours") == \
        "6-where-gorays-driver-differs-from-ours"
    assert github_anchor("`NAME.goray.h`: typed C++ wrappers") == "namegorayh-typed-c-wrappers"
    assert github_anchor("Remote calls (`bench/remote_calls.py`)") == \
        "remote-calls-benchremote_callspy"


def link_targets(lines: List[tuple[int, str]]) -> List[tuple[int, str]]:
    """(line number, target) of each link in the prose lines, also of a link whose text
    wraps onto the next line (`[the platform` / `tag](#the-platform-tag)`): a line is read
    with the line before it when that one leaves a `[` open."""
    found = []
    for index, (number, line) in enumerate(lines):
        text = _CODE_SPAN.sub("", line)
        before = _CODE_SPAN.sub("", lines[index - 1][1]) if index else ""
        opened = before.rfind("[")
        if opened > before.rfind("]") and lines[index - 1][0] == number - 1:
            text = before[opened:] + " " + text
        found.extend((number, target) for target in _LINK.findall(text))
    return found


def test_links_wrapped_over_two_lines_are_read():
    lines = [(1, "see [the platform"), (2, "tag](#the-tag) and [one](a.md#b)"), (4, "[x"),
             (6, "](c.md) is not a link: a blank line apart")]
    assert link_targets(lines) == [(2, "#the-tag"), (2, "a.md#b")]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_lands_on_a_file_and_heading(path: Path):
    broken = []
    for number, target in link_targets(prose_lines(path)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{path.name}:{number}: {target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{path.name}:{number}: {target} (no heading #{anchor} in "
                          f"{linked.relative_to(REPO)})")
    assert not broken, "\n".join(broken)


def tracked_text_files() -> List[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                         capture_output=True).stdout.decode()
    return [name for name in out.split("\0") if name and not name.startswith("tests/golden/")
            and Path(name).suffix in {".md", ".py", ".cpp", ".h", ".j2", ".txt", ".cmake",
                                      ".sh", ".toml", ".json", ".go", ".map", ""}]


def test_nothing_cites_documents_outside_the_repository():
    outside = re.compile(r"shared/spec|\bdesign\.md\b|protocol-notes\.md")
    hits = []
    for name in tracked_text_files():
        path = REPO / name
        if not path.is_file() or path == Path(__file__).resolve():
            continue  # deleted in the working tree, or this test's own pattern
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), 1):
            if outside.search(line):
                hits.append(f"{name}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_every_cited_protocol_section_exists():
    sections = {int(m.group(1)) for _, line in prose_lines(REPO / "docs" / "protocol.md")
                if (m := re.match(r"## (\d+)\. ", line))}
    assert sections == set(range(1, len(sections) + 1)), sorted(sections)
    cited = re.compile(r"protocol\.md,? §(\d+)(?:\s*-\s*(\d+))?((?:,\s*§?\d+)*)")
    missing = []
    for name in tracked_text_files():
        path = REPO / name
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                      .splitlines(), 1):
            for match in cited.finditer(line):
                first = int(match.group(1))
                last = int(match.group(2) or first)
                numbers = set(range(first, last + 1))
                numbers |= {int(n) for n in re.findall(r"\d+", match.group(3) or "")}
                if not numbers <= sections:
                    missing.append(f"{name}:{number}: §{sorted(numbers - sections)}")
    assert not missing, "\n".join(missing)
