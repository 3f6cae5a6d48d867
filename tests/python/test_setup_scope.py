"""The README's first command builds only what the examples need (issue 39 §6).

scripts/run-example.sh runs `setup.sh --examples`, which builds the CMake target
goray_examples (examples/CMakeLists.txt) instead of the whole tree; run-tests.sh's setup.sh
builds everything. Every library the examples script runs must be a dependency of that
target, or the first command would fail on a fresh clone (and pass where the tree was
built before)."""
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def _examples_target_dependencies() -> set:
    text = (ROOT / "examples" / "CMakeLists.txt").read_text()
    assert "add_custom_target(goray_examples)" in text
    found = set()
    for listed in re.findall(r"add_dependencies\(goray_examples ([^)]*)\)", text):
        found.update(listed.split())
    return found


def _example_targets() -> dict:
    """{example folder: the library target its CMakeLists.txt makes}."""
    targets = {}
    for cmake in sorted((ROOT / "examples").glob("*/CMakeLists.txt")):
        made = re.search(r"^(?:goray_add_app|add_library)\((\w+)", cmake.read_text(), re.MULTILINE)
        if made:
            targets[cmake.parent.name] = made.group(1)
    return targets


def test_the_examples_script_builds_only_the_examples_target():
    script = (SCRIPTS / "run-example.sh").read_text()
    assert re.search(r'^bash "\$ROOT/scripts/setup\.sh" --examples$', script, re.MULTILINE)
    setup = (SCRIPTS / "setup.sh").read_text()
    assert '--target goray_examples' in setup
    # The tests' scripts build the whole tree (`all`; tier 2 and bench.sh the benchmarks too).
    for name in ("run-tests.sh", "bench.sh", "soak.sh"):
        assert re.search(r'(^|\s)bash "\$ROOT/scripts/setup\.sh"\s*(;.*|#.*)?$',
                         (SCRIPTS / name).read_text(), re.MULTILINE), name
    assert '--target all goray_bench' in setup and '"${GORAY_TEST_TIER:-1}" = 2' in setup
    assert '--target all goray_bench' in (SCRIPTS / "bench.sh").read_text()


def test_every_library_the_examples_script_runs_is_built_by_the_examples_target():
    dependencies = _examples_target_dependencies()
    targets = _example_targets()
    script = (SCRIPTS / "run-example.sh").read_text()
    libraries = re.findall(r'"\$BUILD/(\w+)/lib(\w+)\.so"', script)
    assert len(libraries) >= 7, libraries
    for folder, library in libraries:
        assert targets.get(folder) == library, (folder, library, targets)
        assert library in dependencies, f"{library} (examples/{folder}) is not in goray_examples"
    # And what `cmake --install --component goray` into .venv copies, and the fast path.
    assert {"goray_runtime_package", "goray-scan", "goray_fastpath"} <= dependencies


def test_every_example_library_is_in_the_examples_target():
    assert set(_example_targets().values()) <= _examples_target_dependencies()


def test_an_unknown_setup_argument_is_a_usage_error_before_any_set_up():
    result = subprocess.run(["bash", str(SCRIPTS / "setup.sh"), "--everything"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "usage: bash scripts/setup.sh [--examples]" in result.stderr
    assert "set-up" not in result.stderr
