"""Bad input through goray-gen: each scanner rule broken gives clang-style
``file:line:col: error:`` lines on stderr, exit status 1, and no file written."""

from __future__ import annotations

import pathlib
import re

import pytest

from conftest import GOLDEN, INPUTS, gen_command, run

ERRORS = INPUTS / "errors"

# input under tests/scanner/inputs/errors -> (file:line:col of the first error, a part
# of its message). Mirrors tests/scanner/diagnostics_test.cpp, through the tool.
CASES = {
    "pointer_param.h": ("pointer_param.h:3:18", "is a pointer"),
    "nonconst_ref.h": ("nonconst_ref.h:4:28", "non-const reference"),
    "function_pointer.h": ("function_pointer.h:3:19", "function pointer"),
    "overload.h": ("overload.h:4:10", "task 'Scale' is overloaded"),
    "const_overload.h": ("const_overload.h:6:11", "is overloaded"),
    "diamond_task.h": ("diamond_task.h:4:11", "'Counter' is a base of 'Tasks' twice"),
    "diamond_actor.h": ("diamond_actor.h:5:11", "'Counter' is a base of 'Both' twice"),
    "template_task.h": ("template_task.h:4:5", "is a function template"),
    "template_struct.h": ("template_struct.h:3:20", "is a template"),
    "template_specialization_param.h": ("template_specialization_param.h:10:31",
                                        "a class template specialization"),
    "template_specialization_actor.h": ("template_specialization_actor.h:11:31",
                                        "is a class template specialization"),
    "eigen_param.h": ("eigen_param.h:15:45", "Eigen's sparse matrices are not supported"),
    "eigen_result.h": ("eigen_result.h:17:3", "return or store the owning Eigen::VectorXf"),
    "unmapped.h": ("unmapped.h:4:47", "'std::forward_list<double>'"),
    "unmapped_nested.h": ("unmapped_nested.h:5:3", "'std::string_view' is not supported"),
    "tuple_param.h": ("tuple_param.h:5:46", "only a result type"),
    "private_field.h": ("private_field.h:8:11", "is private"),
    "anonymous_namespace.h": ("anonymous_namespace.h:8:18", "anonymous namespace"),
    "two_drivers.cpp": ("two_drivers.cpp:3:18", "a second GORAY_DRIVER"),
    "two_drivers_dir": ("b.cpp:3:18", "a second GORAY_DRIVER"),
    "two_init_options_dir": ("b.cpp:2:1", "a second GORAY_INIT_OPTIONS"),
    "actor_constructors.h": ("actor_constructors.h:4:19", "2 public constructors"),
    "init_options_json.cpp": ("init_options_json.cpp:2:20", "is not valid JSON"),
    "init_options_not_object.cpp": ("init_options_not_object.cpp:2:20", "not an object"),
    "driver_signature.cpp": ("driver_signature.cpp:4:18", "has the wrong signature"),
    "missing_include.cpp": ("missing_include.cpp:1:10", "file not found"),
    "factory_result.h": ("factory_result.h:4:10", "returns 'int64_t'"),
    "duplicate_task.h": ("duplicate_task.h:6:10", "is declared twice"),
    "shared_header_dir": ("tasks.h:5:", "error"),
    "reserved_method.h": ("reserved_method.h:6:11", "'Get__' for the encoded calls of 'Get'"),
    "reserved_task.h": ("reserved_task.h:4:11", "task 'Run__' ends in '__'"),
    "reserved_goray_method.h": ("reserved_goray_method.h:4:8", "starts with '_goray'"),
    "reserved_ray_method.h": ("reserved_ray_method.h:5:11", "an attribute of Ray's actor handles"),
    "missing_include_dir": ("driver.cpp:2:10", "'no_such_header.h' file not found"),
    "array_span_mutable.h": ("array_span_mutable.h:3:31", "take std::span<const double>"),
    "array_span_fixed.h": ("array_span_fixed.h:3:42", "must have a dynamic extent"),
    "array_view_result.h": ("array_view_result.h:3:3", "use goray::Array<double>"),
    "array_view_field.h": ("array_view_field.h:4:26", "field 'points' of struct 'geo::Batch'"),
    "array_view_element.h": ("array_view_element.h:4:54",
                             "'goray::ArrayView<double>' is not supported"),
    "array_element.h": ("array_element.h:4:50", "not 'std::string'"),
    "array_view_rvalue.h": ("array_view_rvalue.h:3:41", "take a view by value or by const"),
    "array_alias_result.h": ("array_alias_result.h:6:3",
                             "'std::span<const double>' borrows the caller's memory"),
    "handle_not_actor.h": ("handle_not_actor.h:6:47", "no actor type builds a 'jobs::Logger'"),
    "handle_of_int.h": ("handle_of_int.h:3:51", "takes the C++ class of an actor type"),
    "ref_nonconst.h": ("ref_nonconst.h:3:31", "non-const reference"),
    "future_of_view.h": ("future_of_view.h:3:54", "use goray::Array<double>"),
    "actor_options_json.h": ("actor_options_json.h:2:19", "is not valid JSON"),
    "actor_options_per_creation.h": ("actor_options_per_creation.h:2:19",
                                     "names one actor, so it is given per creation"),
    "actor_options_unknown.h": ("actor_options_unknown.h:2:19",
                                "is not an option a class declares"),
    "actor_options_value.h": ("actor_options_value.h:9:3", "\"max_restarts\" is -2"),
    "actor_options_threads.h": ("actor_options_threads.h:2:19", "is not GORAY_THREADSAFE"),
    "actor_options_twice.h": ("actor_options_twice.h:3:19", "has two GORAY_ACTOR_OPTIONS"),
    "actor_options_misplaced.h": ("actor_options_misplaced.h:3:61",
                                  "GORAY_ACTOR_OPTIONS applies to the class of an actor type"),
    "group_not_threadsafe.h": ("group_not_threadsafe.h:3:19", "is not GORAY_THREADSAFE"),
    "group_size_name.h": ("group_size_name.h:4:36", "is not a positive integer literal"),
    "group_size_zero.h": ("group_size_zero.h:3:24", "the size '0' is not a positive"),
    "group_twice.h": ("group_twice.h:4:5", "declares concurrency group 'io' twice"),
    "group_empty_name.h": ("group_empty_name.h:3:36", "has an empty name"),
    "in_group_undeclared.h": ("in_group_undeclared.h:5:3", "does not declare"),
    "in_group_two.h": ("in_group_two.h:6:24", "keep one GORAY_IN_GROUP"),
    "in_group_free_function.h": ("in_group_free_function.h:3:30",
                                 "GORAY_IN_GROUP applies to a public method"),
    "in_group_static.h": ("in_group_static.h:5:39", "on static member function 'Cache::Hash'"),
    "in_group_private.h": ("in_group_private.h:8:32", "on private member function"),
    "in_group_not_actor_dir": ("helper.h:6:32", "which no actor type has as a method"),
    "keep_gil_free_function.h": ("keep_gil_free_function.h:3:24", "GORAY_KEEP_GIL applies to a task"),
    "keep_gil_generator.h": ("keep_gil_generator.h:4:44", "GORAY_KEEP_GIL on task 'Count', a generator"),
    "keep_gil_not_a_method.h": ("keep_gil_not_a_method.h:7:26", "which is no task and no method"),
    "generator_param.h": ("generator_param.h:4:41", "only the result of a task or an actor"),
    "generator_field.h": ("generator_field.h:4:29", "field 'items' of struct 'Feed'"),
    "generator_element.h": ("generator_element.h:5:3", "only the result of a task or an actor"),
    "generator_in_future.h": ("generator_in_future.h:4:3", "only the result of a task"),
    "generator_factory.h": ("generator_factory.h:4:10", "returns 'goray::Generator<int64_t>'"),
    "generator_of_void.h": ("generator_of_void.h:3:3", "goray::Generator<void> yields none"),
    "generator_of_generator.h": ("generator_of_generator.h:5:3",
                                 "'goray::Generator<int64_t>' is not supported"),
    "generator_view_param.h": ("generator_view_param.h:3:61", "take goray::Array<double>"),
    "generator_span_param.h": ("generator_span_param.h:5:66", "borrows the caller's memory"),
    "generator_string_view_param.h": ("generator_string_view_param.h:5:56",
                                      "take std::string"),
    "variant_same_integers.h": ("variant_same_integers.h:4:36",
                                "alternatives 'int' and 'long' are both read from a msgpack "
                                "integer"),
    "variant_two_structs.h": ("variant_two_structs.h:7:51", "no rule can tell them apart"),
    "variant_struct_and_map.h": ("variant_struct_and_map.h:8:3",
                                 "both read from a msgpack map"),
    "variant_optional.h": ("variant_optional.h:6:49", "make std::monostate an alternative"),
    "variant_nested.h": ("variant_nested.h:5:63", "cannot be a std::variant"),
    "variant_string_view.h": ("variant_string_view.h:5:48", "use std::string"),
    "duration_floating.h": ("duration_floating.h:4:44",
                            "use an integral count such as std::chrono::nanoseconds"),
    "complex_int.h": ("complex_int.h:4:3", "use std::complex<float> or std::complex<double>"),
    "string_view_field.h": ("string_view_field.h:4:20", "field 'name' of struct 'Named'"),
    "string_view_rvalue.h": ("string_view_rvalue.h:4:33", "take a view by value or by const"),
    "monostate_alone.h": ("monostate_alone.h:4:3", "only an alternative of a std::variant"),
    "generator_borrow_after_bad_param.h": ("generator_borrow_after_bad_param.h:3:41",
                                           "parameter 'out' of task 'Running' is a pointer"),
}

ERROR_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): (fatal )?error: ", re.M)


def test_every_error_input_has_a_case():
    inputs = {path.name for path in ERRORS.iterdir()}
    assert inputs == set(CASES), "add the new error input to CASES"


# Tier 1 passes a few kinds of error through goray-gen (a rule of a parameter, of a
# directory of sources, of a missing include, of the driver, of arrays and generators);
# tier 2 every case. The scanner's own gtest (diagnostics_test.cpp) checks every rule in tier 1.
TIER1_CASES = {"pointer_param.h", "two_drivers_dir", "missing_include.cpp", "init_options_json.cpp",
               "driver_signature.cpp", "array_span_mutable.h", "generator_param.h",
               "shared_header_dir"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=() if name in TIER1_CASES
                                               else pytest.mark.tier2) for name in sorted(CASES)])
def test_bad_input_is_reported_clang_style_and_nothing_is_written(scanner, tmp_path, name):
    where, message = CASES[name]
    out = tmp_path / "out"
    result = run(gen_command(str(ERRORS / name), "-o", str(out)))
    assert result.returncode == 1, result.stderr
    first = ERROR_LINE.search(result.stderr)
    assert first is not None, f"no file:line:col: error: line in:\n{result.stderr}"
    assert f"{first['file']}:{first['line']}:{first['column']}".endswith(where) or \
        f"{first['file']}:{first['line']}:".endswith(where), result.stderr
    assert message in result.stderr
    assert not out.exists(), "goray-gen wrote something for bad input"


def test_an_existing_output_directory_is_left_as_it_was(scanner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pointer_param.goray.h").write_text("previous\n")
    result = run(gen_command(str(ERRORS / "pointer_param.h"), "-o", str(out)))
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["pointer_param.goray.h"]
    assert (out / "pointer_param.goray.h").read_text() == "previous\n"


def test_every_broken_rule_is_reported(scanner, tmp_path):
    result = run(gen_command(str(ERRORS / "pointer_param.h"), str(ERRORS / "nonconst_ref.h"),
                             "-o", str(tmp_path / "out")))
    assert result.returncode == 1
    assert len(ERROR_LINE.findall(result.stderr)) == 2, result.stderr


def test_the_file_that_fails_to_parse_is_the_one_named(scanner, tmp_path):
    """driver.cpp misses an include; tasks.cpp, parsed after it, is fine and not blamed."""
    result = run(gen_command(str(ERRORS / "missing_include_dir"), "-o", str(tmp_path / "out")))
    assert result.returncode == 1
    assert "driver.cpp:2:10: fatal error: 'no_such_header.h' file not found" in result.stderr
    assert "tasks.cpp" not in result.stderr and "could not parse" not in result.stderr


WARNING_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): warning: (?P<message>.*)$", re.M)


def test_skipped_members_are_clang_style_warnings_and_the_outputs_are_written(scanner, tmp_path):
    out = tmp_path / "out"
    result = run(gen_command(str(GOLDEN / "inherited" / "skipped.h"), "-o", str(out)))
    assert result.returncode == 0, result.stderr
    warnings = {(m["line"], m["message"].split(" (")[0])
                for m in WARNING_LINE.finditer(result.stderr)}
    assert warnings == {
        ("22", "'operator==' of GORAY_TASKS struct 'Tasks' is not a task"),
        ("25", "private member function 'Helper' of GORAY_TASKS struct 'Tasks' is not a task"),
        ("19", "'Private' is a private base of GORAY_TASKS struct 'Tasks', so its member "
               "functions are not tasks; inherit it publicly to export them"),
        ("41", "protected member function 'Spare' of GORAY_ACTORS struct 'Actors' is not an "
               "actor type"),
        ("31", "static member function 'Make' of the class 'Store' of actor type 'Store' is "
               "not a method"),
    }, result.stderr
    assert "5 warnings generated." in result.stderr
    assert (out / "skipped.goray.h").is_file()
