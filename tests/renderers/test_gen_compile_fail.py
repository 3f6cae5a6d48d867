"""Wrong use of the typed C++ wrappers does not compile: a wrong argument count, a type
that does not convert, a goray::Future of the wrong type, something other than a
goray::Option in Remote(). Checked two ways against the generated typesapp.goray.h (of
the tree's build), and binding one into a goray::Graph with a node of the wrong type:
one translation unit of `requires` expressions (each misuse must be
ill-formed, each correct use well-formed: tests/renderers/checks/typesapp_requirements.cpp,
compiled by the build), and real failing compiles here whose errors name the wrapper."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import APPS, ROOT, built, run

CXX = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or "clang++-19"


def compile_command(built_apps, source) -> list:
    return [CXX, "-std=c++20", "-fsyntax-only", "-DMSGPACK_NO_BOOST",
            f"-I{built_apps['typesapp_gen']}", f"-I{APPS / 'types'}",
            f"-I{ROOT / 'runtime' / 'include'}", str(source)]


FAILING = {
    "wrong_arity": ("void f() { auto future = typesapp::Divide(1).Remote(); }", "Divide"),
    "non_converting": ('void f() { auto future = typesapp::F64("two").Remote(); }', "F64"),
    "wrong_method_arity": ("void f(typesapp::CounterHandle c) { auto future = c.Incr(); }",
                           "Incr"),
    # A graph node of another type than the parameter's, and a bound call submitted.
    "wrong_node_type": ("void f(typesapp::CounterHandle c, goray::Graph& g) "
                        "{ auto node = c.Incr(g.Input<double>()).Bind(g); }", "Incr"),
    # The typed Serve client (docs/serve.md): an argument that does not convert.
    "serve_non_converting": ('void f(typesapp::CounterDeployment d) { auto n = d.Incr("one"); }',
                             "Incr"),
    "node_submitted": ("void f(typesapp::CounterHandle c, goray::Graph& g) "
                       "{ auto future = c.Incr(g.Input<int64_t>()).Remote(); }", "Remote"),
}


def test_misuse_is_ill_formed_and_correct_use_well_formed():
    """checks/typesapp_requirements.cpp's static_asserts, compiled by the build."""
    built("gen_check_typesapp")


# Tier 1 compiles two misuses (a task's arity, an argument that does not convert); tier 2
# every one. The build's static_asserts (above) check each form of misuse in tier 1.
TIER1_MISUSES = {"wrong_arity", "non_converting"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=() if name in TIER1_MISUSES
                                               else pytest.mark.tier2) for name in sorted(FAILING)])
def test_misuse_fails_to_compile_naming_the_wrapper(built_apps, tmp_path, name):
    code, wrapper = FAILING[name]
    source = tmp_path / f"{name}.cpp"
    source.write_text(f'#include "typesapp.goray.h"\n#include <goray/graph.h>\n{code}\n')
    result = run(compile_command(built_apps, source))
    assert result.returncode != 0, f"{name} compiled"
    assert f"{name}.cpp:3" in result.stderr and "error" in result.stderr, result.stderr
    assert wrapper in result.stderr
