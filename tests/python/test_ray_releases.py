"""Which Ray goray supports and how it finds out what a Ray offers, without Ray running:
the declared range everywhere it is written, the warning for a newer Ray and the refusal
of an older one, reading Ray's own core worker calls (each form 2.40 to 2.60 took), the
feature table's refusals, and the doctor. scripts/test-ray-versions.sh runs this file
under each Ray of the matrix too: on every release of the range every speed path is
found (test_every_speed_path_is_taken_on_a_tested_release)."""
import json
import pathlib
import re
import subprocess
import sys
import warnings
from types import SimpleNamespace

import pytest
import ray

from goray import GorayError
from goray._ray.compat import internals, ray_source, releases
from goray._ray.submission import submit

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Also run under each Ray of scripts/test-ray-versions.sh.
pytestmark = pytest.mark.ray_versions


# ---------------------------------------------------------------------------
# The range, as declared.

def _requirements(pyproject):
    text = (ROOT / pyproject).read_text()
    return re.findall(r'"(ray[^"]*)"', text.split("dependencies", 1)[1].split("\n", 1)[0])


@pytest.mark.parametrize("pyproject", ["pyproject.toml", "python/pyproject.toml"])
def test_both_pyprojects_declare_the_tested_range(pyproject):
    first, *by_python = _requirements(pyproject)
    assert first == releases.REQUIREMENT == "ray>=2.40.0,<2.61"
    assert tuple(by_python) == releases.PYTHON_REQUIREMENTS == ("ray>=2.58.0; python_version >= '3.14'",)


def test_on_cpython_3_14_the_range_starts_at_2_58():
    assert releases.requirement((3, 13)) == "ray>=2.40.0,<2.61"
    assert releases.requirement((3, 14)) == releases.requirement((3, 15)) == "ray>=2.58.0,<2.61"
    assert releases.tested("2.57.0", (3, 14)) == "older" and releases.tested("2.57.0", (3, 13)) is None
    assert releases.tested("2.58.0", (3, 14)) is None and releases.tested("2.61.0", (3, 14)) == "newer"


def test_the_range_is_the_first_and_last_tested_release_and_the_matrix_spans_it():
    assert releases.REQUIREMENT == f"ray>={releases.FIRST},<2.{int(releases.LAST.split('.')[1]) + 1}"
    assert releases.MATRIX[0] == releases.FIRST
    assert releases.MATRIX[-1].startswith(releases.LAST + ".")
    script = (ROOT / "scripts" / "test-ray-versions.sh").read_text()
    assert f'DEFAULT_RELEASES=({" ".join(releases.MATRIX)})' in script


@pytest.mark.parametrize("version, verdict", [
    ("2.40.0", None), ("2.46.0", None), ("2.60.0", None), ("2.60.7", None),
    ("2.39.0", "older"), ("2.10.0", "older"), ("1.13.1", "older"),
    ("2.61.0", "newer"), ("2.61.0rc1", "newer"), ("3.0.0.dev0", "newer"), ("2.70", "newer"),
])
def test_a_release_is_tested_older_or_newer(version, verdict):
    assert releases.tested(version) == verdict


def test_an_older_ray_is_refused_at_init_naming_what_to_install():
    releases.check_release.cache_clear()
    with pytest.raises(GorayError, match=r"needs Ray 2\.40\.0 or later; this is Ray 2\.10\.0: "
                                         r"pip install 'ray>=2\.40\.0,<2\.61'"):
        releases.check_release("2.10.0")


def test_a_newer_ray_gets_one_warning_and_a_tested_one_none():
    releases.check_release.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        releases.check_release("2.61.0")
        releases.check_release("2.61.0")  # once per process
        releases.check_release("2.60.0")
    assert len(caught) == 1 and caught[0].category is releases.UntestedRayWarning
    text = str(caught[0].message)
    assert re.fullmatch(r"goray-cpp \S+ was tested with Ray 2\.40\.0–2\.60; Ray 2\.61\.0 may work; "
                        r"report problems to .*python -m goray --doctor.*", text)
    releases.check_release.cache_clear()


# ---------------------------------------------------------------------------
# Reading Ray's own calls of its core worker.

class _Worker:
    """Stands in for the names Ray's code uses (never called)."""


def remote_240(self, name, worker, list_args, num_returns, resources, max_retries,
               retry_exceptions, retry_exception_allowlist, scheduling_strategy,
               serialized_runtime_env_info, generator_backpressure_num_objects,
               enable_task_events, labels):
    def invocation():
        return worker.core_worker.submit_task(
            self._language, self._function_descriptor, list_args,
            name if name is not None else "", num_returns, resources, max_retries,
            retry_exceptions, retry_exception_allowlist, scheduling_strategy,
            worker.debugger_breakpoint, serialized_runtime_env_info or "{}",
            generator_backpressure_num_objects, enable_task_events, labels)
    return invocation()


def remote_260(self, name, worker, list_args, num_returns, resources, max_retries,
               retry_exceptions, retry_exception_allowlist, scheduling_strategy,
               serialized_runtime_env_info, generator_backpressure_num_objects,
               num_objects_per_yield, enable_task_events, labels, label_selector,
               fallback_strategy):
    return worker.core_worker.submit_task(
        self._language, self._function_descriptor, list_args,
        name if name is not None else "", num_returns, resources, max_retries,
        retry_exceptions, retry_exception_allowlist, scheduling_strategy,
        worker.debugger_breakpoint, serialized_runtime_env_info or "{}",
        generator_backpressure_num_objects, num_objects_per_yield, enable_task_events,
        labels, label_selector, fallback_strategy)


def remote_unknown(self, worker, list_args, priority):
    return worker.core_worker.submit_task(self._language, self._function_descriptor,
                                          list_args, priority)


def remote_by_keyword(self, worker, list_args):
    return worker.core_worker.submit_task(self._language, args=list_args)


def method_call_250(self, worker, function_descriptor, list_args, name, num_returns,
                    max_task_retries, retry_exceptions, retry_exception_allowlist,
                    concurrency_group_name, generator_backpressure_num_objects,
                    enable_task_events, tensor_transport):
    return worker.core_worker.submit_actor_task(
        self._ray_actor_language, self._ray_actor_id, function_descriptor, list_args, name,
        num_returns, max_task_retries, retry_exceptions, retry_exception_allowlist,
        self._ray_actor_method_cpus,
        concurrency_group_name if concurrency_group_name is not None else b"",
        generator_backpressure_num_objects, enable_task_events, tensor_transport.value)


def test_each_of_rays_submit_task_forms_maps_to_goray_keys_in_rays_order():
    keys_240 = ray_source.argument_keys(ray_source.call_arguments(remote_240, "submit_task"),
                                        internals.TASK_ARGUMENTS)
    assert keys_240 == ("language", "descriptor", "args", "name", "num_returns", "resources",
                        "max_retries", "retry_exceptions", "allowlist", "strategy", "breakpoint",
                        "runtime_env_info", "backpressure", "task_events", "labels")
    keys_260 = ray_source.argument_keys(ray_source.call_arguments(remote_260, "submit_task"),
                                        internals.TASK_ARGUMENTS)
    assert keys_260[12:] == ("backpressure", "per_yield", "task_events", "labels",
                             "label_selector", "fallback_strategy")


def test_an_argument_goray_does_not_know_turns_the_path_off():
    assert ray_source.call_arguments(remote_unknown, "submit_task") is not None
    assert ray_source.argument_keys(ray_source.call_arguments(remote_unknown, "submit_task"),
                                    internals.TASK_ARGUMENTS) is None
    assert ray_source.call_arguments(remote_by_keyword, "submit_task") is None
    assert ray_source.call_arguments(remote_240, "submit_actor_task") is None  # no such call
    assert ray_source.argument_keys(None, internals.TASK_ARGUMENTS) is None


def test_the_enum_form_of_the_tensor_transport_maps_to_its_value_key():
    keys = ray_source.argument_keys(ray_source.call_arguments(method_call_250, "submit_actor_task"),
                                    internals.METHOD_ARGUMENTS)
    assert keys[-2:] == ("task_events", "transport_value")
    assert internals.transport_argument("transport") is None


def test_a_function_without_source_reads_as_no_call():
    assert ray_source.call_arguments(len, "submit_task") is None
    assert ray_source.parameters(len) == () or isinstance(ray_source.parameters(len), tuple)


@pytest.mark.parametrize("transport, none", [
    (None, True), ("OBJECT_STORE", True), (SimpleNamespace(name="OBJECT_STORE"), True),
    ("nccl", False), (SimpleNamespace(name="NCCL"), False)])
def test_a_method_without_tensor_transport_whatever_form_its_default_takes(transport, none):
    assert internals.has_no_transport(SimpleNamespace(_tensor_transport=transport)) is none
    assert internals.has_no_transport(SimpleNamespace())  # before 2.48: no attribute


def test_a_methods_options_are_read_from_either_form_of_rays_wrapper():
    method = object()
    newer = SimpleNamespace(_actor_method=method, _options={"name": "n"})
    assert internals.method_with_options(newer) == (method, {"name": "n"})

    def options(func_cls, options):  # before 2.55: the wrapper's remote closes over both
        class FuncWrapper:
            def remote(self, *args, **kwargs):
                return func_cls, options
        return FuncWrapper()
    older = options(method, {"num_returns": 1})
    parts = internals.method_with_options(older)
    assert parts == (method, {"num_returns": 1}) and parts[1] is not older.remote()[1]
    assert internals.method_with_options(object()) is None


def test_an_actor_method_finds_its_actor_through_each_releases_reference():
    actor = object()
    assert internals.method_actor(SimpleNamespace(_actor=actor)) is actor
    assert internals.method_actor(SimpleNamespace(_actor_hard_ref=actor)) is actor
    assert internals.method_actor(SimpleNamespace(_actor_hard_ref=None, _actor_ref=lambda: actor)) is actor


class _ReplicaByCount:
    """Serve 2.40's replica: a request is rejected when the count reaches the limit."""

    def __init__(self) -> None:
        self._deployment_config = SimpleNamespace(max_ongoing_requests=5)

    def get_num_ongoing_requests(self) -> int:
        return 1

    async def handle_request_with_rejection(self, request_metadata):  # (its test of a request)
        limit = self._deployment_config.max_ongoing_requests
        num_ongoing_requests = self.get_num_ongoing_requests()
        if num_ongoing_requests >= limit:
            return False
        return True


class _ReplicaByCheck:
    """Serve 2.60's replica: _can_accept_request decides."""

    max_ongoing_requests = 5

    def get_num_ongoing_requests(self) -> int:
        return 1

    def _can_accept_request(self, request_metadata) -> bool:
        return True


def test_a_crashed_serve_replica_rejects_requests_on_each_releases_replica(monkeypatch):
    by_count, by_check = _ReplicaByCount(), _ReplicaByCheck()
    for replica in (by_count, by_check):
        monkeypatch.setattr(internals, "_serve_replica_impl", lambda replica=replica: replica)
        assert internals.serve_reject_requests()
        assert replica.get_num_ongoing_requests() == 5  # full: probes and replies say so
    assert by_check._can_accept_request(None) is False
    unknown = SimpleNamespace(get_num_ongoing_requests=lambda: 1)
    monkeypatch.setattr(internals, "_serve_replica_impl", lambda: unknown)
    assert not internals.serve_reject_requests()
    monkeypatch.setattr(internals, "_serve_replica_impl", lambda: None)  # not in a replica
    assert not internals.serve_reject_requests()


# ---------------------------------------------------------------------------
# On this Ray (every test stage's, and each of scripts/test-ray-versions.sh's).

def test_every_speed_path_is_taken_on_a_tested_release():
    if releases.tested(ray.__version__) is not None:
        pytest.skip(f"Ray {ray.__version__} is outside the tested range")
    taken = {path.name: path.found for path in internals.paths()}
    for name in ("task submission", "actor method submission", "reads", "stream reads",
                 "retry detection", "crash reports", "cancels on Ray's IO thread",
                 "Serve replica rejecting requests after a crash"):
        assert taken[name], f"{name}: not found on Ray {ray.__version__}"
    assert submit.enabled()


def test_the_paths_a_release_lacks_are_the_features_it_lacks():
    present = {feature.name: feature.present() for feature in releases.FEATURES}
    assert present["Python callers of C++ tasks told apart by the Ray task name"] == (
        internals.running_task_name() is not None)
    assert present["a stream's consumer waiting without telling the raylet"] == internals.ref_callbacks()


def test_an_option_a_later_ray_takes_is_refused_naming_its_first_release(monkeypatch):
    helpers = internals.submit_helpers()
    assert helpers is not None
    table = {k: v for k, v in helpers.option_utils.task_options.items() if k != "fallback_strategy"}
    monkeypatch.setattr(helpers.option_utils, "task_options", table)
    monkeypatch.setattr(helpers.option_utils, "actor_options",
                        {k: v for k, v in helpers.option_utils.actor_options.items()
                         if k != "fallback_strategy"})
    with pytest.raises(GorayError, match=r"the Ray option 'fallback_strategy' of task f needs "
                                         r"Ray 2\.51\.0 or later; this is Ray "):
        releases.require_options({"num_cpus": 1, "fallback_strategy": []}, "task f")
    releases.require_options({"num_cpus": 1, "name": "x"}, "task f")  # Ray's own check for others


def test_a_missing_feature_is_refused_naming_it_and_its_first_release(monkeypatch):
    feature = releases.Feature("compiled graphs (test)", "DAGNode.experimental_compile", "2.32.0",
                               "refused with GorayError", lambda: False)
    monkeypatch.setattr(releases, "FEATURES", [feature])
    with pytest.raises(GorayError, match=r"compiled graphs \(test\) needs Ray 2\.32\.0 or later "
                                         r"\(DAGNode\.experimental_compile\); this is Ray "):
        releases.require("compiled graphs")


def test_the_doctor_names_goray_ray_python_libc_paths_and_features():
    done = subprocess.run([sys.executable, "-m", "goray", "--doctor"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert re.search(rf"^Ray +{re.escape(ray.__version__)}: ", text, re.M)
    for line in ("goray-cpp ", "Python ", "Internal paths", "task submission", "Features",
                 "compiled graphs"):
        assert line in text
    # The console script where goray is installed (.venv), else python -m goray.
    script = pathlib.Path(sys.executable).parent / "goray"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "goray"]
    facts = json.loads(subprocess.run([*command, "--doctor", "--json"], capture_output=True,
                                      text=True, timeout=120, check=True).stdout)
    assert facts["ray"] == ray.__version__ and facts["libc"].startswith("glibc")
    assert {path["path"] for path in facts["paths"]} == {path.name for path in internals.paths()}
    assert len(facts["features"]) == len(releases.FEATURES)
    bad = subprocess.run([sys.executable, "-m", "goray", "--doctor", "--nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown argument '--nope'" in bad.stderr


def test_without_task_names_python_callers_submit_to_a_function_of_their_own(monkeypatch):
    # Ray 2.40: a body cannot read its Ray task name, so nothing is named for it: Python
    # callers submit through GolangTask.<name>/py, whose body takes every call for theirs.
    from goray._ray.py2native import callees as py2native
    from goray._ray.streaming import generators
    from goray._ray.worker import bodies
    monkeypatch.setattr(bodies, "_TASK_NAME", None)
    assert not bodies.task_names() and bodies._task_name() is None
    assert generators.grouped_options("Streamer.Range", {"max_retries": 1}) == {"max_retries": 1}
    prepared = []
    monkeypatch.setattr(submit, "prepared", lambda base, kind, options: prepared.append((base, options)))
    for values in (False, True):  # golang_task(...).remote, and goray.stream's
        caller = py2native.native_task_for_python("NoNamesProbe", {"num_cpus": 1}, values=values)
        assert not caller._marked  # nothing to mark: the function says who calls
    functions = {id(base) for base, _options in prepared}
    assert len(functions) == 1 and [options for _base, options in prepared] == [{"num_cpus": 1}] * 2
    python_only = prepared[0][0]
    assert python_only is bodies.python_caller_task("NoNamesProbe")
    assert python_only is not bodies.native_task("NoNamesProbe")
    assert python_only._function.__name__ == "GolangTask.NoNamesProbe/py"


def test_the_doctor_on_a_newer_ray_says_it_is_untested_and_what_is_supported(monkeypatch):
    """install.md, "A newer Ray anyway": what `goray --doctor` prints on Ray 2.61."""
    from goray import doctor
    monkeypatch.setattr(ray, "__version__", "2.61.0")
    lines = doctor._lines(doctor.report())
    assert "Ray         2.61.0: newer than tested (may work) (goray-cpp supports ray>=2.40.0,<2.61)" in lines
