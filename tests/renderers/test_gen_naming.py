"""The naming helpers (one per language) and the view model's naming decisions."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess

import pytest

from conftest import GOLDEN

from goray.gen.model import build_model
from goray.gen.model_cpp import header_visible_types
from goray.gen.naming import (CPP, PYTHON, Scope, cpp_comment_lines, cpp_identifier,
                              cpp_string_literal, python_docstring, qualify_std,
                              unqualified_identifiers)


def test_python_scope_escapes_keywords_and_collisions():
    scope = Scope(PYTHON)
    scope.reserve("_ray")
    assert scope.claim("from") == "from_"
    assert scope.claim("None") == "None_"
    assert scope.claim("match") == "match_"          # a soft keyword
    assert scope.claim("_ray") == "_ray_"
    assert scope.claim("Square") == "Square"
    assert scope.claim("Square") == "Square_"
    assert scope.claim("from_") == "from__"


def test_cpp_identifiers():
    assert cpp_identifier("rayapp") == "rayapp"
    assert cpp_identifier("my-app") == "my_app"
    assert cpp_identifier("2fast") == "n2fast"
    assert cpp_identifier("class") == "class_"
    assert cpp_identifier("main") == "main"
    scope = Scope(CPP)
    scope.reserve("goray_detail")
    assert scope.claim("goray_detail") == "goray_detail_"
    assert scope.claim("Counter") == "Counter"
    assert scope.claim("Counter") == "Counter_"


def test_cpp_string_literal_escapes():
    assert cpp_string_literal('{"a": "b\\\\c"}') == '"{\\"a\\": \\"b\\\\\\\\c\\"}"'
    assert cpp_string_literal("line\nnext\x01") == '"line\\nnext\\001"'
    assert cpp_string_literal("ünï") == '"ünï"'


def test_cpp_comment_lines_never_splice():
    assert cpp_comment_lines("ends in \\\nnext") == ["ends in \\ (backslash)", "next"]


def test_python_docstring_round_trips_through_the_parser():
    for text in ['plain', 'with """quotes""" inside', 'ends with a quote"',
                 'back\\slash', 'two\nlines', 'ends with backslash\\']:
        literal = python_docstring(text, "    ")
        assert inspect.cleandoc(ast.literal_eval(literal)) == text


def test_type_spellings():
    assert qualify_std("std::map<std::string, goray::Value>") == \
        "::std::map<::std::string, ::goray::Value>"
    assert qualify_std("::geo::Point") == "::geo::Point"
    assert qualify_std("mystd::x") == "mystd::x"
    assert unqualified_identifiers("std::vector<int64_t>") == {"std", "int64_t"}
    assert unqualified_identifiers("::geo::Point") == set()
    assert unqualified_identifiers("unsigned long long") == set()


def test_naming_case_decisions():
    idl = json.loads((GOLDEN / "naming" / "naming.idl.json").read_text())
    model = build_model(idl, "naming")
    py = model.py
    assert [t.attr for t in py.tasks] == ["lambda_", "local", "_ray_", "Both", "Thing",
                                         "CounterHandle"]
    assert [a.attr for a in py.actors] == ["Counter", "Thing_"]
    assert py.local_attr == "local_"                       # the task "local" keeps its name
    assert [s.name for s in py.structs] == ["a_Item", "b_Item"]   # same short name
    assert [s.class_syntax for s in py.structs] == [False, True]  # "from" needs the call form
    counter = py.actors[0]
    assert [m.local_attr for m in counter.methods] == [None, None, "Incr"]  # close, from
    cpp = model.cpp
    assert [t.ident for t in cpp.tasks] == ["lambda", "local", "_ray", "Both", "Thing",
                                           "CounterHandle"]
    assert [(a.ident, a.handle) for a in cpp.actors] == [("Counter", "CounterHandle_"),
                                                         ("Thing_", "Thing_Handle")]
    local = cpp.tasks[1]
    assert [(p.ident, p.tparam) for p in local.params] == [("A0", "A0_"), ("arg1", "A1"),
                                                           ("arg1_", "A2")]


def test_what_the_generated_header_can_see():
    project = json.loads((GOLDEN / "types" / "types.idl.json").read_text())
    assert header_visible_types(project) == {"::geo::Point", "::geo::Reading", "::geo::Shape",
                                             "::geo::Shape::Meta", "::geo::Tree",
                                             "::geo::Color", "::geo::Plain"}
    onefile = {"idl_version": 2, "generator": {"name": "goray-scan", "version": "0.1.0"},
               "sources": ["app.cpp"], "driver": None, "init_options": None, "actors": [],
               "enums": [],
               "structs": [{"name": "::Summary", "doc": "", "fields": [],
                            "location": {"file": "app.cpp", "line": 1, "column": 8}}],
               "tasks": [{"name": "Sum", "owner": "::Tasks", "static": False, "doc": "",
                          "location": {"file": "app.cpp", "line": 3, "column": 3},
                          "params": [],
                          "result": {"kind": "struct", "ref": "::Summary",
                                     "spelling": "::Summary", "canonical": "Summary"}}]}
    assert header_visible_types(onefile) == set()
    model = build_model(onefile, "onefile")
    assert model.cpp.source_structs[0].name == "::Summary"
    assert not model.cpp.tasks[0].wrapped
    assert "::Summary cannot be named from a header" in model.cpp.tasks[0].not_wrapped_because


@pytest.mark.parametrize("source", ["src/app.cpp", "1st.cpp", "src/café-1.cpp",
                                    "données/x.cpp", "a+b/c d.cc"])
def test_unit_key_is_cmakes_make_c_identifier(source, tmp_path):
    """goray_add_app names a unit with string(MAKE_C_IDENTIFIER), which works on UTF-8
    bytes: goray-gen must spell it the same, or CMake expects a file never written."""
    from goray.gen.naming import unit_key

    script = tmp_path / "key.cmake"
    script.write_text(f'string(MAKE_C_IDENTIFIER "{source}" key)\nmessage("${{key}}")\n',
                      encoding="utf-8")
    result = subprocess.run(["cmake", "-P", str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, check=True)
    assert unit_key(source) == result.stderr.decode("utf-8").strip()
