"""bench/local_peer.py (`bash scripts/bench.sh local`: goray's in-process calls against
nanobind on the same C++ functions, issue 60) runs end to end over the tree's build of
bench/local_peer/ with a few calls a round: every call typed, the last line naming every
figure (and its CPU-time twin). In a child process: it loads its own library and imports NumPy and the modules."""
import pathlib
import subprocess
import sys

import pytest

# Tier 2 (bash scripts/run-tests.sh --all): the benchmarks' targets, which the tier-2 build
# adds (goray_bench)
pytestmark = pytest.mark.tier2

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "local_peer.py"
BUILT = ROOT / "build" / "bench" / "local_peer"
FIGURES = ["doubles_short", "doubles_default", "method_short", "method_default", "string_short",
           "string_default", "struct_short", "struct_default", "array_short", "array_default",
           "stub_vs_run_task", "run_task_vs_nanobind", "keywords_vs_positional"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120)


def test_it_runs_and_prints_every_figure():
    if not list(BUILT.glob("local_peer_nanobind*.so")):
        pytest.fail(f"{BUILT} has no nanobind peer: build it with\n"
                    f"  cmake --build {ROOT}/build --target bench_local_peer bench_local_peer_entries "
                    "local_peer_nanobind", pytrace=False)
    result = _run(str(BUILT), "--calls", "200", "--rounds", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert "0 through the codec path" in result.stdout, result.stdout
    for line, start in ((lines[-1], "local-peer: "), (lines[-2], "local-peer cpu: ")):
        assert line.startswith(start), line
        pairs = [pair.split("=") for pair in line[len(start):].split()]
        assert [name for name, _ in pairs] == FIGURES
        assert all(float(value) > 0 for _, value in pairs), line
    for title in ("three doubles -> double", "a local actor's method taking a double",
                  "a std::string parameter (100 bytes)", "a user struct parameter of 4 fields",
                  "an ArrayView<double> sum over 1,000 elements"):
        assert any(line.strip().startswith(title) for line in lines), (title, result.stdout)


def test_a_folder_without_the_application_is_named(tmp_path):
    result = _run(str(tmp_path), "--calls", "1")
    assert result.returncode != 0
    assert f"{tmp_path}/libbench_local_peer.so" in result.stderr, result.stderr
    assert "bash scripts/bench.sh local" in result.stderr, result.stderr
