"""The goray package's modules import each other without a cycle, counting imports
inside functions too (which run later, but still tie the modules together). The
layers themselves are lint-imports' contract (.importlinter, run by the python stage
of scripts/run-tests.sh); the lower layers reach the higher ones only through hooks
those register at import (docs/architecture.md, "Layers"), checked here too.
goray.gen is its own package: a cycle among its modules alone is its own business,
one it takes part in with the rest is not."""

import ast
import pathlib
import subprocess
import sys
from typing import Dict, Iterator, List, Set

import goray

PACKAGE_DIR = pathlib.Path(goray.__file__).resolve().parent


def _modules() -> Dict[str, pathlib.Path]:
    """Module name -> file, for every .py file of the package (a package is its
    __init__.py)."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _bound_names(path: pathlib.Path) -> Set[str]:
    """The names a package's __init__.py binds at its top level."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _imported(node: ast.AST, module: str, is_package: bool,
              modules: Dict[str, pathlib.Path]) -> Iterator[str]:
    """The goray modules an import statement names: a submodule when `from X import Y`
    imports one, else X itself (Y a name X defines). A submodule that is no .py file
    (the compiled goray._fastpath) imports no goray module, and other packages are
    none of ours: both are left out."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        targets = []
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in modules:
                targets.append(submodule)
            elif source in modules and modules[source].name == "__init__.py" and \
                    alias.name not in _bound_names(modules[source]):
                continue  # a compiled submodule
            else:
                targets.append(source)
    else:
        return
    for target in targets:
        if target not in modules and target.rpartition(".")[0] in modules:
            continue  # `import goray._fastpath`: a compiled submodule
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target:
            yield target


def import_graph() -> Dict[str, Set[str]]:
    """Module -> the goray modules it imports, at module level or inside functions
    (every import statement in the file)."""
    modules = _modules()
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            imported.update(_imported(node, name, is_package, modules))
        imported.discard(name)
        graph[name] = imported
    return graph


def strongly_connected(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Tarjan's strongly connected components (iterative), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components: List[List[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _in_gen(module: str) -> bool:
    return module == "goray.gen" or module.startswith("goray.gen.")


def test_no_module_of_goray_is_in_an_import_cycle():
    graph = import_graph()
    cycles = [component for component in strongly_connected(graph)
              if len(component) > 1 and not all(_in_gen(module) for module in component)]
    report = []
    for component in cycles:
        members = set(component)
        report.append(f"{len(component)} modules: " + ", ".join(
            f"{module} -> {imported}" for module in component
            for imported in sorted(graph[module] & members)))
    assert not cycles, "import cycles:\n" + "\n".join(report)


def test_the_graph_sees_imports_at_the_top_and_inside_functions():
    graph = import_graph()
    assert "goray._codec" in graph["goray._handlers"]  # at the top
    assert "goray._ray.py2native.callees" in graph["goray._native_remote"]  # inside a function
    assert "goray._ray.native2py.commands" in graph["goray._ray"]  # the hook goray._ray registers
    assert "goray" in graph["goray._stubs"]  # `import goray`: the package itself
    assert "goray" in graph["goray.gen.tool_version"]  # `from .. import __version__`


def test_a_compiled_submodule_is_not_taken_for_its_package():
    modules = _modules()
    for statement in ("from . import _fastpath", "import goray._fastpath"):
        node = ast.parse(statement).body[0]
        assert list(_imported(node, "goray._ffi", False, modules)) == []
    node = ast.parse("from . import _ffi, errors").body[0]
    assert sorted(_imported(node, "goray._ray", True, modules)) == []  # no such goray._ray.X
    node = ast.parse("from .. import _ffi, errors").body[0]
    assert sorted(_imported(node, "goray._ray", True, modules)) == ["goray._ffi", "goray.errors"]


def test_the_cycle_finder_finds_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["d"], ["e"]]


def test_the_lower_layers_name_no_higher_module():
    """The dispatcher and the codec reach the library loader and the Ray layer only
    through what those register at import."""
    graph = import_graph()
    for lower in ("goray._protocol", "goray.errors", "goray._arrays", "goray._codec",
                  "goray._registry", "goray._handlers"):
        higher = {module for module in graph[lower]
                  if module in ("goray", "goray._ffi", "goray._process_setup")
                  or module.startswith("goray._ray")}
        assert not higher, f"{lower} imports {sorted(higher)}"


def test_importing_goray_registers_the_hooks_and_imports_no_ray():
    code = (
        "import sys, goray\n"
        "from goray import _codec, _ffi, _handlers, _ray\n"
        "assert 'ray' not in sys.modules, 'import goray imported Ray'\n"
        "assert _handlers._ray_commands_loader is _ray._install_ray_commands\n"
        "assert _handlers._library_version is _ffi._loaded_protocol_version\n"
        "assert _codec._ref_hooks_loader is _ray._load_ref_hooks\n"
        "assert 'goray._ray.native2py.commands' not in sys.modules\n"
        "assert 'goray._ray.values.nested' not in sys.modules\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
