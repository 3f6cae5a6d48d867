"""The glibc floor docs/install.md promises: every ELF file of every wheel needs no newer
glibc (GLIBC_), libstdc++ (GLIBCXX_, CXXABI_) or libgcc (GCC_) symbol version than the
wheel's manylinux tag allows, and the tag is the promised one (manylinux_2_34).

What a tag allows is auditwheel's policy for it (the list pip's tags stand for): glibc 2.34
and GCC 11's libstdc++ (3.4.29) for manylinux_2_34. The shared objects and executables are
read with pyelftools (auditwheel's own ELF reader): their .gnu.version_r lists each version
they need. The static runtime library has no such list (the user's linker binds it), so its
undefined symbols are looked up in this machine's libc, libm, libstdc++ and libgcc_s:
each must exist in a version within the floor, or a user's link on an older system
would fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict

import pytest

from conftest import PLATFORM_TAG, each_python

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from elf_versions import (Version, allowed_versions, oldest_symbol_versions,  # noqa: E402
                          too_new, undefined_symbols, wheel_binaries_report)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "install.md"
# The libraries a symbol of the static runtime may come from, as a user's link finds them.
SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1")


@pytest.fixture(scope="module")
def allowed() -> Dict[str, Version]:
    return allowed_versions(PLATFORM_TAG)


def test_the_policy_is_the_one_the_docs_promise(allowed: Dict[str, Version]):
    assert allowed["GLIBC"] == (2, 34) and allowed["GLIBCXX"] == (3, 4, 29), allowed
    text = DOCS.read_text(encoding="utf-8")
    assert PLATFORM_TAG.removesuffix("_x86_64") in text and "GLIBCXX_3.4.29" in text


@pytest.mark.parametrize("python", each_python())
def test_every_binary_of_the_wheel_is_within_its_tags_floor(wheels: Dict[str, Path], python: str,
                                                            allowed: Dict[str, Version]):
    if python not in wheels:
        pytest.skip(f"no wheel for CPython {python} (test_install checks that each is built)")
    wheel = wheels[python]
    assert wheel.name.endswith(f"-{PLATFORM_TAG}.whl"), wheel.name
    report, offenders, _ = wheel_binaries_report(wheel, allowed)
    print(f"\n{wheel.name}: the newest symbol versions each binary needs\n"
          + json.dumps(report, indent=1))
    assert len(report) >= 2, f"expected goray-scan and the fast path among {sorted(report)}"
    assert any(name.endswith("bin/goray-scan") for name in report)
    assert not offenders, f"binaries needing more than {PLATFORM_TAG} allows: {offenders}"


def library_path(library: str) -> Path:
    """This machine's `library`, as a user's link finds it."""
    path = subprocess.run(["g++", f"-print-file-name={library}"], capture_output=True,
                          text=True, check=True).stdout.strip()
    if "/" not in path:  # not a toolchain library: the loader's search path
        path = f"/lib/x86_64-linux-gnu/{library}"
    return Path(path)


def test_the_static_runtime_needs_nothing_newer_from_the_system(wheels: Dict[str, Path],
                                                                allowed: Dict[str, Version],
                                                                tmp_path: Path):
    wheel = next(iter(wheels.values()))
    archive = tmp_path / "libgoray_runtime.a"
    with zipfile.ZipFile(wheel) as contents:
        archive.write_bytes(contents.read("goray/lib/libgoray_runtime.a"))
    undefined = undefined_symbols(archive)
    bound: Dict[str, str] = {}
    for library in SYSTEM_LIBRARIES:
        versions = oldest_symbol_versions(library_path(library))
        bound.update({symbol: versions[symbol] for symbol in undefined if symbol in versions})
    assert len(bound) > 20, f"too few of the runtime's symbols found in {SYSTEM_LIBRARIES}"
    offenders = {symbol: version for symbol, version in bound.items()
                 if too_new({version}, allowed)}
    assert not offenders, (f"the runtime library calls system symbols newer than "
                           f"{PLATFORM_TAG} allows: {offenders}")
