"""The C++ API reference as Markdown, from the headers (cpp_api.py): a section per
header in reading order, and under it every public name with its signatures and its
comment. The site's hook (hooks.py) puts it into docs/reference/cpp.md at build time, so
the reference is the headers as they are now."""
from __future__ import annotations

import re
from typing import Iterable, List, Sequence

from cpp_api import Declaration, Entity, Header

# Every public header, in the order a reader meets them, with its section's title. A
# header missing here (or listed and gone) fails the build: a new header gets a place.
READING_ORDER = [
    ("goray/annotations.h", "Annotations"),
    ("goray/remote.h", "Remote calls"),
    ("goray/object_ref.h", "Objects"),
    ("goray/future.h", "Typed results"),
    ("goray/batch.h", "Batches"),
    ("goray/stream.h", "Streams of a generator on Ray"),
    ("goray/generator.h", "Generators"),
    ("goray/actor_handle.h", "Actors"),
    ("goray/actor_handle_of.h", "Typed actor handles"),
    ("goray/options.h", "Ray options"),
    ("goray/local.h", "Python in-process"),
    ("goray/map.h", "Maps"),
    ("goray/array.h", "Arrays"),
    ("goray/eigen.h", "Eigen's matrices"),
    ("goray/column.h", "String and binary columns (Arrow)"),
    ("goray/value.h", "Dynamic values"),
    ("goray/unresolved.h", "Refs passed as refs"),
    ("goray/errors.h", "Errors"),
    ("goray/rows.h", "Rows of a batch (which row failed)"),
    ("goray/graph.h", "Compiled graphs"),
    ("goray/serve.h", "Ray Serve from C++"),
    ("goray/version.h", "Versions"),
    ("goray/codec.h", "The codec"),
    ("goray/codec_decl.h", "The codec's declarations (DecodeError)"),
    ("goray/registry.h", "The registry (written by goray-gen)"),
    ("goray/abi.h", "The C ABI (for drivers)"),
    ("goray/goray.h", "The one header"),
]
UMBRELLA = "goray/goray.h"
# Parsed only where Eigen's headers are installed (cpp_api.EIGEN_INCLUDE).
NEEDS_EIGEN = "goray/eigen.h"


class ReferenceError(RuntimeError):
    pass


def ordered(headers: Sequence[Header]) -> List[Header]:
    by_path = {header.path: header for header in headers}
    listed = [path for path, _ in READING_ORDER]
    unlisted = sorted(set(by_path) - set(listed))
    gone = [path for path in listed if path not in by_path and path != NEEDS_EIGEN]
    if unlisted or gone:
        raise ReferenceError(
            "scripts/docsite/cpp_reference.py's READING_ORDER does not match the headers: "
            + "; ".join(part for part in (f"not listed: {', '.join(unlisted)}" if unlisted else "",
                                          f"listed but gone: {', '.join(gone)}" if gone else "")
                        if part))
    return [by_path[path] for path in listed if path in by_path]


def undocumented(headers: Iterable[Header]) -> List[str]:
    """The public names without a comment: 'goray/x.h:LINE: NAME'."""
    return [f"runtime/include/{entity.header}:{entity.line}: {entity.name}"
            for header in headers for entity in header.entities if not entity.comment]


def short_name(name: str) -> str:
    """As a heading shows it: goray's own names without goray::."""
    return name[len("goray::"):] if name.startswith("goray::") else name


def render(headers: Sequence[Header]) -> str:
    titles = dict(READING_ORDER)
    parts: List[str] = []
    for header in ordered(headers):
        if header.path == UMBRELLA:
            continue
        parts.append(f"## {titles[header.path]}\n")
        where = ("included by `goray/goray.h`" if header.in_umbrella
                 else "not part of `goray/goray.h`: include it yourself")
        parts.append(f"`#include <{header.path}>` ({where})\n")
        if header.comment:
            parts.append(prose(header.comment) + "\n")
        for entity in header.entities:
            parts.append(render_entity(entity))
    return "\n".join(parts)


def render_entity(entity: Entity) -> str:
    """Its heading, its first comment as prose, and its declarations as C++ (a class's
    with its public members; the other declarations' comments as // lines)."""
    lines = [f"### `{short_name(entity.name)}`", ""]
    first = entity.declarations[0]
    if first.comment:
        comment = usage_first(entity.name, first.comment) if entity.kind == "macro" else first.comment
        lines += [prose(comment), ""]
    code: List[str] = []
    for declaration in entity.declarations:
        if code:
            code.append("")
        if declaration is not first and declaration.comment:
            code += [f"// {line}".rstrip() for line in declaration.comment.split("\n")]
        code += class_text(declaration).split("\n")
    lines += ["```cpp", *code, "```", ""]
    return "\n".join(lines)


def usage_first(name: str, comment: str) -> str:
    """A macro's comment that opens with its use ("struct GORAY_TASKS Tasks { ... };  every
    public member function is a task."): the use as code, then its meaning."""
    first, newline, rest = comment.partition("\n")
    if name not in first or "`" in first:
        return comment
    match = re.match(r"(.*?)\s{2,}(\S.*)$", first)
    if match:
        return f"`{match.group(1).strip()}`: {match.group(2)}{newline}{rest}"
    if first.rstrip().endswith(";"):  # the use on a line of its own, its meaning below
        return f"`{first.strip()}`{newline}{rest}"
    return comment


def class_text(declaration: Declaration) -> str:
    if declaration.members is None:
        return declaration.signature
    if not declaration.members:
        return declaration.signature + " {};"
    label = [" public:"] if declaration.keyword == "class" else []
    return "\n".join([declaration.signature + " {", *label, *declaration.members, "};"])


_CODE_SPAN = re.compile(r"(`[^`]*`)")


def _escape(text: str) -> str:
    """Markdown text outside code spans: C++ reads as text, not as HTML or emphasis."""
    out = []
    for part in _CODE_SPAN.split(text):
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(part)
            continue
        part = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        part = re.sub(r"([\\*_\[\]])", r"\\\1", part)
        out.append(part)
    return "".join(out)


def prose(comment: str) -> str:
    """A comment as Markdown: paragraphs; a paragraph of lines indented by two spaces or
    more is a C++ example; an indented line inside a paragraph starts a line of its own;
    lines starting with "- " are a list."""
    blocks: List[str] = []
    paragraph: List[str] = []
    example: List[str] = []

    def close() -> None:
        if example:
            indent = min(len(line) - len(line.lstrip()) for line in example if line.strip())
            blocks.append("```cpp\n" + "\n".join(line[indent:] for line in example) + "\n```")
            example.clear()
        if paragraph:
            blocks.append("\n".join(paragraph))
            paragraph.clear()

    for line in comment.split("\n"):
        indented = line.startswith("  ")
        if not line.strip():
            close()
        elif example or (indented and not paragraph):
            if not indented and example:
                close()
                paragraph.append(_escape(line))
            else:
                example.append(line)
        elif line.startswith("- "):
            paragraph.append(_escape(line))
        elif indented or line.startswith(" "):
            if paragraph:
                paragraph[-1] += "  "  # a line break
            paragraph.append(_escape(line.strip()))
        else:
            paragraph.append(_escape(line))
    close()
    return "\n\n".join(blocks)
