"""docs/testing.md's "Long runs" table names exactly the tests marked `long`
(tests/long_runs.py): a long run CI leaves out is never left out unsaid."""
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TREES = ["tests/ray", "tests/wheel", "tests/renderers", "tests/python", "tests/aarch64"]


def marked_long():
    env = {**os.environ, "GORAY_LONG_TESTS": "1", "GORAY_TEST_TIER": "2"}  # (tier 2's too)
    found = set()
    for tree in TREES:
        result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                                 "no:cacheprovider", "-m", "long", tree], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=300)
        # 5: no test collected (none marked in that tree)
        assert result.returncode in (0, 5), result.stdout[-3000:]
        found.update(line for line in result.stdout.splitlines()
                     if re.fullmatch(r"tests/\S+\.py::\S+", line))
    return found


def documented_long():
    text = (ROOT / "docs" / "testing.md").read_text()
    section = text[text.index("### Long runs"):]
    section = section[:section.index("\n#", 1)]
    return set(re.findall(r"^\| `(tests/[^`]+::[^`]+)` \|", section, re.MULTILINE))


def test_the_long_runs_table_names_every_marked_test():
    marked, documented = marked_long(), documented_long()
    assert marked, "no test is marked long: the section and --long would describe nothing"
    assert marked == documented, (f"marked but not in docs/testing.md: {sorted(marked - documented)}; "
                                  f"in the table but not marked: {sorted(documented - marked)}")
