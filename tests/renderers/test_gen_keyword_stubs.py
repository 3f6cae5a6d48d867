"""The stubs of keyword arguments and for the IDE, on the golden case "defaults"
(tests/golden/defaults/: no build needed). Parameters are named after the C++ ones, so
type checkers accept a right keyword and refuse a wrong one; task and actor type
attributes carry their doc comment, which jedi (an editor's completion) shows, and the
stubs' helper classes are not offered by jedi's completion."""

from __future__ import annotations

import os
import shutil
import sys

from conftest import GOLDEN, copy_stubs, mypy_cache_args, run

CASE = GOLDEN / "defaults"

GOOD_PY = """\
import ray

import defaults

a: ray.ObjectRef[int] = defaults.Add.remote(1, b=5)
b: ray.ObjectRef[str] = defaults.Line.remote("x", end="?", upper=True)
c: ray.ObjectRef[int] = defaults.Pad.remote(n=1, fill=2)
counter = defaults.Counter.remote(n=3)
d: ray.ObjectRef[int] = counter.Incr.remote(by=2)
e: str = defaults.local.Line(text="y", width=4)
with defaults.local.Box(label="b", size=2) as box:
    f: str = box.Describe(prefix=">")
g: list[int] = defaults.local.Fill(1, [2])
print(a, b, c, d, e, f, g)
"""

BAD_PY = """\
import defaults

defaults.Add.remote(1, bb=5)
defaults.local.Line("x", widht=3)
defaults.Counter.remote(m=3)
defaults.local.Fill(1, with_=[2])
"""


def user_dir(tmp_path):
    copy_stubs(CASE, "defaults", tmp_path)
    (tmp_path / "use.py").write_text(GOOD_PY)
    (tmp_path / "bad.py").write_text(BAD_PY)
    return tmp_path


def test_keywords_type_check_under_mypy_strict(tmp_path):
    """Keywords by the C++ names are accepted, others refused: an unknown name, and
    `with_`, which is positional-only (the C++ name `with` is a Python keyword)."""
    work = user_dir(tmp_path)
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable))
    assert mypy is not None, "mypy is not installed next to this Python"
    good = run([mypy, "--strict", *mypy_cache_args(), "defaults.pyi", "_defaults_types.pyi",
                "use.py"], cwd=work)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run([mypy, "--strict", *mypy_cache_args(), "bad.py"], cwd=work)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    for line, name in ((3, "bb"), (4, "widht"), (5, "m"), (6, "with_")):
        assert f'bad.py:{line}: error: Unexpected keyword argument "{name}"' in bad.stdout, \
            bad.stdout


def test_attributes_carry_doc_comments_and_helpers_stay_out_of_completion(tmp_path):
    """What jedi offers after `defaults.`: the tasks, actor types and `local`, each with its
    doc comment (or a default sentence); none of the .pyi's helper classes."""
    import jedi

    work = user_dir(tmp_path)
    project = jedi.Project(str(work))
    script = jedi.Script("import defaults\ndefaults.", path=str(work / "x.py"), project=project)
    offered = {completion.name: completion for completion in script.complete(2, 9)}
    assert {"Add", "Line", "Pad", "Box", "Counter", "local"} <= set(offered)
    assert not [name for name in offered
                if name.startswith(("_Task_", "_Method_", "_Handle_", "_ActorClass_",
                                    "_LocalActor_"))], sorted(offered)
    assert offered["Line"].docstring().startswith("Constant defaults (recorded in the IDL)")
    assert offered["Add"].docstring() == "The native task Add."
    assert offered["Counter"].docstring() == "The native actor type Counter."
    assert offered["local"].docstring().startswith("In-process calls, no Ray")
    pyi = (work / "defaults.pyi").read_text()
    assert 'Add: _Task_Add\n"""The native task Add."""\n' in pyi  # pyright's hover reads it
