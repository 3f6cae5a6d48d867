"""scripts/run-tests.sh runs the stages named on its command line, or with none named a
tier's stages (tier 1, the landing run CI runs; tier 2 with --all: every stage), in two
lanes taking stages from one queue unless --serial, and refuses a name that is not a stage
before building anything."""

import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run-tests.sh"
STAGES = ["cpp", "python", "ray", "gen", "docs", "examples", "wheel", "ray-oldest", "interop",
          "reliability", "aarch64", "py314"]
LANDING = ["cpp", "python", "ray", "gen", "docs", "examples", "wheel"]


def run_tests(*arguments: str, env_extra=None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("GORAY_TEST_SERIAL", "GORAY_LONG_TESTS", "GORAY_TEST_TIER")}
    return subprocess.run(["bash", str(SCRIPT), *arguments], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60,
                          env={**env, **(env_extra or {})})


def test_no_stage_with_serial_means_the_tiers_stages_in_order():
    for result in (run_tests("--dry-run", "--serial"),
                   run_tests("--dry-run", env_extra={"GORAY_TEST_SERIAL": "1"})):
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == LANDING
        assert "tier 1: the landing run" in result.stderr
    everything = run_tests("--dry-run", "--serial", "--all")
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout.split() == STAGES
    assert "tier 2: every test" in everything.stderr


def test_no_stage_runs_two_lanes_taking_the_tiers_stages_from_one_queue():
    for arguments, stages in ((["--dry-run"], LANDING), (["--dry-run", "--all"], STAGES)):
        result = run_tests(*arguments)
        assert result.returncode == 0, result.stderr
        if os.cpu_count() < 2:
            assert result.stdout.split() == stages
            continue
        prefix = "two lanes, each taking the next of: "
        assert result.stdout.startswith(prefix), result.stdout
        queue = result.stdout.removeprefix(prefix).split()
        assert sorted(queue) == sorted(stages)
        assert queue[0] == "ray"  # the longest first, on any machine measured so far
    script = SCRIPT.read_text()
    # examples and interop both run ninja in build/: never side by side.
    assert 'APART=("examples interop")' in script
    # py314 installs the wheel stage's cp314 wheel: it waits for that stage to end.
    assert 'AFTER=("py314 wheel")' in script


def test_the_tier_reaches_the_stages_as_gorays_test_tier():
    script = SCRIPT.read_text()
    assert 'export GORAY_TEST_TIER="$tier" GORAY_LONG_TESTS="$long_runs"' in script
    named = run_tests("-n", "--all", "ray", "wheel")
    assert named.returncode == 0 and named.stdout.split() == ["ray", "wheel"]
    assert "tier 2: every test" in named.stderr


def test_named_stages_run_in_the_order_given():
    result = run_tests("-n", "gen", "cpp", "python")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["gen", "cpp", "python"]


def test_an_unknown_stage_is_a_usage_error_before_any_set_up():
    result = run_tests("cpp", "generator")
    assert result.returncode == 2
    assert "unknown stage 'generator'" in result.stderr
    assert "stages: " + " ".join(STAGES) in result.stderr
    assert "set-up" not in result.stderr and result.stdout == ""


def test_help_lists_the_stages():
    result = run_tests("--help")
    assert result.returncode == 0
    assert "stages: " + " ".join(STAGES) in result.stdout


def test_every_stage_has_a_function_and_a_row_in_the_docs():
    script = SCRIPT.read_text()
    assert re.findall(r"^stage_([\w-]+)\(\)", script, re.MULTILINE) == STAGES
    table = (ROOT / "docs" / "testing.md").read_text()
    assert re.findall(r"^\| `([\w-]+)` \|", table, re.MULTILINE) == STAGES


def test_ci_runs_the_landing_tier():
    """CI calls the README's test command with no stage arguments: tier 1's stages run."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^bash scripts/run-tests\.sh(\s*$|\s*\|\|)", ci, re.MULTILINE), ci


def test_the_scanner_tests_run_in_gen_not_in_cpp():
    """cpp runs ctest -LE scanner and gen the scanner's test binary: the label must be on
    every scanner test."""
    cmake = (ROOT / "tests" / "scanner" / "CMakeLists.txt").read_text()
    assert re.search(r"gtest_discover_tests\(goray_scanner_test[^)]*LABELS scanner", cmake)
    script = SCRIPT.read_text()
    # cpp runs the runtime's binary once, shuffled, then the ctest checks of the binary.
    assert '"$ROOT/build/tests/cpp/goray_runtime_test" --gtest_brief=1 --gtest_shuffle' in script
    assert "ctest_in_build -L cpp_checks" in script
    assert "gtest_repeat" not in script
    assert "build/tests/scanner/goray_scanner_test" in script


def test_a_full_run_warns_at_its_start_when_the_disk_is_short():
    """A full disk shows as itself before any build, not as a compiler's I/O error."""
    short = run_tests("--dry-run", env_extra={"GORAY_TEST_NEEDED_GB": "1000000"})
    assert short.returncode == 0, short.stderr
    assert f"GB free under {ROOT}; a full test run needs about 1000000 GB" in short.stderr
    roomy = run_tests("--dry-run", env_extra={"GORAY_TEST_NEEDED_GB": "0"})
    assert "GB free" not in roomy.stderr
    named = run_tests("-n", "cpp", env_extra={"GORAY_TEST_NEEDED_GB": "1000000"})
    assert "GB free" not in named.stderr  # a stage or two needs far less


def test_long_runs_are_left_out_unless_asked_for():
    # (the stages' conftests read GORAY_LONG_TESTS: test_long_runs.py)
    left_out = run_tests("-n", "cpp")
    assert left_out.returncode == 0 and "long runs: left out (--long runs them)" in left_out.stderr
    included = run_tests("-n", "--long", "ray", "cpp")
    assert included.returncode == 0 and "long runs: included" in included.stderr
    assert included.stdout.split() == ["ray", "cpp"]
    script = SCRIPT.read_text()
    assert 'GORAY_LONG_TESTS="$long_runs"' in script


def test_gorays_long_tests_variable_asks_for_the_long_runs_as_long_does():
    for value, said in (("1", "long runs: included"), ("0", "long runs: left out"),
                        ("", "long runs: left out")):
        result = run_tests("-n", "cpp", env_extra={"GORAY_LONG_TESTS": value})
        assert result.returncode == 0 and said in result.stderr, (value, result.stderr)
