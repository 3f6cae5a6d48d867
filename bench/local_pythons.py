"""bench/local_calls.py under every supported CPython (3.10 to 3.13), one table.

For each interpreter it finds (or makes) a virtualenv with msgpack, finds (or builds) that
interpreter's goray._fastpath in python/goray/ (modules of different SOABIs sit side by
side there), runs bench/local_calls.py with the checkout's python/ on the path, and reads
its figures. Passes rotate through the interpreters (3.10, 3.11, ..., 3.10, ...) so that
a change in the machine's load falls on all of them alike; each figure is the median of
the passes' medians.

Usage: python bench/local_pythons.py [--passes N] [--rounds N] [--calls N]
                                     [--pythons 3.10,3.12] [--library libbench_local.so]
Virtualenvs: $GORAY_PYVENVS/py3.X (if set), else .venv for the interpreter of .venv,
else .venv-py3.X (created with msgpack on first use).
Last line: local-call pythons py->cpp 3.10=X 3.11=Y ... cpp->py 3.10=X ...
"""
import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]
# What every fast-path build here leaves out (the same options as the wheel's build).
CONFIGURE = ["-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DGORAY_BUILD_TESTS=OFF",
             "-DGORAY_BUILD_EXAMPLES=OFF", "-DGORAY_BUILD_BENCH=OFF",
             "-DGORAY_BUILD_SCANNER=OFF", "-DGORAY_BUILD_FASTPATH=ON"]
LINE = re.compile(r"^(py->cpp|cpp->py)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+spread\s+(\S+)")


def run(command, **kwargs):
    return subprocess.run(command, check=True, text=True, **kwargs)


def probe(python, code):
    return run([str(python), "-c", code], capture_output=True).stdout.strip()


def base_interpreter(version):
    """A CPython `version` on this machine: python3.X on PATH, else pyenv's."""
    found = shutil.which(f"python{version}")
    if found:
        return Path(found)
    candidates = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return Path(candidates[-1]) if candidates else None


def venv_python(version):
    """A Python `version` with msgpack, or None when none is on this machine."""
    choices = []
    if os.environ.get("GORAY_PYVENVS"):
        choices.append(Path(os.environ["GORAY_PYVENVS"]) / f"py{version}" / "bin" / "python")
    choices += [ROOT / ".venv" / "bin" / "python", ROOT / f".venv-py{version}" / "bin" / "python"]
    for python in choices:
        if python.is_file() and probe(python, "import sys; print('%d.%d' % sys.version_info[:2])") == version:
            return python
    base = base_interpreter(version)
    if base is None:
        return None
    venv = ROOT / f".venv-py{version}"
    run([str(base), "-m", "venv", str(venv)])
    pin = next(line for line in (ROOT / "python" / "requirements-dev.txt").read_text().splitlines()
               if line.startswith("msgpack=="))
    run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", pin])
    return venv / "bin" / "python"


def fastpath(python, version):
    """python/goray/_fastpath<EXT_SUFFIX> for `python`: built in build-fastpath-py3.X
    (incrementally when that tree exists; reused as it is when another build, such as
    build/ for .venv's Python, wrote it)."""
    suffix = probe(python, "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
    module = ROOT / "python" / "goray" / f"_fastpath{suffix}"
    tree = ROOT / f"build-fastpath-py{version}"
    if module.is_file() and not (tree / "build.ninja").is_file():
        return module
    if not (tree / "build.ninja").is_file():
        # The base interpreter: a venv's python does not always lead CMake to the headers.
        base = probe(python, "import sys; print(sys._base_executable)")
        run(["cmake", "-S", str(ROOT), "-B", str(tree), "-G", "Ninja", *CONFIGURE,
             f"-DPython3_EXECUTABLE={base}",
             f"-DGORAY_FASTPATH_OUTPUT_DIR={ROOT / 'python' / 'goray'}"], stdout=subprocess.DEVNULL)
    run(["cmake", "--build", str(tree), "--target", "goray_fastpath"], stdout=subprocess.DEVNULL)
    return module


def bench_library():
    """libbench_local.so: scripts/bench.sh's Release tree, else build/ (RelWithDebInfo);
    built in build-release/ when neither has it. One library for every interpreter."""
    for tree in ("build-release", "build"):
        library = ROOT / tree / "bench" / "libbench_local.so"
        if library.is_file():
            return library
    tree = ROOT / "build-release"
    if not (tree / "build.ninja").is_file():
        run(["cmake", "-S", str(ROOT), "-B", str(tree), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
             "-DGORAY_BUILD_TESTS=OFF", "-DGORAY_BUILD_EXAMPLES=OFF", "-DGORAY_BUILD_SCANNER=OFF",
             "-DGORAY_BUILD_FASTPATH=OFF"], stdout=subprocess.DEVNULL)
    run(["cmake", "--build", str(tree), "--target", "bench_local"], stdout=subprocess.DEVNULL)
    return tree / "bench" / "libbench_local.so"


def one_pass(python, library, rounds, calls):
    """{direction: (ours µs, floor µs, ratio, spread)} and whether the fast path was on."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    env.pop("GORAY_NO_FASTPATH", None)
    output = run([str(python), str(ROOT / "bench" / "local_calls.py"), str(library),
                  "--rounds", str(rounds), "--calls", str(calls)], env=env,
                 capture_output=True).stdout
    figures = {}
    for line in output.splitlines():
        match = LINE.match(line)
        if match:
            figures[match[1]] = tuple(float(match[i]) for i in (2, 3, 4)) + (match[5],)
    return figures, "fast path: True" in output


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--pythons", default=",".join(SUPPORTED))
    parser.add_argument("--library")
    options = parser.parse_args()

    library = Path(options.library) if options.library else bench_library()
    pythons, full_versions = {}, {}
    for version in options.pythons.split(","):
        python = venv_python(version)
        if python is None:
            print(f"Python {version}: not on this machine, skipped", file=sys.stderr)
            continue
        module = fastpath(python, version)
        print(f"Python {version}: {python} with {module.name}", file=sys.stderr)
        pythons[version] = python
        full_versions[version] = probe(python, "import platform; print(platform.python_version())")

    samples = {version: [] for version in pythons}
    for index in range(options.passes):
        for version, python in pythons.items():
            samples[version].append(one_pass(python, library, options.rounds, options.calls))
            print(f"pass {index + 1}/{options.passes}: Python {version} done", file=sys.stderr)

    print(f"library {library}; {options.passes} passes x {options.rounds} rounds x {options.calls} calls;"
          " figures: median over passes of each pass's median; spread: per-pass ratios")
    print(f"{'python':8} {'fast path':9} {'direction':9} {'ours µs':>8} {'floor µs':>9} {'ratio':>6}  spread")
    last = {"py->cpp": [], "cpp->py": []}
    for version, runs in samples.items():
        loaded = "yes" if all(on for _, on in runs) else "NO"
        for direction in ("py->cpp", "cpp->py"):
            rows = [figures[direction] for figures, _ in runs]
            ours = statistics.median(row[0] for row in rows)
            floor = statistics.median(row[1] for row in rows)
            ratios = [row[2] for row in rows]
            ratio = statistics.median(ratios)
            print(f"{full_versions[version]:8} {loaded:9} {direction:9} {ours:8.3f} {floor:9.3f} {ratio:6.3f}"
                  f"  {min(ratios):.3f}..{max(ratios):.3f}")
            last[direction].append(f"{version}={ratio:.3f}")
    print("local-call pythons " + " ".join(f"{d} {' '.join(v)}" for d, v in last.items()))


if __name__ == "__main__":
    main()
