"""A user's edit-build loop with goray_add_app, with both CMake generators a user gets
(Unix Makefiles, CMake's default and the README's, and Ninja): editing one task's body
recompiles that source's unit alone (the Makefile generators used to `touch` every
output of goray-gen's command, so every unit recompiled), adding a task regenerates the
header and rebuilds what includes it, a deleted output is written again, and a build with
nothing changed does nothing. And goray-gen's scan cache, which makes the regeneration
after a body edit quick: reused after edits inside function bodies, moving the locations
as a new scan would, and never after an edit a scan could see. Behaviour only: the times
are bench/edit_build_loop.py's."""

from __future__ import annotations

import json
import pathlib
import stat
import textwrap
from typing import List

import pytest

from conftest import run

PROJECT = textwrap.dedent("""\
    cmake_minimum_required(VERSION 3.25)
    project(goray_edit_loop LANGUAGES CXX)
    find_package(goray CONFIG REQUIRED)
    goray_add_app(loop SOURCES tasks.h a.cpp b.cpp c.cpp)
    """)

SOURCES = {
    # The tasks c.cpp defines, declared in a header every source includes.
    "tasks.h": """\
        #pragma once
        #include <goray/goray.h>

        #include <string>
        #include <vector>

        struct Point {
          int64_t x = 0;
          int64_t y = 0;
        };

        struct GORAY_TASKS Tasks {
          static int64_t Sum(std::vector<int64_t> values);
          static Point Flip(Point p);
        };
        """,
    # Tasks declared and defined here.
    "a.cpp": """\
        #include "tasks.h"

        struct GORAY_TASKS ATasks {
          static std::string Name() { return "a"; }
        };
        """,
    # Uses the generated header (its typed wrappers): rebuilt when the tasks change.
    "b.cpp": """\
        #include "tasks.h"
        #include "loop.goray.h"

        GORAY_DRIVER int Driver() { return 0; }
        """,
    "c.cpp": """\
        #include "tasks.h"

        int64_t Tasks::Sum(std::vector<int64_t> values) {
          int64_t sum = 0;
          for (int64_t value : values) sum += value;
          return sum;
        }

        Point Tasks::Flip(Point p) { return {p.y, p.x}; }
        """,
}

# Ninja in tier 1; the Makefile generators' loop, whose rules are generated apart, in tier 2.
GENERATORS = [pytest.param("Unix Makefiles", marks=pytest.mark.tier2), "Ninja"]


def compiled(output: str) -> List[str]:
    """The objects a build compiled, by file name."""
    return sorted(line.split("Building CXX object ", 1)[1].strip().rsplit("/", 1)[-1]
                  for line in output.splitlines() if "Building CXX object " in line)


def build(directory: pathlib.Path) -> str:
    result = run(["cmake", "--build", str(directory), "-j", "2"])
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def write_sources(directory: pathlib.Path) -> None:
    for name, text in SOURCES.items():
        (directory / name).write_text(textwrap.dedent(text))
    (directory / "CMakeLists.txt").write_text(PROJECT)


@pytest.mark.parametrize("generator", GENERATORS)
def test_the_edit_build_loop(cmake_dir, tmp_path, generator):
    source = tmp_path / "src"
    source.mkdir()
    write_sources(source)
    # c.cpp has compile properties of its own (set after goray_add_app; docs/cmake.md):
    # Tasks::Flip is defined only where KERNEL_FLAG is, so were the definition lost, the
    # link (--no-undefined) would fail. (The scan reads the target's flags, and needs only
    # the declaration.)
    c_cpp = source / "c.cpp"
    c_cpp.write_text(c_cpp.read_text().replace(
        "Point Tasks::Flip(Point p) { return {p.y, p.x}; }",
        "#ifdef KERNEL_FLAG\nPoint Tasks::Flip(Point p) { return {p.y, p.x}; }\n#endif"))
    (source / "CMakeLists.txt").write_text(PROJECT + textwrap.dedent("""\
        set_source_files_properties(c.cpp PROPERTIES COMPILE_DEFINITIONS KERNEL_FLAG=7
                                    COMPILE_OPTIONS "-O3;-ffast-math")
        """))
    binary = tmp_path / "build"
    configure = run(["cmake", "-S", str(source), "-B", str(binary), "-G", generator,
                     f"-Dgoray_DIR={cmake_dir}", "-DCMAKE_BUILD_TYPE=None",
                     "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"])
    assert configure.returncode == 0, configure.stdout + configure.stderr
    first = build(binary)
    units = ["loop.a_cpp.goray.cpp.o", "loop.b_cpp.goray.cpp.o", "loop.c_cpp.goray.cpp.o",
             "loop.entries.goray.cpp.o", "loop.goray.cpp.o"]  # (.entries: the typed entries)
    assert compiled(first) == ["cmake_pch.hxx.gch"] + units, first
    generated = binary / "loop_goray"

    # A source's own compile properties reach the generated unit that compiles it, and
    # that unit alone, which is compiled without the precompiled header (its flags differ).
    commands = {pathlib.Path(entry["file"]).name: entry["command"]
                for entry in json.loads((binary / "compile_commands.json").read_text())}
    assert "-ffast-math" in commands["loop.c_cpp.goray.cpp"]
    assert "-DKERNEL_FLAG=7" in commands["loop.c_cpp.goray.cpp"]
    assert "cmake_pch" not in commands["loop.c_cpp.goray.cpp"]
    assert "-ffast-math" not in commands["loop.a_cpp.goray.cpp"]
    assert "cmake_pch" in commands["loop.a_cpp.goray.cpp"]
    assert (generated / "loop.scan-cache.json").is_file()

    # Nothing changed: nothing runs.
    idle = build(binary)
    assert "goray-gen" not in idle and compiled(idle) == [], idle

    # A statement appended to a task's body: goray-gen runs (and rewrites nothing), only
    # c.cpp's unit recompiles; no CMake re-run.
    header_mtime = (generated / "loop.goray.h").stat().st_mtime_ns
    c_cpp = source / "c.cpp"
    c_cpp.write_text(c_cpp.read_text().replace("  return sum;\n",
                                               "  sum += 0;\n  return sum;\n"))
    edited = build(binary)
    assert "goray-gen: scanning the sources of loop" in edited, edited
    assert "Re-running CMake" not in edited
    assert compiled(edited) == ["loop.c_cpp.goray.cpp.o"], edited
    assert (generated / "loop.goray.h").stat().st_mtime_ns == header_mtime

    # A new task: the generated header has its wrapper, and what includes the header
    # (b.cpp's unit, the table, the typed entries) and a.cpp's unit (it registers the task)
    # rebuild; c.cpp's unit does not.
    a_cpp = source / "a.cpp"
    a_cpp.write_text(a_cpp.read_text().replace(
        "  static std::string Name() { return \"a\"; }\n",
        "  static std::string Name() { return \"a\"; }\n"
        "  static int64_t Twice(int64_t x) { return 2 * x; }\n"))
    added = build(binary)
    assert "Twice" in (generated / "loop.goray.h").read_text()
    assert '"name": "Twice"' in (generated / "loop.idl.json").read_text()
    assert "Twice" in (binary / "loop.pyi").read_text()
    assert compiled(added) == ["loop.a_cpp.goray.cpp.o", "loop.b_cpp.goray.cpp.o",
                               "loop.entries.goray.cpp.o", "loop.goray.cpp.o"], added

    # A generated file deleted: the next build writes it again (and compiles it alone).
    (generated / "loop.c_cpp.goray.cpp").unlink()
    restored = build(binary)
    assert (generated / "loop.c_cpp.goray.cpp").is_file()
    assert compiled(restored) == ["loop.c_cpp.goray.cpp.o"], restored
    assert compiled(build(binary)) == []


# ---- goray-gen's scan cache --------------------------------------------------------------

def counting_scanner(tmp_path: pathlib.Path, scanner: str) -> pathlib.Path:
    """A goray-scan that counts its runs in calls.txt."""
    script = tmp_path / "counting-scan"
    script.write_text(f"#!/bin/sh\necho run >> {tmp_path / 'calls.txt'}\n"
                      f'exec "{scanner}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def scans(tmp_path: pathlib.Path) -> int:
    calls = tmp_path / "calls.txt"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


# Tier 2: the body-edit cache, edit by edit; the Ninja edit loop reuses it in tier 1
@pytest.mark.tier2
def test_the_scan_cache_serves_body_edits_and_nothing_else(scanner, tmp_path, monkeypatch):
    from goray.gen.generate import GenerateOptions, generate

    # The scans counted are the body-edit cache's alone: the user's scan store (shared by
    # runs, test_gen_scan_store.py's subject) would serve this test's second run.
    monkeypatch.setenv("GORAY_SCAN_STORE", "off")

    source = tmp_path / "src"
    source.mkdir()
    write_sources(source)
    (source / "b.cpp").write_text(textwrap.dedent("""\
        #include "tasks.h"

        int Helper(int x) {
          return x + 1;
        }

        // The driver.
        GORAY_DRIVER int Driver() {
          return 0;
        }
        """))
    counting = counting_scanner(tmp_path, scanner)

    def regenerate(cache: bool = True, outdir: str = "out"):
        return generate(GenerateOptions(
            sources=[str(source / name) for name in ("tasks.h", "a.cpp", "b.cpp", "c.cpp")],
            outdir=str(tmp_path / outdir), name="loop", root=str(source),
            scanner=str(counting), scan_cache=str(tmp_path / "cache.json") if cache else None))

    assert regenerate().scanned and scans(tmp_path) == 1
    assert not regenerate().scanned and scans(tmp_path) == 1  # nothing changed

    def edit(name: str, old: str, new: str) -> None:
        path = source / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))

    # Bodies, with two lines added before the driver: its location moves as a scan's would.
    edit("c.cpp", "  return sum;\n", "  sum += 0;\n  // the sum\n  return sum;\n")
    edit("b.cpp", "  return x + 1;\n", "  x += 1;\n  x *= 1;\n  return x;\n")
    edit("b.cpp", "  return 0;\n", "  int unused = Helper(1);\n  (void)unused;\n  return 0;\n")
    result = regenerate()
    assert not result.scanned and scans(tmp_path) == 1
    idl = (tmp_path / "out" / "loop.idl.json").read_text()
    assert json.loads(idl)["driver"]["location"] == {"file": "b.cpp", "line": 10, "column": 18}
    fresh = regenerate(cache=False, outdir="fresh")
    assert fresh.scanned and scans(tmp_path) == 2
    assert (tmp_path / "fresh" / "loop.idl.json").read_text() == idl

    # Edits a scan could see: each scans again (and is then served by the cache).
    for name, old, new in [
            ("c.cpp", "Point Tasks::Flip(Point p)", "Point Tasks::Flip(Point p /* q */)"),
            ("tasks.h", "  int64_t y = 0;\n", "  int64_t y = 0;\n  int64_t z = 0;\n"),
            ("a.cpp", '#include "tasks.h"\n', '#include "tasks.h"\n\nauto One() { return 1; }\n'),
            ("a.cpp", "return 1; }", "return 1L; }"),  # a deduced result's body
            ("b.cpp", "// The driver.\n", "// The driver.\n\n"),
            ("c.cpp", "  return sum;\n", "#ifdef NDEBUG\n#endif\n  return sum;\n"),
    ]:
        before = scans(tmp_path)
        edit(name, old, new)
        assert regenerate().scanned and scans(tmp_path) == before + 1, (name, new)
        assert not regenerate().scanned and scans(tmp_path) == before + 1, (name, new)
    assert '"name": "z"' in (tmp_path / "out" / "loop.idl.json").read_text()


@pytest.mark.parametrize("text", [
    "auto Deduced() { return 1; }",              # the scan reads a deduced result's body
    "constexpr int Constant() { return 1; }",    # and a constexpr function's
    "template <class T> T Id(T t) { return t; }",
    "int SHOUT(int x) { return x; }",            # a macro's, perhaps
    "struct S { int f() { return 1; } int g() { return 2; } };",
])
def test_bodies_the_scan_may_read_are_not_skipped(text):
    from goray.gen.scan_cache import skipped_bodies as _skipped_bodies

    bodies = _skipped_bodies(text)
    assert bodies is not None
    skipped = [text[start:end] for start, end in bodies]
    if text.startswith("struct"):
        assert skipped == [" return 1; ", " return 2; "]
    else:
        assert skipped == []


@pytest.mark.parametrize("text", [
    'void Fn() { const char* s = "}"; }\nvoid Gn() {}',
    "void f() { char c = '}'; /* } */ // }\n}",
    'void f() { auto s = R"x(})x"; }',
    "int n = 1'000; void f() { }",
    "Counter::Counter(int n) : n_{n}, m_(n) { Init(); }",
    "namespace a { extern \"C\" { inline int f() { return 1; } } }",
])
def test_what_the_lexer_sees_as_a_skipped_body(text):
    from goray.gen.scan_cache import skipped_bodies as _skipped_bodies

    bodies = _skipped_bodies(text)
    assert bodies, text
    for start, end in bodies:
        assert text[start - 1] == "{" and text[end] == "}", (text, start, end)


def test_text_the_lexer_cannot_follow_is_never_served():
    from goray.gen.scan_cache import skipped_bodies as _skipped_bodies

    for text in ["void f() { ", "void f() { \"unterminated }", "void f() <% %>",
                 "void f() { }\\\n"]:
        assert _skipped_bodies(text) is None, text
