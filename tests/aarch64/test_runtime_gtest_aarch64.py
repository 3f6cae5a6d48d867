"""The runtime's GoogleTest binary (tests/cpp), cross-compiled for aarch64 with the tree's
toolchain file into build-aarch64/, passes under emulation: every test file in a child
process of its own, as `goray_runtime_test` runs when started by hand. A long run: the
cross build of the test tree and the emulated run take minutes (the same sources pass
natively in the cpp stage; CI's aarch64 part runs the runtime in-process, through the
wheel's static library, in test_userapp_aarch64.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, clean_environment, run

TREE = REPO / "build-aarch64"
TOOLCHAIN = REPO / "cmake" / "toolchains" / "aarch64-linux-gnu.cmake"
# build/'s optimisation (scripts/lib.sh TREE_OPTIMISATION); the tests' own code at -O0.
OPTIMISATION = "-O2 -g1 -DNDEBUG"
# Left out under emulation: they read the kernel's "hg" flag (MADV_HUGEPAGE) in
# /proc/self/smaps, and qemu-user (7.2) answers a guest's madvise with success without
# passing the advice on, so the flag is never set (the stage's cpp run checks them).
NOT_UNDER_QEMU = ("BigBlock.LargeArrayStorageIsAdvisedAndAligned",
                  "BigBlock.CopiedBlockIsAdvisedAndByteIdentical",
                  "BigBlock.LargeArrayDecodedFromBytesIsAdvised",
                  "BigBlock.BufferGrowsPastTheThresholdAdvisedAndReleasesFreeableMemory")


def configure(sysroot: Path) -> None:
    """Once, and again when the arguments change."""
    arguments = [
        "-G", "Ninja", f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN}", f"-DGORAY_SYSROOT={sysroot}",
        "-DCMAKE_BUILD_TYPE=RelWithDebInfo", f"-DCMAKE_CXX_FLAGS_RELWITHDEBINFO={OPTIMISATION}",
        f"-DCMAKE_C_FLAGS_RELWITHDEBINFO={OPTIMISATION}",
        "-DGORAY_BUILD_SCANNER=OFF", "-DGORAY_BUILD_EXAMPLES=OFF", "-DGORAY_BUILD_BENCH=OFF",
        "-DGORAY_BUILD_FASTPATH=OFF", f"-DPython3_EXECUTABLE={REPO / '.venv' / 'bin' / 'python'}",
        # The applications of tests/apps (not built here) would be scanned by build/'s.
        f"-DGORAY_SCAN={REPO / 'build' / 'bin' / 'goray-scan'}",
        # Listing the tests runs the aarch64 binary: at ctest's time, not at every build.
        "-DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST"]
    stamp = TREE / "goray-configure-arguments"
    wanted = "\n".join(arguments)
    if (TREE / "build.ninja").is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return
    run(["cmake", "-S", REPO, "-B", TREE, *arguments], env=clean_environment(), timeout=1800)
    stamp.write_text(wanted)


@pytest.mark.long
def test_the_runtimes_gtest_binary_passes_under_emulation(sysroot: Path):
    configure(sysroot)
    run(["cmake", "--build", TREE, "--target", "goray_runtime_test"], env=clean_environment(),
        timeout=3600)
    binary = TREE / "tests" / "cpp" / "goray_runtime_test"
    header = run(["llvm-readelf-19", "-h", binary], env=clean_environment()).stdout
    assert "AArch64" in header, header
    result = run([binary, "--gtest_brief=1", "--gtest_filter=-" + ":".join(NOT_UNDER_QEMU)],
                 env=clean_environment(sysroot), timeout=1800)
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert "one process per file: every file passed" in output, output[-4000:]
