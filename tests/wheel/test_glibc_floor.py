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

import importlib.resources
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import pytest
from elftools.elf.elffile import ELFFile

from conftest import PLATFORM_TAG, SUPPORTED_PYTHONS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "install.md"
# The libraries a symbol of the static runtime may come from, as a user's link finds them.
SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1")
Version = Tuple[int, ...]


def parse_version(text: str) -> Version:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def allowed_versions(tag: str) -> Dict[str, Version]:
    """The newest version of each symbol-version family (GLIBC, GLIBCXX, CXXABI, GCC) the
    manylinux policy of `tag` allows on x86_64."""
    policies = json.loads((importlib.resources.files("auditwheel.policy")
                           / "manylinux-policy.json").read_text())
    policy = next(p for p in policies if p["name"] == tag.removesuffix("_x86_64"))
    newest: Dict[str, Version] = {}
    for family, versions in policy["symbol_versions"]["x86_64"].items():
        numeric = [parse_version(v) for v in versions if re.fullmatch(r"[\d.]+", v)]
        if numeric:
            newest[family] = max(numeric)
    return newest


def elf_members(wheel: Path) -> Iterator[Tuple[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            with archive.open(name) as member:
                if member.read(4) == b"\x7fELF":
                    yield name, archive.read(name)


def needed_versions(data: bytes) -> Set[str]:
    """The symbol versions (GLIBC_2.34, ...) an ELF file needs from the libraries it links."""
    section = ELFFile(io.BytesIO(data)).get_section_by_name(".gnu.version_r")
    if section is None:
        return set()
    return {aux.name for _, auxiliaries in section.iter_versions() for aux in auxiliaries}


def family_and_number(version: str) -> Optional[Tuple[str, Version]]:
    """GLIBC_2.34 -> ("GLIBC", (2, 34)); None for a name that is no numbered version
    (GLIBC_PRIVATE never occurs in a linked binary; ABI tags are not versions)."""
    match = re.fullmatch(r"([A-Z]+)_([\d.]+)", version)
    return (match.group(1), parse_version(match.group(2))) if match else None


def too_new(versions: Set[str], allowed: Dict[str, Version]) -> List[str]:
    """The versions beyond the policy's newest of their family (unknown families too)."""
    found = []
    for version in sorted(versions):
        parsed = family_and_number(version)
        if parsed and (parsed[0] not in allowed or parsed[1] > allowed[parsed[0]]):
            found.append(version)
    return found


@pytest.fixture(scope="module")
def allowed() -> Dict[str, Version]:
    return allowed_versions(PLATFORM_TAG)


def test_the_policy_is_the_one_the_docs_promise(allowed: Dict[str, Version]):
    assert allowed["GLIBC"] == (2, 34) and allowed["GLIBCXX"] == (3, 4, 29), allowed
    text = DOCS.read_text(encoding="utf-8")
    assert PLATFORM_TAG.removesuffix("_x86_64") in text and "GLIBCXX_3.4.29" in text


@pytest.mark.parametrize("python", SUPPORTED_PYTHONS)
def test_every_binary_of_the_wheel_is_within_its_tags_floor(wheels: Dict[str, Path], python: str,
                                                            allowed: Dict[str, Version]):
    if python not in wheels:
        pytest.skip(f"no wheel for CPython {python} (test_install checks that each is built)")
    wheel = wheels[python]
    assert wheel.name.endswith(f"-{PLATFORM_TAG}.whl"), wheel.name
    report = {}
    offenders = {}
    for name, data in elf_members(wheel):
        elf = ELFFile(io.BytesIO(data))
        if elf["e_type"] == "ET_REL":
            continue  # an object file has no version needs (the archives are ar, not ELF)
        versions = needed_versions(data)
        newest: Dict[str, Version] = {}
        for family, number in filter(None, map(family_and_number, versions)):
            newest[family] = max(number, newest.get(family, ()))
        report[name] = {family: ".".join(map(str, v)) for family, v in sorted(newest.items())}
        bad = too_new(versions, allowed)
        if bad:
            offenders[name] = bad
    print(f"\n{wheel.name}: the newest symbol versions each binary needs\n"
          + json.dumps(report, indent=1))
    assert len(report) >= 2, f"expected goray-scan and the fast path among {sorted(report)}"
    assert any(name.endswith("bin/goray-scan") for name in report)
    assert not offenders, f"binaries needing more than {PLATFORM_TAG} allows: {offenders}"


def oldest_symbol_versions(library: str) -> Dict[str, str]:
    """This machine's `library`: each defined symbol and the oldest version that defines it.
    A user's link on an older system binds the version that system has: a symbol that
    was given a newer default version later (libstdc++ 12's condition_variable::wait,
    3.4.30 beside 3.4.11) still links there; one that is new (glibc 2.36's arc4random) not."""
    path = subprocess.run(["g++", f"-print-file-name={library}"], capture_output=True,
                          text=True, check=True).stdout.strip()
    if "/" not in path:  # not a toolchain library: the loader's search path
        path = f"/lib/x86_64-linux-gnu/{library}"
    table = subprocess.run(["objdump", "-T", path], capture_output=True, text=True,
                           check=True).stdout
    versions: Dict[str, str] = {}
    for line in table.splitlines():
        # "<address> <flags> <section> <size> <version> <name>"; a hidden version is in
        # parentheses, undefined references are in *UND*.
        match = re.match(r"^[0-9a-f]+ .{7} (?!\*UND\*)\S+\s+[0-9a-f]+\s+\(?([A-Z]+_[\d.]+)\)?\s+(\S+)$",
                         line)
        if not match:
            continue
        version, symbol = match.groups()
        if symbol not in versions or parse_version(version) < parse_version(versions[symbol]):
            versions[symbol] = version
    return versions


def test_the_static_runtime_needs_nothing_newer_from_the_system(wheels: Dict[str, Path],
                                                                allowed: Dict[str, Version],
                                                                tmp_path: Path):
    wheel = next(iter(wheels.values()))
    archive = tmp_path / "libgoray_runtime.a"
    with zipfile.ZipFile(wheel) as contents:
        archive.write_bytes(contents.read("goray/lib/libgoray_runtime.a"))
    undefined = {line.split()[0] for line in subprocess.run(
        ["nm", "--undefined-only", "--format=posix", archive], capture_output=True, text=True,
        check=True).stdout.splitlines() if line.strip() and not line.rstrip().endswith(":")}
    bound: Dict[str, str] = {}
    for library in SYSTEM_LIBRARIES:
        versions = oldest_symbol_versions(library)
        bound.update({symbol: versions[symbol] for symbol in undefined if symbol in versions})
    assert len(bound) > 20, f"too few of the runtime's symbols found in {SYSTEM_LIBRARIES}"
    offenders = {symbol: version for symbol, version in bound.items()
                 if too_new({version}, allowed)}
    assert not offenders, (f"the runtime library calls system symbols newer than "
                           f"{PLATFORM_TAG} allows: {offenders}")
