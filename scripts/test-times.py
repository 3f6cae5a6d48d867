#!/usr/bin/env python3
"""Where a test run's time went, from what scripts/run-tests.sh writes: each stage's time
(build/pytest/stage-times.tsv), each test file's total and the slowest tests (the JUnit XML
reports: build/pytest/*.xml, build/pytest/cpp/*.xml, build/ray-versions/*.xml).

    python3 scripts/test-times.py                          # each report's files, slowest first
    python3 scripts/test-times.py build/pytest/ray.xml --top 10
    python3 scripts/test-times.py --slowest 10             # the 10 slowest tests of all reports
    python3 scripts/test-times.py --run build/pytest/stage-times.tsv --slowest 10
                                   # each stage's time, then the slowest tests (run-tests.sh's end)
"""
from __future__ import annotations

import argparse
import collections
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parents[1]
REPORT_GLOBS = ("build/pytest/*.xml", "build/pytest/cpp/*.xml", "build/ray-versions/*.xml")


def cases(report: Path) -> List[Tuple[str, str, float]]:
    """(file or suite, test id, seconds) of each test case of one report."""
    found = []
    for case in ElementTree.parse(report).iter("testcase"):
        classname = case.get("classname", "?")
        # pytest: tests.ray.test_cli or tests.ray.test_cli.TestClass; gtest: the suite
        parts = classname.split(".")
        name = next((part for part in parts if part.startswith("test_")), classname)
        found.append((name, f"{classname}::{case.get('name', '?')}", float(case.get("time", "0"))))
    return found


def file_totals(report: Path) -> "collections.Counter[str]":
    totals: "collections.Counter[str]" = collections.Counter()
    for name, _, seconds in cases(report):
        totals[name] += seconds
    return totals


def stage_lines(stage_times: Path) -> List[str]:
    """run-tests.sh's stage-times.tsv as lines, slowest first, with the sum."""
    rows = []
    for line in stage_times.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].isdigit():
            rows.append((parts[0], int(parts[1]), parts[2]))
    lines = [f"stages: {sum(seconds for _, seconds, _ in rows)} s in all "
             f"(two lanes run side by side: more than the run took)"]
    for stage, seconds, outcome in sorted(rows, key=lambda row: -row[1]):
        lines.append(f"  {seconds:6d} s  {stage}{'' if outcome == 'passed' else ' (' + outcome + ')'}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", type=Path, help="reports (default: build/'s)")
    parser.add_argument("--top", type=int, default=15, help="files per report (default 15)")
    parser.add_argument("--slowest", type=int, metavar="N",
                        help="list the N slowest tests of all the reports instead of each file")
    parser.add_argument("--run", type=Path, metavar="STAGE_TIMES",
                        help="first each stage's time from run-tests.sh's stage-times.tsv")
    parser.add_argument("--newer-than", type=Path, metavar="FILE",
                        help="only the reports written after FILE (this run's)")
    arguments = parser.parse_args()
    since = arguments.newer_than.stat().st_mtime if arguments.newer_than else 0.0
    reports = arguments.reports or sorted(
        path for pattern in REPORT_GLOBS for path in ROOT.glob(pattern)
        if path.stat().st_mtime >= since)
    missing = [str(report) for report in reports if not report.is_file()]
    if missing:
        print(f"no such report: {', '.join(missing)} (bash scripts/run-tests.sh writes them)",
              file=sys.stderr)
        return 1
    if arguments.run:
        if not arguments.run.is_file():
            print(f"no such file: {arguments.run} (bash scripts/run-tests.sh writes it)",
                  file=sys.stderr)
            return 1
        print("\n".join(stage_lines(arguments.run)))
    if not reports:
        print("no reports: run bash scripts/run-tests.sh first", file=sys.stderr)
        return 1
    if arguments.slowest:
        everything = [case for report in reports for case in cases(report)]
        everything.sort(key=lambda case: -case[2])
        print(f"the {arguments.slowest} slowest tests of {len(everything)}:")
        for _, test_id, seconds in everything[:arguments.slowest]:
            print(f"  {seconds:7.1f} s  {test_id}")
        return 0
    for report in reports:
        totals = file_totals(report)
        print(f"{report.stem}: {sum(totals.values()):.0f} s in {len(totals)} files")
        for name, seconds in totals.most_common(arguments.top):
            print(f"  {seconds:7.1f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
