"""scripts/setup.sh installs every Debian package whose CMake config the build found.

A package installed by hand on one machine (llvm-19-dev once was) lets the build pass
there and fail on a fresh one; this test reads which config files CMake used and asks
dpkg which package owns each."""

import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "CMakeCache.txt"
# Packages the config files of build/CMakeCache.txt come from.
CONFIG_DIRS = ("LLVM_DIR", "Clang_DIR", "GTest_DIR", "nlohmann_json_DIR")


def _setup_packages() -> set:
    text = (ROOT / "scripts" / "setup.sh").read_text()
    listed = re.search(r"DEBIAN_PACKAGES=\(([^)]*)\)", text)
    assert listed, "scripts/setup.sh has no DEBIAN_PACKAGES=(...) list"
    return set(listed.group(1).split())


def _config_dirs() -> dict:
    found = {}
    for line in CACHE.read_text().splitlines():
        key, _, value = line.partition(":PATH=")
        if key in CONFIG_DIRS and value and not value.endswith("-NOTFOUND"):
            found[key] = value
    return found


@pytest.mark.skipif(not CACHE.is_file(), reason="needs the configured tree (build/CMakeCache.txt)")
@pytest.mark.skipif(shutil.which("dpkg") is None, reason="Debian packages: dpkg is needed")
def test_every_cmake_package_the_build_found_is_installed_by_setup():
    listed = _setup_packages()
    dirs = _config_dirs()
    assert "LLVM_DIR" in dirs and "Clang_DIR" in dirs, dirs
    for key, directory in dirs.items():
        configs = sorted(pathlib.Path(directory).glob("*onfig.cmake"))
        assert configs, f"{key}={directory} holds no *Config.cmake"
        owner = subprocess.run(["dpkg", "-S", str(configs[0].resolve())], capture_output=True,
                               text=True)
        if owner.returncode != 0:
            owner = subprocess.run(["dpkg", "-S", str(configs[0])], capture_output=True, text=True)
        assert owner.returncode == 0, f"no Debian package owns {configs[0]}: {owner.stderr}"
        package = owner.stdout.split(":", 1)[0].strip()
        assert package in listed, (
            f"{key} ({configs[0]}) comes from the Debian package {package}, which "
            f"scripts/setup.sh does not install (DEBIAN_PACKAGES: {sorted(listed)})")
