#!/usr/bin/env python3
"""Checks the C++ trees' layers, as lint-imports checks Python's (.importlinter).

    python3 scripts/check-include-layers.py [--config FILE] [--root DIR] [--objects]

Each tree of the layers file (scripts/include-layers.ini) names its folders and its
layers, top first. A module is a file's name without its extension (object_ref.h and
object_ref.cpp are one module), or a group the file's `modules` key names (by file
name, "array_codec.*", or by the end of its path, "crash/*" for a folder). Folders are
read recursively, as are the object files' (one folder per module in runtime/src). The check
reads every `#include "..."` line of the tree (resolved against the including file's
folder, then the tree's include folders; other includes are not the tree's) and fails:

- on a cycle of includes between modules (a module including itself through others);
- on an include that goes up: a module including one of a layer above its own;
- on a module that no layer lists (a new file must be given its place).

With --objects it also reads, with nm, the object files of the trees that name an
`objects` folder (relative to --build, default build/; --objects-of TREE=FOLDER names one): a module using a function that
another module's object file defines depends on that module as if it included it. This
is how a definition placed in the wrong file shows (a helper lower code calls, defined in
the C ABI's entry file, closes a circle no include line shows). A tree whose objects are
not built is skipped with a note.

A tree whose `folder_modules` key names a folder (runtime/src) has one module per
subfolder of it as well, and those folder modules may not depend on each other in a
circle either: through the includes of one folder's files of another's private files, and
with --objects through the definitions their objects use. Files outside that folder (the
public headers under runtime/include) are the folders' shared interface and are not
counted there; their layers are the file check's.

Exit status 0 when every tree keeps its layers, 1 with one line per violation otherwise.
"""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc"}
# nm's letters for what an object defines for others to use (text, data, bss, read-only);
# weak and unique symbols (inline functions, templates) are defined wherever used.
DEFINED = set("TDBR")
NM_LINE = re.compile(r"^(.*?\.o):\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z])\s+(\S+)$")


@dataclass
class Tree:
    name: str
    folders: list[Path]
    include_dirs: list[Path]
    groups: list[tuple[str, list[str]]]
    layers: list[list[str]]
    objects: str | None
    folder_modules: Path | None = None
    files: dict[Path, str] = field(default_factory=dict)  # file -> module

    def module_of(self, path: Path) -> str:
        for module, patterns in self.groups:
            if any(matches(path, pattern) for pattern in patterns):
                return module
        name = path.name
        return name[: name.index(".")] if "." in name else name


def matches(path: Path, pattern: str) -> bool:
    """A group's pattern: a file name ("array_codec.*"), or with a "/" the end of the file's
    path ("crash/*": every file of a folder crash, a source's or an object's)."""
    if "/" in pattern:
        return fnmatch.fnmatch(path.as_posix(), "*/" + pattern)
    return fnmatch.fnmatch(path.name, pattern)


def read_config(config: Path, root: Path) -> list[Tree]:
    parser = configparser.ConfigParser(inline_comment_prefixes=("#",), interpolation=None)
    with config.open() as handle:
        parser.read_file(handle)
    trees = []
    for section in parser.sections():
        if not section.startswith("tree:"):
            raise SystemExit(f"{config}: unknown section [{section}] (only [tree:NAME])")
        values = parser[section]
        groups = []
        for line in values.get("modules", "").splitlines():
            if line.strip():
                module, _, patterns = line.partition(":")
                groups.append((module.strip(), patterns.split()))
        layers = [
            [module.strip() for module in line.split("|") if module.strip()]
            for line in values.get("layers", "").splitlines()
            if line.strip()
        ]
        trees.append(
            Tree(
                name=section[len("tree:") :],
                folders=[root / folder for folder in values.get("folders", "").split()],
                include_dirs=[root / folder for folder in values.get("include_dirs", "").split()],
                groups=groups,
                layers=layers,
                objects=values.get("objects"),
                folder_modules=root / values["folder_modules"] if "folder_modules" in values else None,
            )
        )
    return trees


def collect_files(tree: Tree) -> None:
    for folder in tree.folders:
        if not folder.is_dir():
            raise SystemExit(f"tree {tree.name}: no folder {folder}")
        for path in sorted(folder.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                tree.files[path.resolve()] = tree.module_of(path)


def include_edges(tree: Tree) -> dict[tuple[str, str], str]:
    """(from module, to module) -> the first include line that makes the edge."""
    edges: dict[tuple[str, str], str] = {}
    for path, module in tree.files.items():
        text = path.read_text(errors="replace")
        for match in INCLUDE.finditer(text):
            target = resolve(tree, path, match.group(1))
            if target is None:
                continue
            other = tree.files[target]
            if other != module:
                line = text.count("\n", 0, match.start()) + 1
                edges.setdefault((module, other), f'{shown(path)}:{line} includes "{match.group(1)}"')
    return edges


def resolve(tree: Tree, path: Path, name: str) -> Path | None:
    for folder in [path.parent, *tree.include_dirs]:
        candidate = (folder / name).resolve()
        if candidate in tree.files:
            return candidate
    return None


def folder_of(tree: Tree, path: Path) -> str | None:
    """The folder module of a file (runtime/src/calls_in/reply.h -> calls_in), or of an
    object (.../goray_runtime.dir/src/calls_in/reply.cpp.o -> calls_in); None outside."""
    if tree.folder_modules is None:
        return None
    try:
        relative = path.resolve().relative_to(tree.folder_modules.resolve()).parts
    except ValueError:  # an object: the objects folder mirrors the sources' under "src"
        parts, root = path.parts, tree.folder_modules.name
        relative = parts[len(parts) - parts[::-1].index(root):] if root in parts else ()
    return relative[0] if len(relative) > 1 else None


def folder_include_edges(tree: Tree) -> dict[tuple[str, str], str]:
    """(from folder, to folder) -> the first include of one folder's private file by another's."""
    edges: dict[tuple[str, str], str] = {}
    for path in tree.files:
        source = folder_of(tree, path)
        if source is None:
            continue
        text = path.read_text(errors="replace")
        for match in INCLUDE.finditer(text):
            target = resolve(tree, path, match.group(1))
            other = folder_of(tree, target) if target is not None else None
            if other is not None and other != source:
                line = text.count("\n", 0, match.start()) + 1
                edges.setdefault((source, other), f'{shown(path)}:{line} includes "{match.group(1)}"')
    return edges


def object_edges(tree: Tree, build: Path, module_of=None) -> dict[tuple[str, str], str] | None:
    """Edges from symbols: the module using a symbol -> the module whose object defines it
    (module_of: an object's module; the file's module by default)."""
    module_of = module_of or (lambda path: tree.module_of(path))
    folder = build / tree.objects
    objects = sorted(folder.rglob("*.o")) if folder.is_dir() else []
    if not objects:
        return None
    result = subprocess.run(["nm", "-A", *map(str, objects)], capture_output=True, text=True, check=True)
    defined: dict[str, str] = {}
    used: list[tuple[str, str]] = []
    for line in result.stdout.splitlines():
        match = NM_LINE.match(line)  # "dir/abi.cpp.o:0000000000000000 T _Z..."
        if match is None:
            continue
        location, letter, symbol = match.groups()
        module = module_of(Path(location).with_suffix(""))  # .../abi/abi.cpp.o -> abi
        if module is None:
            continue
        if letter in DEFINED:
            defined.setdefault(symbol, module)
        elif letter == "U":
            used.append((module, symbol))
    edges: dict[tuple[str, str], str] = {}
    for module, symbol in used:
        other = defined.get(symbol)
        if other is not None and other != module:
            edges.setdefault((module, other), f"{module}'s object uses {demangle(symbol)}, defined in {other}'s")
    return edges


def demangle(symbol: str) -> str:
    try:
        return subprocess.run(["c++filt", symbol], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return symbol


def cycles(edges: dict[tuple[str, str], str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, list[str]] = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def cycle_path(component: list[str], edges: dict[tuple[str, str], str]) -> list[str]:
    """One circle through the component's first module, as the edges that make it."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for source, target in sorted(edges):
            if source != node or target not in members:
                continue
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                modules = [start, *reversed(path[:-1]), start]
                return [edges[(modules[i], modules[i + 1])] for i in range(len(modules) - 1)]
            if target not in previous:
                previous[target] = node
                queue.append(target)
    return []


def check(tree: Tree, build: Path, with_objects: bool) -> list[str]:
    problems = []
    collect_files(tree)
    layer_of = {}
    for number, layer in enumerate(tree.layers):
        for module in layer:
            if module in layer_of:
                problems.append(f"{tree.name}: module {module} is listed in two layers")
            layer_of[module] = number
    for module in sorted(set(tree.files.values())):
        if module not in layer_of:
            files = ", ".join(shown(p) for p, m in tree.files.items() if m == module)
            problems.append(f"{tree.name}: module {module} ({files}) is in no layer: add it to the layers file")
    listed = set(tree.files.values())
    for module in sorted(layer_of):
        if module not in listed:
            problems.append(f"{tree.name}: layer lists {module}, which has no file")
    edges = include_edges(tree)
    if with_objects and tree.objects:
        linked = object_edges(tree, build)
        if linked is None:
            print(f"{tree.name}: no object files under {build / tree.objects}: symbols not checked", file=sys.stderr)
        else:
            for edge, why in linked.items():
                edges.setdefault(edge, why)
    for component in cycles(edges):
        steps = "; ".join(cycle_path(component, edges))
        problems.append(f"{tree.name}: cycle between modules {', '.join(component)}: {steps}")
    for (source, target), why in sorted(edges.items()):
        if source in layer_of and target in layer_of and layer_of[target] < layer_of[source]:
            problems.append(
                f"{tree.name}: {why}: {source} (layer {layer_of[source] + 1}) depends on "
                f"{target} (layer {layer_of[target] + 1}, above it)"
            )
    if tree.folder_modules is not None:
        problems += check_folders(tree, build, with_objects)
    return problems


def check_folders(tree: Tree, build: Path, with_objects: bool) -> list[str]:
    """No circle between the folder modules (includes, and with --objects definitions)."""
    edges = folder_include_edges(tree)
    if with_objects and tree.objects:
        linked = object_edges(tree, build, lambda path: folder_of(tree, path))
        for edge, why in (linked or {}).items():
            edges.setdefault(edge, why)
    return [f"{tree.name}: cycle between folders {', '.join(component)}: "
            f"{'; '.join(cycle_path(component, edges))}" for component in cycles(edges)]


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=here / "include-layers.ini")
    parser.add_argument("--root", type=Path, default=here.parent, help="the folders' root (the repository)")
    parser.add_argument("--build", type=Path, help="the build folder (default ROOT/build)")
    parser.add_argument("--objects", action="store_true", help="also read the built objects' symbols (nm)")
    parser.add_argument("--objects-of", action="append", default=[], metavar="TREE=FOLDER",
                        help="with --objects, read TREE's objects from FOLDER (under --build) too")
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    build = (arguments.build or root / "build").resolve()
    problems = []
    trees = read_config(arguments.config, root)
    for item in arguments.objects_of:
        name, _, folder = item.partition("=")
        for tree in trees:
            if tree.name == name:
                tree.objects = folder
    for tree in trees:
        problems += check(tree, build, arguments.objects)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"include layers kept: {', '.join(f'{t.name} ({len(t.files)} files)' for t in trees)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
