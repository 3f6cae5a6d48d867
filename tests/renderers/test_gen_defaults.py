"""Default arguments end to end (tests/golden/defaults/defaults.cpp):
the scan records which parameters have one; dispatch accepts every count from the
required ones to all, the defaults evaluated by C++ where they were written; the typed
C++ wrappers accept the shorter calls; the stubs show the parameters as optional; a count
outside the range says which counts are accepted. In-process and on Ray. Keywords name the
parameters the generated table gives the registry (goray.gen.parameters)."""

from __future__ import annotations

import json

from conftest import APPS, PYTHON, ROOT, run


def idl(built_apps) -> dict:
    return json.loads((built_apps["defaultsapp_gen"] / "defaultsapp.idl.json").read_text())


def defaults_of(params) -> list:
    return [param.get("has_default", False) for param in params]


def test_the_scan_records_which_parameters_have_a_default(built_apps):
    import jsonschema

    document = idl(built_apps)
    tasks = {task["name"]: task for task in document["tasks"]}
    assert defaults_of(tasks["Add"]["params"]) == [False, True]
    assert defaults_of(tasks["Greet"]["params"]) == [True, True]
    assert defaults_of(tasks["Fill"]["params"]) == [False, True]
    actors = {actor["name"]: actor for actor in document["actors"]}
    assert defaults_of(actors["Counter"]["params"]) == [True]
    assert defaults_of(actors["Box"]["params"]) == [False, True]
    methods = {m["name"]: m for a in document["actors"] for m in a["methods"]}
    assert defaults_of(methods["Incr"]["params"]) == [True]
    assert defaults_of(methods["Describe"]["params"]) == [True]
    # No default expression is copied out of its context (constants are values).
    assert "kStep" not in json.dumps(document) and "Factor" not in json.dumps(document)
    schema = json.loads((ROOT / "generator" / "idl" / "idl.schema.json").read_text())
    jsonschema.validate(document, schema)


def test_defaults_in_process(built_apps):
    result = run([PYTHON, str(APPS / "defaults_check.py"), "local",
                  str(built_apps["defaultsapp"]), str(built_apps["defaultsapp_stubs"])])
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failures"] == []
    # Defaults and keywords (their errors too) on the typed entries alone.
    assert report["counters"]["typed"] > 20, report["counters"]


def test_defaults_on_ray_from_python_and_from_the_cpp_typed_wrappers(built_apps, ray_env):
    result = run([PYTHON, str(APPS / "defaults_check.py"), "ray",
                  str(built_apps["defaultsapp"]), str(built_apps["defaultsapp_stubs"])],
                 timeout=300, env=ray_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failures"] == [], result.stderr[-3000:]


def test_the_stub_shows_defaulted_parameters_as_optional(built_apps):
    """By position or keyword; a constant default shows its value, another `...`; a name
    that is not the C++ one (`with` -> `with_`) is positional-only, with those before it."""
    stub = (built_apps["defaultsapp_stubs"] / "_defaultsapp_types.pyi").read_text()
    assert "def Add(self, a: _int, b: _int = 2) -> _int:" in stub
    assert "def Greet(self, who: _str = 'world', times: _int = ...) -> _str:" in stub
    assert "def Box(self, label: _str, size: _int = ...)" in stub
    assert "def Incr(self, by: _int = 2) -> _int:" in stub
    assert ("def Line(self, text: _str, width: _int = 3, scale: _float = 1.5, "
            "upper: _bool = False, end: _str = '!') -> _str:") in stub
    assert "def Fill(self, n: _int, with_: _list[_int] = ..., /) -> _list[_int]:" in stub
    assert ("def remote(self, a: _int | _ray.ObjectRef[_int], "
            "b: _int | _ray.ObjectRef[_int] = 2)") in stub


def test_the_scan_records_constant_defaults_only(built_apps):
    """The IDL's "default": what Clang evaluates to a constant of the parameter's kind."""
    tasks = {task["name"]: task for task in idl(built_apps)["tasks"]}

    def recorded(task):
        return [param.get("default", "-") if param.get("has_default") else None
                for param in tasks[task]["params"]]

    assert recorded("Line") == [None, 3, 1.5, False, "!"]  # kStep + 1, "!" for a const&
    assert recorded("Pad") == [None, "-", 4]               # Scale::Factor() is a call
    assert recorded("Fill") == [None, "-"]                 # a braced vector
    assert recorded("Greet") == ["world", "-"]


def test_the_typed_wrappers_have_one_overload_per_accepted_count(built_apps):
    header = (built_apps["defaultsapp_gen"] / "defaultsapp.goray.h").read_text()
    assert "[[nodiscard]] auto Add(A0&& a) {" in header
    assert "[[nodiscard]] auto Add(A0&& a, A1&& b) {" in header
    assert "[[nodiscard]] inline auto Greet() {" in header
    assert "[[nodiscard]] inline auto Counter() {" in header
    assert "[[nodiscard]] auto Describe() const {" in header


DEFAULTS_REQUIREMENTS = """\
#include "defaultsapp.goray.h"

#include <string>

template <class... A>
constexpr bool kAdd = requires(A... a) { defaultsapp::Add(a...).Remote(); };
template <class... A>
constexpr bool kBox = requires(A... a) { defaultsapp::Box(a...).Remote(); };
template <class... A>
constexpr bool kDescribe = requires(defaultsapp::BoxHandle h, A... a) { h.Describe(a...).Remote(); };

static_assert(kAdd<int> && kAdd<int, int> && kAdd<goray::Future<int64_t>, int>);
static_assert(!kAdd<> && !kAdd<int, int, int> && !kAdd<int, const char*>);
static_assert(kBox<const char*> && kBox<std::string, int> && !kBox<>);
static_assert(kDescribe<> && kDescribe<std::string> && !kDescribe<int>);
"""


def test_the_typed_wrappers_accept_exactly_the_accepted_counts(built_apps, tmp_path):
    import os
    import shutil

    compiler = os.environ.get("CXX") or shutil.which("c++") or "g++"
    source = tmp_path / "requirements.cpp"
    source.write_text(DEFAULTS_REQUIREMENTS)
    result = run([compiler, "-std=c++20", "-fsyntax-only", "-DMSGPACK_NO_BOOST",
                  f"-I{built_apps['defaultsapp_gen']}", f"-I{ROOT / 'runtime' / 'include'}",
                  f"-I{ROOT / 'tests'}", str(source)])
    assert result.returncode == 0, result.stderr
