"""The typed entries (docs/protocol.md §17, docs/guide.md "In-process calls"): goray_add_app
builds _<name>_entries beside <name>.py, whose functions convert Python objects straight
to the C++ parameters and call the library's typed entries. Each check runs in a process
of its own (apps/entries_checks.py, on apps/entries/, built by the tree): values of each
type the entries convert (by position and by keyword), typed and equal to the codec
path's; a generated app's calls (keywords, defaults, generators, enums, structs) with no
codec call; no Python run by the first call (one crossing, to load the library, when none
is loaded) nor by later ones; arrays read and adopted in place; what the conversions do
not take packed, and errors with the codec path's texts; a std::string result that is
not UTF-8, named as the codec path names it; signatures and pickling; local actors; the
GIL released by default (the three properties) and kept where declared; another
application's library, or a goray the module was not built with, refused with the reason;
a crash's report.
And what goray_add_app does without Python's headers. The module's view model is
goray.gen.model_entries'; goray._entries finds it."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest

from conftest import APPS, PYTHON, built, run

CHECKS = ["values", "one_route", "no_python", "first_call_loads", "arrays_in_place", "columns", "keywords", "the_codec_path_answers_the_rest", "not_utf8",
          "signatures_and_pickling", "local_actors", "the_gil", "another_library", "another_goray"]


@pytest.fixture(scope="module")
def entriesapp() -> pathlib.Path:
    """The folder of libentriesapp.so, entriesapp.py and _entriesapp_entries."""
    return built("entriesapp", "entriesapp_entries", "onefile") / "apps"


def run_check(folder: pathlib.Path, check: str) -> subprocess.CompletedProcess:
    return run([PYTHON, str(APPS / "entries_checks.py"), check, str(folder / "libentriesapp.so"),
                str(folder)], timeout=120)


@pytest.mark.parametrize("check", CHECKS)
def test_typed_entries(entriesapp: pathlib.Path, check: str):
    result = run_check(entriesapp, check)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failures"] == [], "\n".join(report["failures"])
    assert report["counters"]["typed"] > 0 or check in ("another_library", "another_goray")


def test_a_crash_in_a_typed_call_reports_the_task_and_function(entriesapp: pathlib.Path):
    # (The tree builds its test applications without line tables: the function, not its line.)
    result = run_check(entriesapp, "crash")
    assert result.returncode != 0
    assert "native crash: SIGSEGV" in result.stderr, result.stderr[-3000:]
    assert "in task Crash," in result.stderr, result.stderr[-3000:]
    first_frame = next(line for line in result.stderr.splitlines() if line.strip().startswith("#0"))
    assert "entries::Tasks::Crash" in first_frame, result.stderr[-3000:]


def test_every_callable_is_typed(entriesapp: pathlib.Path):
    """Every task and method of entriesapp gets a typed entry, generators too (the
    conversions' own coverage: check_values)."""
    source = (entriesapp / "entriesapp_goray" / "entriesapp.entries.goray.cpp").read_text()
    assert "::goray::python::Untyped" not in source
    assert "::goray::python::Method<::goray::Generator<int64_t>, int64_t>" in source
