"""Names in generated code: one helper per language.

Every name goray-gen writes goes through :class:`Scope`: a name is kept as the
user wrote it unless it is a keyword of the target language or already taken in
its scope, in which case ``_`` is appended until it is free. Names are claimed in
a fixed order (the generator's own reserved names, then the user's, then helper
names derived from them), so the result is a pure function of the IDL.

    scope = Scope(PYTHON)
    scope.reserve("_ray")           # the generator's own names first
    scope.claim("from")             # -> "from_" (a Python keyword)
    scope.claim("Square")           # -> "Square"
    scope.claim("Square")           # -> "Square_" (taken)

Tests: tests/renderers/test_gen_naming.py, tests/renderers/test_gen_corpus.py,
tests/renderers/test_gen_eigen.py
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, Set

__all__ = ["Language", "CPP", "PYTHON", "Scope", "cpp_identifier", "cpp_namespace",
           "cpp_string_literal",
           "cpp_comment_lines", "python_docstring", "unqualified_identifiers",
           "qualify_std", "unit_key", "unit_file", "stub_types_module"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# C++20 keywords and alternative tokens, and the identifiers with special meaning
# that must not name a namespace or a function.
_CPP_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
char16_t char32_t class compl concept const consteval constexpr constinit const_cast
continue co_await co_return co_yield decltype default delete do double dynamic_cast
else enum explicit export extern false float for friend goto if inline int long
mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected
public register reinterpret_cast requires return short signed sizeof static
static_assert static_cast struct switch template this thread_local throw true try
typedef typeid typename union unsigned using virtual void volatile wchar_t while xor
xor_eq final override import module
""".split())

# Python keywords, soft keywords, and builtins a stub must not shadow.
_PYTHON_KEYWORDS = frozenset(keyword.kwlist) | frozenset(
    getattr(keyword, "softkwlist", [])) | frozenset({"__all__", "__doc__", "__name__",
                                                      "__file__", "__path__", "__spec__",
                                                      "__loader__", "__package__",
                                                      "__builtins__", "__annotations__"})


@dataclass(frozen=True)
class Language:
    """What makes a name unusable in one language."""

    name: str
    keywords: FrozenSet[str]

    def is_identifier(self, text: str) -> bool:
        return bool(_IDENTIFIER.match(text)) and text not in self.keywords

    def escape(self, text: str) -> str:
        """A valid identifier close to ``text``: other characters become ``_``, a
        leading digit gets a ``_`` prefix in Python and ``n`` in C++ (a leading
        ``_`` is reserved there at namespace scope), a keyword gets a ``_`` suffix."""
        cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text) or "_"
        if cleaned[0].isdigit():
            cleaned = ("n" if self is CPP else "_") + cleaned
        while cleaned in self.keywords:
            cleaned += "_"
        return cleaned


CPP = Language("C++", _CPP_KEYWORDS)
PYTHON = Language("Python", _PYTHON_KEYWORDS)


@dataclass
class Scope:
    """The names taken in one scope of generated code (a module, a namespace, a class,
    a parameter list)."""

    language: Language
    taken: Set[str] = field(default_factory=set)

    def reserve(self, *names: str) -> None:
        """Names the generator itself uses in this scope: nothing else may take them."""
        self.taken.update(names)

    def reserve_all(self, names: Iterable[str]) -> None:
        self.taken.update(names)

    def claim(self, wanted: str) -> str:
        """``wanted`` escaped, then made unique with ``_`` suffixes; now taken."""
        name = self.language.escape(wanted)
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def child(self) -> "Scope":
        """A nested scope that sees this one's names as taken (a class in a module)."""
        return Scope(self.language, set(self.taken))


def cpp_identifier(text: str) -> str:
    """A C++ identifier for ``text`` (a namespace name from --name)."""
    return CPP.escape(text)


# Namespaces generated code cannot take: the runtime's, the standard library's, msgpack's.
_TAKEN_NAMESPACES = ("goray", "std", "msgpack")


def cpp_namespace(text: str) -> str:
    """``text`` (--namespace, goray_add_app's NAMESPACE) as the generated C++ namespace:
    identifiers joined by ``::`` (``riskray::gen``; a leading ``::`` is dropped). A
    ValueError says what is wrong with it."""
    parts = (text[2:] if text.startswith("::") else text).split("::")
    for part in parts:
        if not _IDENTIFIER.match(part):
            raise ValueError(f"'{text}' is not a C++ namespace name: '{part}' is not an "
                             f"identifier (write identifiers joined by ::, like riskray::gen)")
        if part in _CPP_KEYWORDS:
            raise ValueError(f"'{text}' is not a C++ namespace name: '{part}' is a C++ keyword")
        if "__" in part or (part.startswith("_") and part[1:2].isupper()) or (
                part is parts[0] and part.startswith("_")):
            raise ValueError(f"'{text}' is not a usable C++ namespace name: '{part}' is "
                             f"reserved to the implementation (a leading _ or a __)")
    if parts[0] in _TAKEN_NAMESPACES:
        raise ValueError(f"'{text}' is inside namespace {parts[0]}, which is not the "
                         f"application's: choose a namespace of its own")
    return "::".join(parts)


def cpp_string_literal(text: str) -> str:
    """A C++ narrow string literal holding ``text`` (UTF-8), escaped: backslash, quote,
    and control characters (as 3-digit octal escapes, which never run on)."""
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append("\\%03o" % ord(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def cpp_comment_lines(text: str) -> list[str]:
    """Doc text as the lines of a ``//`` comment: a line ending in a backslash would
    splice the next source line into the comment, so it is marked instead."""
    lines = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line.endswith("\\"):
            line += " (backslash)"
        lines.append(line)
    return lines


def python_docstring(text: str, indent: str = "") -> str:
    """A triple-quoted Python string literal of ``text``, lines after the first
    indented by ``indent``; backslashes and quotes escaped."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    lines = body.split("\n")
    if len(lines) == 1:
        return '"""' + lines[0] + '"""'
    rendered = [lines[0]] + [(indent + line) if line else "" for line in lines[1:]]
    return '"""' + "\n".join(rendered) + "\n" + indent + '"""'


_TOKEN = re.compile(r"(::)?([A-Za-z_][A-Za-z0-9_]*)")


def unqualified_identifiers(spelling: str) -> Set[str]:
    """The identifiers a C++ type spelling uses unqualified (not after ``::``):
    ``"std::vector<int64_t>"`` -> ``{"std", "int64_t"}``. A generated name equal to
    one of them would hide it in generated code."""
    found = set()
    for match in _TOKEN.finditer(spelling):
        start = match.start()
        if match.group(1) is None and not (start > 0 and spelling[start - 1] == ":"):
            found.add(match.group(2))
    return found - _CPP_KEYWORDS


_STD_OR_GORAY = re.compile(r"(?<![A-Za-z0-9_:])(std|goray|Eigen)::")


def qualify_std(spelling: str) -> str:
    """``std::``, ``goray::`` and ``Eigen::`` made global (``::std::``) so generated code
    inside a namespace of the user's names cannot see them hidden."""
    return _STD_OR_GORAY.sub(r"::\1::", spelling)


def unit_key(source: str) -> str:
    """A source path (from the sources' root) as a C identifier, as CMake's
    ``string(MAKE_C_IDENTIFIER)`` makes it: ``src/app.cpp`` -> ``src_app_cpp``. CMake
    works on the UTF-8 bytes, so a non-ASCII character becomes one ``_`` per byte
    (``café.cpp`` -> ``caf___cpp``)."""
    data = source.encode("utf-8", "surrogateescape")
    key = re.sub(rb"[^A-Za-z0-9_]", b"_", data).decode("ascii")
    return "_" + key if key[:1].isdigit() else key


def unit_file(name: str, source: str) -> str:
    """The generated translation unit of one source file: ``NAME.src_app_cpp.goray.cpp``
    (goray_add_app computes the same name)."""
    return f"{name}.{unit_key(source)}.goray.cpp"


def stub_types_module(name: str) -> str:
    """The private companion of the stub NAME.pyi: ``_NAME_types`` (its file
    ``_NAME_types.pyi``, beside it), which holds the stub's helper classes so that an
    IDE's completion on the module offers only its public names."""
    return f"_{name}_types"
