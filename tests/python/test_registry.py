"""@goray.local / @goray.remote and name lookup, without a library or Ray."""

import pickle
import subprocess
import sys
import warnings

import pytest

import goray
from goray import _process_setup, _registry


@goray.local
def reg_plain(x):
    return x + 1


@goray.remote
def reg_remote_fn(x):
    """Doc kept."""
    return x * 2


@goray.remote(num_cpus=1)
def reg_remote_opts(x):
    return -x


@goray.remote
class RegStore:
    kind = "store"

    def __init__(self, start=0):
        self.value = start

    def get(self):
        return self.value

    @staticmethod
    def helper():
        return "static"


def test_local_returns_function_unchanged():
    assert reg_plain(1) == 2
    assert type(reg_plain).__name__ == "function"
    assert _registry.find_function("reg_plain") is reg_plain


def test_remote_function_stays_callable():
    assert reg_remote_fn(4) == 8
    assert reg_remote_fn.__name__ == "reg_remote_fn"
    assert reg_remote_fn.__doc__ == "Doc kept."
    assert reg_remote_opts(3) == -3
    assert reg_remote_opts._goray_options == {"num_cpus": 1}
    # Native callers get the original function.
    assert _registry.find_function("reg_remote_fn") is reg_remote_fn.__wrapped__


def test_remote_class_stays_a_class_in_process():
    store = RegStore(5)
    assert store.get() == 5
    assert isinstance(store, RegStore)
    assert type(store) is _registry.find_class("RegStore")
    assert RegStore.kind == "store" and RegStore.helper() == "static"
    assert RegStore.__name__ == "RegStore"


def test_local_registers_classes_as_goray_does():
    class RegLocalOnly:
        pass

    assert goray.local(RegLocalOnly) is RegLocalOnly
    assert _registry.find_class("RegLocalOnly") is RegLocalOnly
    with pytest.raises(TypeError):
        goray.local(42)
    with pytest.raises(TypeError):
        goray.remote(1, 2)


def test_remote_is_lazy_about_ray():
    code = (
        "import sys, goray\n"
        "@goray.remote\n"
        "def f(x): return x\n"
        "@goray.remote(num_cpus=2)\n"
        "class C: pass\n"
        "assert f(1) == 1 and isinstance(C(), C)\n"
        "assert 'ray' not in sys.modules, 'ray imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_remote_calls_ray_lazily(monkeypatch):
    calls = []

    class FakeRemote:
        def remote(self, *args):
            calls.append(("remote", args))
            return "ref"

        def options(self, **options):
            calls.append(("options", options))
            return self

    def fake_make(original, options):
        calls.append(("make", original.__name__, options))
        return FakeRemote()

    monkeypatch.setattr(_registry, "make_ray_remote", fake_make)
    wrapper = goray.remote(num_gpus=0)(lambda: None)
    assert wrapper.remote(1, 2) == "ref"
    assert wrapper.options(name="n") is not None
    assert calls == [("make", "<lambda>", {"num_gpus": 0}), ("remote", (1, 2)),
                     ("options", {"name": "n"})]


def test_duplicate_names_last_wins_with_warning():
    def dup_name():
        return 1

    goray.local(dup_name)
    first = dup_name

    def dup_name():  # noqa: F811 - same module and qualname: a re-definition, no warning
        return 2

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        goray.local(dup_name)
    assert _registry.find_function("dup_name")() == 2

    other = eval("lambda: 3")
    other.__name__ = "dup_name"
    other.__qualname__ = "elsewhere.dup_name"
    with pytest.warns(RuntimeWarning, match="'dup_name' registered again"):
        goray.local(other)
    assert _registry.find_function("dup_name")() == 3
    assert first() == 1


def test_dotted_names():
    import collections
    import math
    import os.path

    assert _registry.find_function("math.fsum") is math.fsum
    assert _registry.find_function("os.path.join") is os.path.join
    assert _registry.find_class("collections.Counter") is collections.Counter
    assert _registry.find_function("collections.OrderedDict.fromkeys")  # attribute chain


@pytest.mark.parametrize("name", ["no_such_function", "math.no_such", "nosuchmodule.f",
                                  "math.pi", "math."])
def test_unknown_function(name):
    with pytest.raises(goray.UnknownNameError) as info:
        _registry.find_function(name)
    error = info.value
    assert error.kind == "Python function" and error.name == name
    assert "reg_plain" in error.known and error.known == sorted(error.known)
    assert str(error).startswith(f"Python function {name!r} not found; known Python functions: ")
    assert "reg_plain" in str(error)


def test_unknown_class():
    with pytest.raises(goray.UnknownNameError) as info:
        _registry.find_class("math.fsum")  # importable, but not a class
    assert info.value.kind == "Python class" and "RegStore" in info.value.known


def test_wrappers_pickle_by_reference():
    assert pickle.loads(pickle.dumps(reg_remote_fn)) is reg_remote_fn
    assert pickle.loads(pickle.dumps(RegStore)) is RegStore


def test_unknown_name_says_when_no_py_defs_file_was_given(monkeypatch):
    monkeypatch.delenv(_process_setup.PY_DEFS_ENV, raising=False)
    with pytest.raises(goray.UnknownNameError) as info:
        _registry.find_function("py_not_here")
    assert str(info.value).startswith("Python function 'py_not_here' not found; known Python functions: ")
    assert "No py-defs file was given" in str(info.value)
    assert "goray --py-defs FILE LIBRARY" in str(info.value)
    with pytest.raises(goray.UnknownNameError, match="No py-defs file was given"):
        _registry.find_class("PyNotHere")

    monkeypatch.setenv(_process_setup.PY_DEFS_ENV, "/some/defs.py")  # given: the name is just unknown
    with pytest.raises(goray.UnknownNameError) as info:
        _registry.find_function("py_not_here")
    assert "py-defs" not in str(info.value)
