"""Writes an aarch64 copy of a CPython's C headers, for cross-compiling its extension modules.

A CPython's headers are the same on every architecture but one: pyconfig.h, configure's
answers, a few of which depend on the CPU. Debian ships one CPython (3.11) for both amd64
and arm64, so the difference between its two pyconfig.h files is exactly the
architecture's lines. This script

1. reads both of Debian's 3.11 pyconfig.h and takes the macros whose lines differ;
2. checks that these changes turn the amd64 file into the arm64 one byte for byte;
3. copies the include directory of an x86-64 interpreter of any version (pyenv's 3.10,
   3.12, 3.13) and makes the same changes to its pyconfig.h, after checking that each
   changed macro has the amd64 line there (or is absent in that version).

    python3 scripts/aarch64-python-headers.py --amd64 AMD64_PYCONFIG --arm64 ARM64_PYCONFIG \\
        --python PYTHON --out DIR

prints DIR/include/python3.X, the directory to compile against (-DPython3_INCLUDE_DIR).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

_MACRO = re.compile(r"^(?:#define (\w+)(?: .*)?|/\* #undef (\w+) \*/)$")


def macro_lines(text: str) -> dict[str, str]:
    """Each macro's line (`#define NAME VALUE` or `/* #undef NAME */`), by name."""
    lines: dict[str, str] = {}
    for line in text.splitlines():
        match = _MACRO.match(line)
        if match:
            name = match.group(1) or match.group(2)
            if name in lines:
                raise SystemExit(f"pyconfig.h defines {name} twice")
            lines[name] = line
    return lines


def architecture_changes(amd64: str, arm64: str) -> dict[str, tuple[str, str]]:
    """The macros whose lines differ: name -> (amd64 line, arm64 line), checked complete."""
    before, after = macro_lines(amd64), macro_lines(arm64)
    if before.keys() != after.keys():
        raise SystemExit(f"Debian's amd64 and arm64 pyconfig.h name other macros: "
                         f"{sorted(before.keys() ^ after.keys())}")
    changes = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    if apply(amd64, changes, "Debian's amd64 pyconfig.h") != arm64:
        raise SystemExit("the macros' changes do not turn Debian's amd64 pyconfig.h into its "
                         "arm64 one: they differ in more than macro lines")
    return changes


def apply(text: str, changes: dict[str, tuple[str, str]], what: str) -> str:
    """text with each changed macro's amd64 line replaced by its arm64 line."""
    lines = text.splitlines(keepends=True)
    present = macro_lines(text)
    for name, (amd64_line, arm64_line) in changes.items():
        if name not in present:
            continue  # a macro this version does not have (PY_SUPPORT_TIER before 3.11)
        if present[name] != amd64_line:
            raise SystemExit(f"{what}: {present[name]!r} is not the x86-64 line "
                             f"{amd64_line!r} the change to {arm64_line!r} expects")
        index = next(i for i, line in enumerate(lines) if line.rstrip("\n") == amd64_line)
        lines[index] = arm64_line + "\n"
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--amd64", type=Path, required=True, help="Debian's amd64 pyconfig.h")
    parser.add_argument("--arm64", type=Path, required=True, help="Debian's arm64 pyconfig.h")
    parser.add_argument("--python", required=True, help="the x86-64 interpreter whose headers to copy")
    parser.add_argument("--include", type=Path,
                        help="its x86-64 headers, when not the folder it names (Debian's "
                             "python3.14 from forky: a copy with x86-64's own pyconfig.h)")
    parser.add_argument("--out", type=Path, required=True, help="where to write include/python3.X")
    args = parser.parse_args()

    changes = architecture_changes(args.amd64.read_text(), args.arm64.read_text())
    include = args.include or Path(subprocess.run(
        [args.python, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    header = include / "pyconfig.h"
    if not header.is_file():
        raise SystemExit(f"{args.python} has no {header}")
    target = args.out / "include" / include.name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(include, target, symlinks=True)
    (target / "pyconfig.h").unlink()
    (target / "pyconfig.h").write_text(apply(header.read_text(), changes, str(header)))
    names = ", ".join(f"{name} ({arm})" for name, (_, arm) in sorted(changes.items()))
    print(f"[goray] {target}/pyconfig.h: aarch64's lines for {names}", file=sys.stderr)
    print(target)


if __name__ == "__main__":
    main()
