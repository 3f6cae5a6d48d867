"""In-process calls on CPython 3.14, in a user's application built against the cp314
wheel by forky's g++ (tests/aarch64/userapp, the aarch64 stage's application, built
natively here): calls both ways, keywords and C++ defaults, NumPy arrays read in place
and handed back without a copy, errors both ways, and a native crash's report."""
from __future__ import annotations

import json
import re
import signal

from conftest import PYTHON, REPO, library, run

USERAPP = REPO / "tests" / "aarch64" / "userapp"


def test_calls_both_ways_arrays_without_copies_and_errors(project):
    output = run([PYTHON, USERAPP / "check.py", library(project, "armapp")]).stdout
    results = json.loads(output.strip().splitlines()[-1])
    assert results["machine"] == "x86_64" and results["fastpath"] is True
    assert results["positional"] == "ab--"
    assert results["keyword"] == "ab****"
    assert results["keyword_only_skipping_a_default"] == "ab++++"
    assert results["cpp_to_python"] == ["ARM!", 1.0]
    assert results["view_in_place"] is True
    assert results["result_adopted"] is True
    assert results["scaled"] == [[0.0, 0.5, 1.0, 1.5], [2.0, 2.5, 3.0, 3.5], [4.0, 4.5, 5.0, 5.5]]
    assert results["python_error_in_cpp"] == "ValueError: cannot handle 'x'"
    assert results["cpp_error"] == "std::domain_error: divide by zero (task Divide)"
    assert "unknown keyword argument 'widht'" in results["bad_keyword"]


def test_a_native_crash_is_reported_with_its_frames_and_source_line(project):
    result = run([PYTHON, USERAPP / "check.py", library(project, "armapp"), "crash"], check=False)
    assert result.returncode == -signal.SIGSEGV, result.stderr
    stderr = result.stderr
    assert "goray: native crash: SIGSEGV (" in stderr, stderr
    assert "in task Crash" in stderr and re.search(r"pid \d+, thread \d+", stderr), stderr
    frames = [line for line in stderr.splitlines() if line.startswith("  #")]
    line = next(number for number, text in
                enumerate((USERAPP / "app.cpp").read_text().splitlines(), start=1)
                if text.rstrip().endswith("// crash line: segv"))
    assert frames and "Segfault" in frames[0] and f"app.cpp:{line}" in frames[0], stderr
