"""What an IDE's completion offers after `import NAME; NAME.`: the module's own names
(its tasks, actor types, `local`, structs and enums: its `__all__`) and none of the
stub's helpers (`_Task_*`, `_Handle_*`, `_Local`, `_T`, `_ObjectRefGenerator`, the `_`
imports). Asked of pyright's language server (the pinned .tools/pyright, over the Language
Server Protocol: pyright_lsp.py) and of jedi, on golden cases (no build needed): the
helpers live in the private companion _NAME_types.pyi, which NAME.pyi imports without
re-exporting them (pyright offers every class a stub defines, even a private one). jedi
also offers the names NAME.py binds itself (its `_` imports and `_Local`)."""

from __future__ import annotations

import ast
import os
import pathlib
import shutil
from typing import Dict, List, Set

import pytest

from conftest import GOLDEN, ROOT, copy_stubs
from pyright_lsp import completions

# defaults: tasks and actors; concurrency: streams (_T, _ObjectRefGenerator) and a
# struct; naming: an enum, structs, renamed names (local_, lambda_, _ray_).
CASES = ["defaults", "concurrency", "naming"]


def exported(case: str) -> Set[str]:
    """The names NAME.pyi's __all__ lists."""
    tree = ast.parse((GOLDEN / case / f"{case}.pyi").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{case}.pyi has no __all__")


def helpers(case: str) -> Set[str]:
    """Every name the companion stub binds: its classes, type variables and imports."""
    tree = ast.parse((GOLDEN / case / f"_{case}_types.pyi").read_text(encoding="utf-8"))
    names: Set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return names - exported(case)  # the structs and enums are re-exported


def public(offered: List[str]) -> Set[str]:
    return {name for name in offered if not (name.startswith("__") and name.endswith("__"))}


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> pathlib.Path:
    """A user's folder holding the cases' stub modules, as goray-gen writes them."""
    folder = tmp_path_factory.mktemp("ide")
    for case in CASES:
        copy_stubs(GOLDEN / case, case, folder)
    return folder


@pytest.fixture(scope="module")
def pyright_env(work) -> Dict[str, str]:
    """PATH as `source .venv/bin/activate` leaves it: pyright asks that python for its
    search paths (Ray's types); node beside it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run bash scripts/setup.sh", pytrace=False)
    path = [str(ROOT / ".venv" / "bin"), os.path.dirname(node), "/usr/bin", "/bin"]
    return {"PATH": os.pathsep.join(path), "HOME": str(work)}


def test_the_cases_have_helpers_to_hide():
    """Each case's companion has helpers of every kind the tests look for."""
    assert {"_Task_Add", "_Method_Counter_Incr", "_Handle_Counter", "_ActorClass_Counter",
            "_LocalActor_Counter", "_Local"} <= helpers("defaults")
    assert {"_T", "_ObjectRefGenerator", "_Task_CountUp"} <= helpers("concurrency")
    assert {"Mode", "a_Item", "local_", "_ray_"} <= exported("naming")


@pytest.mark.parametrize("case", CASES)
def test_pyright_offers_the_module_names_and_no_helper(work, pyright_env, case):
    offered = completions(work, f"import {case}\n{case}.", 1, len(case) + 1, pyright_env)
    assert public(offered) == exported(case), sorted(public(offered) ^ exported(case))
    assert not public(offered) & helpers(case)


def test_pyright_would_show_a_stubs_own_private_classes(work, pyright_env):
    """What the companion avoids: completion on a stub that defines the helper classes
    (the companion itself) offers them, private names included."""
    offered = completions(work, "import _defaults_types\n_defaults_types.", 1, 16,
                          pyright_env)
    assert {"_Task_Add", "_Handle_Counter", "_Local"} <= set(offered), sorted(offered)


@pytest.mark.parametrize("case", CASES)
def test_jedi_offers_the_module_names_and_no_helper_of_the_pyi(work, case):
    """jedi hides a stub's private names too, but it also offers the .py's own module
    names (it reads docstrings there), `_` ones included: its imports (`_Task`, `_Any`,
    `annotations`...) and its `_Local` class. Nothing else: no class of the companion."""
    import jedi

    project = jedi.Project(str(work))
    script = jedi.Script(f"import {case}\n{case}.", path=str(work / "x.py"), project=project)
    offered = public([completion.name for completion in script.complete(2, len(case) + 1)])
    assert exported(case) <= offered, sorted(exported(case) - offered)
    assert offered - exported(case) <= bound_by_the_py(case), \
        sorted(offered - exported(case) - bound_by_the_py(case))
    assert not offered & (helpers(case) - bound_by_the_py(case))


def bound_by_the_py(case: str) -> Set[str]:
    """The module-level names NAME.py binds (imports, classes, assignments)."""
    tree = ast.parse((GOLDEN / case / f"{case}.py").read_text(encoding="utf-8"))
    names: Set[str] = set()
    top = [node for node in tree.body if not isinstance(node, ast.If)] + \
        [inner for node in tree.body if isinstance(node, ast.If) for inner in node.body]
    for node in top:  # (an `if _TYPE_CHECKING:` block's imports too)
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names
