"""The docs' samples of what programs print, and the one comparison of a sample with a
program's output (tests/docs/test_docs_samples.py lists every sample and how each is
checked; docs/testing.md, "Samples of output", says how a page marks one).

A sample is a fenced block labelled ``text`` in README.md or docs/, or the output lines
of a ``console`` block (the lines after a ``$ `` command). A listing that is not what a
program prints (a diagram, a file tree, a line of source) is fenced without a label.

Comparing (:func:`mismatch`): the sample's lines are found in the output, in order and
next to each other, where

- a line ``...`` (alone, indented or not) stands for any lines, none included;
- a line ending in ``...`` stands for a line that starts with what comes before it;
- the parts a check declares variable (``masks``: a pid, a directory, the machine's
  Python) are replaced on both sides before comparing.

Tests import it with tests/ on sys.path, as tests/loopback_ports.py. As a program it
compares its standard input with a sample (the examples stage's use):

    python3 tests/doc_samples.py docs/serve.md 'POST /model/Score' < output.txt
"""
from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, List, Optional, Sequence, Tuple, Union

REPO = Path(__file__).resolve().parents[1]

#: (pattern, replacement) pairs, applied with re.sub to every line of both sides.
Masks = Sequence[Tuple[str, str]]
#: An output line, or the lines any of which may stand at that place.
OutputLine = Union[str, Collection[str]]

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)\s*$")
ELLIPSIS = "..."


@dataclass(frozen=True)
class Sample:
    file: str  # relative to the repository
    line: int  # of the sample's first line
    text: str  # its lines, joined

    @property
    def first(self) -> str:
        return self.text.split("\n", 1)[0]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.first}"


def doc_files() -> List[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def samples_of(path: Path) -> List[Sample]:
    """The samples of one page: its ``text`` blocks and its ``console`` blocks' output."""
    relative = str(path.relative_to(REPO))
    lines = path.read_text(encoding="utf-8").splitlines()
    found: List[Sample] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, language = match.group(1), match.group(2).lower()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = lines[index + 1:end]
        if language == "text" and body:
            found.append(Sample(relative, index + 2, textwrap.dedent("\n".join(body))))
        elif language == "console":
            found += _console_outputs(relative, index + 2, body)
        index = end + 1
    return found


def _console_outputs(file: str, first_line: int, body: List[str]) -> List[Sample]:
    outputs: List[Sample] = []
    start, run = 0, []  # the output lines after the last command
    for offset, line in enumerate(body + ["$ "]):
        if line.lstrip().startswith("$ "):
            while run and not run[-1].strip():
                run.pop()
            if run:
                outputs.append(Sample(file, first_line + start, "\n".join(run)))
            start, run = offset + 1, []
        elif run or line.strip():
            if not run:
                start = offset
            run.append(line)
    return outputs


def all_samples() -> List[Sample]:
    return [sample for path in doc_files() for sample in samples_of(path)]


def sample(file: str, first: str) -> Sample:
    """The one sample of `file` whose first line starts with `first`."""
    found = [s for s in samples_of(REPO / file) if s.first.startswith(first)]
    assert len(found) == 1, f"{file}: {len(found)} samples start with {first!r}"
    return found[0]


def _masked(line: str, masks: Masks) -> str:
    for pattern, replacement in masks:
        line = re.sub(pattern, replacement, line)
    return line.rstrip()


def _fits(expected: str, actual: str) -> bool:
    if expected.endswith(ELLIPSIS):
        return actual.startswith(expected[:-len(ELLIPSIS)].rstrip())
    return expected == actual


def mismatch(sample_text: str, output: Union[str, Sequence[OutputLine]],
             masks: Masks = ()) -> Optional[str]:
    """None when `output` (text, or lines each with the alternatives allowed there)
    shows `sample_text` as the module's docstring says; else what differs."""
    wanted = [_masked(line, masks) for line in sample_text.split("\n")]
    lines = output.split("\n") if isinstance(output, str) else list(output)
    have = [[_masked(option, masks)] if isinstance(option, str) else
            [_masked(alternative, masks) for alternative in option] for option in lines]
    memo: dict = {}

    def match(i: int, j: int) -> bool:  # wanted[i:] from have[j:]
        key = (i, j)
        if key not in memo:
            if i == len(wanted):
                result = True
            elif wanted[i].strip() == ELLIPSIS:
                result = any(match(i + 1, k) for k in range(j, len(have) + 1))
            else:
                result = j < len(have) and any(_fits(wanted[i], o) for o in have[j]) and match(i + 1, j + 1)
            memo[key] = result
        return memo[key]

    if any(match(0, start) for start in range(len(have) + 1)):
        return None
    # Not found: the longest run of the sample that is, and the line after it.
    best = 0
    for start in range(len(have)):
        i, j = 0, start
        while i < len(wanted) and j < len(have) and wanted[i].strip() != ELLIPSIS \
                and any(_fits(wanted[i], o) for o in have[j]):
            i, j = i + 1, j + 1
        best = max(best, i)
    shown = "\n".join(f"  {' | '.join(o)}" for o in have[:80])
    return (f"the sample's line {best + 1} is not where the output has it:\n  {wanted[best]!r}\n"
            f"the output (masked):\n{shown}")


def assert_sample(file: str, first: str, output: Union[str, Sequence[OutputLine]],
                  masks: Masks = (), wrapped: bool = False) -> None:
    """Asserts that `output` shows `file`'s sample that starts with `first`. `wrapped`: the
    sample is one line the page wraps (its lines are joined by single spaces)."""
    found = sample(file, first)
    text = " ".join(found.text.split()) if wrapped else found.text
    problem = mismatch(text, output, masks)
    assert problem is None, f"{found} does not show what the program prints: {problem}"


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 tests/doc_samples.py FILE FIRST-LINE-PREFIX < OUTPUT", file=sys.stderr)
        return 2
    found = sample(argv[0], argv[1])
    problem = mismatch(found.text, sys.stdin.read())
    if problem is not None:
        print(f"{found} does not show what the program printed: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
