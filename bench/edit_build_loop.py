"""A user's edit-build loop: how long `cmake --build` takes after a statement is appended
to one task's body, in a 4-source application built with goray_add_app, with the Unix
Makefiles generator (CMake's default, the README's) and with Ninja.

    .venv/bin/python bench/edit_build_loop.py [--cmake-dir DIR] [--edits 5]
        [--generators "Unix Makefiles,Ninja"] [--variants default,no-pch,ccache]
        [--add-app FILE] [--work DIR]

The application (written into a temporary directory): model.h declares a record struct,
a GORAY_TASKS struct of 10 tasks over std::vector, std::string, std::map and the record,
an actor class and its factory; tasks_a.cpp, tasks_b.cpp and tasks_c.cpp define the tasks,
counter.cpp the actor and a driver. Each configuration is configured (no build type: -O2,
as goray_add_app's default), built once (the full build's time is printed), edited once
untimed, then `--edits` times: one source's task body gets a new statement (the sources in
turn, a new constant each time, so the unit must really recompile: a ccache miss), then
`cmake --build -j 2` is timed. Printed per configuration: the full build, the edits'
median, min and max, the objects each edit compiled, and for Ninja the median time of the
steps (from .ninja_log: goray-gen, the compile, the link). The CPU time (user + system of
every process the build ran) is what the edit costs a machine with nothing else to do,
where the steps run one after the other: the wall time is that plus the waits for cores
other work holds.

Variants: `default` (goray_add_app as the package has it), `no-pch` (NO_PRECOMPILED_HEADER),
`ccache` (CMAKE_CXX_COMPILER_LAUNCHER=ccache with an empty cache of its own and
CCACHE_SLOPPINESS=pch_defines,time_macros, as scripts/lib.sh sets). `--add-app FILE`
includes FILE after find_package(goray), to time another goray_add_app (an older one:
`git show <commit>:cmake/goray_add_app.cmake > old.cmake`; its own goray_runtime.cmake
is then the one next to FILE). The last line is `edit ratio=X`: the slowest median over the
3 s target (at most 1 meets it). The machine's load average is printed: the times are wall
times, and other work on the machine stretches them.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET_SECONDS = 3.0
EDIT_HERE = "  // (edits go here)\n"

SOURCES: Dict[str, str] = {
    "model.h": """\
        // The edit-build loop's application: tasks declared here, defined in tasks_a.cpp,
        // tasks_b.cpp and tasks_c.cpp; the actor in counter.cpp.
        #pragma once

        #include <goray/goray.h>

        #include <cstdint>
        #include <map>
        #include <memory>
        #include <string>
        #include <vector>

        /// A record the tasks pass around.
        struct Record {
          std::string name;
          int64_t count = 0;
          std::vector<double> values;
        };

        struct GORAY_TASKS Tasks {
          static int64_t Sum(std::vector<int64_t> values);
          static double Mean(std::vector<double> values);
          static std::vector<double> Scale(std::vector<double> values, double factor);
          static std::string Join(std::vector<std::string> parts, std::string separator);
          static std::vector<std::string> Split(std::string text, std::string separator);
          static std::map<std::string, int64_t> Histogram(std::vector<std::string> words);
          static std::string Describe(Record record);
          static Record MakeRecord(std::string name, std::vector<double> values);
          static std::vector<Record> Filter(std::vector<Record> records, int64_t min_count);
          static Record Merge(Record a, Record b);
        };

        /// Counts and remembers names.
        class Counter {
         public:
          explicit Counter(int64_t start);
          int64_t Add(int64_t by);
          std::string Remember(std::string name);
          std::vector<std::string> Names() const;
          Record Snapshot() const;

         private:
          int64_t total_;
          std::vector<std::string> names_;
        };

        struct GORAY_ACTORS Actors {
          static std::unique_ptr<::Counter> Counter(int64_t start);
        };
        """,
    "tasks_a.cpp": """\
        #include "model.h"

        #include <numeric>

        int64_t Tasks::Sum(std::vector<int64_t> values) {
          int64_t sum = std::accumulate(values.begin(), values.end(), int64_t{0});
          // (edits go here)
          return sum;
        }

        double Tasks::Mean(std::vector<double> values) {
          if (values.empty()) return 0.0;
          return std::accumulate(values.begin(), values.end(), 0.0) /
                 static_cast<double>(values.size());
        }

        std::vector<double> Tasks::Scale(std::vector<double> values, double factor) {
          for (double& value : values) value *= factor;
          return values;
        }
        """,
    "tasks_b.cpp": """\
        #include "model.h"

        #include <sstream>

        std::string Tasks::Join(std::vector<std::string> parts, std::string separator) {
          std::string out;
          for (size_t i = 0; i < parts.size(); ++i) {
            if (i > 0) out += separator;
            out += parts[i];
          }
          // (edits go here)
          return out;
        }

        std::vector<std::string> Tasks::Split(std::string text, std::string separator) {
          std::vector<std::string> out;
          if (separator.empty()) return {text};
          size_t start = 0;
          for (size_t at = text.find(separator); at != std::string::npos;
               at = text.find(separator, start)) {
            out.push_back(text.substr(start, at - start));
            start = at + separator.size();
          }
          out.push_back(text.substr(start));
          return out;
        }

        std::map<std::string, int64_t> Tasks::Histogram(std::vector<std::string> words) {
          std::map<std::string, int64_t> counts;
          for (const std::string& word : words) ++counts[word];
          return counts;
        }

        std::string Tasks::Describe(Record record) {
          std::ostringstream out;
          out << record.name << " x" << record.count << " (" << record.values.size()
              << " values)";
          return out.str();
        }
        """,
    "tasks_c.cpp": """\
        #include "model.h"

        #include <algorithm>

        Record Tasks::MakeRecord(std::string name, std::vector<double> values) {
          Record record;
          record.name = std::move(name);
          record.count = static_cast<int64_t>(values.size());
          record.values = std::move(values);
          // (edits go here)
          return record;
        }

        std::vector<Record> Tasks::Filter(std::vector<Record> records, int64_t min_count) {
          records.erase(std::remove_if(records.begin(), records.end(),
                                       [&](const Record& r) { return r.count < min_count; }),
                        records.end());
          return records;
        }

        Record Tasks::Merge(Record a, Record b) {
          a.name += "+" + b.name;
          a.count += b.count;
          a.values.insert(a.values.end(), b.values.begin(), b.values.end());
          return a;
        }
        """,
    "counter.cpp": """\
        #include "model.h"

        Counter::Counter(int64_t start) : total_(start) {}

        int64_t Counter::Add(int64_t by) {
          total_ += by;
          // (edits go here)
          return total_;
        }

        std::string Counter::Remember(std::string name) {
          names_.push_back(name);
          return "remembered " + name;
        }

        std::vector<std::string> Counter::Names() const { return names_; }

        Record Counter::Snapshot() const {
          Record record;
          record.name = "counter";
          record.count = total_;
          return record;
        }

        std::unique_ptr<::Counter> Actors::Counter(int64_t start) {
          return std::make_unique<::Counter>(start);
        }

        GORAY_DRIVER int Driver() {
          auto sum = goray::Get<int64_t>(goray::RemoteCall("Sum", std::vector<int64_t>{1, 2, 3}));
          goray::ActorHandle counter = goray::NewActor("Counter", int64_t{1});
          return goray::Get<int64_t>(counter.RemoteCall("Add", sum)) == 7 ? 0 : 1;
        }
        """,
}
EDITED = ["tasks_a.cpp", "tasks_b.cpp", "tasks_c.cpp", "counter.cpp"]

PROJECT = """\
cmake_minimum_required(VERSION 3.25)
project(edit_build_loop LANGUAGES CXX)
find_package(goray CONFIG REQUIRED)
{include}goray_add_app(editloop SOURCES model.h tasks_a.cpp tasks_b.cpp tasks_c.cpp counter.cpp{options})
"""


@dataclass
class Result:
    generator: str
    variant: str
    full: float = 0.0
    edits: List[float] = field(default_factory=list)
    cpu: List[float] = field(default_factory=list)               # user + system, all processes
    compiled: List[int] = field(default_factory=list)
    steps: Dict[str, List[float]] = field(default_factory=dict)  # Ninja: per-step seconds


def run(command: List[str], cwd: Optional[pathlib.Path] = None,
        env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}")
    return result


def write_app(directory: pathlib.Path, variant: str, add_app: Optional[str]) -> None:
    directory.mkdir(parents=True)
    for name, text in SOURCES.items():
        (directory / name).write_text(textwrap.dedent(text))
    include = f'include("{add_app}")\n' if add_app else ""
    options = " NO_PRECOMPILED_HEADER" if variant == "no-pch" else ""
    (directory / "CMakeLists.txt").write_text(PROJECT.format(include=include, options=options))


def edit(source: pathlib.Path, serial: int) -> None:
    text = source.read_text()
    assert EDIT_HERE in text, source
    source.write_text(text.replace(EDIT_HERE, f"  (void)({serial} + 0);\n{EDIT_HERE}", 1))


def ninja_log(build: pathlib.Path) -> List[str]:
    log = build / ".ninja_log"
    return log.read_text().splitlines() if log.exists() else []


def ninja_steps(build: pathlib.Path, before: List[str]) -> Dict[str, float]:
    """The steps of the last build: the lines of .ninja_log that were not there ``before``
    (Ninja may have compacted the log first, keeping each output's last line)."""
    steps: Dict[str, float] = {}
    known = set(before)
    edges = set()  # an edge's outputs share its line's times and hash (and CMake lists
    for line in ninja_log(build):  # some under two spellings): count each edge once
        if line in known:
            continue
        fields = line.split("\t")
        if len(fields) < 5 or line.startswith("#"):
            continue
        output = fields[3]
        step = ("goray-gen" if output.endswith(".stamp") else
                "link" if output.endswith(".so") else
                "compile" if output.endswith(".o") else None)
        edge = (fields[0], fields[1], fields[4])
        if step is None or edge in edges:
            continue
        edges.add(edge)
        steps[step] = steps.get(step, 0.0) + (int(fields[1]) - int(fields[0])) / 1000
    return steps


def measure(generator: str, variant: str, work: pathlib.Path, cmake_dir: str, edits: int,
            add_app: Optional[str]) -> Result:
    slug = re.sub(r"\W+", "-", f"{generator}-{variant}").lower()
    source, build = work / slug / "src", work / slug / "build"
    write_app(source, variant, add_app)
    env = dict(os.environ)
    env.pop("CMAKE_CXX_COMPILER_LAUNCHER", None)
    env.pop("CMAKE_C_COMPILER_LAUNCHER", None)
    if variant == "ccache":
        env.update(CMAKE_CXX_COMPILER_LAUNCHER="ccache", CCACHE_DIR=str(work / slug / "ccache"),
                   CCACHE_SLOPPINESS="pch_defines,time_macros")
    run(["cmake", "-S", str(source), "-B", str(build), "-G", generator,
         f"-Dgoray_DIR={cmake_dir}"], env=env)
    result = Result(generator, variant)
    start = time.perf_counter()
    run(["cmake", "--build", str(build), "-j", "2"], env=env)
    result.full = time.perf_counter() - start
    for serial in range(edits + 1):
        edit(source / EDITED[serial % len(EDITED)], serial + 1)
        logged = ninja_log(build)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        output = run(["cmake", "--build", str(build), "-j", "2"], env=env).stdout
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if serial == 0:
            continue  # untimed: the first edit after the full build
        result.edits.append(elapsed)
        result.cpu.append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
        result.compiled.append(output.count("Building CXX object"))
        if generator.startswith("Ninja"):
            for step, seconds in ninja_steps(build, logged).items():
                result.steps.setdefault(step, []).append(seconds)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cmake-dir", help="goray's CMake package (default: python -m goray "
                                            "--cmake-dir)")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--generators", default="Unix Makefiles,Ninja")
    parser.add_argument("--variants", default="default,no-pch,ccache")
    parser.add_argument("--add-app", help="a goray_add_app.cmake to include instead")
    parser.add_argument("--work", help="build here (kept) instead of a temporary directory")
    options = parser.parse_args()
    cmake_dir = options.cmake_dir or subprocess.run(
        [sys.executable, "-m", "goray", "--cmake-dir"], check=True, stdout=subprocess.PIPE,
        text=True).stdout.strip()
    add_app = str(pathlib.Path(options.add_app).resolve()) if options.add_app else None
    variants = [v for v in options.variants.split(",") if v]
    if "ccache" in variants and not shutil.which("ccache"):
        print("ccache is not installed: the ccache variant is left out")
        variants.remove("ccache")
    print(f"goray package  {cmake_dir}" + (f"\ngoray_add_app  {add_app}" if add_app else ""))
    print(f"application    {', '.join(EDITED)} and model.h: 10 tasks, an actor, a driver")
    print(f"edits          {options.edits} per configuration, timed (after one untimed); "
          f"`cmake --build -j 2`")
    load_before = os.getloadavg()[0]
    results: List[Result] = []
    with tempfile.TemporaryDirectory(prefix="edit-loop-") as temporary:
        work = pathlib.Path(options.work or temporary)
        for generator in [g for g in options.generators.split(",") if g]:
            for variant in variants:
                result = measure(generator, variant, work, cmake_dir, options.edits, add_app)
                results.append(result)
                steps = "  ".join(f"{step} {statistics.median(times):.2f} s"
                                  for step, times in sorted(result.steps.items()))
                print(f"{generator:15} {variant:8} full {result.full:6.1f} s   edit median "
                      f"{statistics.median(result.edits):5.2f} s (min {min(result.edits):.2f}, "
                      f"max {max(result.edits):.2f}; CPU {statistics.median(result.cpu):.2f} s)"
                      f"   objects compiled per edit "
                      f"{statistics.median(result.compiled):g}" +
                      (f"   [{steps}]" if steps else ""), flush=True)
    print(f"load average   {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
          f"({os.cpu_count()} cores)")
    worst = max(statistics.median(result.edits) for result in results)
    print(f"edit ratio={worst / TARGET_SECONDS:.2f} (slowest median {worst:.2f} s, "
          f"target <= {TARGET_SECONDS:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
