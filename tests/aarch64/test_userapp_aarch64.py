"""A user's application, cross-built against the aarch64 wheel's CMake package with its
toolchain file (docs/install.md, "Cross-compiling for aarch64"), runs in-process under
emulation: goray-gen (the aarch64 venv's Python and goray-scan, run through the
toolchain's emulator) generates its code, clang-19 compiles it for aarch64, and the aarch64
Python loads it.

- tests/aarch64/userapp: its IDL (from the emulated scanner) is the x86-64 scanner's; calls both ways, a keyword argument and a skipped C++ default,
  NumPy arrays read in place and handed back without a copy, errors both ways, and a
  native crash's report (signal, task, frames, file:line).
- examples/inprocess, an example not written for these tests (hand-registered: it links the
  package's goray::runtime): its output under emulation is the x86-64 build's (a long
  run: a second cross build)."""
from __future__ import annotations

import json
import re
import shutil
import signal
from pathlib import Path

import pytest

from conftest import REPO, ArmVenv, clean_environment, run

USERAPP = Path(__file__).resolve().parent / "userapp"


def cross_build(venv: ArmVenv, source: Path, build: Path) -> None:
    """The commands docs/install.md gives for a cross build: configure with the wheel's
    toolchain file and CMake package, then build."""
    cmake_dir = Path(venv.run([venv.python, "-m", "goray", "--cmake-dir"]).stdout.strip())
    toolchain = cmake_dir / "toolchains" / "aarch64-linux-gnu.cmake"
    assert toolchain.is_file(), f"the wheel has no {toolchain}"
    env = clean_environment()
    run(["cmake", "-S", source, "-B", build, "-G", "Ninja", f"-DCMAKE_TOOLCHAIN_FILE={toolchain}",
         f"-DGORAY_SYSROOT={venv.sysroot}", f"-Dgoray_DIR={cmake_dir}"], env=env, timeout=1800)
    run(["cmake", "--build", build], env=env, timeout=1800)


def library(build: Path, name: str) -> Path:
    path = build / f"lib{name}.so"
    machine = run(["llvm-readelf-19", "-h", path], env=clean_environment()).stdout
    assert "AArch64" in machine, machine
    return path


@pytest.fixture(scope="module")
def armapp(arm_venv: ArmVenv, tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("armapp-build")
    cross_build(arm_venv, USERAPP, build)
    return library(build, "armapp")


def test_in_process_calls_both_ways_arrays_keywords_and_errors(arm_venv: ArmVenv, armapp: Path):
    output = arm_venv.run([arm_venv.python, USERAPP / "check.py", armapp]).stdout
    results = json.loads(output.strip().splitlines()[-1])
    assert results["machine"] == "aarch64"
    assert results["fastpath"] is True
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
    assert "Label(name, width=6, fill=" in results["bad_keyword"]


def test_its_idl_from_the_emulated_scanner_is_the_x86_64_scanners(armapp: Path, tmp_path: Path):
    """The IDL goray-gen wrote in the cross build (the wheel's aarch64 goray-scan, run under
    emulation) is byte for byte what this tree's x86-64 scanner writes of the same source
    (test_scan_aarch64.py compares the examples' and the tests' applications' IDL)."""
    arm = armapp.parent / "armapp_goray" / "armapp.idl.json"
    assert arm.is_file(), f"the cross build wrote no {arm}"
    scanner = REPO / "build" / "bin" / "goray-scan"
    if not scanner.is_file():
        pytest.fail(f"{scanner} is not built (scripts/setup.sh builds it)", pytrace=False)
    x86 = tmp_path / "armapp.x86.idl.json"
    run([scanner, USERAPP / "app.cpp", "-o", x86, "--root", USERAPP], env=clean_environment())
    assert arm.read_bytes() == x86.read_bytes(), f"compare {arm} with {x86}"
    assert len(json.loads(arm.read_text())["tasks"]) >= 5


def test_a_native_crash_is_reported_with_its_frames_and_source_line(arm_venv: ArmVenv,
                                                                     armapp: Path):
    result = arm_venv.run([arm_venv.python, USERAPP / "check.py", armapp, "crash"], check=False)
    assert result.returncode == -signal.SIGSEGV, result.stderr
    stderr = result.stderr
    assert "goray: native crash: SIGSEGV (" in stderr, stderr
    assert "in task Crash" in stderr and re.search(r"pid \d+, thread \d+", stderr), stderr
    frames = [line for line in stderr.splitlines() if line.startswith("  #")]
    line = next(number for number, text in
                enumerate((USERAPP / "app.cpp").read_text().splitlines(), start=1)
                if text.rstrip().endswith("// crash line: segv"))
    assert frames and "Segfault" in frames[0] and f"app.cpp:{line}" in frames[0], stderr
    assert any("Crash" in frame for frame in frames[1:]), stderr


@pytest.mark.long
def test_an_example_built_by_a_user_runs_as_on_x86_64(arm_venv: ArmVenv, tmp_path: Path):
    """examples/inprocess, cross-built against the wheel's CMake package: the same output
    as this tree's x86-64 build of it."""
    project = tmp_path / "inprocess"
    project.mkdir()
    for name in ("app.cpp", "main.py"):
        shutil.copy(REPO / "examples" / "inprocess" / name, project / name)
    # Hand-registered (its own msgpack adaptors and registry calls: no goray-gen), so linked
    # as the in-tree goray_link_runtime links it: the package's runtime, only the C ABI exported.
    (project / "CMakeLists.txt").write_text("""cmake_minimum_required(VERSION 3.25)
project(inprocess LANGUAGES CXX)
find_package(goray CONFIG REQUIRED)
add_library(inprocess SHARED app.cpp)
target_link_libraries(inprocess PRIVATE goray::runtime)
set_target_properties(inprocess PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
target_link_options(inprocess PRIVATE "LINKER:--version-script=${GORAY_EXPORTS_MAP}"
  "LINKER:-u,Execute" "LINKER:-u,FreeMemory" "LINKER:-u,RegisterCallback" "LINKER:-u,GorayProtocolVersion")
""")
    cross_build(arm_venv, project, project / "build")
    arm = arm_venv.run([arm_venv.python, project / "main.py",
                        library(project / "build", "inprocess")]).stdout
    x86_library = REPO / "build" / "examples" / "inprocess" / "libinprocess.so"
    if not x86_library.is_file():
        pytest.fail(f"{x86_library} is not built (scripts/setup.sh builds it)", pytrace=False)
    x86 = run([REPO / ".venv" / "bin" / "python", project / "main.py", x86_library],
              env=clean_environment()).stdout
    assert arm == x86
    assert "Counter after +5    = 15" in arm
