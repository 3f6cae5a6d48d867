#!/usr/bin/env python3
"""The tests that failed in a run of scripts/run-tests.sh, read from the JUnit XML files
its pytest stages write (build/pytest/<stage>.xml, build/ray-versions/*.xml), each with the
end of its failure text.

run-tests.sh prints this last when a stage fails, because a CI log is often read from its
tail, and a long stage's failures are far above it (the second lane prints as it goes).

    python3 scripts/failed-tests.py                    # every report under build/
    python3 scripts/failed-tests.py --newer-than FILE  # only the reports written after FILE
    python3 scripts/failed-tests.py build/pytest/ray.xml
"""
from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT_GLOBS = ("build/pytest/*.xml", "build/pytest/cpp/*.xml", "build/ray-versions/*.xml")


def failures(report: Path) -> list[tuple[str, str]]:
    """(test id, failure text) for each failed or erroring test case of one report."""
    found = []
    try:
        cases = list(ElementTree.parse(report).iter("testcase"))
    except (ElementTree.ParseError, OSError) as error:
        return [(f"{report.name} (unreadable)", str(error))]
    for case in cases:
        for outcome in ("failure", "error"):
            element = case.find(outcome)
            if element is None:
                continue
            test_id = f"{case.get('classname', '?')}::{case.get('name', '?')}"
            if outcome == "error":
                test_id += " (error)"
            text = element.text or element.get("message", "") or ""
            found.append((test_id, text))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", type=Path, help="reports (default: build/'s)")
    parser.add_argument("--newer-than", type=Path, help="only reports written after this file")
    parser.add_argument("--lines", type=int, default=12, help="lines of each failure (default 12)")
    arguments = parser.parse_args()
    since = arguments.newer_than.stat().st_mtime if arguments.newer_than else 0.0
    candidates = arguments.reports or [path for pattern in REPORT_GLOBS for path in ROOT.glob(pattern)]
    reports = sorted(path for path in candidates if path.is_file() and path.stat().st_mtime >= since)
    count = 0
    for report in reports:
        for test_id, text in failures(report):
            count += 1
            print(f"--- {report.name}: {test_id}")
            tail = text.rstrip().splitlines()[-arguments.lines:]
            print("\n".join(f"    {line}" for line in tail))
    if count == 0:
        print("no failed test in the pytest reports: a stage's other steps failed, or its pytest "
              "died before it wrote one (its output above says which)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
