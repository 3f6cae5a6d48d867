"""The bad-input catalogue through the Python API (docs/reliability.md): wrong names, arity,
types, integer ranges and None, each a clear goray error with its exact text, and
the library keeps serving afterwards. test_errors.py and test_local_calls.py cover
the error classes themselves and the first cases of each kind; this is the sweep."""

import pytest

import goray
from goray._codec import CodecError
from goray import golang_local_new_actor as new_actor, golang_local_run_task as run


@pytest.fixture(autouse=True)
def still_serving(lib):
    yield
    assert run("Add", 40, 2) == 42  # the process survived the bad call


WRONG_TYPES = [
    ("EchoI64", "x", "position 0: expected int64_t, received str"),
    ("EchoI64", 1.5, "position 0: expected int64_t, received float64 1.5"),
    ("EchoStr", 5, "position 0: expected std::string, received int 5"),
    ("EchoBool", 1, "position 0: expected bool, received int 1"),
    ("EchoF64", "1.0", "position 0: expected double, received str"),
    ("EchoVec", [1, "a"],
     "position 0: expected std::vector<int64_t>, received array (at [1]: expected int64_t, "
     "received str)"),
    ("EchoMapStr", {1: 2},
     "position 0: expected std::map<std::string, int64_t>, received map (at [key 1]: expected "
     "std::string, received int 1)"),
    ("EchoArray", [1, 2], "position 0: expected std::array<int32_t, 3>, received array of 2"),
    ("EchoTime", "x", "position 0: expected std::chrono::system_clock::time_point, received str"),
]

# Each width's both ends: test_values.py's WIDTHS. Beyond msgpack's integers: refused by
# the driver before sending.
OVERFLOWS = [
    ("EchoU64", 2**64,
     "position 0: expected an integer in [-2**63, 2**64), received int 18446744073709551616"),
    ("EchoI64", -2**64,
     "position 0: expected an integer in [-2**63, 2**64), received int -18446744073709551616"),
]

NONES = [
    ("EchoI64", "position 0: expected int64_t, received nil"),
    ("EchoStr", "position 0: expected std::string, received nil"),
    ("EchoVec", "position 0: expected std::vector<int64_t>, received nil"),
    ("EchoF64", "position 0: expected double, received nil"),
]


@pytest.mark.parametrize("task, value, text", WRONG_TYPES + OVERFLOWS)
def test_wrong_type_or_range(task, value, text):
    with pytest.raises(goray.ArgumentError) as info:
        run(task, value)
    assert str(info.value) == f"{text} (task {task})"
    assert info.value.task == task
    assert info.value.position == 0


@pytest.mark.parametrize("task, text", NONES)
def test_none_for_a_non_optional_parameter(task, text):
    with pytest.raises(goray.ArgumentError) as info:
        run(task, None)
    assert str(info.value) == f"{text} (task {task})"
    assert run("EchoOptional", None) is None  # where None is allowed, it works


RECORD = {"name": "r", "inner": {"x": 1, "tag": "t"}, "color": 2, "score": 0.5,
          "items": [{"x": 2, "tag": ""}]}
WITHOUT_COLOR = {key: value for key, value in RECORD.items() if key != "color"}

STRUCTS = [
    (WITHOUT_COLOR, "map without field .color (testapp::Color, in testapp::Record)"),
    ({**RECORD, "inner": {"x": 1}}, "map without field .inner.tag (std::string, in testapp::Inner)"),
    ({**RECORD, "items": [{"x": 2, "tag": ""}, {"tag": ""}]},
     "map without field .items[1].x (int64_t, in testapp::Inner)"),
    ({**RECORD, "colour": 2}, "map with unknown field .colour (not in testapp::Record)"),
    ({**RECORD, "inner": {"x": 1, "tag": "", "y": 0}},
     "map with unknown field .inner.y (not in testapp::Inner)"),
    ({**RECORD, "name": None}, "map (at .name: expected std::string, received nil)"),
    ({**RECORD, "inner": {"x": "bad", "tag": ""}}, "map (at .inner.x: expected int64_t, received str)"),
]


@pytest.mark.parametrize("value, received", STRUCTS)
def test_a_struct_without_a_field_or_with_another(value, received):
    """A field left out is not its C++ default: refused, naming the field, its struct, the
    task and the argument's position (here 0, then 1)."""
    with pytest.raises(goray.ArgumentError) as info:
        run("EchoRecord", value)
    error = info.value
    assert (error.task, error.position, error.expected, error.received) == \
        ("EchoRecord", 0, "testapp::Record", received)
    assert str(error) == f"position 0: expected testapp::Record, received {received} (task EchoRecord)"
    with pytest.raises(goray.ArgumentError) as info:
        run("ViaPyRecord", "py_echo", value)
    assert (info.value.task, info.value.position, info.value.received) == ("ViaPyRecord", 1, received)


@pytest.mark.parametrize("value, path, struct", [
    ({**RECORD, "items": [{"x": 2, "tag": ""}, {"tag": ""}]}, ".items[1].x", "testapp::Inner"),
    ({**RECORD, "colour": 2}, ".colour", "testapp::Record"),
    ({**RECORD, "name": None}, ".name", ""),  # a type error inside: its path, no struct
    (1, "", ""),                              # the whole argument: neither
])
def test_a_struct_error_carries_the_field_path_and_its_struct(value, path, struct):
    with pytest.raises(goray.ArgumentError) as info:
        run("EchoRecord", value)
    assert (info.value.path, info.value.struct) == (path, struct)


def test_a_struct_may_leave_out_an_optional_field():
    without_score = {key: value for key, value in RECORD.items() if key != "score"}
    assert run("EchoRecord", without_score) == {**RECORD, "score": None}


def test_a_python_result_without_a_field_is_refused_by_its_cpp_caller():
    with pytest.raises(goray.NativeError) as info:
        run("ViaPyRecord", "py_without_color", RECORD)
    assert (info.value.type, info.value.message) == (
        "goray::ResultTypeError",
        "expected testapp::Record, received map without field .color (testapp::Color, in "
        "testapp::Record)")


@pytest.mark.parametrize("args, text", [
    ((), "expected 2 arguments, received 0 (task Add)"),
    ((1,), "expected 2 arguments, received 1 (task Add)"),
    ((1, 2, 3), "expected 2 arguments, received 3 (task Add)"),
])
def test_wrong_arity(args, text):
    with pytest.raises(goray.ArgumentError) as info:
        run("Add", *args)
    assert str(info.value) == text
    assert info.value.position is None


def test_wrong_type_at_the_second_position():
    with pytest.raises(goray.ArgumentError) as info:
        run("Add", 1, "2")
    assert str(info.value) == "position 1: expected int64_t, received str (task Add)"
    assert info.value.position == 1


@pytest.mark.parametrize("name", ["", "add", "Add ", "Ädd", "Add\x00", "x" * 10000])
def test_unknown_task_names(name):
    with pytest.raises(goray.UnknownNameError) as info:
        run(name, 1, 2)
    assert (info.value.kind, info.value.name) == ("task", name)
    assert str(info.value).startswith(f"task '{name}' not found; known tasks: Add, ")


@pytest.mark.parametrize("name", [None, 5, b"Add"])
def test_task_name_of_the_wrong_type(name):
    with pytest.raises(TypeError) as info:
        run(name, 1, 2)
    assert str(info.value) == f"the task name must be a str, got {type(name).__name__}"


def test_keyword_arguments_are_refused_by_a_library_that_names_no_parameters():
    """The test library registers by hand (no goray-gen table naming the parameters);
    ArgumentError is a TypeError, as Python's own refusal of a keyword is."""
    with pytest.raises(TypeError) as info:
        run("Add", a=1, b=2)
    assert isinstance(info.value, goray.ArgumentError)
    assert "keyword argument 'a': the library does not name Add's parameters" in str(info.value)


@pytest.mark.parametrize("value, received", [
    (object(), "object"),
    ("\udcff", "str"),  # a lone surrogate cannot be UTF-8
])
def test_values_msgpack_cannot_carry(value, received):
    with pytest.raises(goray.ArgumentError) as info:
        run("EchoValue", value)
    assert str(info.value) == (f"position 0: expected a msgpack-serializable value, received "
                               f"{received} (task EchoValue)")


def test_a_reply_python_cannot_represent():
    # A tuple key packs as an array key; C++ echoes it, Python cannot hash a list key.
    with pytest.raises(CodecError) as info:
        run("EchoValue", {(1, 2): 3})
    assert str(info.value) == "invalid msgpack: unhashable type: 'list'"


def test_actor_constructor_and_closed_instance():
    with pytest.raises(goray.ArgumentError) as info:
        new_actor("Counter")
    assert str(info.value) == "expected 1 argument, received 0 (task Counter)"
    counter = new_actor("Counter", 1)
    counter.close()
    with pytest.raises(goray.GorayError) as info:
        counter.Incr(1)
    assert str(info.value) == "<goray.LocalActor Counter#0 closed> is closed: cannot call Incr" \
        .replace("#0", f"#{counter_index(info.value)}")
    counter.close()  # a second close is a no-op


def counter_index(error):
    return str(error).split("#", 1)[1].split(" ", 1)[0]
