"""How long goray-scan takes, against `clang-19 -fsyntax-only` on the same sources with the
same flags (C++20, <goray/goray.h>'s directory, warnings off): the scanner parses
declarations only, so it should cost no more than a syntax check.

    .venv/bin/python bench/scan_bench.py [--scanner PATH] [--clang clang-19] [--runs 9]

Inputs: the examples' annotated sources, and a generated header of 50 tasks (every
value kind, user structs) that includes <goray/goray.h>. Runs are interleaved (scan,
clang, scan, clang, ...) so drift hits both alike; each time is the median. The last
line is `scan ratio=X`: the largest per-input ratio of the medians (target: <= 1.3).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

MARKERS = ("GORAY_TASKS", "GORAY_ACTORS", "GORAY_ACTOR", "GORAY_DRIVER", "GORAY_INIT_OPTIONS")
TYPES = ["double", "int64_t", "std::string", "std::vector<int32_t>", "std::optional<std::string>",
         "std::map<std::string, double>", "bench::Point", "std::vector<bench::Shape>",
         "std::pair<std::string, int64_t>", "std::vector<uint8_t>"]


def example_sources() -> List[pathlib.Path]:
    found = []
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix in (".cpp", ".cc", ".h", ".hpp") and path.is_file():
            if any(marker in path.read_text(errors="replace") for marker in MARKERS):
                found.append(path)
    return found


def fifty_task_header(directory: pathlib.Path) -> pathlib.Path:
    lines = ["// 50 tasks over every kind of value: the scan benchmark's input.",
             "#pragma once", "#include <goray/goray.h>", "", "namespace bench {",
             "struct Point { double x = 0; double y = 0; };",
             "struct Shape { std::string name; std::vector<Point> points; "
             "std::optional<Point> anchor; };",
             "enum class Kind : uint8_t { kA, kB };", "}  // namespace bench", "",
             "struct GORAY_TASKS Tasks {"]
    for index in range(50):
        kind = TYPES[index % len(TYPES)]
        other = TYPES[(index * 7 + 3) % len(TYPES)]
        lines.append(f"  /// Task {index}.")
        lines.append(f"  {kind} Task{index}(const {kind}& a, {other} b, bench::Kind k);")
    lines += ["};", ""]
    path = directory / "fifty_tasks.h"
    path.write_text("\n".join(lines))
    return path


def timed(command: List[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return elapsed


def measure(source: pathlib.Path, scanner: str, clang: str, include: pathlib.Path,
            runs: int, work: pathlib.Path) -> Tuple[float, float]:
    language = "c++-header" if source.suffix in (".h", ".hpp") else "c++"
    scan = [scanner, str(source), "-o", str(work / "out.idl.json"), "--goray-include",
            str(include)]
    check = [clang, "-x", language, "-std=c++20", "-fsyntax-only", "-w", f"-I{include}",
             str(source)]
    timed(scan), timed(check)  # warm the file cache
    scan_times, check_times = [], []
    for _ in range(runs):
        scan_times.append(timed(scan))
        check_times.append(timed(check))
    return statistics.median(scan_times), statistics.median(check_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scanner", help="goray-scan (default: goray-gen's search)")
    parser.add_argument("--clang", default=shutil.which("clang-19") or "clang-19")
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    from goray.gen.scanner import find_scanner

    scanner = options.scanner or find_scanner()
    include = ROOT / "runtime" / "include"
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as temporary:
        work = pathlib.Path(temporary)
        inputs = example_sources() + [fifty_task_header(work)]
        print(f"goray-scan {scanner}\nclang     {options.clang}\nruns      {options.runs}, "
              "interleaved; medians")
        for source in inputs:
            scan, check = measure(source, scanner, options.clang, include, options.runs, work)
            ratio = scan / check
            worst = max(worst, ratio)
            name = os.path.relpath(source, ROOT) if source.is_relative_to(ROOT) else source.name
            print(f"{name:40} scan {scan * 1000:7.1f} ms   clang -fsyntax-only "
                  f"{check * 1000:7.1f} ms   ratio {ratio:.2f}")
    print(f"scan ratio={worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
