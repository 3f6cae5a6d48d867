"""The docs' figures about the wheel, computed from the wheels this stage built: the wheel's
size, what it installs (MiB and files), `goray-scan` and the other large parts, what
`pip install --target` of the wheel writes. Each figure the docs state is found by a
pattern (one match per file: a figure reworded away fails here, so the test is told) and
must be within 10% of the measured value; the docs write them in MiB (2**20 bytes).

A size in README.md or docs/**/*.md near the words that name the wheel's parts must be one of
FIGURES (or of NOT_FROM_THE_WHEEL, with the reason it is not computed here), so a new
figure is checked from the day it is written. `pytest -s` prints the measured figures."""
from __future__ import annotations

import functools
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from conftest import REPO, THIS_PYTHON, clean_environment

TOLERANCE = 0.10
UNITS = {"B": 1, "bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30,
         "KB": 10**3, "MB": 10**6, "GB": 10**9}
SIZE = r"(?P<number>\d[\d,]*(?:\.\d+)?)\s(?P<unit>KiB|MiB|GiB|KB|MB|GB|bytes)"
COUNT = r"(?P<number>\d[\d,]*)\s(?P<unit>files)"


# ---- What is measured, from the archive of a wheel ------------------------------------------

def files_of(wheel: Path) -> List[zipfile.ZipInfo]:
    return [info for info in zipfile.ZipFile(wheel).infolist() if not info.is_dir()]


def under(wheel: Path, *prefixes: str) -> Tuple[int, int]:
    """(bytes, compressed bytes) of the wheel's files whose path starts with a prefix."""
    chosen = [info for info in files_of(wheel) if info.filename.startswith(prefixes)]
    assert chosen, f"{wheel.name} holds nothing under {prefixes}"
    return sum(i.file_size for i in chosen), sum(i.compress_size for i in chosen)


def python_part(wheel: Path) -> int:
    """The Python package, its templates and the fast path: goray/ but for the native
    parts (bin/, lib/, include/, share/)."""
    native = ("goray/bin/", "goray/lib/", "goray/include/", "goray/share/")
    return sum(i.file_size for i in files_of(wheel)
               if i.filename.startswith("goray/") and not i.filename.startswith(native))


def pip_target_bytes(wheel: Path, target: Path) -> int:
    """What `pip install --target DIR <wheel>` (no dependencies) writes: the files, the
    commands and the bytecode pip compiles, as a node's py_modules install does
    (docs/cluster.md)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   env=clean_environment(), check=True, capture_output=True, timeout=600)
    return sum(path.stat().st_size for path in target.rglob("*") if path.is_file()
               and not path.is_symlink())


@dataclass(frozen=True)
class Figure:
    file: str        # of the checkout
    pattern: str     # re.search over the file's text, whitespace runs as one space; one match
    measure: str     # a key of the measured figures
    what: str
    units: Tuple[str, ...] = ("MiB",)   # the unit(s) the doc may write it in


# The single-wheel figures are of the wheel of the Python running the tests (cp311, the one
# install.md names).
FIGURES = [
    # docs/install.md, "What is in it": the size paragraph.
    Figure("docs/install.md", rf"\*\*Size\*\*: {SIZE} each", "wheel_bytes", "a wheel's size"),
    Figure("docs/install.md", rf"\({SIZE} for the cp311 wheel", "wheel_bytes",
           "the cp311 wheel's size in bytes", ("bytes",)),
    Figure("docs/install.md", rf"{SIZE} installed in", "installed_bytes",
           "the wheel's files, as installed"),
    Figure("docs/install.md", rf"installed in {COUNT}", "installed_files",
           "how many files the wheel installs", ("files",)),
    Figure("docs/install.md", rf"`bin/goray-scan` is {SIZE}", "scan_bytes", "goray-scan"),
    Figure("docs/install.md", rf"`bin/goray-scan` is [\d.]+ MiB \({SIZE} compressed\)",
           "scan_compressed", "goray-scan, compressed in the wheel"),
    Figure("docs/install.md", rf"Clang's builtin headers {SIZE}", "clang_headers",
           "Clang's builtin headers"),
    Figure("docs/install.md", rf"Clang's builtin headers [\d.]+ MiB \({SIZE} compressed",
           "clang_headers_compressed", "Clang's builtin headers, compressed"),
    Figure("docs/install.md", rf"msgpack-c's headers {SIZE}", "msgpack_headers",
           "msgpack-c's headers"),
    Figure("docs/install.md", rf"the runtime library {SIZE}", "runtime_library",
           "lib/libgoray_runtime.a"),
    Figure("docs/install.md", rf"the runtime's sources with nlohmann/json's headers {SIZE}",
           "runtime_sources", "share/goray/ (the runtime's sources)"),
    Figure("docs/install.md", rf"the Python package, its templates and the fast path are {SIZE}",
           "python_part", "the Python package, templates and fast path"),
    # docs/maintainers/wheels.md, "One wheel per Python".
    Figure("docs/maintainers/wheels.md", rf"shared\) and {SIZE} of disk each", "wheel_bytes",
           "a wheel's size"),
    # docs/cluster.md, "Getting goray onto the workers".
    Figure("docs/cluster.md", rf"against {SIZE} for the wheel alone", "pip_target_bytes",
           "pip install --target of the wheel alone"),
    Figure("docs/cluster.md", rf"The wheel is {SIZE}", "wheel_bytes", "a wheel's size"),
    Figure("docs/cluster.md", rf"The wheel is [\d.]+ MiB \({SIZE} unpacked", "installed_bytes",
           "the wheel unpacked"),
    Figure("docs/cluster.md", rf"of which `goray-scan` is {SIZE}", "scan_bytes", "goray-scan"),
    Figure("docs/cluster.md", rf"the unpacked package \({SIZE}\)", "package_dir_bytes",
           "the wheel's goray/ directory, unpacked (py_modules)"),
    Figure("docs/cluster.md", rf"pip `--target` \({SIZE}\)", "pip_target_bytes",
           "pip install --target of the wheel alone"),
    # docs/idl.md: the same headers as a CMake install bundles them (MB there).
    Figure("docs/idl.md", rf"clang's builtin headers \(about {SIZE}\)", "clang_headers",
           "Clang's builtin headers", ("MB", "MiB")),
]

# docs/install.md, "Installing from source": the source distribution, which test_sdist.py
# builds and measures (its measures: "sdist_bytes", "sdist_unpacked_bytes").
SDIST_FIGURES = [
    Figure("docs/install.md", rf"the docs and the tests: {SIZE}, [\d.]+ MiB unpacked",
           "sdist_bytes", "the source distribution's size"),
    Figure("docs/install.md", rf"the docs and the tests: [\d.]+ MiB, {SIZE} unpacked",
           "sdist_unpacked_bytes", "the source distribution's files, unpacked"),
]

# Sizes near those words that are not the wheel's, so not computed here (each pattern
# spans the figures it stands for).
NOT_FROM_THE_WHEEL = [
    ("docs/cluster.md", r"\(308 MiB with them",
     "pip --target of the wheel with its dependencies: Ray's size, not the wheel's"),
    ("docs/cluster.md", r"662 MB `\.venv`: 540 MB", "the checkout's .venv, which Ray copies"),
    ("docs/cluster.md", r"its cache \(10 GB\)", "Ray's runtime env cache"),
    ("docs/install.md", r"the five differ by under 2 KiB",
     "a bound: test_the_wheels_differ_by_under_two_kib checks it"),
    ("docs/maintainers/wheels.md", r"file over 512 KiB", "a bound of the sdist's files: test_sdist.py's "
     "LARGEST_FILE"),
    ("docs/testing.md", r"must fit in 107 bytes", "Ray's socket paths"),
    ("docs/testing.md", r"writes about 8 GB", "a whole test run's disk use"),
    ("docs/maintainers/ci-history.md", r"header dump of 141 MB",
     "GCC's precompiled header of a test app"),
]


@functools.lru_cache(maxsize=None)
def doc_text(file: str) -> str:
    return " ".join((REPO / file).read_text(encoding="utf-8").split())


def stated(figure: Figure) -> Tuple[float, str, Tuple[int, int]]:
    """(value in bytes or files, unit, span) of the figure as the doc states it."""
    matches = list(re.finditer(figure.pattern, doc_text(figure.file)))
    assert len(matches) == 1, (f"{figure.file}: {len(matches)} matches of {figure.pattern!r} "
                               f"({figure.what}): reworded? Update FIGURES with the doc")
    match = matches[0]
    number = float(match.group("number").replace(",", ""))
    unit = match.group("unit")
    scale = 1 if unit == "files" else UNITS[unit]
    return number * scale, unit, match.span("number")


# ---- The measured figures ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def measured(wheels: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Dict[str, float]:
    if THIS_PYTHON not in wheels:
        pytest.fail(f"no wheel for CPython {THIS_PYTHON} among {sorted(wheels)}", pytrace=False)
    wheel = wheels[THIS_PYTHON]
    files = files_of(wheel)
    scan, scan_compressed = under(wheel, "goray/bin/goray-scan")
    clang, clang_compressed = under(wheel, "goray/lib/clang/")
    figures: Dict[str, float] = {
        "wheel_bytes": wheel.stat().st_size,
        "installed_bytes": sum(info.file_size for info in files),
        "installed_files": len(files),
        "package_dir_bytes": under(wheel, "goray/")[0],
        "scan_bytes": scan,
        "scan_compressed": scan_compressed,
        "clang_headers": clang,
        "clang_headers_compressed": clang_compressed,
        "msgpack_headers": under(wheel, "goray/include/msgpack.hpp", "goray/include/msgpack/")[0],
        "runtime_library": under(wheel, "goray/lib/libgoray_runtime.a")[0],
        "runtime_sources": under(wheel, "goray/share/goray/")[0],
        "python_part": python_part(wheel),
        "pip_target_bytes": pip_target_bytes(wheel, tmp_path_factory.mktemp("pip-target")),
    }
    print(f"\nfigures of {wheel.name}:")
    for name, value in figures.items():
        shown = f"{value:,.0f} files" if name.endswith("_files") else \
            f"{value / 2**20:.2f} MiB ({value:,.0f} bytes)"
        print(f"  {name}: {shown}")
    return figures


def assert_within_tolerance(figure: Figure, actual: float) -> None:
    """The doc's figure is in one of its units and within 10% of `actual`."""
    value, unit, _ = stated(figure)
    assert unit in figure.units, (f"{figure.file} gives {figure.what} in {unit}; the docs "
                                  f"write the wheel's sizes in {' or '.join(figure.units)}")
    scale = 1 if unit == "files" else UNITS[unit]
    drift = abs(value - actual) / actual
    assert drift <= TOLERANCE, (f"{figure.file} states {figure.what} as {value / scale:,g} "
                                f"{unit}; it is {actual / scale:,.2f} {unit} ({drift:.0%} off): "
                                f"update the doc")


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f"{f.file}:{f.measure}")
def test_the_docs_figure_is_within_ten_percent_of_the_wheels(figure: Figure,
                                                           measured: Dict[str, float]):
    assert_within_tolerance(figure, measured[figure.measure])


# Tier 2: compares every CPython's wheel; tier 1 builds cp311's alone
@pytest.mark.tier2
def test_the_wheels_differ_by_under_two_kib(wheels: Dict[str, Path]):
    # install.md: "the five differ by under 2 KiB" (only the fast path differs: 1,583 bytes
    # between cp311's and cp312's when measured, with the string columns' part).
    assert "the five differ by under 2 KiB" in doc_text("docs/install.md")
    sizes = {version: path.stat().st_size for version, path in wheels.items()}
    assert max(sizes.values()) - min(sizes.values()) < 2**11, sizes


# ---- Every such figure is one of these --------------------------------------------------------

# Words that name the wheel or its parts; a size in the same paragraph (or table row) is
# one of its figures.
NEAR = re.compile(r"wheel|goray-scan|unpacked|installed in|builtin headers|msgpack-c's headers|"
                  r"runtime library|--target|source distribution")
ANY_SIZE = re.compile(r"(?<![\w^.,])(?:\d[\d,]*(?:\.\d+)?\s(?:KiB|MiB|GiB|KB|MB|GB)\b|"
                      r"\d[\d,]*\s(?:files|bytes)\b)")


def paragraphs(file: str) -> List[str]:
    """The prose paragraphs and table rows of a file, each joined into one line."""
    text = re.sub(r"(?ms)^```.*?^```", "", (REPO / file).read_text(encoding="utf-8"))
    found: List[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if lines and all(line.lstrip().startswith("|") for line in lines if line.strip()):
            found.extend(" ".join(line.split()) for line in lines)
        else:
            found.append(" ".join(block.split()))
    return found


def markdown_files() -> List[str]:
    return ["README.md", *(str(p.relative_to(REPO)) for p in sorted((REPO / "docs").rglob("*.md")))]


def covered_spans(file: str) -> List[Tuple[int, int]]:
    """Where, in doc_text(file), the figures and the listed exceptions are."""
    spans = [stated(figure)[2] for figure in FIGURES + SDIST_FIGURES if figure.file == file]
    for listed, pattern, _ in NOT_FROM_THE_WHEEL:
        if listed == file:
            match = re.search(pattern, doc_text(file))
            assert match, f"NOT_FROM_THE_WHEEL: {pattern!r} is no longer in {file}"
            spans.append(match.span())
    return spans


def test_every_size_of_the_wheel_in_the_docs_is_checked():
    unchecked = []
    for file in markdown_files():
        text = doc_text(file)
        spans = covered_spans(file)
        for paragraph in paragraphs(file):
            if not NEAR.search(paragraph):
                continue
            start = text.find(paragraph)
            for size in ANY_SIZE.finditer(paragraph):
                at = start + size.start() if start >= 0 else -1
                if not any(low <= at < high for low, high in spans):
                    unchecked.append(f"{file}: {size.group(0)!r} in: ...{paragraph[max(0, size.start() - 80):size.end() + 40]}...")
    assert not unchecked, ("sizes near the wheel's words that this test does not compute "
                           "(add them to FIGURES, or to NOT_FROM_THE_WHEEL with the reason):\n"
                           + "\n".join(unchecked))
