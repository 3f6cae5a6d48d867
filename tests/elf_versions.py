"""The symbol versions a wheel's binaries need, against a manylinux tag's floor: shared by
the x86-64 wheel's tests (tests/wheel/test_glibc_floor.py) and the aarch64 one's
(tests/aarch64/test_glibc_floor_aarch64.py).

What a tag allows is auditwheel's policy for it (the list pip's tags stand for): for
manylinux_2_34, glibc 2.34 and GCC 11's libstdc++ (3.4.29), on either architecture. The
shared objects and executables are read with pyelftools (auditwheel's own ELF reader):
their .gnu.version_r lists each version they need."""
from __future__ import annotations

import importlib.resources
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from elftools.elf.elffile import ELFFile

Version = Tuple[int, ...]
ARCHITECTURES = ("x86_64", "aarch64")


def parse_version(text: str) -> Version:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def split_tag(tag: str) -> Tuple[str, str]:
    """manylinux_2_34_aarch64 -> ("manylinux_2_34", "aarch64")."""
    for architecture in ARCHITECTURES:
        if tag.endswith("_" + architecture):
            return tag.removesuffix("_" + architecture), architecture
    raise ValueError(f"{tag}: not a manylinux tag of {ARCHITECTURES}")


def allowed_versions(tag: str) -> Dict[str, Version]:
    """The newest version of each symbol-version family (GLIBC, GLIBCXX, CXXABI, GCC) the
    manylinux policy of `tag` allows on its architecture."""
    name, architecture = split_tag(tag)
    policies = json.loads((importlib.resources.files("auditwheel.policy")
                           / "manylinux-policy.json").read_text())
    policy = next(p for p in policies if p["name"] == name)
    newest: Dict[str, Version] = {}
    for family, versions in policy["symbol_versions"][architecture].items():
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


def machine(data: bytes) -> str:
    """The ELF file's e_machine: EM_X86_64, EM_AARCH64, ..."""
    return ELFFile(io.BytesIO(data))["e_machine"]


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


def wheel_binaries_report(wheel: Path, allowed: Dict[str, Version]
                          ) -> Tuple[Dict[str, Dict[str, str]], Dict[str, List[str]], Dict[str, str]]:
    """For each shared object and executable of the wheel: the newest version of each
    family it needs, the versions beyond `allowed`, and its ELF machine."""
    report: Dict[str, Dict[str, str]] = {}
    offenders: Dict[str, List[str]] = {}
    machines: Dict[str, str] = {}
    for name, data in elf_members(wheel):
        elf = ELFFile(io.BytesIO(data))
        if elf["e_type"] == "ET_REL":
            continue  # an object file has no version needs (the archives are ar, not ELF)
        versions = needed_versions(data)
        newest: Dict[str, Version] = {}
        for family, number in filter(None, map(family_and_number, versions)):
            newest[family] = max(number, newest.get(family, ()))
        report[name] = {family: ".".join(map(str, v)) for family, v in sorted(newest.items())}
        machines[name] = elf["e_machine"]
        bad = too_new(versions, allowed)
        if bad:
            offenders[name] = bad
    return report, offenders, machines


def oldest_symbol_versions(path: Path, objdump: str = "objdump") -> Dict[str, str]:
    """The shared library at `path`: each defined symbol and the oldest version that
    defines it. A user's link on an older system binds the version that system has: a
    symbol that was given a newer default version later (libstdc++ 12's
    condition_variable::wait, 3.4.30 beside 3.4.11) still links there; one that is new
    (glibc 2.36's arc4random) not."""
    table = subprocess.run([objdump, "-T", str(path)], capture_output=True, text=True,
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


def undefined_symbols(archive: Path, nm: str = "nm") -> Set[str]:
    """The undefined symbols of a static library's members."""
    return {line.split()[0] for line in subprocess.run(
        [nm, "--undefined-only", "--format=posix", str(archive)], capture_output=True,
        text=True, check=True).stdout.splitlines()
        if line.strip() and not line.rstrip().endswith(":")}
