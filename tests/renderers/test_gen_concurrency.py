"""IDL version 4's forms, rendered: a goray::Generator<T> task or method (a streaming
wrapper in C++, a ray.ObjectRefGenerator in the stubs), a thread-safe actor type and its
concurrency groups (registered, and visible in the typed handle and the stubs). From a
hand-written IDL, so that each form is checked on its own and in the edge cases a
scanner's output rarely shows (a group name needing escapes, an older IDL without the
keys). The golden case tests/golden/concurrency/ checks the scanned forms compiled and
type-checked (test_gen_concurrency_golden.py)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from typing import Any, Dict

import pytest

from conftest import GOLDEN, PYTHON, run

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from pyright_runner import pyright  # noqa: E402

INT64 = {"bits": 64, "canonical": "long", "kind": "int", "signed": True, "spelling": "int64_t"}
STRING = {"kind": "string", "spelling": "std::string", "canonical": "std::string"}


def generator_of(element: Dict[str, Any]) -> Dict[str, Any]:
    return {"spelling": f"goray::Generator<{element['spelling']}>",
            "canonical": f"goray::Generator<{element['canonical']}>", "kind": "generator",
            "element": element}


def concurrency_idl(group: str = "io") -> Dict[str, Any]:
    """The app case's IDL (tasks Square and Divide, actor type Counter with Incr) made
    version 4: a generator task CountUp, Counter thread-safe with groups `group` (2) and
    compute (1), Incr in `group`, and a generator method Range."""
    idl = json.loads((GOLDEN / "app" / "app.idl.json").read_text())
    idl["idl_version"] = 4
    count_up = copy.deepcopy(idl["tasks"][0])
    count_up.update(name="CountUp", result=generator_of(INT64))
    count_up["params"][0].update(name="n", type=INT64)
    idl["tasks"].append(count_up)
    counter = idl["actors"][0]
    counter["thread_safe"] = True
    counter["concurrency_groups"] = [{"name": group, "size": 2}, {"name": "compute", "size": 1}]
    counter["methods"][0]["concurrency_group"] = group
    range_ = copy.deepcopy(counter["methods"][0])
    del range_["concurrency_group"]
    range_.update(name="Range", result=generator_of(STRING))
    counter["methods"].append(range_)
    for method in counter["methods"]:
        method.setdefault("location", counter["location"])
    return idl


def render(idl: Dict[str, Any], name: str = "app") -> Dict[str, str]:
    from goray.gen.idl import parse_idl
    from goray.gen.model import build_model
    from goray.gen.render import render_all

    return render_all(build_model(parse_idl(json.dumps(idl)), name))


@pytest.fixture(scope="module")
def outputs() -> Dict[str, str]:
    return render(concurrency_idl())


def test_version_4_is_read_and_older_versions_still_are():
    from goray.gen.idl import IDL_VERSION, READABLE_VERSIONS, IdlError, parse_idl

    assert IDL_VERSION == 6 and READABLE_VERSIONS == (2, 3, 4, 5, 6)
    idl = concurrency_idl()
    assert parse_idl(json.dumps(idl))["idl_version"] == 4
    idl["idl_version"] = 7
    with pytest.raises(IdlError,
                       match="idl_version 7; this goray-gen renders versions 2, 3, 4, 5, 6"):
        parse_idl(json.dumps(idl))


def test_a_generator_task_wrapper_returns_a_stream_call(outputs):
    header = outputs["app.goray.h"]
    assert ("  return ::goray::detail::StreamTaskCall<::goray::Future<int64_t>, "
            "::goray::detail::Stored<int64_t, A0>>(\n      \"CountUp\", "
            "::std::forward<A0>(n));") in header
    assert "// A generator: Remote() returns a goray::Stream<::goray::Future<int64_t>>." \
        in header
    # The plain tasks keep TaskCall.
    assert "::goray::detail::TaskCall<::goray::Future<double>" in header


def test_a_generator_method_wrapper_returns_a_stream_call(outputs):
    header = outputs["app.goray.h"]
    assert ("    return ::goray::detail::StreamMethodCall<::goray::Future<::std::string>, "
            "::goray::detail::Stored<int64_t, A0>>(\n        {*this, \"Range\"}") in header
    assert "::goray::detail::MethodCall<::goray::Future<int64_t>" in header  # Incr


def test_the_checks_name_the_generator_result(outputs):
    unit = outputs["app.app_cpp.goray.cpp"]
    assert ("::goray::detail::kResultIs<decltype(&::Tasks::CountUp), "
            "::goray::Generator<int64_t>>") in unit
    assert ("::goray::detail::kResultIs<decltype(&::Counter::Range), "
            "::goray::Generator<::std::string>>") in unit


def test_registration_declares_thread_safety_and_groups_around_the_methods(outputs):
    unit = outputs["app.app_cpp.goray.cpp"]
    assert ('  registry.AddActor<::Counter>("Counter", &::Actors::Counter)\n'
            '      .ThreadSafe()\n'
            '      .ConcurrencyGroup("io", 2)\n'
            '      .ConcurrencyGroup("compute", 1)\n'
            '      .AddMethod("Incr", ::goray::Fixed<&::Counter::Incr>{})\n'
            '      .AddMethod("Range", ::goray::Fixed<&::Counter::Range>{})\n'
            '      .MethodGroup("Incr", "io");\n') in unit


def test_the_typed_handle_carries_the_traits(outputs):
    header = outputs["app.goray.h"]
    assert "  static constexpr bool kThreadSafe = true;\n" in header
    assert ("  static constexpr ::std::array<::std::pair<::std::string_view, int>, 2> "
            "kConcurrencyGroups{{\n      {\"io\", 2},\n      {\"compute\", 1},\n  }};\n") in header
    assert ("  static constexpr ::std::string_view ConcurrencyGroupOf(::std::string_view method) {\n"
            "    if (method == \"Incr\") return \"io\";\n    return {};\n  }\n") in header
    assert '  // Runs in the concurrency group "io".\n' in header
    assert "#include <array>\n" in header


def test_an_actor_type_without_traits_says_so():
    """An IDL before version 4 has no thread_safe or concurrency_groups: not thread-safe,
    no groups, registered as before."""
    header = render(json.loads((GOLDEN / "app" / "app.idl.json").read_text()))["app.goray.h"]
    assert "  static constexpr bool kThreadSafe = false;\n" in header
    assert "::std::string_view, int>, 0> kConcurrencyGroups{};" in header
    assert "ConcurrencyGroupOf(::std::string_view) { return {}; }" in header


def test_group_names_are_escaped_everywhere():
    """A group name is any string literal: C++ gets it escaped, Python as a str literal."""
    group = 'i"o\\x'
    outputs = render(concurrency_idl(group))
    literal = '"i\\"o\\\\x"'
    assert f".ConcurrencyGroup({literal}, 2)" in outputs["app.app_cpp.goray.cpp"]
    assert f'.MethodGroup("Incr", {literal});' in outputs["app.app_cpp.goray.cpp"]
    assert f"{{{literal}, 2}}," in outputs["app.goray.h"]
    assert f"return {literal};" in outputs["app.goray.h"]
    namespace: Dict[str, Any] = {}
    start = outputs["app.py"].index("Counter = _ActorClass(")
    call = outputs["app.py"][start:outputs["app.py"].index("\n\n", start)]
    exec("def _ActorClass(*args, **kwargs): return kwargs\n" + call, namespace)
    assert namespace["Counter"] == {"thread_safe": True,
                                    "concurrency_groups": {group: 2, "compute": 1},
                                    "method_groups": {"Incr": group}}


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_stubs_type_a_stream_as_an_object_ref_generator(outputs):
    """.remote() returns Ray's ObjectRefGenerator, typed by a generic class the .pyi
    declares whose items are refs of the item type (no supported Ray types its class, and
    its module moved after 2.40: the class subclasses nothing of Ray's)."""
    pyi = outputs["_app_types.pyi"]   # the .pyi's classes are in its companion
    assert ("    def remote(self, n: _int | _ray.ObjectRef[_int]) -> "
            "_ObjectRefGenerator[_int]:") in pyi
    assert ("    def remote(self, by: _int | _ray.ObjectRef[_int]) -> "
            "_ObjectRefGenerator[_str]:") in pyi
    assert "class _ObjectRefGenerator(_Generic[_T]):" in pyi
    assert "ray._private" not in pyi
    assert "ray.ObjectRefGenerator of refs of int" in words(pyi)  # the item type, in words
    assert "def CountUp(self, n: _int) -> _Iterator[_int]:" in pyi   # local: the items
    assert "def Range(self, by: _int) -> _Iterator[_str]:" in pyi
    assert "from collections.abc import Iterator as _Iterator\n" in pyi


def test_the_stubs_show_thread_safety_and_groups(outputs):
    pyi = outputs["_app_types.pyi"]
    start = pyi.index("class _ActorClass_Counter:")
    actor_class = pyi[start:pyi.index("\n\n\n", start)]
    assert "Thread-safe (GORAY_THREADSAFE)" in actor_class
    assert "'io' (2 at once), 'compute' (1 at once)" in words(actor_class)
    for attribute in ("thread_safe: _bool", "concurrency_groups: _dict[_str, _int]",
                      "method_groups: _dict[_str, _str]"):
        assert attribute in actor_class
    assert "It runs in the concurrency group 'io'." in pyi       # Incr's class


def test_the_stub_module_knows_the_traits_without_ray(outputs, tmp_path):
    """NAME.py binds the traits on the actor class (goray._stubs.ActorClass) and still
    imports without Ray."""
    (tmp_path / "app.py").write_text(outputs["app.py"])
    code = ("import sys; sys.modules['ray'] = None\n"   # import ray raises ImportError
            "import app\n"
            "c = app.Counter\n"
            "print(c.thread_safe, c.concurrency_groups, c.method_groups, app.CountUp)\n")
    result = run([PYTHON, "-c", code], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("True {'io': 2, 'compute': 1} {'Incr': 'io'} "
                             "<goray native task CountUp>\n")


def test_an_actor_class_without_traits_defaults():
    from goray._stubs import ActorClass

    plain = ActorClass("Plain", "")
    assert (plain.thread_safe, plain.concurrency_groups, plain.method_groups) == (False, {}, {})


# Tier 2: the stubs under each checker; test_gen_typecheck.py runs them in tier 1
@pytest.mark.tier2
def test_the_rendered_stubs_check_clean_under_mypy(outputs, tmp_path):
    """The .pyi with generators and groups, and a use of them, under mypy --strict: a
    stream's items are typed refs (a ref of another type is an error)."""
    import shutil

    for file_name in ("app.pyi", "_app_types.pyi"):
        (tmp_path / file_name).write_text(outputs[file_name])
    (tmp_path / "use.py").write_text(
        "import ray\nimport app\n"
        "gen: ray.ObjectRefGenerator = app.CountUp.remote(3)\n"
        "firsts: list[ray.ObjectRef[int]] = [ref for ref in app.CountUp.remote(3)]\n"
        "items: list[int] = list(app.local.CountUp(3))\n"
        "handle = app.Counter.options(max_concurrency=2).remote(1)\n"
        "page: str = ray.get(next(handle.Range.remote(2)))\n"
        "groups: dict[str, int] = app.Counter.concurrency_groups\n"
        "safe: bool = app.Counter.thread_safe\n"
        "wrong: ray.ObjectRef[str] = next(app.CountUp.remote(3))\n")
    mypy = shutil.which("mypy", path=os.path.dirname(sys.executable))
    assert mypy is not None
    from conftest import mypy_cache_args

    result = subprocess.run([mypy, "--strict", "--no-error-summary", *mypy_cache_args(),
                             "app.pyi", "_app_types.pyi", "use.py"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith("use.py:10:") and \
        'expected "SupportsNext[ObjectRef[str]]"' in errors[0], errors


# Tier 2: the stubs under each checker; test_gen_typecheck.py runs them in tier 1
@pytest.mark.tier2
def test_the_rendered_stubs_check_clean_under_pyright(outputs, tmp_path):
    """The same under pyright, strict for the user's file: items are typed refs."""
    for file_name in ("app.py", "app.pyi", "_app_types.pyi"):
        (tmp_path / file_name).write_text(outputs[file_name])
    (tmp_path / "use.py").write_text(
        "# pyright: strict\n"
        "import ray\nimport app\n"
        "total = 0\n"
        "for ref in app.CountUp.remote(3):\n"
        "    total += ray.get(ref)\n"
        "items: list[int] = list(app.local.CountUp(3))\n"
        "handle = app.Counter.options(max_concurrency=2).remote(1)\n"
        "page: str = ray.get(next(handle.Range.remote(2)))\n"
        "groups: dict[str, int] = app.Counter.concurrency_groups\n"
        "print(total, items, page, groups, app.Counter.method_groups['Incr'])\n")
    (tmp_path / "bad.py").write_text(
        "import app\nimport ray\nwrong: ray.ObjectRef[str] = next(app.CountUp.remote(3))\n")
    result = pyright(tmp_path, "use.py", "app.py", "app.pyi", "_app_types.pyi")
    assert result.returncode == 0 and "0 errors" in result.stdout, result.stdout
    result = pyright(tmp_path, "bad.py")
    assert result.returncode == 1, result.stdout
    assert '"ObjectRef[int]" is not assignable to declared type "ObjectRef[str]"' in result.stdout
