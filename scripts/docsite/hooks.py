"""MkDocs hooks of the docs site (mkdocs.yml): what the pages need beyond MkDocs itself.

- docs/reference/cpp.md's marker becomes the C++ reference, read from the headers now
  (cpp_api.py, cpp_reference.py); a public name without its comment is a warning, so
  the strict build fails on it.
- docs/maintainers/peer-reports.md's marker becomes the peer benchmark's reports, read
  from bench/ now (bench_reports.py).
- A heading repeated in a page also gets GitHub's id (`from-c-1`, where Python-Markdown
  says `from-c_1`): the pages link each other with GitHub's ids, and work there too.
- Lists read as on GitHub (CommonMark): one may start right under a paragraph's line (a
  bullet, or `1.`), and an item nests under the one above it when indented to that
  one's text (two spaces), where Python-Markdown wants a blank line before a list and
  four spaces per level.
- A link to a file of the repository outside docs/ (`../examples/serving`) has no page
  in the site: it points at the file in the repository (mkdocs.yml's repo_url), or stays
  as its text when there is none. A link to a path the repository does not have is a
  warning, as MkDocs' own are for pages.
"""
from __future__ import annotations

import logging
import posixpath
import re
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional
from xml.etree import ElementTree

import markdown
from mkdocs.exceptions import PluginError

import bench_reports
import cpp_api
import cpp_reference

log = logging.getLogger("mkdocs.hooks.goray")

CPP_REFERENCE_PAGE = "reference/cpp.md"
CPP_REFERENCE_MARKER = "<!-- the C++ reference: generated from runtime/include/goray/ when the site is built -->"
PEER_REPORTS_PAGE = "maintainers/peer-reports.md"
PEER_REPORTS_MARKER = "<!-- the peer benchmark's reports: generated from bench/ when the site is built -->"

_state: Dict[str, Any] = {"page": None, "cpp": None}


def on_config(config: Any) -> Any:
    config.markdown_extensions.append(_SiteExtension(config))
    return config


def on_pre_build(config: Any) -> None:
    _state["cpp"] = None  # mkdocs serve: read the headers again on every build


def on_page_markdown(markdown_text: str, page: Any, config: Any, files: Any) -> str:
    _state["page"] = page
    generated = {CPP_REFERENCE_PAGE: (CPP_REFERENCE_MARKER, cpp_reference_markdown),
                 PEER_REPORTS_PAGE: (PEER_REPORTS_MARKER, peer_reports_markdown)}
    if page.file.src_uri not in generated:
        return markdown_text
    marker, generate = generated[page.file.src_uri]
    if marker not in markdown_text:
        log.warning(f"{page.file.src_uri} lost its marker line; the generated text goes there: "
                    f"{marker}")
        return markdown_text
    return markdown_text.replace(marker, generate())


def peer_reports_markdown() -> str:
    try:
        return bench_reports.render()
    except bench_reports.ReportError as error:
        raise PluginError(f"the peer reports: {error}") from None


def cpp_reference_markdown() -> str:
    if _state["cpp"] is None:
        try:
            headers = cpp_api.read_api()
            text = cpp_reference.render(headers)
        except (cpp_api.ApiError, cpp_reference.ReferenceError) as error:
            raise PluginError(f"the C++ reference: {error}") from None
        for name in cpp_reference.undocumented(headers):
            log.warning(f"the C++ reference: a public name without a comment above it: {name}")
        _state["cpp"] = text
    return _state["cpp"]


class _SiteExtension(markdown.Extension):
    def __init__(self, config: Any) -> None:
        super().__init__()
        self.site_config = config

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After the fenced code blocks are set aside (25): lines in code are not lists.
        md.preprocessors.register(_ListsAsOnGitHub(md), "goray_lists_as_on_github", 24)
        # After 'toc' (5, registered before this extension) has given headings their ids,
        # and before MkDocs reads the ids (5, registered after) and rewrites links (0).
        md.treeprocessors.register(_GitHubIds(md), "goray_github_ids", 5)
        md.treeprocessors.register(_RepositoryLinks(md, self.site_config), "goray_repository_links", 4)


class _ListsAsOnGitHub(markdown.preprocessors.Preprocessor):
    """A blank line before a list that starts right under a paragraph's line, and twice
    the indentation inside a list (Python-Markdown's four spaces per level)."""

    ITEM = re.compile(r"^ {0,3}(?:[-*+]|1[.)])[ \t]+\S")
    ANY_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])[ \t]+\S")

    def run(self, lines: List[str]) -> List[str]:
        out: List[str] = []
        block_lines, block_has_item = 0, False  # the lines since the last blank one
        in_list = False
        for line in lines:
            if not line.strip():
                block_lines, block_has_item = 0, False
                out.append(line)
                continue
            indent = len(line) - len(line.lstrip(" "))
            if self.ITEM.match(line) and indent == 0 or (in_list and self.ANY_ITEM.match(line)):
                if block_lines and not block_has_item and not out[-1].lstrip().startswith(("|", "#", ">")):
                    out.append("")
                block_has_item, in_list = True, True
            elif in_list and indent == 0 and not block_lines:
                in_list = False  # a paragraph after the list
            block_lines += 1
            out.append(" " * indent + line if in_list else line)
        return out


class _GitHubIds(markdown.treeprocessors.Treeprocessor):
    """Python-Markdown's `x_1` of a repeated heading also answers to GitHub's `x-1`."""

    def run(self, root: ElementTree.Element) -> None:
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        for element in root.iter():
            if element.tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
                continue
            match = re.fullmatch(r"(.+)_(\d+)", element.get("id") or "")
            if not match or match.group(1) not in ids:
                continue
            github_id = f"{match.group(1)}-{match.group(2)}"
            if github_id not in ids:
                alias = ElementTree.Element("span", {"id": github_id})
                element.insert(0, alias)
                alias.tail, element.text = element.text, None
                ids.add(github_id)


class _RepositoryLinks(markdown.treeprocessors.Treeprocessor):
    def __init__(self, md: markdown.Markdown, config: Any) -> None:
        super().__init__(md)
        self.config = config

    def run(self, root: ElementTree.Element) -> None:
        page = _state["page"]
        if page is None:
            return
        docs_dir = Path(self.config.docs_dir).resolve()
        repository = Path(self.config.config_file_path).resolve().parent
        for element in root.iter("a"):
            href = element.get("href") or ""
            parsed = urllib.parse.urlsplit(href)
            if parsed.scheme or parsed.netloc or not parsed.path or parsed.path.startswith("/"):
                continue
            target = Path(posixpath.normpath(posixpath.join(
                posixpath.dirname(page.file.src_uri), urllib.parse.unquote(parsed.path))))
            if not target.parts or target.parts[0] != "..":
                continue  # a page of the site: MkDocs checks it
            path = (docs_dir / target).resolve()
            try:
                in_repository = path.relative_to(repository).as_posix()
            except ValueError:
                log.warning(f"Doc file '{page.file.src_uri}' links to '{href}', outside the repository")
                continue
            repo_url: Optional[str] = self.config.repo_url
            if not path.exists():
                log.warning(f"Doc file '{page.file.src_uri}' links to '{href}', but the repository "
                            f"has no {in_repository}")
            elif repo_url:
                element.set("href", f"{repo_url.rstrip('/')}/blob/HEAD/{in_repository}")
                continue
            # No page and no repository page: the text stays (and MkDocs has nothing to say).
            element.tag = "span"
            del element.attrib["href"]
