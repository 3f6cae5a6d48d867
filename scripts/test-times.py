#!/usr/bin/env python3
"""Where a test stage's time went: each test file's total from the JUnit XML files that
scripts/run-tests.sh writes (build/pytest/<stage>.xml), slowest first.

    python3 scripts/test-times.py                 # every stage's file
    python3 scripts/test-times.py build/pytest/ray.xml --top 10
"""
from __future__ import annotations

import argparse
import collections
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def file_totals(report: Path) -> "collections.Counter[str]":
    totals: "collections.Counter[str]" = collections.Counter()
    for case in ElementTree.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")
        # classname is tests.ray.test_cli or tests.ray.test_cli.TestClass
        name = next((part for part in module if part.startswith("test_")), case.get("classname", "?"))
        totals[name] += float(case.get("time", "0"))
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=15, help="files per stage (default 15)")
    arguments = parser.parse_args()
    reports = arguments.reports or sorted((ROOT / "build" / "pytest").glob("*.xml"))
    if not reports:
        print("no reports: run bash scripts/run-tests.sh first", file=sys.stderr)
        return 1
    missing = [str(report) for report in reports if not report.is_file()]
    if missing:
        print(f"no such report: {', '.join(missing)} (bash scripts/run-tests.sh writes them)",
              file=sys.stderr)
        return 1
    for report in reports:
        totals = file_totals(report)
        print(f"{report.stem}: {sum(totals.values()):.0f} s in {len(totals)} files")
        for name, seconds in totals.most_common(arguments.top):
            print(f"  {seconds:7.1f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
