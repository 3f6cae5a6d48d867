"""scripts/aarch64-sysroot.sh --extra (docs/install.md, "Cross-compiling an application for
aarch64"): an application's own Debian arm64 packages, with what they depend on, in a
sysroot of their own beside the plain one, whose files it shares; a program cross-built
against it with the toolchain file finds their CMake package and library, and runs under
emulation.

The extra package is this test's own pick: libfmt-dev, a CMake package (fmt-config.cmake)
whose shared library is another package (libfmt9), which --extra must bring in."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from conftest import REPO, SCRIPTS, clean_environment, run, script_output

SCRIPT = SCRIPTS / "aarch64-sysroot.sh"
EXTRA = ("libfmt-dev",)
TOOLCHAIN = REPO / "cmake" / "toolchains" / "aarch64-linux-gnu.cmake"


def listed(*arguments: str) -> List[str]:
    """The .deb files the sysroot of these arguments holds, by --list (which makes nothing)."""
    result = run(["bash", SCRIPT, *arguments, "--list"], env=clean_environment(), cwd=REPO,
                 timeout=900)
    return result.stdout.split()


def test_extra_packages_come_with_what_they_depend_on(sysroot: Path):
    plain = set(listed())
    assert plain == set((sysroot / ".packages").read_text().split())  # what the plain one holds
    extra = set(listed("--extra", *EXTRA))
    assert plain < extra
    added = {name.split("_")[0] for name in extra - plain}
    assert {"libfmt-dev", "libfmt9"} <= added, sorted(added)
    assert all(name.endswith("_arm64.deb") or name.endswith("_all.deb") for name in extra - plain)


@pytest.mark.parametrize("arguments, status, says", [
    (["--extra", "no-such-package-of-goray"], 1,
     "--extra no-such-package-of-goray: Debian bookworm has no arm64 package of that name"),
    (["--extra", "../etc/passwd"], 2, "--extra '../etc/passwd' is not a Debian package name"),
    (["--extra"], 2, "--extra needs one or more package names"),
    (["--extra", "--list"], 2, "--extra needs one or more package names"),
], ids=["unknown package", "not a name", "none", "an option"])
def test_a_bad_extra_is_refused_saying_which(sysroot: Path, arguments, status, says):
    result = run(["bash", SCRIPT, *arguments], env=clean_environment(), cwd=REPO, check=False)
    assert result.returncode == status, result.stderr
    assert says in result.stderr, result.stderr


@pytest.fixture(scope="module")
def fmt_sysroot(sysroot: Path) -> Path:
    return Path(script_output(SCRIPT, "--extra", *EXTRA))


def test_it_is_the_plain_sysroot_and_the_packages(sysroot: Path, fmt_sysroot: Path):
    assert fmt_sysroot != sysroot and fmt_sysroot.parent == sysroot.parent
    assert (fmt_sysroot / "usr" / "include" / "fmt" / "format.h").is_file()
    assert not (sysroot / "usr" / "include" / "fmt").exists()  # the plain one is untouched
    libc = Path("usr", "lib", "aarch64-linux-gnu", "libc.so.6")
    assert os.stat(fmt_sysroot / libc).st_ino == os.stat(sysroot / libc).st_ino  # shared
    assert (fmt_sysroot / ".extra").read_text().split() == list(EXTRA)
    assert Path(script_output(SCRIPT, "--extra", *EXTRA)) == fmt_sysroot  # made once


CMAKE_LISTS = """cmake_minimum_required(VERSION 3.25)
project(fmtcheck LANGUAGES CXX)
find_package(fmt CONFIG REQUIRED)
add_executable(fmtcheck main.cpp)
target_link_libraries(fmtcheck PRIVATE fmt::fmt)
"""
MAIN = """#include <fmt/format.h>
int main() { fmt::print("[{:>6.2f}] on {}\\n", 3.14159, "aarch64"); }
"""


def test_a_program_cross_built_against_it_runs_under_emulation(fmt_sysroot: Path, tmp_path: Path):
    (tmp_path / "CMakeLists.txt").write_text(CMAKE_LISTS)
    (tmp_path / "main.cpp").write_text(MAIN)
    build = tmp_path / "build"
    env = clean_environment()
    run(["cmake", "-S", tmp_path, "-B", build, "-G", "Ninja", f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN}",
         f"-DGORAY_SYSROOT={fmt_sysroot}"], env=env, timeout=900)
    run(["cmake", "--build", build], env=env, timeout=900)
    program = build / "fmtcheck"
    header = run(["llvm-readelf-19", "-h", "-d", program], env=env).stdout
    assert "AArch64" in header and "libfmt.so.9" in header, header
    result = run([program], env=clean_environment(fmt_sysroot), timeout=300)
    assert result.stdout == "[  3.14] on aarch64\n"
