"""The scan cache (``goray-gen --scan-cache FILE``, which goray_add_app passes).

goray-scan parses every annotated source (and <goray/goray.h> with each) but skips the
bodies of functions: an edit inside them cannot change what it finds, only where (the
lines of the declarations after the edit). With a scan cache, goray-gen records the IDL
and the text of every file it came from; the next run compares each file with its record
outside the function bodies the scan skips, and when nothing else differs (nor the
scan's command, nor any other project header the sources reach) it reuses the IDL, its
locations moved to the new text, instead of scanning. Anything it cannot tell apart
safely scans: a body of a function declared auto, constexpr or consteval, or in a
template (the scan reads those), a preprocessor directive inside the body, a head that
might be a macro's (an all-caps name), a changed comment or blank line between
declarations, a scan that printed warnings.

Tests: tests/renderers/test_gen_edit_loop.py
"""

from __future__ import annotations

import bisect
import contextlib
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .includes import reached_files
from .incremental_write import write_if_changed
from .scanner import (ScanError, ScanRequest, find_scanner, relative_source, run_scan,
                      sources_root)

__all__ = ["ScanCache", "scan_cache_root", "scan_directories", "scan_noting_warnings",
           "skipped_bodies"]


_CACHE_VERSION = 1

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<comment>//(?:[^\n\\]|\\.)*|/\*.*?\*/)
  | (?P<raw>(?:u8|[uUL])?R"(?P<delimiter>[^()\\\s"]{0,16})\(.*?\)(?P=delimiter)")
  | (?P<string>(?:u8|[uUL])?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.'\x80-\xff])*)
  | (?P<identifier>[A-Za-z_$\x80-\xff][0-9A-Za-z_$\x80-\xff]*)
  | (?P<punctuation>\.\.\.|::|->|&&|<%|%>|%:|.)
""", re.VERBOSE | re.DOTALL)

# A function's head (the tokens before its '{' since the last ';', '{' or '}') holding any
# of these: the scan may read its body (a deduced or constexpr result, a template), or the
# head may be something else than it looks.
_READ_BODIES = frozenset({
    "auto", "decltype", "constexpr", "consteval", "constinit", "template", "typedef",
    "using", "requires", "concept", "operator", "static_assert", "extern", "asm", "__asm__",
    "try", "=", "->", "class", "struct", "union", "enum", "namespace"})
_SCOPES = frozenset({"class", "struct", "union", "enum", "namespace"})
# Names a '(' follows that are not a declarator's.
_NOT_DECLARATORS = frozenset({
    "__attribute__", "alignas", "_Alignas", "__declspec", "noexcept", "throw", "decltype",
    "sizeof", "alignof", "requires", "static_assert", "if", "for", "while", "switch", "catch",
    "return", "new", "delete", "do", "else", "case", "default", "goto", "co_await",
    "co_return", "co_yield", "operator", "asm", "__asm__"})
_SPECIFIERS = frozenset({"static", "inline", "virtual", "explicit", "friend", "thread_local",
                         "mutable", "register", "const", "volatile"})
_BUILTIN_TYPES = frozenset({"void", "bool", "char", "char8_t", "char16_t", "char32_t",
                            "wchar_t", "short", "int", "long", "float", "double", "signed",
                            "unsigned"})
_AFTER_PARAMETERS = frozenset({"const", "volatile", "&", "&&", "noexcept", "override", "final",
                               "throw"})
_IN_INITIALIZERS = frozenset({"::", "<", ">", ",", "...", "*", "&"})
_LABELS = frozenset({"public", "private", "protected"})
_MACRO_LIKE = re.compile(r"[A-Z0-9_]*[A-Z][A-Z0-9_]*")


def _tokens(text: str) -> Optional[Tuple[List[Tuple[str, int, int]], List[int]]]:
    """(the tokens outside comments and preprocessor directives, as (kind, start, end); the
    offsets where directives start), or None for text this lexer does not follow (a line
    splice outside a directive, digraphs, an unterminated literal or comment)."""
    tokens: List[Tuple[str, int, int]] = []
    directives: List[int] = []
    at_line_start = True
    in_directive = False
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None  # '.' matches any character
        kind = match.lastgroup or ""
        start, end = match.start(), match.end()
        position = end
        if kind == "delimiter":  # the raw string's inner group
            kind = "raw"
        if kind == "newline":
            at_line_start, in_directive = True, False
            continue
        if kind in ("space", "comment"):
            continue
        word = text[start:end]
        if in_directive:
            if word == "\\" and text.startswith("\n", end):
                position = end + 1  # the directive goes on
            elif word in ("include", "include_next", "import", "error", "warning"):
                newline = text.find("\n", end)  # <a header name> is no token to lex
                position = len(text) if newline < 0 else newline
            continue
        if kind == "punctuation":
            if word in ("<%", "%>", "%:", "\\", '"', "'") or (word == "/" and
                                                              text.startswith("*", end)):
                return None
            if word == "#" and at_line_start:
                in_directive = True
                directives.append(start)
                continue
        at_line_start = False
        tokens.append(("string" if kind == "raw" else kind, start, end))
    return tokens, directives


class _Head:
    """The tokens before a '{' at declaration scope: ``items`` are token indices, a
    bracketed group counting as its opening bracket's index."""

    def __init__(self, text: str, tokens: List[Tuple[str, int, int]], match: Dict[int, int]):
        self.text, self.tokens, self.match = text, tokens, match

    def word(self, index: int) -> str:
        _, start, end = self.tokens[index]
        return self.text[start:end]

    def kind(self, index: int) -> str:
        return self.tokens[index][0]

    def group(self, index: int, brackets: str = "([{") -> bool:
        return index in self.match and self.word(index) in brackets

    def identifier(self, index: int) -> bool:
        return self.kind(index) == "identifier"

    def class_name(self, items: List[int]) -> Optional[str]:
        """The name a class/struct/union head declares (for its constructors), if any."""
        keyword = next((k for k, item in enumerate(items)
                        if self.word(item) in ("class", "struct", "union")), None)
        if keyword is None:
            return None
        name = None
        for k in range(keyword + 1, len(items)):
            word = self.word(items[k])
            if word == ":":
                break
            if (self.identifier(items[k]) and word != "final" and not _MACRO_LIKE.fullmatch(word)
                    and not (k + 1 < len(items) and self.group(items[k + 1], "("))):
                name = word
        return name

    def opens_function_body(self, items: List[int], class_name: Optional[str]) -> bool:
        """Whether '{' after ``items`` opens a function's body: a declarator (a name, not
        a macro's, and its parameters) after a type or a qualified name (or a constructor
        or destructor), then only specifiers, and a constructor's initializers."""
        declarator = None
        for k in range(1, len(items)):
            if self.group(items[k], "(") and self.identifier(items[k - 1]):
                name = self.word(items[k - 1])
                if (name in _NOT_DECLARATORS or name in _BUILTIN_TYPES or
                        _MACRO_LIKE.fullmatch(name)):
                    continue
                declarator = k
                break
        if declarator is None:
            return False
        before = items[:declarator - 1]
        qualified = bool(before) and self.word(before[-1]) == "::"
        destructor = bool(before) and self.word(before[-1]) == "~"
        constructor = class_name is not None and name == class_name
        typed = any(self.word(item) in _BUILTIN_TYPES or
                    (self.identifier(item) and self.word(item) not in _SPECIFIERS and
                     not _MACRO_LIKE.fullmatch(self.word(item)))
                    for item in before)
        if not (typed or qualified or destructor or constructor):
            return False
        rest = items[declarator + 1:]
        k = 0
        while k < len(rest):
            if self.word(rest[k]) in _AFTER_PARAMETERS or (
                    self.group(rest[k], "(") and k > 0 and
                    self.word(rest[k - 1]) in ("noexcept", "throw")):
                k += 1
                continue
            break
        if k == len(rest):
            return True
        if self.word(rest[k]) != ":" or not (constructor or qualified):
            return False
        initializers = rest[k + 1:]
        return bool(initializers) and self.group(initializers[-1], "({") and all(
            self.group(item, "({") or self.kind(item) in ("identifier", "number") or
            self.word(item) in _IN_INITIALIZERS for item in initializers)


def skipped_bodies(text: str) -> Optional[List[Tuple[int, int]]]:
    """The (start, end) offsets of the insides of the function bodies the scan skips
    (between their braces), in order; None when the text cannot be split reliably."""
    lexed = _tokens(text)
    if lexed is None:
        return None
    tokens, directives = lexed
    match: Dict[int, int] = {}
    stack: List[int] = []
    for index, (kind, start, end) in enumerate(tokens):
        if kind != "punctuation":
            continue
        word = text[start:end]
        if word in "([{":
            stack.append(index)
        elif word in ")]}":
            if not stack or text[tokens[stack[-1]][1]] != {")": "(", "]": "[", "}": "{"}[word]:
                return None
            match[stack.pop()] = index
    if stack:
        return None
    head = _Head(text, tokens, match)
    bodies: List[Tuple[int, int]] = []

    def walk(first: int, last: int, class_name: Optional[str]) -> None:
        items: List[int] = []
        index = first
        while index < last:
            word = head.word(index)
            if word == ";" or (word == ":" and len(items) == 1 and head.word(items[0]) in _LABELS):
                items = []
                index += 1
            elif head.group(index, "{"):
                close = match[index]
                if head.opens_function_body(items, class_name):
                    inside = (tokens[index][2], tokens[close][1])
                    if not any(head.kind(item) == "string" or head.word(item) in _READ_BODIES
                               for item in items) and not any(
                                   inside[0] <= directive < inside[1] for directive in directives):
                        bodies.append(inside)
                    items = []
                elif any(head.word(item) in _SCOPES for item in items) or (
                        len(items) == 2 and head.word(items[0]) == "extern" and
                        head.kind(items[1]) == "string"):
                    walk(index + 1, close, head.class_name(items))
                    items = []
                else:  # an initializer or a lambda: part of the head
                    items.append(index)
                index = close + 1
            elif head.group(index, "(["):
                items.append(index)
                index = match[index] + 1
            else:
                items.append(index)
                index += 1

    walk(0, len(tokens), None)
    return bodies


def _outside_bodies(text: str, bodies: List[Tuple[int, int]]) -> str:
    """The text with each skipped body's inside replaced by a NUL (no source holds one)."""
    parts, position = [], 0
    for start, end in bodies:
        parts += [text[position:start], "\0"]
        position = end
    parts.append(text[position:])
    return "".join(parts)


class _Moved:
    """Where the declarations of a file whose skipped bodies changed are now."""

    def __init__(self, old: str, old_bodies: List[Tuple[int, int]], new: str,
                 new_bodies: List[Tuple[int, int]]) -> None:
        self.old, self.old_bodies, self.new, self.new_bodies = old, old_bodies, new, new_bodies
        self.old_lines = [0] + [m.end() for m in re.finditer("\n", old)]
        self.new_lines = [0] + [m.end() for m in re.finditer("\n", new)]

    def location(self, line: int, column: int) -> Optional[Tuple[int, int]]:
        if not 1 <= line <= len(self.old_lines):
            return None
        offset = self.old_lines[line - 1] + column - 1
        shift = 0
        for (old_start, old_end), (new_start, new_end) in zip(self.old_bodies, self.new_bodies):
            if offset < old_start or (offset == old_start and old_start == old_end):
                break
            if offset < old_end:
                return None  # inside a body: not a declaration the cache can move
            shift += (new_end - new_start) - (old_end - old_start)
        offset += shift
        new_line = bisect.bisect_right(self.new_lines, offset) - 1
        return new_line + 1, offset - self.new_lines[new_line] + 1


def _dump_idl(idl: Any) -> str:
    """The IDL's text as goray-scan writes it."""
    return json.dumps(idl, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _include_directories(clang_args: Sequence[str]) -> List[str]:
    directories = []
    arguments = list(clang_args)
    for k, argument in enumerate(arguments):
        for flag in ("-I", "-iquote", "-isystem", "-idirafter"):
            if argument == flag and k + 1 < len(arguments):
                directories.append(arguments[k + 1])
            elif argument.startswith(flag) and len(argument) > len(flag):
                directories.append(argument[len(flag):])
    return directories


def _reached_files(sources: Iterable[str], directories: Sequence[str]) -> Set[str]:
    """Every file the sources reach through #include directives (includes.py: quoted ones
    in their own directory, then ``directories``; system headers are not followed)."""
    return {path for path, _ in reached_files(sources, directories)}


def _stat(path: str) -> Optional[List[int]]:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_size]


def scan_cache_root(request: ScanRequest) -> Path:
    """The root the scan names files from: --root, else the sources' deepest directory."""
    return Path(request.root).resolve() if request.root else sources_root(request.sources)


def scan_directories(request: ScanRequest) -> List[str]:
    """Where the project's includes are found: the root, the -I directories, goray's."""
    return ([str(scan_cache_root(request))] + _include_directories(request.clang_args) +
            ([request.goray_include] if request.goray_include else []))


def scan_noting_warnings(request: ScanRequest) -> Tuple[str, bool]:
    """Scans; (the IDL's text, whether goray-scan warned). Its warnings still reach stderr."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            idl_text = run_scan(request)
    finally:  # (outside the redirection: written inside it, they were lost)
        sys.stderr.write(captured.getvalue())
    return idl_text, bool(captured.getvalue())


class ScanCache:
    """goray-gen's record of its last scan (``--scan-cache FILE``): the scan's command, its
    IDL, the text of every file the IDL names, and the size and mtime of the other project
    headers the sources reach."""

    def __init__(self, path: Path, request: ScanRequest, unscanned: Sequence[str]) -> None:
        self.path, self.request = path, request
        self.reused = False
        self.warned = False
        self.usable = not any(os.path.isdir(source) for source in request.sources)
        self.root = (Path(request.root).resolve() if request.root
                     else sources_root(request.sources))
        try:
            scanner = find_scanner(request.scanner)
        except ScanError:
            scanner = request.scanner or ""
        scanner = shutil.which(scanner) or scanner
        compile_commands = (os.path.join(request.build_dir, "compile_commands.json")
                            if request.build_dir else "")
        self.key = {
            "sources": [os.path.realpath(source) for source in request.sources],
            "unscanned": list(unscanned), "name": request.name, "root": str(self.root),
            "goray_include": request.goray_include, "clang_args": list(request.clang_args),
            "scanner": [scanner, _stat(scanner)],
            "compile_commands": [compile_commands, _stat(compile_commands)],
        }
        self.directories = scan_directories(request)
        # What the IDL is for, read before the scan (an edit saved during it scans again).
        self._texts: Dict[str, str] = {}                              # by real path
        self._reached: Optional[Dict[str, Optional[List[int]]]] = None

    def _read(self, path: str) -> str:
        text = self._texts.get(path)
        if text is None:
            with open(path, "rb") as stream:
                text = self._texts[path] = stream.read().decode("latin-1")
        return text

    def reuse(self) -> Optional[str]:
        """The last scan's IDL moved to the sources' new text, or None: scan."""
        if not self.usable:
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            if record.get("version") != _CACHE_VERSION or record.get("key") != self.key:
                return None
            idl_text: str = record["idl"]
            files: Dict[str, str] = record["files"]
            reached: Dict[str, Optional[List[int]]] = record["reached"]
        except (OSError, ValueError, KeyError, AttributeError):
            return None
        for path, status in reached.items():
            if _stat(path) != status:
                return None
        moved: Dict[str, _Moved] = {}
        for relative, old in files.items():
            try:
                new = self._read(os.path.realpath(self.root / relative))
            except OSError:
                return None
            if new == old:
                continue
            old_bodies, new_bodies = skipped_bodies(old), skipped_bodies(new)
            if (old_bodies is None or new_bodies is None or
                    _outside_bodies(old, old_bodies) != _outside_bodies(new, new_bodies)):
                return None
            moved[relative] = _Moved(old, old_bodies, new, new_bodies)
        if moved:
            try:
                idl = json.loads(idl_text)
            except ValueError:
                return None
            if _dump_idl(idl) != idl_text or not self._move(idl, moved):
                return None
            idl_text = _dump_idl(idl)
        self.reused = True
        self._reached = reached  # no edit inside a skipped body adds an #include
        return idl_text

    def _move(self, node: Any, moved: Dict[str, _Moved]) -> bool:
        if isinstance(node, list):
            return all(self._move(value, moved) for value in node)
        if not isinstance(node, dict):
            return True
        location = node.get("location")
        if isinstance(location, dict) and location.get("file") in moved:
            where = moved[location["file"]].location(location["line"], location["column"])
            if where is None:
                return False
            location["line"], location["column"] = where
        return all(self._move(value, moved) for key, value in node.items()
                   if key != "location")

    def scan(self) -> str:
        """Scans (goray-scan's warnings still reach stderr, and keep the result from
        being reused: they would not be shown again)."""
        if self.usable:
            reached = _reached_files(self.request.sources, self.directories)
            self._reached = {path: _stat(path) for path in sorted(reached)}
            for path in reached:
                try:
                    self._read(path)
                except OSError:
                    pass
        idl_text, self.warned = scan_noting_warnings(self.request)
        return idl_text

    def adopt(self, reached: Sequence[str]) -> None:
        """Records, at save(), the scan the scan store served: its files are ``reached``."""
        if self.usable:
            self._reached = {path: _stat(path) for path in sorted(reached)}
            for path in reached:
                try:
                    self._read(path)
                except OSError:
                    pass

    def save(self, idl_text: str) -> None:
        """Records the scan that produced ``idl_text`` (or forgets it when it warned)."""
        idl = json.loads(idl_text)
        named = (set(idl.get("sources", [])) | _location_files(idl) |
                 {relative_source(source, str(self.root)) for source in self.request.sources})
        files: Dict[str, str] = {}
        for relative in sorted(named):
            try:
                files[relative] = self._read(os.path.realpath(self.root / relative))
            except OSError:
                self.usable = False
        if not self.usable or self.warned or self._reached is None:
            try:
                self.path.unlink()
            except OSError:
                pass
            return
        compared = {os.path.realpath(self.root / relative) for relative in files}
        reached = {path: status for path, status in self._reached.items()
                   if path not in compared}
        record = {"version": _CACHE_VERSION, "key": self.key, "idl": idl_text,
                  "files": files, "reached": reached}
        write_if_changed(self.path, json.dumps(record, indent=0, sort_keys=True) + "\n")


def _location_files(node: Any) -> Set[str]:
    files: Set[str] = set()
    if isinstance(node, dict):
        location = node.get("location")
        if isinstance(location, dict) and isinstance(location.get("file"), str):
            files.add(location["file"])
        for value in node.values():
            files |= _location_files(value)
    elif isinstance(node, list):
        for value in node:
            files |= _location_files(value)
    return files
