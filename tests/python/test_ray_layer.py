"""The goray._ray subpackage's structure: its modules import in any order without a
circle, the Ray handlers are installed by the first Ray command of a process where
Ray runs, and each native task has one Ray function that every caller submits
through. No Ray is started here (the forms are checked with recorders)."""

import ast
import pathlib
import subprocess
import sys

import pytest

from goray import _handlers, _protocol, _stores
from goray._protocol import Native2Py, pack_u64
from goray._ray import bodies, native2py, py2native, submit

RAY_DIR = pathlib.Path(bodies.__file__).parent
PACKAGE_DIR = RAY_DIR.parent


def _ray_imports(path: pathlib.Path):
    """The goray._ray modules `path` imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                names.add(node.module.split(".")[0])
            elif node.level == 1:
                names.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("goray._ray."):
                names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[2] for alias in node.names
                         if alias.name.startswith("goray._ray."))
    return names


def test_the_ray_modules_import_each_other_without_a_circle():
    modules = {path.stem: path for path in RAY_DIR.glob("*.py") if path.stem != "__init__"}
    graph = {name: _ray_imports(path) & set(modules) for name, path in modules.items()}
    state = {}

    def visit(name, trail):
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "import circle: " + " -> ".join(trail + [name])
        state[name] = "open"
        for imported in sorted(graph[name]):
            visit(imported, trail + [name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])
    lower = graph["bodies"] | graph["py2native"] | graph["nested"]
    assert not {name for name in lower if name.startswith("native2py")}


@pytest.mark.parametrize("first, second", [("native2py", "py2native"), ("py2native", "native2py")])
def test_each_direction_imports_first_in_a_fresh_interpreter(first, second):
    code = f"import goray._ray.{first}, goray._ray.{second}; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_meta_keys_are_spelled_only_in_protocol():
    keys = {value for name, value in vars(_protocol).items()
            if name.startswith("META_") and isinstance(value, str)}
    keys.discard("name")
    assert keys
    for path in [*PACKAGE_DIR.glob("*.py"), *RAY_DIR.glob("*.py")]:
        if path.name == "_protocol.py":
            continue
        literals = {node.value for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert not keys & literals, f"{path.name} spells meta keys {sorted(keys & literals)}"


# ---------------------------------------------------------------------------
# The Ray handlers, installed by the first Ray command.

@pytest.fixture
def fresh_table(monkeypatch):
    """The stock handler table (Ray commands not served), restored afterwards."""
    import ray
    table = dict(_handlers._handlers)
    for command in Native2Py:
        if int(command) > int(Native2Py.CLOSE_CLASS_INSTANCE):
            table[int(command)] = _handlers._needs_ray(command)
    monkeypatch.setattr(_handlers, "_handlers", table)
    monkeypatch.setattr("goray._ffi._library", None)
    return ray


def test_the_first_ray_command_installs_the_ray_handlers_where_ray_runs(fresh_table, monkeypatch):
    monkeypatch.setattr(fresh_table, "is_initialized", lambda: True)
    code, reply = _handlers.dispatch(int(Native2Py.RELEASE_OBJECT), memoryview(pack_u64(987654321)))
    assert code == 4 and b"987654321" in reply  # native2py's answer for an unknown id
    assert _handlers._handlers[int(Native2Py.RELEASE_OBJECT)] is native2py._HANDLERS[Native2Py.RELEASE_OBJECT]


def test_a_ray_command_without_ray_still_says_how_to_start_it(fresh_table, monkeypatch):
    monkeypatch.setattr(fresh_table, "is_initialized", lambda: False)
    code, reply = _handlers.dispatch(int(Native2Py.RELEASE_OBJECT), memoryview(pack_u64(1)))
    assert code == 1 and b"needs Ray" in reply
    assert int(Native2Py.RELEASE_OBJECT) in _handlers._handlers


# ---------------------------------------------------------------------------
# One Ray function per native task.

class Recorder:
    """A prepared submitter: records what each .remote call sends."""

    def __init__(self, base, options):
        self.base = base
        self.options = options
        self.calls = []

    def remote(self, *args):
        self.calls.append(args)
        return args


@pytest.fixture
def recorded(monkeypatch):
    made = []

    def prepared(base, kind, options, key=None):
        made.append(Recorder(base, options))
        return made[-1]

    monkeypatch.setattr(submit, "prepared", prepared)
    monkeypatch.setattr(submit, "_submitters", {})
    return made


def test_native_and_python_callers_submit_through_the_tasks_one_ray_function(recorded):
    block = b"\xcb" + bytes(8)
    native2py.submit_native_task("Square", {"num_cpus": 1}, block, (), [])
    native2py.submit_native_task("Square", {"num_cpus": 2}, block, (0,), ["ref"])
    py2native.native_task_for_python("Square", {"num_cpus": 3}).remote(2.0)
    bases = {id(made.base) for made in recorded}
    assert len(recorded) == 3 and len(bases) == 1
    base = recorded[0].base
    assert base is bodies.native_task("Square")
    assert base._default_options["name"] == "GolangTask.Square"
    assert base._function.__name__ == "GolangTask.Square"
    assert [made.calls for made in recorded] == [[(block,)], [(block, (0,), "ref")], [(2.0,)]]
    assert "name" not in recorded[0].options and recorded[2].options["name"] == "GolangTask.Square/py"
    assert bodies.native_task("Cube") is not base


def test_python_callers_submit_under_their_own_task_name_without_a_marker(recorded):
    py2native.native_task_for_python("Echo", {}).remote()
    py2native.native_task_for_python("Echo", {"num_cpus": 1}).remote(b"raw", 2)
    assert [made.options for made in recorded] == [{"name": "GolangTask.Echo/py"},
                                                   {"num_cpus": 1, "name": "GolangTask.Echo/py"}]
    assert [made.calls for made in recorded] == [[()], [(b"raw", 2)]]
    assert bodies.python_caller_name("Echo") == "GolangTask.Echo/py"


@pytest.mark.parametrize("args, expected", [
    ((2.0, "x"), (2.0, "x")),
    ((b"raw",), (bodies.PYTHON_CALL, b"raw")),
    ((), (bodies.PYTHON_CALL,)),
    ((None, 1), (bodies.PYTHON_CALL, None, 1)),
    ((bytearray(b"a"),), (bodies.PYTHON_CALL, bytearray(b"a"))),
])
def test_python_callers_that_name_the_task_mark_values_that_could_read_as_a_block(recorded, args, expected):
    py2native.native_task_for_python("Echo", {"name": "mine"}).remote(*args)
    assert recorded[0].options == {"name": "mine"}
    assert recorded[0].calls == [expected]


@pytest.mark.parametrize("task_name, args, form", [
    ("GolangTask.Echo", (), ("native", b"", ())),
    ("GolangTask.Echo", (b"blk",), ("native", b"blk", ())),
    ("GolangTask.Echo", (memoryview(b"blk"),), ("native", b"blk", ())),
    ("GolangTask.Echo", (b"blk", (1,), 7), ("native", b"blk", (1,), 7)),
    ("GolangTask.Echo", (2.0, [1]), ("python", 2.0, [1])),
    ("native's own name", (b"blk",), ("native", b"blk", ())),
    ("GolangTask.Echo/py", (), ("python",)),
    ("GolangTask.Echo/py", (b"raw",), ("python", b"raw")),
    ("GolangTask.Echo/py", (None, 1), ("python", None, 1)),
    ("GolangTask.Echo/py", (2.0, [1]), ("python", 2.0, [1])),
    ("mine", (bodies.PYTHON_CALL, b"raw"), ("python", b"raw")),
    ("mine", (bodies.PYTHON_CALL,), ("python",)),
])
def test_the_body_tells_the_call_forms_apart(monkeypatch, task_name, args, form):
    seen = []
    monkeypatch.setattr(bodies, "_task_name", lambda: task_name)
    monkeypatch.setattr(bodies, "run_native_task",
                        lambda name, block, positions, *refs: seen.append(
                            ("native", bytes(block), positions, *refs)))
    monkeypatch.setattr(bodies, "_run_for_python", lambda name, values: seen.append(("python", *values)))
    # A native call without arguments sends the request made once (units(name, empty block)).
    monkeypatch.setattr(bodies, "_run_native", lambda name, payload: seen.append(
        ("native", b"", ()) if payload == bodies._call_units(name, b"", (), (), []) else payload))
    bodies._native_task("Echo")(*args)
    assert seen == [form]


@pytest.mark.parametrize("python_only, task_name, args, values", [
    (True, None, (b"blk", (1,), 7), (b"blk", (1,), 7)),  # python_caller_task's (Ray 2.40)
    (False, None, (2.0, b"x"), (2.0, b"x")),  # a PYTHON_FIRST first value
    (False, "GolangTask.Echo/py", (), ()),  # a Python callers' task name
    (False, "GolangTask.Echo/py/values", (b"raw",), (b"raw",)),
    (False, "mine", (bodies.PYTHON_CALL, b"raw"), (b"raw",)),  # PYTHON_CALL first
    (False, "GolangTask.Echo", (), None),  # native: nothing, or a block first
    (False, None, (b"blk", (0,), 7), None),
])
def test_the_caller_table_rows(monkeypatch, python_only, task_name, args, values):
    names = ("GolangTask.Echo/py", "GolangTask.Echo/py/values")
    asked = []
    monkeypatch.setattr(bodies, "_task_name", lambda: asked.append(1) or task_name)
    assert bodies.python_values(args, python_only, names) == values
    if python_only or (args and type(args[0]) in bodies.PYTHON_FIRST):
        assert not asked  # decided without the task name (1-2 us)
    assert bodies.python_values(args, python_only, names, task_name) == values


def test_the_id_stores_entries_describe_actors_by_their_ray_class_names():
    class Descriptor:
        def __init__(self, class_name):
            self.class_name = class_name

    class Handle:
        def __init__(self, class_name):
            self._ray_actor_creation_function_descriptor = Descriptor(class_name)

    assert _stores.describe_actor(Handle("Go.Counter")) == ("Counter", True)
    assert _stores.describe_actor(Handle("PY.Keeper")) == ("Keeper", False)
    assert _stores.describe_actor(Handle("app.Plain")) == ("Plain", False)
