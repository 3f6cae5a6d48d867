"""The aarch64 wheels: what they hold, their tag and glibc floor, read on this machine; then
pip, run under emulation by Debian's arm64 CPython 3.11, installs the cp311 one into a
virtualenv by its tags, and `import goray` loads its compiled fast path."""
from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Dict

import pytest

from conftest import (PLATFORM_TAG, SCRIPTS, SUPPORTED_PYTHONS, ArmVenv, clean_environment,
                      make_arm_venv, run, script_output)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402
from elf_versions import (allowed_versions, oldest_symbol_versions, too_new,  # noqa: E402
                          undefined_symbols, wheel_binaries_report)

# What every wheel holds (docs/install.md, "What is in it"), with its own Python's fast path.
REQUIRED = ("goray/bin/goray-scan", "goray/lib/libgoray_runtime.a", "goray/include/goray/goray.h",
            "goray/include/msgpack.hpp", "goray/lib/cmake/goray/gorayConfig.cmake",
            "goray/lib/cmake/goray/toolchains/aarch64-linux-gnu.cmake",
            "goray/lib/clang/19/include/stddef.h", "goray/gen/templates",
            "goray/share/goray/runtime/src")
# The libraries a symbol of the static runtime may come from, as a user's link finds them.
SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1")


def versions_under_test():
    return [pytest.param(version, marks=() if version == "3.11" else pytest.mark.long)
            for version in SUPPORTED_PYTHONS]


@pytest.mark.parametrize("python", versions_under_test())
def test_each_wheel_holds_aarch64_binaries_within_its_tags_floor(aarch64_wheels: Dict[str, Path],
                                                                  python: str):
    wheel = aarch64_wheels[python]
    tag = f"cp{python.replace('.', '')}"
    assert wheel.name.endswith(f"-{tag}-{tag}-{PLATFORM_TAG}.whl"), wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        wheel_tags = archive.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
    assert f"Tag: {tag}-{tag}-{PLATFORM_TAG}" in wheel_tags, wheel_tags
    for required in REQUIRED:
        assert any(name == required or name.startswith(required + "/") for name in names), required
    fastpaths = [name for name in names if "/_fastpath." in name]
    assert fastpaths == [f"goray/_fastpath.cpython-{tag[2:]}-aarch64-linux-gnu.so"], fastpaths

    report, offenders, machines = wheel_binaries_report(wheel, allowed_versions(PLATFORM_TAG))
    print(f"\n{wheel.name}: the newest symbol versions each binary needs\n"
          + json.dumps(report, indent=1))
    assert set(machines) >= {"goray/bin/goray-scan", fastpaths[0]}, machines
    assert set(machines.values()) == {"EM_AARCH64"}, machines
    assert not offenders, f"binaries needing more than {PLATFORM_TAG} allows: {offenders}"


def test_the_static_runtime_needs_nothing_newer_from_the_systems_libraries(
        aarch64_wheels: Dict[str, Path], sysroot: Path, tmp_path: Path):
    """Its undefined symbols, looked up in bookworm's arm64 libc, libm, libstdc++ and
    libgcc_s: each exists in a version the tag allows."""
    wheel = next(iter(aarch64_wheels.values()))
    archive = tmp_path / "libgoray_runtime.a"
    with zipfile.ZipFile(wheel) as contents:
        archive.write_bytes(contents.read("goray/lib/libgoray_runtime.a"))
    undefined = undefined_symbols(archive, nm="llvm-nm-19")
    libraries = sysroot / "usr" / "lib" / "aarch64-linux-gnu"
    bound: Dict[str, str] = {}
    for library in SYSTEM_LIBRARIES:
        versions = oldest_symbol_versions(libraries / library, objdump="llvm-objdump-19")
        bound.update({symbol: versions[symbol] for symbol in undefined if symbol in versions})
    assert len(bound) > 20, f"too few of the runtime's symbols found in {SYSTEM_LIBRARIES}"
    allowed = allowed_versions(PLATFORM_TAG)
    offenders = {symbol: version for symbol, version in bound.items() if too_new({version}, allowed)}
    assert not offenders, f"the runtime calls system symbols newer than {PLATFORM_TAG} allows: {offenders}"


def test_pip_installs_the_cp311_wheel_and_import_goray_loads_its_fast_path(arm_venv: ArmVenv):
    check_installed(arm_venv, "3.11")


@pytest.mark.long
def test_pip_installs_the_cp313_wheel_and_debian_trixies_cpython_3_13_loads_its_fast_path(
        sysroot: Path, aarch64_wheels: Dict[str, Path], dist_alone: Path, tmp_path: Path):
    """The cp313 wheel run, not only read: Debian trixie's arm64 CPython 3.13, with trixie's
    own userland (glibc 2.41; scripts/aarch64-sysroot.sh trixie), makes a virtualenv whose
    pip installs the wheel by its tags; its fast path, compiled against the derived
    pyconfig.h, loads. (`sysroot`: qemu-aarch64 registered.)"""
    trixie = Path(script_output(SCRIPTS / "aarch64-sysroot.sh", "trixie"))
    venv = make_arm_venv(trixie / "usr" / "bin" / "python3.13", trixie, tmp_path / "venv",
                         dist_alone, aarch64_wheels["3.13"], "3.13")
    check_installed(venv, "3.13")


@pytest.mark.long
def test_pip_installs_the_cp314_wheel_and_debian_forkys_cpython_3_14_loads_its_fast_path(
        sysroot: Path, aarch64_wheels: Dict[str, Path], dist_alone: Path, tmp_path: Path):
    """The cp314 wheel, built with forky's x86-64 CPython 3.14 driving the build
    (scripts/py314-env.sh --host-python) and its pyconfig.h derived for aarch64, run by
    Debian forky's arm64 CPython 3.14 in forky's own userland (scripts/aarch64-sysroot.sh
    forky), emulated: pip installs it by its tags, and its fast path loads."""
    forky = Path(script_output(SCRIPTS / "aarch64-sysroot.sh", "forky"))
    venv = make_arm_venv(forky / "usr" / "bin" / "python3.14", forky, tmp_path / "venv",
                         dist_alone, aarch64_wheels["3.14"], "3.14")
    check_installed(venv, "3.14")


def check_installed(venv: ArmVenv, python: str) -> None:
    """`import goray` in the venv loads the wheel of `python` and its fast path (the module
    of that CPython's ABI); goray's and goray-scan's programs run."""
    tag = python.replace(".", "")
    facts = json.loads(venv.run_python(
        "import goray, goray._fastpath as f, json, platform, sys, importlib.metadata as m; "
        "d = m.distribution('goray-cpp'); "
        "print(json.dumps({'machine': platform.machine(), 'python': sys.version_info[:2], "
        "'fastpath': f.__file__, 'version': goray.__version__, "
        "'tag': [l for l in d.read_text('WHEEL').splitlines() if l.startswith('Tag:')]}))"))
    assert facts["machine"] == "aarch64", facts
    assert facts["python"] == [int(part) for part in python.split(".")], facts
    assert facts["fastpath"].endswith(f"/goray/_fastpath.cpython-{tag}-aarch64-linux-gnu.so"), facts
    assert facts["tag"] == [f"Tag: cp{tag}-cp{tag}-{PLATFORM_TAG}"], facts
    version = venv.run([venv.root / "bin" / "goray", "--version"]).stdout
    assert facts["version"] in version, version
    # The wheel's goray-scan runs, with the headers beside it.
    paths = venv.run([venv.root / "bin" / "goray-scan", "--print-paths"]).stdout
    assert f"goray-include: {venv.package_dir / 'include'} (executable)" in paths, paths


def test_pip_refuses_the_aarch64_wheels_on_this_x86_64_machine(dist_alone: Path, tmp_path: Path):
    """pip picks by tag: the host's x86-64 CPython finds no wheel among the aarch64 ones."""
    result = run([sys.executable, "-m", "pip", "download", "--no-index", "--no-deps",
                  "--disable-pip-version-check", "--find-links", dist_alone,
                  "-d", tmp_path, "goray-cpp"], env=clean_environment(), check=False)
    assert result.returncode != 0
    assert "from versions: none" in result.stderr, result.stderr


def test_the_long_runs_build_every_wheel(aarch64_wheels: Dict[str, Path]):
    wanted = list(SUPPORTED_PYTHONS) if tiers.long_wanted() else ["3.11"]
    if os.environ.get("GORAY_TEST_AARCH64_WHEEL"):
        pytest.skip("GORAY_TEST_AARCH64_WHEEL names the wheels")
    assert sorted(aarch64_wheels) == wanted
