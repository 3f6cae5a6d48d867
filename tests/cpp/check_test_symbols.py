"""No two test files of goray_runtime_test define an entity under the same name.

Every tests/cpp/*_test.cpp is linked into one executable, so two files that each define,
say, a `struct Counter` with inline methods (or a `std::vector<Counter>` they use) would
break the one-definition rule, and the linker would silently keep one file's code for
both. Each file keeps what it defines in an anonymous namespace (internal linkage: no
external symbol), or in a namespace named for it alone.

This reads the external symbols each test object defines (nm -A -C -g --defined-only, GNU
nm or llvm-nm) and collects the names they are built from that are not qualified by
another name: the namespaces, classes and functions at the top of each qualified name, and
the types that appear as template or function arguments. Names of the shared code (std,
testing, goray, msgpack, the tests' shared headers...) and the words of the demangler are
left out; any other name found in two objects is an error, reported with the objects and a
symbol of each.

    python3 check_test_symbols.py NM 'OBJECT;OBJECT;...'
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# The shared code's namespaces: the standard library, GoogleTest, the runtime and its
# dependencies, the tests' shared headers (abi_call.h, array_test_util.h, fake_driver.h,
# recording_driver.h, test_application.h).
SHARED = {
    "std", "testing", "goray", "msgpack", "nlohmann", "abi_call", "array_test", "fake_driver",
    "recording_driver", "goray_test",
}
# Words of C++ and of the demangler's spellings ("vtable for X", "{lambda(int)#1}",
# "[abi:cxx11]", "(anonymous namespace)", "guard variable for X", ...).
WORDS = {
    "const", "volatile", "unsigned", "signed", "int", "long", "short", "char", "bool", "void",
    "float", "double", "wchar_t", "char8_t", "char16_t", "char32_t", "auto", "decltype",
    "operator", "new", "delete", "true", "false", "noexcept", "nullptr", "sizeof", "alignof",
    "typename", "template", "this", "lambda", "unnamed", "type", "abi", "cxx11", "vtable", "for",
    "typeinfo", "name", "guard", "variable", "VTT", "construction", "in", "non", "virtual",
    "thunk", "to", "covariant", "return", "TLS", "init", "function", "wrapper", "reference",
    "temporary", "transaction", "clone", "anonymous", "namespace", "requires", "declval",
}
# An identifier not preceded by a word character, a colon or a tilde: the head of a
# (possibly qualified) name. Nor by ".", "->", "{", "$" or "'": members in decltype
# expressions and the demanglers' spellings ("{parm#1}", "$N", "'lambda0'").
HEAD = re.compile(r"(?<![\w:~.{$'])(?<!->)[A-Za-z_]\w*")
# llvm-nm's spellings of parameters: a function's in decltype expressions (fp, fp0, ...),
# a template's where the signature uses it (T, T0, ...).
PARAMETER = re.compile(r"fp\d*|T\d*")
# Library names the demangler spells unqualified: msgpack-c's C types (msgpack_*), the
# Arrow C data interface's structs (ArrowSchema, ArrowArray, ArrowArrayStream: C, global by
# that interface's definition), and the standard's variable templates in enable_if
# conditions (is_constructible_v<...>).
LIBRARY = re.compile(r"msgpack_\w+|Arrow(?:Schema|Array|ArrayStream)|is_\w+_v")
# A line of `nm -A` after "OBJECT:": [address] type symbol (GNU nm and llvm-nm; a common
# symbol has no address).
SYMBOL = re.compile(r"\s*(?:[0-9a-fA-F]+\s+)?[A-Za-z?]\s+(.*)$")


def without_decltypes(symbol: str) -> str:
    """The symbol without its decltype(...) expressions: a SFINAE return type of a library
    template spells the library's own names unqualified inside them ("decltype
    ((to_json({parm#1}, (forward<...>)({parm#2}))), ...)"), and the types they are about
    appear in the template's arguments too. Unoptimised test code (tests/CMakeLists.txt's
    goray_test_code) keeps such instantiations out of line, where -O2 inlined them."""
    kept, depth, index = [], 0, 0
    while index < len(symbol):
        if depth == 0 and symbol.startswith("decltype", index) and (
                index == 0 or not (symbol[index - 1].isalnum() or symbol[index - 1] == "_")):
            opening = symbol.find("(", index)
            if opening != -1 and symbol[index + 8:opening].strip() == "":
                depth, index = 1, opening + 1
                continue
        if depth:
            depth += {"(": 1, ")": -1}.get(symbol[index], 0)
        else:
            kept.append(symbol[index])
        index += 1
    return "".join(kept)


def heads(symbol: str) -> set[str]:
    # A constraint (llvm-nm: "... requires _S_constructible<T const&, T0 const&>") names
    # the template's parameters, not types.
    symbol = without_decltypes(symbol.split(" requires ", 1)[0])
    return {name for name in HEAD.findall(symbol)
            if name not in SHARED and name not in WORDS and not name.startswith("__")
            and not PARAMETER.fullmatch(name) and not LIBRARY.fullmatch(name)}


def defined_names(nm: str, objects: list[str]) -> dict[str, dict[str, str]]:
    """Per object: each head name of its external symbols -> one symbol that has it."""
    out = subprocess.run([nm, "-A", "-C", "-g", "--defined-only", *objects], check=True,
                         capture_output=True, text=True).stdout
    names: dict[str, dict[str, str]] = {obj: {} for obj in objects}
    for line in out.splitlines():
        obj = next((o for o in objects if line.startswith(o + ":")), None)
        entry = SYMBOL.match(line[len(obj) + 1:]) if obj else None
        if entry is None:
            continue
        symbol = entry.group(1)
        if symbol.startswith("DW.ref."):  # the personality routine's reference, for unwinding
            continue
        # A name the demangler could not read (GNU nm 2.40 on some of GoogleTest's
        # conversion operators): its parts are not separable, and the other symbols of the
        # same code name what it is about.
        if symbol.startswith("_Z"):
            continue
        for name in heads(symbol):
            names[obj].setdefault(name, symbol)
    return names


def main() -> int:
    nm, objects = sys.argv[1], [o for o in sys.argv[2].split(";") if o]
    tests = [o for o in objects if Path(o).name.endswith("_test.cpp.o")]
    if not tests:
        print(f"no *_test.cpp objects among {objects}", file=sys.stderr)
        return 1
    owners: dict[str, list[tuple[str, str]]] = {}
    for obj, names in defined_names(nm, tests).items():
        for name, symbol in names.items():
            owners.setdefault(name, []).append((Path(obj).name, symbol))
    shared = {name: where for name, where in owners.items() if len(where) > 1}
    for name, where in sorted(shared.items()):
        print(f"'{name}' is defined by {len(where)} test files (put each file's own in an "
              f"anonymous namespace, or give it a name of its own):")
        for obj, symbol in where:
            print(f"  {obj}: {symbol}")
    own = sorted(f"{name} ({where[0][0]})" for name, where in owners.items() if len(where) == 1)
    print(f"{len(tests)} test objects; names defined outside the anonymous namespaces, each "
          f"by one file: {', '.join(own) or 'none'}")
    return 1 if shared else 0


if __name__ == "__main__":
    sys.exit(main())
