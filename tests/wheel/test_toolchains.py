"""The user's toolchain (docs/cmake.md, "Compilers and flags"): an application built
against the wheel's CMake package with AddressSanitizer (g++ and clang++) and with
-D_GLIBCXX_USE_CXX11_ABI=0 (which builds the runtime from its shipped sources), and run
with `goray` on a loopback Ray; and the refusals of that flag with the prebuilt runtime.
Plain g++ and clang++ builds of the README's application: test_pythons.py, per Python.

Each run starts a local Ray (~10 s), and the runtime's from-source build compiles ~27
files: every test builds its own small project once and runs `goray` once (the ASan test
twice per compiler, the first run failing before Ray starts).

For development without a wheel, GORAY_TOOLCHAIN_TEST_PREFIX=<cmake --install prefix>
uses that installed package with the checkout's .venv (its goray and goray-gen) instead."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import DEV_VENV_BIN, WheelVenv, clean_environment, run

# Tier 2 (bash scripts/run-tests.sh --all): the runtime built from source with another string ABI, and ASan builds
pytestmark = pytest.mark.tier2

# One application for every test. Greet passes std::string through the runtime (what the
# string ABI changes); Asan says whether AddressSanitizer watches the worker it runs in;
# the driver's "overflow" argument writes past a heap block in the goray process itself,
# then has the task Fill do so in a worker.
APP_CPP = r"""// app.cpp
#include <goray/goray.h>

#include <cstdio>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define APP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define APP_ASAN 1
#endif
#endif
#if defined(APP_ASAN)
#include <sanitizer/asan_interface.h>
#endif

struct GORAY_TASKS Tasks {
  double Square(double x) { return x * x; }
  std::string Greet(std::string name) { return "hello " + name; }
  // ASan poisons the bytes after a heap block: only true where its runtime is active.
  bool Asan() {
#if defined(APP_ASAN)
    char* block = new char[8];
    bool poisoned = __asan_address_is_poisoned(block + 8) != 0;
    delete[] block;
    return poisoned;
#else
    return false;
#endif
  }
  // Writes n bytes into an 8-byte block: n = 9 is a heap-buffer-overflow, in a worker.
  int64_t Fill(int64_t n) {
    char* block = new char[8];
    volatile char* bytes = block;
    for (int64_t i = 0; i < n; ++i) bytes[i] = 1;
    delete[] block;
    return n;
  }
};

GORAY_DRIVER int Driver(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "overflow") {
    char* block = new char[8];
    volatile char* past = block;
    past[8] = 1;  // a deliberate heap-buffer-overflow, for ASan to report
    delete[] block;
    std::printf("filled: %lld\n",
                static_cast<long long>(goray::Get<int64_t>(goray::RemoteCall("Fill", int64_t{9}))));
  }
  double sq = goray::Get<double>(goray::RemoteCall("Square", 2.0));
  std::string greeting = goray::Get<std::string>(goray::RemoteCall("Greet", std::string("ray")));
  bool asan = goray::Get<bool>(goray::RemoteCall("Asan"));
  std::printf("result: %g %s asan=%d\n", sq, greeting.c_str(), asan ? 1 : 0);
  std::fflush(stdout);
  return 0;
}
"""

CMAKELISTS = """cmake_minimum_required(VERSION 3.25)
project(rayapp LANGUAGES CXX)
find_package(goray CONFIG REQUIRED)
goray_add_app(rayapp SOURCES app.cpp)
"""

RESULT = "result: 4 hello ray"


@dataclass
class Tools:
    """What a user has: an environment, goray's CMake package and the goray command."""
    env: Dict[str, str]
    cmake_dir: Path
    goray: Path
    python: Path


@pytest.fixture(scope="module")
def tools(request: pytest.FixtureRequest) -> Tools:
    prefix = os.environ.get("GORAY_TOOLCHAIN_TEST_PREFIX")
    if prefix:
        env = clean_environment(first_on_path=DEV_VENV_BIN)
        return Tools(env=env, cmake_dir=Path(prefix) / "lib" / "cmake" / "goray",
                     goray=DEV_VENV_BIN / "goray", python=DEV_VENV_BIN / "python")
    venv: WheelVenv = request.getfixturevalue("wheel_venv")
    cmake_dir = Path(venv.run([venv.python, "-m", "goray", "--cmake-dir"]).stdout.strip())
    return Tools(env=venv.env, cmake_dir=cmake_dir, goray=venv.bin("goray"),
                 python=venv.python)


def write_project(project: Path, cmake_extra: str = "") -> Path:
    project.mkdir(parents=True)
    (project / "app.cpp").write_text(APP_CPP)
    (project / "CMakeLists.txt").write_text(CMAKELISTS + cmake_extra)
    return project


def configure(tools: Tools, project: Path, *options: str, check: bool = True,
              env: Dict[str, str] = None) -> subprocess.CompletedProcess:
    return run(["cmake", "-S", ".", "-B", "build", "-G", "Ninja",
                f"-Dgoray_DIR={tools.cmake_dir}", f"-DGORAY_PYTHON={tools.python}", *options],
               env=env or tools.env, cwd=project, check=check)


def build(tools: Tools, project: Path, check: bool = True,
          prefix: List[str] = ()) -> subprocess.CompletedProcess:
    return run([*prefix, "cmake", "--build", "build"], env=tools.env, cwd=project, check=check)


def run_app(tools: Tools, project: Path, *args: str, check: bool = True,
            **env: str) -> subprocess.CompletedProcess:
    command = [tools.goray, "build/librayapp.so"] + (["--", *args] if args else [])
    return run(command, env=dict(tools.env, **env), cwd=project, timeout=600, check=check)


def hide_third_party_headers(tools: Tools) -> List[str]:
    """A command prefix hiding Debian's msgpack-c and nlohmann/json headers (the runtime's
    sources must find those the package ships), or [] where mounts are not permitted or
    a development package does not bundle them."""
    bundled = tools.cmake_dir.parents[2] / "share" / "goray" / "runtime" / "include"
    if not os.environ.get("GORAY_TOOLCHAIN_TEST_PREFIX"):
        # The wheel's package is built with GORAY_BUNDLE_MSGPACK: it must hold both.
        assert (bundled / "nlohmann" / "json.hpp").is_file(), f"no nlohmann/json in {bundled}"
    if not (bundled / "nlohmann").is_dir() or not shutil.which("unshare"):
        return []
    script = ("set -e; for d in /usr/include/nlohmann /usr/include/msgpack; do "
              "if [ -d $d ]; then mount -t tmpfs none $d; fi; done; "
              "if [ -f /usr/include/msgpack.hpp ]; then mount --bind /dev/null /usr/include/msgpack.hpp; fi; "
              'exec "$@"')
    prefix = ["unshare", "-m", "--propagation", "private", "bash", "-c", script, "bash"]
    probe = subprocess.run(prefix + ["true"], capture_output=True)
    return prefix if probe.returncode == 0 else []


# ---- AddressSanitizer ------------------------------------------------------------------

ASAN_RUNTIMES = {"g++": "libasan.so", "clang++": "libclang_rt.asan-x86_64.so"}


# clang++'s is a long run (tests/tiers.py): g++'s, the default compiler's, is in CI.
@pytest.mark.parametrize("compiler", ["g++", pytest.param("clang++", marks=pytest.mark.long)])
def test_address_sanitizer_end_to_end(tools: Tools, tmp_path: Path, compiler: str):
    # -fsanitize=address: the prebuilt (uninstrumented) runtime fits; the app's library
    # needs ASan's runtime, and Python, not built with ASan, must load it first: LD_PRELOAD.
    path = shutil.which(compiler) or shutil.which(f"{compiler}-19")
    if not path:
        pytest.skip(f"no {compiler}")
    project = write_project(tmp_path / "asan")
    options = [f"-DCMAKE_CXX_COMPILER={path}",
               "-DCMAKE_CXX_FLAGS=-fsanitize=address -fsanitize-recover=address "
               "-fno-omit-frame-pointer"]
    if compiler == "clang++":
        # clang links ASan's runtime into executables only; --no-undefined needs it here.
        options.append("-DCMAKE_SHARED_LINKER_FLAGS=-shared-libsan")
    configure(tools, project, *options)
    build(tools, project)
    runtime = ASAN_RUNTIMES[compiler]
    needed = run(["readelf", "-d", "build/librayapp.so"], env=tools.env, cwd=project).stdout
    assert runtime in needed, needed

    # Without the preload, the library does not load (before Ray starts): ASan says why
    # (g++), or clang's runtime, outside the loader's path, is not found.
    refused = run_app(tools, project, check=False, ASAN_OPTIONS="detect_leaks=0")
    assert refused.returncode != 0
    why = {"g++": "ASan runtime does not come first",
           "clang++": f"{runtime}: cannot open shared object file"}[compiler]
    assert why in refused.stderr, refused.stderr[-3000:]

    # With it (inherited by the Ray processes goray starts, so the workers load it too),
    # both deliberate overflows are reported: the driver's in the goray process, Fill's in
    # a worker. Each process writes its reports to its own file (log_path): Ray forwards a
    # worker's stderr to the driver's console, but not reliably when the driver exits right
    # after, as this one does. halt_on_error=0, with -fsanitize-recover, lets the run go on
    # to its end and shut Ray down.
    preload = run([path, f"-print-file-name={runtime}"], env=tools.env).stdout.strip()
    logs = tmp_path / "asan-logs"
    logs.mkdir()
    result = run_app(tools, project, "overflow", LD_PRELOAD=preload,
                     ASAN_OPTIONS=f"detect_leaks=0:halt_on_error=0:log_path={logs}/asan")
    reports = {log.name: log.read_text(errors="replace") for log in logs.glob("asan.*")}
    print(f"\n{compiler}: ASan reports {sorted(reports)}")
    overflows = [text for text in reports.values()
                 if "ERROR: AddressSanitizer: heap-buffer-overflow" in text]
    shown = "\n".join(reports.values())[-3000:] or result.stderr[-3000:]
    assert any(re.search(r"#\d+ .* in Driver\b", text) for text in overflows), shown
    assert any(re.search(r"#\d+ .* in Tasks::Fill\b", text) for text in overflows), shown
    assert "filled: 9" in result.stdout, (result.stdout, result.stderr[-3000:])
    # The tasks ran on Ray workers under ASan (Asan() found the poisoned byte there).
    assert f"{RESULT} asan=1" in result.stdout, (result.stdout, result.stderr[-3000:])


# ---- The string ABI ------------------------------------------------------------------

def test_old_string_abi_builds_the_runtime_from_source_and_runs(tools: Tools, tmp_path: Path):
    project = write_project(tmp_path / "abi0")
    # -O0 (a build type without goray_add_app's default -O2, and no -g): the string ABI is
    # the same, and the whole test took 151 s instead of 257 s at -O2 (2 loaded cores).
    configured = configure(tools, project, "-DCMAKE_CXX_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=0",
                           "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0")
    assert re.search(r"rayapp links the goray runtime built from source, because .*"
                     r"_GLIBCXX_USE_CXX11_ABI", configured.stdout), configured.stdout
    # Where mounts are permitted, with Debian's msgpack-c and nlohmann/json hidden: the
    # package's own copies must do.
    build(tools, project, prefix=hide_third_party_headers(tools))
    symbols = run(["nm", "-C", "build/librayapp.so"], env=tools.env, cwd=project).stdout
    assert "std::__cxx11::" not in symbols, "the library still uses the C++11 string ABI"
    result = run_app(tools, project)
    assert f"{RESULT} asan=0" in result.stdout, (result.stdout, result.stderr[-3000:])


def test_old_string_abi_is_refused_with_the_prebuilt_runtime(tools: Tools, tmp_path: Path):
    # Configuring with GORAY_RUNTIME_FROM_SOURCE=OFF refuses at once, saying why.
    project = write_project(tmp_path / "off")
    refused = configure(tools, project, "-DCMAKE_CXX_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=0",
                        "-DGORAY_RUNTIME_FROM_SOURCE=OFF", check=False)
    assert refused.returncode != 0
    assert "cannot link goray's prebuilt runtime" in refused.stderr, refused.stderr[-3000:]
    # A definition added to the target after goray_add_app escapes the configure-time
    # check; the header goray.h includes first stops the build with one sentence.
    project = write_project(tmp_path / "net", "target_compile_definitions(rayapp PRIVATE "
                                              "_GLIBCXX_USE_CXX11_ABI=0)\n")
    configured = configure(tools, project)
    assert "built from source" not in configured.stdout, configured.stdout
    failed = build(tools, project, check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "_GLIBCXX_USE_CXX11_ABI differs from that of goray's prebuilt runtime" in output, \
        output[-3000:]
    assert "configure with -DGORAY_RUNTIME_FROM_SOURCE=ON" in output, output[-3000:]
