"""The docs' word caps (issue 64 §5), by the class of each page. mkdocs.yml's nav is the one
place that classifies the pages: each top-level section of it is a class, and every page of
docs/ sits in one. A page of the tutorial or a how-to guide (and the home page) stays under
5,000 words; the reference, the explanations (the architecture, the protocol's
specification) and the maintainers' pages stay under 8,000 (issue 71 §6: a page one reads
through). The user's route, the repository's README.md, the tutorial (guide.md) and
install.md, stays under 10,000 words together, and all of docs/ under 100,000.
Words are counted as `wc -w` counts them (code blocks included)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from conftest import REPO

PAGE_CAP = 5_000
ANY_PAGE_CAP = 8_000
ROUTE_CAP = 10_000
DOCS_CAP = 100_000
ROUTE = ("README.md", "docs/guide.md", "docs/install.md")

# The nav's sections and the cap of each of their pages (None: no cap).
CAPS: Dict[str, Optional[int]] = {
    "Home": PAGE_CAP,
    "Tutorial": PAGE_CAP,
    "How-to guides": PAGE_CAP,
    "Reference": ANY_PAGE_CAP,
    "Explanations": ANY_PAGE_CAP,
    "For maintainers": ANY_PAGE_CAP,
}


class _NavLoader(yaml.SafeLoader):
    """mkdocs.yml as data: its !!python/... tags (the toc's slugify) read as None."""


_NavLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_pages(nav: list) -> List[Tuple[str, str]]:
    """(top-level section, page under docs/) of every page of an mkdocs nav, in order."""
    found: List[Tuple[str, str]] = []

    def walk(section: str, entry) -> None:
        if isinstance(entry, str):
            found.append((section, entry))
        elif isinstance(entry, list):
            for item in entry:
                walk(section, item)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(section, value)

    for item in nav:
        for section, entry in item.items():
            walk(section, entry)
    return found


def words(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split())


def over_caps(pages: List[Tuple[str, str]], counts: Dict[str, int]) -> List[str]:
    """A line for each page over its section's cap, and for each unknown section."""
    problems = []
    for section, page in pages:
        if section not in CAPS:
            problems.append(f"{page}: nav section {section!r} has no class in CAPS")
            continue
        cap = CAPS[section]
        if cap is not None and counts[page] > cap:
            problems.append(f"{page} ({section}): {counts[page]:,} words, over {cap:,}: move "
                            "what belongs to another page there, or split it by task")
    return problems


def site_nav() -> list:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_NavLoader)
    return config["nav"]


def test_every_page_of_the_docs_has_one_class():
    pages = nav_pages(site_nav())
    listed = [page for _, page in pages]
    on_disk = sorted(p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*.md"))
    assert sorted(set(listed)) == on_disk, ("mkdocs.yml's nav classifies the pages: list each "
                                            "page of docs/ under one section")
    assert len(listed) == len(set(listed)), "a page is listed twice in mkdocs.yml's nav"
    assert {section for section, _ in pages} <= set(CAPS), sorted({s for s, _ in pages} - set(CAPS))


def test_no_tutorial_or_how_to_page_is_over_its_cap():
    pages = nav_pages(site_nav())
    counts = {page: words(REPO / "docs" / page) for _, page in pages}
    problems = over_caps(pages, counts)
    assert not problems, "\n".join(problems)
    capped = [page for section, page in pages if CAPS.get(section)]
    assert {"guide.md", "install.md", "remote.md", "streams.md"} <= set(capped), capped


def test_all_of_the_docs_is_under_its_cap():
    total = sum(words(path) for path in (REPO / "docs").rglob("*.md"))
    assert total < DOCS_CAP, (f"docs/: {total:,} words, over {DOCS_CAP:,}: say each thing once "
                              "(a fact on one page, the others link to it)")


def test_the_users_route_is_under_its_cap():
    counts = {name: words(REPO / name) for name in ROUTE}
    total = sum(counts.values())
    assert total < ROUTE_CAP, (f"README.md + guide.md + install.md: {total:,} words, over "
                               f"{ROUTE_CAP:,} ({counts})")


def test_the_check_reads_a_nav_and_finds_what_is_over():
    nav = yaml.load("nav:\n  - Home: README.md\n  - How-to guides:\n      - A: a.md\n"
                    "      - Group:\n          - Overview: b.md\n          - B1: b1.md\n"
                    "  - Reference:\n      - R: r.md\n  - Other:\n      - O: o.md\n"
                    "markdown_extensions:\n  - toc:\n      slugify: !!python/object/apply:x.y "
                    "{kwds: {case: lower}}\n", Loader=_NavLoader)["nav"]
    pages = nav_pages(nav)
    assert pages == [("Home", "README.md"), ("How-to guides", "a.md"), ("How-to guides", "b.md"),
                     ("How-to guides", "b1.md"), ("Reference", "r.md"), ("Other", "o.md")]
    counts = {"README.md": 10, "a.md": 5_001, "b.md": 5_000, "b1.md": 9, "r.md": 90_000, "o.md": 1}
    problems = over_caps(pages, counts)
    assert len(problems) == 3, problems
    assert problems[0].startswith("a.md (How-to guides): 5,001 words, over 5,000")
    assert problems[1].startswith("r.md (Reference): 90,000 words, over 8,000")
    assert problems[2].startswith("o.md: nav section 'Other' has no class")
