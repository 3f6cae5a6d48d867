"""The stubs tell the truth about values: every result shape (none, one value, std::tuple
of none, one and several, optional, struct, enum, containers of them) returned by a local
call and by a Ray call matches the annotation of the generated .pyi (checked at run time
with typeguard; an enum's values are its IntEnum's members, goray._enums); the generated
IntEnums cross Ray, and unpickle as ints where the stub module cannot be imported. Which
results hold enums, the generated table says (goray.gen.result_enums).

resultsapp (results_app/) is built with goray_add_app by the tree's build
(build/tests/renderers/results_app)."""

from __future__ import annotations

import json
import pathlib
import textwrap

import pytest

from conftest import HERE, PYTHON, built, run

APP = HERE / "results_app"


@pytest.fixture(scope="module")
def results_app() -> pathlib.Path:
    """Its build directory in the tree's build (libresultsapp.so, resultsapp.py/.pyi, resultsapp_goray/)."""
    return built("resultsapp") / "results_app"


def every_callable(build: pathlib.Path) -> set:
    idl = json.loads((build / "resultsapp_goray" / "resultsapp.idl.json").read_text())
    names = {task["name"] for task in idl["tasks"]}
    for actor in idl["actors"]:
        names.add(actor["name"])
        names.update(f"{actor['name']}.{method['name']}" for method in actor["methods"])
    return names


def check_values(how: str, build: pathlib.Path, cwd: pathlib.Path, env=None) -> dict:
    # cwd is neither the stubs' directory nor the script's: Ray puts both of those on
    # its workers' sys.path, which would hide a value that needs the stub module there.
    result = run([PYTHON, str(APP / "check_values.py"), how, str(build / "libresultsapp.so"),
                  str(build)], cwd=cwd, timeout=600, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_local_results_match_the_stub_annotations(results_app, tmp_path):
    report = check_values("local", results_app, tmp_path)
    assert report["failures"] == []
    assert set(report["called"]) == every_callable(results_app), "a callable was not checked"


def test_ray_results_match_the_stub_annotations_and_enums_cross_ray(results_app, tmp_path, ray_env):
    report = check_values("ray", results_app, tmp_path, env=ray_env)
    assert report["failures"] == []
    assert set(report["called"]) == every_callable(results_app), "a callable was not checked"


def test_tuple_results_are_typed_as_they_arrive(results_app):
    stub = (results_app / "_resultsapp_types.pyi").read_text()  # the .pyi's classes
    assert "def NoValues(self) -> None:" in stub
    assert "def OneValue(self) -> _int:" in stub
    assert "def OneStruct(self) -> Item:" in stub
    assert "def OneOptional(self, some: _bool) -> _str | None:" in stub
    assert "def SameTypes(self) -> _list[_int]:" in stub
    assert "def MixedTypes(self) -> _list[_Any]:" in stub
    assert "def Single(self) -> Mode:" in stub           # an enum: its IntEnum


PICKLE = textwrap.dedent("""\
    import pickle, sys
    sys.path.insert(0, sys.argv[1])
    import resultsapp
    from ray import cloudpickle
    mode = resultsapp.Mode
    value = [mode.kAuto, [mode.kOn], {"k": mode.kOff, mode.kOn: "key"},
             resultsapp.Item(name="n", mode=mode.kAuto, history=[mode.kOn])]
    dumps = pickle.dumps if sys.argv[3] == "pickle" else cloudpickle.dumps
    with open(sys.argv[2], "wb") as out:
        out.write(dumps(value))
    """)

UNPICKLE = textwrap.dedent("""\
    import pickle, sys
    if len(sys.argv) > 2:  # where the stub module is importable: imported, as a user does
        sys.path.insert(0, sys.argv[2])
        import resultsapp
    with open(sys.argv[1], "rb") as data:
        value = pickle.load(data)
    assert ("resultsapp" in sys.modules) == (len(sys.argv) > 2)
    assert isinstance(value[0], int) and isinstance(value[3]["mode"], int)
    kinds = [type(value[0]).__name__, type(value[1][0]).__name__,
             sorted(type(v).__name__ for v in value[2].values()),
             sorted(type(k).__name__ for k in value[2]), type(value[3]["mode"]).__name__]
    print(repr(value)); print(repr(kinds))
    """)


@pytest.mark.parametrize("how", ["pickle", "cloudpickle"])
def test_enum_members_unpickle_where_the_stub_module_cannot_be_imported(results_app,
                                                                         tmp_path, how):
    """Without the stub module, as ints (goray._enums.EnumValue, which C++ takes as the
    int); where it is imported, as its members again (a value that went through a Ray
    worker and back)."""
    data = tmp_path / "value.pickle"
    dumped = run([PYTHON, "-c", PICKLE, str(results_app), str(data), how], cwd=tmp_path)
    assert dumped.returncode == 0, dumped.stderr
    loaded = run([PYTHON, "-c", UNPICKLE, str(data)], cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    value, kinds = loaded.stdout.splitlines()
    assert value == ("[-7, [1], {'k': 0, 1: 'key'}, "
                     "{'name': 'n', 'mode': -7, 'history': [1]}]")
    assert kinds == ("['EnumValue', 'EnumValue', ['EnumValue', 'str'], ['EnumValue', 'str'], "
                     "'EnumValue']")
    loaded = run([PYTHON, "-c", UNPICKLE, str(data), str(results_app)], cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    value, kinds = loaded.stdout.splitlines()
    assert value == ("[<Mode.kAuto: -7>, [<Mode.kOn: 1>], {'k': <Mode.kOff: 0>, "
                     "<Mode.kOn: 1>: 'key'}, {'name': 'n', 'mode': <Mode.kAuto: -7>, "
                     "'history': [<Mode.kOn: 1>]}]")
    assert kinds == "['Mode', 'Mode', ['Mode', 'str'], ['Mode', 'str'], 'Mode']"
