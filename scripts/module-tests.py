#!/usr/bin/env python3
"""Which tests cover each module of python/goray: the "Tests:" line every module carries.

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
  runs goray.__main__ and goray.cli).

A module that no test reaches by any of these (one run only through goray-gen's pipeline,
or by native code's commands) is named in the docstring of the test that exercises it,
which is then the evidence.

    python3 scripts/module-tests.py           # check: every module has the line, every
                                              # named file exists and mentions the module
    python3 scripts/module-tests.py --write   # (re)write every module's line from the evidence

tests/python/test_module_tests.py runs the check.
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import sys
from typing import Dict, List, Optional, Tuple

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
    modules that __main__ imports whatever the options (goray.cli, by ``-m goray``)."""
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
    test_gen_output.py for goray.gen.output, test_native_objects.py for values.objects)."""
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
        if not named:
            problems.append(f"{where}: its '{LABEL}' line names no test file")
        for name in named:
            test = root / name
            if not test.is_file():
                problems.append(f"{where}: {name} (named by its '{LABEL}' line) does not exist")
            elif not evidence.mentions(module, test):
                problems.append(f"{where}: {name} (named by its '{LABEL}' line) neither imports "
                                f"nor names {module}")
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
        for name in changed:
            print(f"wrote {name}")
        for why in left:
            print(why, file=sys.stderr)
    problems = check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"module-tests: the {len(modules(args.root))} modules of python/{PACKAGE} each name "
          "their tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
