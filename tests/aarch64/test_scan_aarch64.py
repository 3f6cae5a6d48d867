"""The aarch64 wheel's goray-scan, run under emulation, writes the same IDL, byte for byte,
as this tree's x86-64 scanner (build/bin/goray-scan) for every example and every one of
the tests' applications. A long run (each emulated scan costs tens of seconds of CPU);
CI compares the IDL of the cross-built application of test_userapp_aarch64.py, which its
build's goray-gen wrote with the emulated scanner. Each scanner runs with its own defaults
(its own builtin and runtime headers, its own architecture's system headers: the aarch64
one sees bookworm's arm64 glibc and libstdc++ through QEMU_LD_PREFIX, as on an aarch64
machine)."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import pytest

from conftest import REPO, ArmVenv, clean_environment, run

X86_SCANNER = REPO / "build" / "bin" / "goray-scan"
INCLUDE_OF_GENERATED = re.compile(r'^#include "([\w-]+)\.goray\.h"', re.MULTILINE)


def stand_ins(sources: List[Path], folder: Path) -> Path:
    """Empty stand-ins of the generated headers the sources include, as goray-gen gives the
    scanner (python/goray/gen/scanner.py): the scan sees the sources as written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [f for s in sources for f in ([s] if s.is_file() else sorted(s.rglob("*")))
             if f.suffix in (".cpp", ".h", ".hpp", ".cc")]
    for file in files:
        for stem in INCLUDE_OF_GENERATED.findall(file.read_text(encoding="utf-8")):
            (folder / f"{stem}.goray.h").write_text("#pragma once\n")
    return folder


def examples() -> List[Tuple[str, List[Path]]]:
    """(name, scanner inputs): each example's directory with C++ in it."""
    return [(f"examples/{d.name}", [d]) for d in sorted((REPO / "examples").iterdir())
            if d.is_dir() and any(d.glob("*.cpp"))]  # python_driven has no C++


def apps_of_the_tests() -> List[Tuple[str, List[Path]]]:
    """(name, scanner inputs): each of the tests' applications."""
    apps = REPO / "tests" / "apps"
    cases = [(f"tests/apps/{f.name}", [f]) for f in sorted(apps.glob("*.cpp"))]
    cases.append(("tests/apps/raytest", [apps / "raytest", apps / "raytest.cpp"]))
    return cases


@pytest.mark.long
def test_the_aarch64_scanner_writes_the_x86_64_scanners_idl_of_the_examples_and_tests_apps(
        arm_venv: ArmVenv, tmp_path: Path):
    compare(arm_venv, tmp_path, examples() + apps_of_the_tests(), minimum=13)


def compare(arm_venv: ArmVenv, tmp_path: Path, cases: List[Tuple[str, List[Path]]],
            minimum: int) -> None:
    if not X86_SCANNER.is_file():
        pytest.fail(f"{X86_SCANNER} is not built (scripts/setup.sh builds it)", pytrace=False)
    arm_scanner = arm_venv.package_dir / "bin" / "goray-scan"
    assert len(cases) >= minimum, cases

    def scan(scanner: Path, env, case: Tuple[str, List[Path]], suffix: str) -> Path:
        name, sources = case
        out = tmp_path / (name.replace("/", "_") + suffix)
        generated = stand_ins(sources, tmp_path / "stand-ins" / name.replace("/", "_"))
        run([scanner, *sources, "-o", out, "--root", REPO, "--", "-iquote", generated],
            env=env, timeout=1800)
        return out

    # Two at a time: each emulated scan keeps one core busy for seconds.
    with ThreadPoolExecutor(max_workers=2) as pool:
        arm = list(pool.map(lambda case: scan(arm_scanner, arm_venv.env, case, ".arm.json"), cases))
    x86 = [scan(X86_SCANNER, clean_environment(), case, ".x86.json") for case in cases]
    different = [name for (name, _), a, b in zip(cases, arm, x86) if a.read_bytes() != b.read_bytes()]
    assert not different, (f"the aarch64 scanner's IDL differs for {different}; compare "
                           f"{tmp_path}/*.arm.json with *.x86.json")
    assert all(a.stat().st_size > 0 for a in arm)
