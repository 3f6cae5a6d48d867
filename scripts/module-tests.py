#!/usr/bin/env python3
"""Which tests cover each module of python/goray and each source of the C++ runtime: the
"Tests:" line every one carries.

Each module of the goray package names the test files that exercise it, as a paragraph
of its docstring starting "Tests:" (or, for the modules whose docstring the docs site
renders, a "# Tests:" comment right below the docstring), so a maintainer changing a
module finds its tests from the module itself (docs/testing.md, "Finding a module's
tests"). Evidence that a test file exercises a module, read from the test's source:

- it imports the module, or a name from it (``from goray._ray.values import objects``);
- it names the module's dotted path (``goray._codec.pack``, a docstring, a subprocess's
  ``-c`` code) or its file (``goray/_codec.py``);
- it uses a name a package re-exports from the module (``goray.golang_task`` is
  goray._native_remote's, ``goray.serve.deployment`` goray.serve._deployment's);
- it runs the package whose ``__main__`` is the module or imports it (``-m goray``
  runs goray.__main__ and goray.driver_cli).

A module that no test reaches by any of these (one run only through goray-gen's pipeline,
or by native code's commands) is named in the docstring of the test that exercises it,
which is then the evidence.

    python3 scripts/module-tests.py           # check: every module has the line, every
                                              # named file exists and mentions the module
    python3 scripts/module-tests.py --write   # (re)write every module's line from the evidence

The runtime's sources (runtime/src/*/*.cpp, and the headers no .cpp of their name
defines) carry the line as "// Tests:", the end of their leading comment; see the section
"the runtime's sources" below for what counts as evidence there.

tests/python/test_module_tests.py runs the check.
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import sys
from typing import Callable, Dict, List, Optional, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "goray"
#: How many test files a line names at most: those named after the module first, then
#: those that import it, then those that mention it most; the trees that check the docs
#: or an installed wheel after the ones that run the code in place.
MOST = 6
LATER = {"docs", "wheel", "aarch64", "py314", "interop"}
WIDTH = 96
LABEL = "Tests:"


def package_dir(root: pathlib.Path) -> pathlib.Path:
    return root / "python" / PACKAGE


def modules(root: pathlib.Path = ROOT) -> Dict[str, pathlib.Path]:
    """Every module of the package by dotted name (packages by their __init__.py); the
    fast path's C++ sources are not Python."""
    base = package_dir(root)
    found: Dict[str, pathlib.Path] = {}
    for path in sorted(base.rglob("*.py")):
        if "__pycache__" in path.parts or "_fastpath_src" in path.parts:
            continue
        parts = list(path.relative_to(base.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def test_files(root: pathlib.Path = ROOT) -> List[pathlib.Path]:
    return sorted(path for path in (root / "tests").rglob("test_*.py")
                  if "__pycache__" not in path.parts)


def reexports(mods: Dict[str, pathlib.Path]) -> Dict[str, List[str]]:
    """Module -> the dotted public names packages re-export from it, followed through
    packages that re-export a package's names (goray.map is goray._map's, which is
    goray._map.api's)."""
    source: Dict[str, str] = {}  # public name -> the name it imports
    for package, path in mods.items():
        if path.name != "__init__.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                if f"{package}.{node.module}" in mods:
                    for alias in node.names:
                        source[f"{package}.{alias.asname or alias.name}"] = \
                            f"{package}.{node.module}.{alias.name}"
    names: Dict[str, set] = {}
    for public, imported in source.items():
        while imported in source and imported != public:  # a package's re-export
            imported = source[imported]
        module = imported.rpartition(".")[0]
        if module in mods:
            names.setdefault(module, set()).add(public)
    return {module: sorted(public) for module, public in names.items()}


def main_imports(mods: Dict[str, pathlib.Path]) -> Dict[str, str]:
    """Module -> the package whose ``python -m`` runs it: the package's __main__ and the
    modules that __main__ imports whatever the options (goray.driver_cli, by ``-m goray``)."""
    run_by: Dict[str, str] = {}
    for name, path in mods.items():
        if not name.endswith(".__main__"):
            continue
        package = name[:-len(".__main__")]
        run_by[name] = package
        for node in ast.parse(path.read_text()).body:  # not those behind an option
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                if f"{package}.{node.module}" in mods:
                    run_by[f"{package}.{node.module}"] = package
    return run_by


def _imports(text: str) -> set:
    """The dotted names a test imports: modules, and module.name for `from m import name`."""
    names = set()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


class _Test:
    """One test file's source, read once: what it imports, and every dotted goray name
    (with each of its prefixes) and goray file path it names, counted."""

    def __init__(self, path: pathlib.Path) -> None:
        self.text = path.read_text(errors="replace")
        self.imports = _imports(self.text)
        self.names: Dict[str, int] = {}
        for name in re.findall(r"(?<![\w.])" + PACKAGE + r"(?:\.\w+)*", self.text):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                self.names[prefix] = self.names.get(prefix, 0) + 1
        self.paths: Dict[str, int] = {}
        for path_named in re.findall(r"(?<![\w.])" + PACKAGE + r"/[\w/]+\.py", self.text):
            self.paths[path_named] = self.paths.get(path_named, 0) + 1
        self.runs = set(re.findall(r"""-m['",\s]+(""" + PACKAGE + r"""[\w.]*)""", self.text))


class Evidence:
    """What the tests' sources say about the package's modules."""

    def __init__(self, root: pathlib.Path = ROOT) -> None:
        self.root = root
        self.mods = modules(root)
        self.exports = reexports(self.mods)
        self.run_by = main_imports(self.mods)
        self._tests: Dict[pathlib.Path, _Test] = {}

    def _read(self, path: pathlib.Path) -> _Test:
        if path not in self._tests:
            self._tests[path] = _Test(path)
        return self._tests[path]

    def score(self, module: str, test: pathlib.Path) -> Tuple[int, int]:
        """(imports, mentions) of `module` in `test`: both 0 when the test shows no sign
        of exercising it."""
        read = self._read(test)
        imports = int(module in read.imports)
        mentions = read.names.get(module, 0)
        mentions += read.paths.get(self.mods[module].relative_to(package_dir(self.root).parent)
                                   .as_posix(), 0)
        for name in self.exports.get(module, ()):
            imports += int(name in read.imports)
            mentions += read.names.get(name, 0)
        mentions += int(self.run_by.get(module, "") in read.runs)
        return imports, mentions

    def mentions(self, module: str, test: pathlib.Path) -> bool:
        return any(self.score(module, test))

    def tests_of(self, module: str) -> List[pathlib.Path]:
        """The test files that exercise `module`, the closest first (at most MOST)."""
        ranked = []
        for test in test_files(self.root):
            imports, mentions = self.score(module, test)
            if imports or mentions:
                where = test.relative_to(self.root)
                ranked.append((-_name_match(module, test), where.parts[1] in LATER, -imports,
                               -mentions, where.as_posix(), test))
        return [entry[-1] for entry in sorted(ranked)[:MOST]]


def _name_match(module: str, test: pathlib.Path) -> int:
    """1 when the test file is named after the module (test_codec*.py for goray._codec,
    test_gen_output.py for goray.gen.incremental_write, test_native_objects.py for values.objects)."""
    parts = [part for part in module.split(".") if part != "__main__"]
    if len(parts) == 1:
        return 0  # the package itself: every test is named after some part of it
    stem = parts[-1].lstrip("_")
    name = test.stem[len("test_"):]
    return int(name == stem or name.startswith(stem + "_") or name.endswith("_" + stem)
               or f"_{stem}_" in name)


# --- the line in a module -----------------------------------------------------------------

def named_tests(path: pathlib.Path) -> Optional[List[str]]:
    """The test files a module's "Tests:" paragraph names (None: it has none). Read from
    its docstring, or from the "# Tests:" comment right below it."""
    docstring, comment = _header(path.read_text())
    for lines, prefix in ((docstring, ""), (comment, "#")):
        stripped = [line[len(prefix):].strip() if line.startswith(prefix) else "" for line in lines]
        for index, line in enumerate(stripped):
            if not line.startswith(LABEL):
                continue
            named = [line[len(LABEL):]]
            for more in stripped[index + 1:]:
                if not more.startswith("tests/"):
                    break
                named.append(more)
            return [name.strip() for name in ",".join(named).split(",") if name.strip()]
    return None


def _header(text: str) -> Tuple[List[str], List[str]]:
    """A module's docstring lines and the comment lines right after the docstring."""
    node = _docstring_node(text)
    if node is None:
        return [], []
    comment = []
    for line in text.splitlines()[node.end_lineno:]:
        if not line.startswith("#"):
            break
        comment.append(line)
    return node.value.value.splitlines(), comment


def _docstring_node(text: str) -> Optional[ast.Expr]:
    body = ast.parse(text).body
    node = body[0] if body else None
    if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)):
        return node
    return None


def _rendered(path: pathlib.Path) -> bool:
    """Whether the module is rendered from a template (its docstring says DO NOT EDIT)."""
    return "DO NOT EDIT" in "\n".join(_header(path.read_text())[0])


def rendered_modules(root: pathlib.Path = ROOT) -> set:
    """The modules whose docstring the docs site shows (a `::: module` directive): their
    line is a comment below the docstring, not part of the user's reference."""
    shown = set()
    for page in (root / "docs").rglob("*.md"):
        shown.update(re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.M))
    return shown


def _wrapped(names: List[str], prefix: str) -> List[str]:
    """The paragraph "Tests: a, b, ..." in lines of at most WIDTH characters."""
    lines: List[str] = []
    current = prefix + LABEL
    for index, name in enumerate(names):
        piece = name + ("," if index < len(names) - 1 else "")
        if index and len(current) + 1 + len(piece) > WIDTH:
            lines.append(current)
            current = prefix + piece
        else:
            current += " " + piece
    lines.append(current)
    return lines


def write_line(path: pathlib.Path, names: List[str], as_comment: bool) -> bool:
    """Makes `names` the module's Tests paragraph (in place of the one it has); True if
    the file changed."""
    text = path.read_text()
    node = _docstring_node(text)
    if node is None:
        raise SystemExit(f"{path}: no docstring to hold its '{LABEL}' line")
    lines = text.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno
    after = end
    if after < len(lines) and lines[after].startswith("# " + LABEL):
        after += 1
        while after < len(lines) and lines[after].startswith("# tests/"):
            after += 1
    docstring = _without_paragraph(lines[start:end])
    if as_comment:
        new = docstring + [line + "\n" for line in _wrapped(names, "# ")]
    else:
        new = _with_paragraph(docstring, _wrapped(names, ""))
    changed = "".join(lines[:start] + new + lines[after:])
    if changed == text:
        return False
    path.write_text(changed)
    return True


def _without_paragraph(docstring: List[str]) -> List[str]:
    """The docstring's source lines without its Tests paragraph (nor the blank lines
    before it)."""
    out: List[str] = []
    skipping = False
    for line in docstring:
        stripped = line.strip()
        if stripped.startswith(LABEL) or (skipping and stripped.startswith("tests/")):
            if not skipping:
                while out and not out[-1].strip():
                    out.pop()
            skipping = True
            if stripped.endswith(('"""', "'''")):
                out.append(stripped[-3:] + "\n")
                skipping = False
            continue
        skipping = False
        out.append(line)
    return out


def _with_paragraph(docstring: List[str], paragraph: List[str]) -> List[str]:
    """The docstring with `paragraph` as its last paragraph, the closing quotes below it."""
    body = "".join(docstring).rstrip()
    quote, body = body[-3:], body[:-3].rstrip()
    return [body + "\n\n" + "\n".join(paragraph) + "\n" + quote + "\n"]


# --- the runtime's sources (C++) ----------------------------------------------------------
#
# Each source file of runtime/src (its module folders' .cpp files, and the private headers
# no .cpp of their name defines) names its tests the same way, as a "// Tests:" line that
# ends its leading comment. Per file, not per folder: a maintainer changing a file reads
# its line, and one folder's files are exercised by different tests (calls_in/'s
# dispatcher.cpp by every Execute test, its map_loop.cpp by the map tests alone). Evidence
# that a test exercises a source, read from the test's source: the C++ test is named after
# the file (tests/cpp/S_test.cpp, tests/fuzz/S_fuzz.cpp, or with "_..." after S), or the
# test names the file or the header of its name ("crash_report.cpp", "goray/object_ref.h"
# for refs/object_ref.cpp). A source no test names so (most are reached through Execute)
# is named in the leading comment of the test that exercises it most directly.

RUNTIME_SOURCES = "runtime/src"
COMMENT = "// "


def runtime_sources(root: pathlib.Path = ROOT) -> Dict[str, pathlib.Path]:
    """runtime/src's sources by their path under it ("calls_in/dispatcher.cpp"): every .cpp,
    and every header without a .cpp of its name beside it."""
    base = root / RUNTIME_SOURCES
    found: Dict[str, pathlib.Path] = {}
    for path in sorted(base.rglob("*")):
        if path.suffix == ".cpp" or (path.suffix == ".h" and not path.with_suffix(".cpp").exists()):
            found[path.relative_to(base).as_posix()] = path
    return found


def cpp_test_files(root: pathlib.Path = ROOT) -> List[pathlib.Path]:
    """The test files that may exercise the runtime: the Python tests, the GoogleTest files
    and the fuzz targets."""
    tests = root / "tests"
    found = set(test_files(root))
    found.update(tests.rglob("*_test.cpp"))
    found.update(tests.rglob("*_fuzz.cpp"))
    return sorted(path for path in found if "__pycache__" not in path.parts)


def _cpp_name_match(stem: str, test: pathlib.Path) -> bool:
    """Whether the C++ test file is named after the source (map_loop_test.cpp for
    map_loop.cpp, get_objects_lend_test.cpp for get_objects.cpp, stream_fuzz.cpp for
    stream.cpp). A Python test's name is no evidence: test_registry.py is goray._registry's."""
    for suffix in ("_test.cpp", "_fuzz.cpp"):
        if test.name.endswith(suffix):
            core = test.name[:-len(suffix)]
            return core == stem or core.startswith(stem + "_")
    return False


class CppEvidence:
    """What the tests' sources say about the runtime's sources."""

    def __init__(self, root: pathlib.Path = ROOT) -> None:
        self.root = root
        self.sources = runtime_sources(root)
        self.tests = cpp_test_files(root)
        self._texts: Dict[pathlib.Path, str] = {}

    def _text(self, test: pathlib.Path) -> str:
        if test not in self._texts:
            self._texts[test] = test.read_text(errors="replace")
        return self._texts[test]

    def score(self, source: str, test: pathlib.Path) -> Tuple[int, int]:
        """(named after it, mentions of its file or its header) of `source` in `test`."""
        stem = pathlib.PurePosixPath(source).stem
        named = int(_cpp_name_match(stem, test))
        mentions = len(re.findall(r"(?<![\w.-])" + re.escape(stem) + r"\.(?:cpp|h)\b",
                                  self._text(test)))
        return named, mentions

    def mentions(self, source: str, test: pathlib.Path) -> bool:
        return any(self.score(source, test))

    def tests_of(self, source: str) -> List[pathlib.Path]:
        """The test files that exercise `source`, the closest first (at most MOST): those
        named after it, then the GoogleTest and fuzz files, then by mentions."""
        ranked = []
        for test in self.tests:
            named, mentions = self.score(source, test)
            if named or mentions:
                where = test.relative_to(self.root)
                ranked.append((-named, where.parts[1] in LATER, test.suffix != ".cpp",
                               -mentions, where.as_posix(), test))
        return [entry[-1] for entry in sorted(ranked)[:MOST]]


def _leading_comment(lines: List[str]) -> int:
    """How many lines the file's leading comment has (its "//" lines from the first)."""
    count = 0
    while count < len(lines) and lines[count].startswith("//"):
        count += 1
    return count


def cpp_named_tests(path: pathlib.Path) -> Optional[List[str]]:
    """The test files a source's "// Tests:" line names (None: it has none)."""
    lines = path.read_text().splitlines()
    head = [line[len(COMMENT):].strip() for line in lines[:_leading_comment(lines)]]
    for index, line in enumerate(head):
        if line.startswith(LABEL):
            named = [line[len(LABEL):]]
            for more in head[index + 1:]:
                if not more.startswith("tests/"):
                    break
                named.append(more)
            return [name.strip() for name in ",".join(named).split(",") if name.strip()]
    return None


def cpp_write_line(path: pathlib.Path, names: List[str]) -> bool:
    """Makes `names` the source's "// Tests:" line, the last of its leading comment; True
    if the file changed."""
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    end = _leading_comment(lines)
    if end == 0:
        raise SystemExit(f"{path}: no leading comment to hold its '{COMMENT}{LABEL}' line")
    kept, skipping = [], False
    for line in lines[:end]:
        body = line[len(COMMENT):].strip() if line.startswith(COMMENT) else ""
        if body.startswith(LABEL) or (skipping and body.startswith("tests/")):
            skipping = True
            continue
        skipping = False
        kept.append(line)
    new = kept + [line + "\n" for line in _wrapped(names, COMMENT)]
    changed = "".join(new + lines[end:])
    if changed == text:
        return False
    path.write_text(changed)
    return True


def cpp_check(root: pathlib.Path = ROOT) -> List[str]:
    evidence = CppEvidence(root)
    problems = []
    for source, path in evidence.sources.items():
        where = path.relative_to(root).as_posix()
        named = cpp_named_tests(path)
        if named is None:
            problems.append(f"{where}: no '{COMMENT}{LABEL}' line naming its tests "
                            "(python3 scripts/module-tests.py --write adds it)")
            continue
        problems += named_problems(
            root, where, named, lambda test: evidence.mentions(source, test),
            f"is not named after {pathlib.PurePosixPath(source).name} and does not name it")
    return problems


def cpp_write(root: pathlib.Path = ROOT) -> Tuple[List[str], List[str]]:
    evidence = CppEvidence(root)
    changed, left = [], []
    for source, path in evidence.sources.items():
        where = path.relative_to(root).as_posix()
        tests = [test.relative_to(root).as_posix() for test in evidence.tests_of(source)]
        if not tests:
            left.append(f"no test names {where}: name it in a comment of the test that "
                        "exercises it")
            continue
        if cpp_write_line(path, tests):
            changed.append(where)
    return changed, left


# --- check and write ----------------------------------------------------------------------

def check(root: pathlib.Path = ROOT) -> List[str]:
    """What is wrong with the map: each a line naming the module's file."""
    evidence = Evidence(root)
    problems = []
    for module, path in evidence.mods.items():
        where = path.relative_to(root).as_posix()
        named = named_tests(path)
        if named is None:
            fix = ("rendered: name them in its template's docstring" if _rendered(path) else
                   "python3 scripts/module-tests.py --write adds it")
            problems.append(f"{where}: no '{LABEL}' line naming the tests of {module} ({fix})")
            continue
        problems += named_problems(root, where, named,
                                   lambda test: evidence.mentions(module, test),
                                   f"neither imports nor names {module}")
    return problems


def named_problems(root: pathlib.Path, where: str, named: List[str],
                   mentions: Callable[[pathlib.Path], bool],
                   not_evidence: str) -> List[str]:
    """What is wrong with the test files one Tests line names (a Python module's or a
    runtime source's): none, one that does not exist, or one with no evidence
    (`mentions(test)` false; `not_evidence` says what it lacks)."""
    problems = [] if named else [f"{where}: its '{LABEL}' line names no test file"]
    for name in named:
        test = root / name
        if not test.is_file():
            problems.append(f"{where}: {name} (named by its '{LABEL}' line) does not exist")
        elif not mentions(test):
            problems.append(f"{where}: {name} (named by its '{LABEL}' line) {not_evidence}")
    return problems


def write(root: pathlib.Path = ROOT) -> Tuple[List[str], List[str]]:
    """Rewrites every module's line from the evidence: (changed files, what was left as
    it is and why). A module no test shows evidence for keeps its line, as does a
    rendered one (its docstring says DO NOT EDIT: its template holds the line)."""
    evidence = Evidence(root)
    shown = rendered_modules(root)
    changed, left = [], []
    for module, path in evidence.mods.items():
        where = path.relative_to(root).as_posix()
        if _rendered(path):
            left.append(f"{where} is rendered (DO NOT EDIT): name its tests in its template")
            continue
        tests = [test.relative_to(root).as_posix() for test in evidence.tests_of(module)]
        if not tests:
            left.append(f"no test imports or names {module}: name it in the docstring of "
                        "the test that exercises it")
            continue
        if write_line(path, tests, module in shown):
            changed.append(where)
    return changed, left


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="rewrite every module's Tests line from the tests' sources")
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write:
        changed, left = write(args.root)
        more_changed, more_left = cpp_write(args.root)
        changed, left = changed + more_changed, left + more_left
        for name in changed:
            print(f"wrote {name}")
        for why in left:
            print(why, file=sys.stderr)
    problems = check(args.root) + cpp_check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"module-tests: the {len(modules(args.root))} modules of python/{PACKAGE} and the "
          f"{len(runtime_sources(args.root))} sources of {RUNTIME_SOURCES} each name their tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
