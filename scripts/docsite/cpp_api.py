"""goray's public C++ API, read from the headers with libclang (the parser goray-scan is
built on), for the C++ reference (cpp_reference.py) and the test that every public name
has its line of meaning (tests/docs/test_docs_site.py).

Public, precisely:
- every name declared at namespace scope in namespace goray, goray::serve or goray::codec
  (never in a namespace detail) in a header of runtime/include/goray/ outside detail/;
- the public members of those classes;
- the C ABI those headers declare at global scope (abi.h);
- every macro those headers define whose name starts with GORAY_ and does not end in _.

A declaration's comment is the block of // lines right above it (above its template
line), plus a comment at the end of its last line; that is how the headers are written.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import clang.cindex as cindex

REPO = Path(__file__).resolve().parents[2]
INCLUDE_DIR = REPO / "runtime" / "include"
PUBLIC_NAMESPACES = ("goray", "goray::serve", "goray::codec")
LLVM_VERSION = 19  # scripts/setup.sh's clang-19 and libclang-19-dev; python/requirements-dev.txt's clang==19.*

K = cindex.CursorKind
CLASS_KINDS = {K.CLASS_DECL, K.STRUCT_DECL, K.CLASS_TEMPLATE,
               K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION, K.UNION_DECL}
FUNCTION_KINDS = {K.FUNCTION_DECL, K.FUNCTION_TEMPLATE, K.CXX_METHOD, K.CONSTRUCTOR,
                  K.DESTRUCTOR, K.CONVERSION_FUNCTION}
# Written whole: their text is their signature.
WHOLE_KINDS = {K.TYPE_ALIAS_DECL, K.TYPEDEF_DECL, K.TYPE_ALIAS_TEMPLATE_DECL, K.USING_DECLARATION,
               K.VAR_DECL, K.FIELD_DECL, K.ENUM_DECL, K.CONCEPT_DECL}
# Not names: checks and what a template or class head is made of.
IGNORED_KINDS = {K.STATIC_ASSERT, K.CXX_ACCESS_SPEC_DECL, K.CXX_BASE_SPECIFIER,
                 K.TEMPLATE_TYPE_PARAMETER, K.TEMPLATE_NON_TYPE_PARAMETER,
                 K.TEMPLATE_TEMPLATE_PARAMETER, K.TYPE_REF, K.TEMPLATE_REF, K.NAMESPACE_REF,
                 K.ANNOTATE_ATTR, K.UNEXPOSED_ATTR, K.VISIBILITY_ATTR, K.CXX_FINAL_ATTR,
                 K.UNEXPOSED_EXPR, K.CALL_EXPR, K.DECL_REF_EXPR, K.PARM_DECL}
# Nested types shown by name only: their members are the protocol the standard library
# asks of every iterator and coroutine, the same in every class.
PROTOCOL_TYPES = {"iterator", "Iterator", "promise_type"}


class ApiError(RuntimeError):
    """The headers could not be read (libclang missing, a header that does not parse)."""


@dataclass
class Declaration:
    signature: str   # as written, without its body
    comment: str     # its comment, without the // markers ("" if none)
    # A class definition's public members as synopsis lines (None: not a class definition),
    # and whether its head says class (members private unless said) or struct.
    members: Optional[List[str]] = None
    keyword: str = ""


@dataclass
class Entity:
    """One public name: its declarations (overloads, specializations) in one header."""
    name: str                 # as a user writes it: "goray::Map", "GORAY_TASKS", "Execute"
    kind: str                 # "class", "function", "type", "variable", "macro"
    header: str               # "goray/map.h"
    line: int
    declarations: List[Declaration] = field(default_factory=list)

    @property
    def comment(self) -> str:
        return "\n\n".join(d.comment for d in self.declarations if d.comment)


@dataclass
class Header:
    path: str                 # "goray/map.h"
    comment: str              # its opening comment, without the // markers
    in_umbrella: bool         # included by goray/goray.h
    entities: List[Entity] = field(default_factory=list)


def libclang_file() -> str:
    """The libclang of LLVM_VERSION: GORAY_LIBCLANG, or LLVM's library directory."""
    if os.environ.get("GORAY_LIBCLANG"):
        return os.environ["GORAY_LIBCLANG"]
    directories = []
    llvm_config = shutil.which(f"llvm-config-{LLVM_VERSION}")
    if llvm_config:
        directories.append(subprocess.run([llvm_config, "--libdir"], check=True, text=True,
                                          capture_output=True).stdout.strip())
    directories.append(f"/usr/lib/llvm-{LLVM_VERSION}/lib")
    for directory in directories:
        for name in (f"libclang-{LLVM_VERSION}.so.1", "libclang.so.1", "libclang.so"):
            if Path(directory, name).exists():
                return str(Path(directory, name))
    raise ApiError(f"no libclang {LLVM_VERSION} in {directories}: bash scripts/setup.sh installs "
                   f"libclang-{LLVM_VERSION}-dev (or set GORAY_LIBCLANG to the library)")


@functools.lru_cache(maxsize=None)
def _configure_libclang() -> None:
    if not cindex.Config.loaded:
        cindex.Config.set_library_file(libclang_file())


# Eigen's headers (Debian's libeigen3-dev, which scripts/setup.sh installs), for goray/eigen.h.
EIGEN_INCLUDE = next((Path(d) for d in ("/usr/include/eigen3", "/usr/local/include/eigen3")
                      if (Path(d) / "Eigen" / "Core").is_file()), None)


def public_headers(include_dir: Path = INCLUDE_DIR) -> List[str]:
    """goray/*.h; goray/eigen.h only where Eigen's headers are there to parse it with."""
    return sorted(f"goray/{path.name}" for path in (include_dir / "goray").glob("*.h")
                  if path.name != "eigen.h" or EIGEN_INCLUDE is not None)


class _Source:
    """A header's text, for signatures and comments as written."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        self.lines = self.data.decode("utf-8").split("\n")

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")

    def comment_above(self, line: int) -> str:
        """The // lines right above 1-based `line`, without their markers."""
        found: List[str] = []
        number = line - 2
        while number >= 0 and self.lines[number].lstrip().startswith("//"):
            found.append(self.lines[number])
            number -= 1
        return _strip_markers(list(reversed(found)))

    def macro_comment(self, line: int) -> str:
        """A macro's comment: the // lines right above it, or above the first of the run of
        one-line #define lines it is in (version.h's three numbers share one comment, as
        CMake and the wheel's metadata read them as three adjacent lines)."""
        number = line
        while (not self.comment_above(number) and number >= 2
               and self.lines[number - 2].startswith("#define ")
               and not self.lines[number - 2].rstrip().endswith("\\")):
            number -= 1
        return self.comment_above(number)

    def trailing_comment(self, line: int, column: int) -> str:
        """A // comment after 1-based (line, column) on that line (NOLINT markers left out)."""
        rest = self.lines[line - 1].encode("utf-8")[column - 1:].decode("utf-8")
        match = re.match(r"\s*;?\s*//\s?(.*)$", rest)
        if not match or match.group(1).startswith("NOLINT"):
            return ""
        return match.group(1).strip()

    def opening_comment(self) -> str:
        found = []
        for line in self.lines:
            if not line.startswith("//"):
                break
            found.append(line)
        return _strip_markers(found)


def _strip_markers(lines: Sequence[str]) -> str:
    stripped = []
    for line in lines:
        text = line.lstrip()[2:]
        stripped.append(text[1:] if text.startswith(" ") else text)
    return "\n".join(stripped).strip("\n")


def _dedent(text: str, column: int) -> str:
    """`text` began at 1-based `column`: its later lines lose that much indentation."""
    lines = text.split("\n")
    indent = column - 1
    for i in range(1, len(lines)):
        line = lines[i]
        spaces = len(line) - len(line.lstrip(" "))
        lines[i] = line[min(indent, spaces):]
    return "\n".join(lines)


def _qualified(cursor: cindex.Cursor) -> str:
    names = []
    while cursor is not None and cursor.kind != K.TRANSLATION_UNIT:
        names.append(cursor.spelling)
        cursor = cursor.semantic_parent
    return "::".join(reversed(names))


class _Reader:
    def __init__(self, include_dir: Path) -> None:
        self.include_dir = include_dir.resolve()
        self.sources: Dict[str, _Source] = {}
        self.headers_by_file: Dict[str, Optional[str]] = {}

    def header_of(self, cursor: cindex.Cursor) -> Optional[str]:
        """"goray/x.h" for a cursor in a public header; None elsewhere."""
        file = cursor.location.file
        if file is None:
            return None
        name = file.name
        if name not in self.headers_by_file:
            path = Path(name).resolve()
            header = None
            if path.parent == self.include_dir / "goray":  # not detail/
                header = f"goray/{path.name}"
            self.headers_by_file[name] = header
        return self.headers_by_file[name]

    def source(self, header: str) -> _Source:
        if header not in self.sources:
            self.sources[header] = _Source(self.include_dir / header)
        return self.sources[header]

    def signature(self, cursor: cindex.Cursor, header: str) -> str:
        source = self.source(header)
        start, end = cursor.extent.start, cursor.extent.end
        if cursor.kind in FUNCTION_KINDS:
            cut = _body_start(cursor)
            text = source.text(start.offset, cut if cut is not None else end.offset).rstrip()
            text = text.rstrip(";") + ";"
        elif cursor.kind in CLASS_KINDS:
            cut = _first_token(cursor, "{")
            text = source.text(start.offset, cut if cut is not None else end.offset).rstrip()
            text += ";" if cut is None else ""
        else:
            text = source.text(start.offset, end.offset).rstrip().rstrip(";") + ";"
        return _dedent(text, start.column)

    def comment(self, cursor: cindex.Cursor, header: str) -> str:
        source = self.source(header)
        above = source.comment_above(cursor.extent.start.line)
        after = source.trailing_comment(cursor.extent.end.line, cursor.extent.end.column)
        return "\n".join(part for part in (above, after) if part)

    def class_members(self, cursor: cindex.Cursor, header: str, indent: str = "  ") -> List[str]:
        """The public members of a class definition, as synopsis lines (comments as //)."""
        lines: List[str] = []
        access = "private" if _keyword(cursor) == "class" else "public"
        for child in cursor.get_children():
            if child.kind == K.CXX_ACCESS_SPEC_DECL:
                access = child.access_specifier.name.lower()
                continue
            if access != "public" or child.kind in IGNORED_KINDS:
                continue
            if child.kind == K.FRIEND_DECL:
                functions = [c for c in child.get_children() if c.kind in FUNCTION_KINDS]
                if not functions or "detail" in _qualified(functions[0]).split("::"):
                    continue
                text = self.signature(functions[0], header)
                if not text.startswith("friend"):
                    text = "friend " + text
            elif child.kind in CLASS_KINDS:
                if not child.is_definition() or child.spelling in PROTOCOL_TYPES:
                    text = self.signature(child, header)
                    text = text if text.endswith(";") else text + ";"
                else:
                    inner = self.class_members(child, header, indent)
                    label = [" public:"] if _keyword(child) == "class" else []
                    text = "\n".join([self.signature(child, header) + " {", *label, *inner, "};"])
            elif child.kind in FUNCTION_KINDS or child.kind in WHOLE_KINDS:
                text = self.signature(child, header)
            else:
                raise ApiError(f"{header}:{child.location.line}: a member of kind {child.kind.name} "
                               f"({child.spelling}): cpp_api.py does not know how to show it")
            comment = self.comment(child, header)
            for line in comment.split("\n") if comment else []:
                lines.append(f"{indent}// {line}".rstrip())
            lines.extend(f"{indent}{line}" if line else "" for line in text.split("\n"))
        return lines


def _keyword(cursor: cindex.Cursor) -> str:
    """class, struct or union: the first of them after the template head, if any."""
    depth = 0
    for token in cursor.get_tokens():
        spelling = token.spelling
        if spelling == "<":
            depth += 1
        elif spelling in (">", ">>"):
            depth -= len(spelling)
        elif depth == 0 and spelling in ("class", "struct", "union"):
            return spelling
    return "class"


_OPEN = {"(", "[", "{"}
_CLOSE = {")", "]", "}"}


def _first_token(cursor: cindex.Cursor, wanted: str) -> Optional[int]:
    """The offset of the first `wanted` token outside brackets (the class head's end)."""
    depth = 0
    for token in cursor.get_tokens():
        spelling = token.spelling
        if depth == 0 and spelling == wanted:
            return token.extent.start.offset
        if spelling in _OPEN:
            depth += 1
        elif spelling in _CLOSE:
            depth -= 1
    return None


def _body_start(cursor: cindex.Cursor) -> Optional[int]:
    """Where a function's body (or a constructor's initializers) starts: the first `{`,
    `:` or `;` outside brackets after its parameter list."""
    name_offset = cursor.location.offset
    tokens = list(cursor.get_tokens())
    i = 0
    while i < len(tokens) and tokens[i].extent.start.offset < name_offset:
        i += 1
    if cursor.spelling == "operator()":  # its name ends in a () of its own
        while i < len(tokens) and tokens[i].spelling != ")":
            i += 1
        i += 1
    while i < len(tokens) and tokens[i].spelling != "(":  # the parameter list
        i += 1
    depth = 0
    for token in tokens[i:]:
        spelling = token.spelling
        if spelling in _OPEN:
            if depth == 0 and spelling == "{":
                return token.extent.start.offset
            depth += 1
        elif spelling in _CLOSE:
            depth -= 1
        elif depth == 0 and spelling in (":", ";"):
            return token.extent.start.offset
    return None


def _parse(include_dir: Path, headers: Sequence[str]) -> cindex.TranslationUnit:
    _configure_libclang()
    source = "".join(f'#include "{header}"\n' for header in headers)
    index = cindex.Index.create()
    unit = index.parse("goray_public_headers.cpp",
                       args=["-x", "c++", "-std=c++20", "-I", str(include_dir)]
                       + (["-isystem", str(EIGEN_INCLUDE)] if EIGEN_INCLUDE else []),
                       unsaved_files=[("goray_public_headers.cpp", source)],
                       options=cindex.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
                       | cindex.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES)
    errors = [str(d) for d in unit.diagnostics if d.severity >= cindex.Diagnostic.Error]
    if errors:
        raise ApiError("the public headers do not parse:\n" + "\n".join(errors[:20]))
    return unit


def read_api(include_dir: Path = INCLUDE_DIR) -> List[Header]:
    """Every public header, its opening comment and its public names in source order."""
    include_dir = include_dir.resolve()
    paths = public_headers(include_dir)
    unit = _parse(include_dir, paths)
    reader = _Reader(include_dir)
    umbrella = set(re.findall(r'#include "(goray/[^"/]+\.h)"',
                              (include_dir / "goray" / "goray.h").read_text(encoding="utf-8")))
    headers = {path: Header(path, reader.source(path).opening_comment(),
                            path in umbrella or path == "goray/goray.h") for path in paths}
    entities: Dict[Tuple[str, str], Entity] = {}
    seen_usrs: Dict[str, Tuple[Entity, int]] = {}

    def add(cursor: cindex.Cursor, header: str, name: str, kind: str) -> None:
        key = (header, name)
        entity = entities.get(key)
        if entity is None:
            entity = entities[key] = Entity(name, kind, header, cursor.extent.start.line)
        declaration = Declaration(reader.signature(cursor, header), reader.comment(cursor, header))
        if cursor.kind in CLASS_KINDS and cursor.is_definition():
            declaration.members = reader.class_members(cursor, header)
            declaration.keyword = _keyword(cursor)
        usr = cursor.get_usr()
        if usr and usr in seen_usrs:  # declared, then defined: one declaration, both comments
            owner, at = seen_usrs[usr]
            earlier = owner.declarations[at]
            if cursor.is_definition():
                earlier.signature = declaration.signature
                earlier.members, earlier.keyword = declaration.members, declaration.keyword
            if declaration.comment and declaration.comment not in earlier.comment:
                earlier.comment = "\n".join(c for c in (earlier.comment, declaration.comment) if c)
        else:
            if usr:
                seen_usrs[usr] = (entity, len(entity.declarations))
            entity.declarations.append(declaration)

    def walk(parent: cindex.Cursor, namespace: str) -> None:
        for cursor in parent.get_children():
            header = reader.header_of(cursor)
            if header is None:
                continue
            if cursor.kind == K.NAMESPACE:
                if cursor.spelling != "detail":
                    walk(cursor, f"{namespace}::{cursor.spelling}" if namespace else cursor.spelling)
                continue
            if cursor.kind == K.LINKAGE_SPEC:  # extern "C"
                walk(cursor, namespace)
                continue
            if namespace and namespace not in PUBLIC_NAMESPACES:
                continue
            if cursor.kind in (K.MACRO_DEFINITION, K.MACRO_INSTANTIATION, K.INCLUSION_DIRECTIVE):
                continue
            semantic = _qualified(cursor.semantic_parent) if cursor.semantic_parent else ""
            if semantic != namespace:  # a member or a detail name defined out of line
                continue
            if cursor.kind in IGNORED_KINDS:
                continue
            spelling = cursor.spelling
            if spelling.startswith("<deduction guide for "):
                spelling = spelling[len("<deduction guide for "):-1]
                kind = "class"
            elif cursor.kind in CLASS_KINDS:
                kind = "class"
            elif cursor.kind in FUNCTION_KINDS:
                kind = "function"
            elif cursor.kind in (K.VAR_DECL,):
                kind = "variable"
            elif cursor.kind in WHOLE_KINDS:
                kind = "type"
            else:
                raise ApiError(f"{header}:{cursor.location.line}: a declaration of kind "
                               f"{cursor.kind.name} ({spelling}): cpp_api.py does not know it")
            name = f"{namespace}::{spelling}" if namespace else spelling
            add(cursor, header, name, kind)

    walk(unit.cursor, "")
    for cursor in unit.cursor.get_children():
        if cursor.kind != K.MACRO_DEFINITION:
            continue
        header = reader.header_of(cursor)
        name = cursor.spelling
        if header is None or not name.startswith("GORAY_") or name.endswith("_"):
            continue
        entity = Entity(name, "macro", header, cursor.extent.start.line)
        entity.declarations.append(Declaration(_macro_signature(reader, cursor, header),
                                               reader.source(header).macro_comment(cursor.extent.start.line)))
        entities[(header, name)] = entity
    for entity in sorted(entities.values(), key=lambda e: (e.header, e.line)):
        headers[entity.header].entities.append(entity)
    return [headers[path] for path in paths]


def _macro_signature(reader: _Reader, cursor: cindex.Cursor, header: str) -> str:
    """`#define NAME(params)`, with the body when it is a plain value (a number, a string)
    rather than the macros it is made of."""
    text = reader.source(header).text(cursor.extent.start.offset, cursor.extent.end.offset)
    match = re.match(r"(\w+(?:\([^)]*\))?)\s*(.*)", text, re.S)
    assert match, text
    head, body = match.group(1), " ".join(match.group(2).replace("\\\n", " ").split())
    if re.fullmatch(r'-?\d+|"[^"]*"', body):
        return f"#define {head} {body}"
    return f"#define {head} ..."


def public_names(headers: Sequence[Header]) -> Iterator[Entity]:
    for header in headers:
        yield from header.entities
