"""User pages say what is true now (issue 55 §1): no dated run narrative. A date or a
commit hash may appear in a user page only on the one "Measured ..." line right under a
table, which names the command, the machine and the date of that table's figures; the
machine's load during the run appears nowhere on a user page, that line included (issue
64 §5). Run histories, the load of each run, cold- and warm-cache logs and investigations
belong in the maintainers' record (docs/maintainers/)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

from conftest import REPO

USER_PAGES = ["README.md"] + [f"docs/{name}.md" for name in (
    "guide", "install", "types", "remote", "calls", "refs", "streams", "actors", "graphs",
    "errors", "map", "data", "serve", "cli", "cluster", "cmake", "compared")]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
DATE = re.compile(rf"\b20\d\d-\d\d-\d\d\b|\b\d{{1,2}} {_MONTH},? 20\d\d\b|\b{_MONTH} \d{{1,2}},? 20\d\d\b"
                  rf"|\b{_MONTH} 20\d\d\b")
# A commit hash as people write one: 7 to 40 hex digits with a letter and a digit among
# them (words such as "deadbeef" or numbers such as 4294967295 are not hashes).
HASH = re.compile(r"(?<![\w.-])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?![\w-])")
# The machine's weather during a run ("load average 2.6 → 2.2", "at load 8") names a run too.
WEATHER = re.compile(r"\bload(?: average)?:? \d|\bat load\b", re.I)
MEASURED_LINE = re.compile(r"^[_*]*Measured\b", re.I)


def dated_lines(text: str) -> List[tuple[int, str]]:
    """(line number, line) of each machine load, and of each date or commit hash outside a
    "Measured" line that follows a table (at most one blank line between)."""
    lines = text.split("\n")
    found = []
    for index, line in enumerate(lines):
        if not (DATE.search(line) or HASH.search(line) or WEATHER.search(line)):
            continue
        before = [l for l in lines[max(0, index - 2):index] if l.strip()]
        under_a_table = bool(before) and before[-1].lstrip().startswith("|")
        if under_a_table and MEASURED_LINE.match(line.strip()) and not WEATHER.search(line):
            continue
        found.append((index + 1, line))
    return found


@pytest.mark.parametrize("page", USER_PAGES)
def test_a_user_page_has_no_dated_narrative(page: str):
    found = dated_lines((REPO / page).read_text(encoding="utf-8"))
    assert not found, (f"{page}: a machine load, or a date or commit hash outside the one 'Measured ...' line "
                       "under a table; a run's history and load go into docs/maintainers/:\n"
                       + "\n".join(f"  line {n}: {line.strip()}" for n, line in found))


def test_the_check_finds_dates_and_hashes_and_allows_the_measured_line():
    page = ("# A page\n\nOn 2026-11-27 it ran faster.\nThe tree at 4227ef0 was slower.\n"
            "Measured on 25 Nov 2026, not under a table.\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
            "Measured by `bash scripts/bench.sh map` on 2 cores, 2026-11-27 (b989f7b).\n\n"
            "An ID of 4294967295 bytes, a word like deadbeef, and a path like build-release/.\n"
            "It ran at load 8 that day.\n\n"
            "| c |\n|---|\n| 3 |\n"
            "Measured by `bench.sh` on 2 cores (load average 2.6 → 2.2), 2026-11-21.\n")
    assert [n for n, _ in dated_lines(page)] == [3, 4, 5, 14, 19]
