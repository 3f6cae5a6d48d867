"""The goray CMake package: goray_add_app's keyword arguments and its errors (prefixed
with the function's name), what the generation depends on, and
`python -m goray --cmake-dir`."""

from __future__ import annotations

import os
import pathlib
import sysconfig
import textwrap

import pytest

from conftest import APPS, PYTHON, ROOT, run

PROJECT = textwrap.dedent("""\
    cmake_minimum_required(VERSION 3.25)
    project(goray_add_app_errors LANGUAGES CXX)
    find_package(goray CONFIG REQUIRED)
    file(WRITE ${{CMAKE_CURRENT_BINARY_DIR}}/plain.cpp "int plain() {{ return 0; }}\\n")
    file(WRITE ${{CMAKE_CURRENT_BINARY_DIR}}/plain.txt "text\\n")
    {call}
    """)

ERRORS = {
    "no_sources": ("goray_add_app(app)", "goray_add_app: SOURCES is required"),
    "empty_sources": ("goray_add_app(app SOURCES)", "goray_add_app: SOURCES needs a value"),
    "unknown_keyword": (f"goray_add_app(app BOGUS x SOURCES {APPS}/onefile/app.cpp)",
                        "goray_add_app: unknown argument(s): BOGUS;x"),
    "missing_source": ("goray_add_app(app SOURCES nope.cpp)",
                       "goray_add_app: source nope.cpp is not a file"),
    "nothing_to_scan": ("goray_add_app(app SOURCES ${CMAKE_CURRENT_BINARY_DIR}/plain.txt)",
                        "goray_add_app: no source of app is a C++ header or source file"),
    "bad_name": (f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp NAME a/b)",
                 "goray_add_app: NAME 'a/b' is not a plain file name"),
    "bad_namespace": (f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp NAMESPACE a-b)",
                      "goray_add_app: NAMESPACE 'a-b' is not a C++ namespace name"),
    "existing_target": ("add_library(app STATIC ${CMAKE_CURRENT_BINARY_DIR}/plain.cpp)\n"
                        f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp)",
                        "goray_add_app: a target named app already exists"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_goray_add_app_errors_name_the_function(cmake_dir, tmp_path, name):
    call, message = ERRORS[name]
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(call=call))
    result = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "build"), "-G", "Ninja",
                  f"-Dgoray_DIR={cmake_dir}"])
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split()), result.stderr


def test_generation_depends_on_sources_scanner_renderer_and_templates(built_apps):
    ninja = (built_apps["build"] / "build.ninja").read_text()
    rule = next(line for line in ninja.splitlines()
                if line.startswith("build typesapp_goray/typesapp.stamp"))
    inputs = rule.split("CUSTOM_COMMAND", 1)[1]
    for dependency in [APPS / "types" / "types.h", APPS / "types" / "types.cpp"]:
        assert str(dependency) in inputs
    templates = sorted((ROOT / "templates").glob("*.j2"))
    assert len(templates) >= 6, f"the templates are not in {ROOT / 'templates'}"
    for template in templates:
        assert str(template.resolve()) in inputs, template.name
    assert str((ROOT / "python" / "goray" / "gen" / "model.py").resolve()) in inputs
    assert "goray-scan" in inputs
    # wrappers.cpp has no GORAY_ marker but is scanned too: adding one needs no reconfigure.
    assert str(APPS / "types" / "wrappers.cpp") in inputs


def test_each_source_is_compiled_through_its_own_unit(built_apps):
    ninja = (built_apps["build"] / "build.ninja").read_text()
    objects = [line.split(":")[0] for line in ninja.splitlines()
               if line.startswith("build CMakeFiles/typesapp.dir/")]
    compiled = " ".join(objects)
    assert "typesapp.goray.cpp.o" in compiled
    assert "typesapp.types_cpp.goray.cpp.o" in compiled
    assert "typesapp.wrappers_cpp.goray.cpp.o" in compiled
    # HEADER_FILE_ONLY: each is #included by its unit.
    assert "/types.cpp.o" not in compiled and "/wrappers.cpp.o" not in compiled


def test_sources_are_not_configure_dependencies(built_apps):
    """CMake never reads the sources: editing one does not reconfigure."""
    ninja = (built_apps["build"] / "build.ninja").read_text()
    rule = ninja[ninja.index("build build.ninja"):]
    rule = rule[:rule.index("\n\n")]
    for source in ("types/types.cpp", "types/wrappers.cpp", "onefile/app.cpp"):
        assert str(APPS / source) not in rule, source


def test_the_generation_runs_with_the_recorded_python_in_a_clean_environment(built_apps):
    ninja = (built_apps["build"] / "build.ninja").read_text()
    command = next(line for line in ninja.splitlines()
                   if "COMMAND" in line and "goray.gen" in line and "typesapp" in line)
    python = command.split("-m goray.gen")[0].split()[-1]
    assert pathlib.Path(python).is_absolute(), command


def test_cmake_dir_option(cmake_dir, monkeypatch):
    result = run([PYTHON, "-m", "goray", "--cmake-dir"],
                 env={"GORAY_CMAKE_DIR": str(cmake_dir), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(cmake_dir)
    assert (pathlib.Path(result.stdout.strip()) / "gorayConfig.cmake").is_file()


def test_cmake_dir_not_found_is_one_line_and_exit_1(monkeypatch, capsys, tmp_path):
    from goray import cmake_dir

    monkeypatch.setattr(cmake_dir, "candidates", lambda: [tmp_path / "nothing"])
    assert cmake_dir.main(["--cmake-dir"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("goray: error: goray's CMake package is not installed")
    assert error.count("\n") == 1


def test_a_struct_from_an_unlisted_header(built_apps):
    """goray-gen scans the project headers the sources include: point.h is among the
    IDL's sources, the generated header includes it and holds its adaptor and the typed
    wrapper of the task that takes it (wrappers.cpp, which uses it, compiled), and the
    depfile names point.h, so changing it regenerates."""
    generated = built_apps["build"] / "unlisted_goray"
    header = (generated / "unlisted.goray.h").read_text()
    assert '#include "point.h"' in header
    assert "struct pack<::Point>" in header
    assert "auto Mirror(" in header
    assert "struct pack<::Point>" not in (generated / "unlisted.app_cpp.goray.cpp").read_text()
    point = APPS / "unlisted" / "point.h"
    assert str(point) in (generated / "unlisted.d").read_text()
    times = point.stat()
    try:
        os.utime(point)
        dry = run(["ninja", "-C", str(built_apps["build"]), "-n", "unlisted_goray/unlisted.stamp"])
        assert "goray-gen: scanning the sources of unlisted" in dry.stdout, dry.stdout
    finally:
        os.utime(point, ns=(times.st_atime_ns, times.st_mtime_ns))


def test_optimized_with_line_tables_when_no_build_type_is_set(cmake_dir, tmp_path):
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(
        call=f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp)"))
    result = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "build"), "-G", "Ninja",
                  f"-Dgoray_DIR={cmake_dir}"])
    assert result.returncode == 0, result.stderr
    ninja = (tmp_path / "build" / "build.ninja").read_text()
    flags = next(line for line in ninja.splitlines() if line.strip().startswith("FLAGS ="))
    assert "-O2" in flags and "-std=c++20" in flags and "-fvisibility=hidden" in flags, flags
    assert "-g1" in flags.split(), flags  # line tables: crash reports name file:line
    assert "NDEBUG" in ninja


def test_namespace_reaches_goray_gen_apart_from_name(cmake_dir, tmp_path):
    """NAMESPACE is the wrappers' C++ namespace, NAME still the outputs' and the Python
    module's (the corpus's own_namespace case builds and runs such outputs)."""
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(
        call=f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp NAME riskray "
             "NAMESPACE riskray::gen)"))
    result = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "build"), "-G", "Ninja",
                  f"-Dgoray_DIR={cmake_dir}"])
    assert result.returncode == 0, result.stderr
    ninja = (tmp_path / "build" / "build.ninja").read_text()
    assert "--name riskray --namespace riskray::gen" in ninja


def test_the_typed_entries_module_is_built_beside_the_stubs(cmake_dir, tmp_path):
    """<target>_entries: _<name>_entries with the Python's extension suffix, in STUBS_DIR,
    compiled as the library is (its flags), from goray-gen's <name>.entries.goray.cpp."""
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(
        call=f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp NAME my-app STUBS_DIR stubs)"))
    result = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "build"), "-G", "Ninja",
                  f"-Dgoray_DIR={cmake_dir}"])
    assert result.returncode == 0, result.stderr
    assert "typed in-process entries" not in result.stderr
    ninja = (tmp_path / "build" / "build.ninja").read_text()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert f"stubs/_my_app_entries{suffix}" in ninja, "the module's file"
    assert "app_goray/my-app.entries.goray.cpp" in ninja
    sysconfig_include = sysconfig.get_paths()["include"]
    assert f"-I{sysconfig_include}" in ninja or f"-isystem {sysconfig_include}" in ninja


# Tier 2: a Release build of the typed entries; tier 1 builds and imports them at the tree's flags
@pytest.mark.tier2
def test_a_release_builds_typed_entries_module_imports(cmake_dir, tmp_path):
    """-O3 (CMake's Release): GCC 12 put the generated module definition in memory made
    read-only after loading, and CPython writes into it: the import crashed."""
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(
        call=f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp)"))
    build = tmp_path / "build"
    for command in (["cmake", "-S", str(tmp_path), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}", "-DCMAKE_BUILD_TYPE=Release"],
                    ["cmake", "--build", str(build)]):
        result = run(command)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    script = (f"import sys, goray; sys.path.insert(0, {str(build)!r}); "
              f"goray.load_library({str(build / 'libapp.so')!r}); import _app_entries; "
              "print(sorted(n for n in dir(_app_entries) if not n.startswith('_'))[:1])")
    imported = run([PYTHON, "-c", script])
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert imported.stdout.strip().startswith("['"), imported.stdout


def test_without_pythons_headers_the_library_is_built_alone_with_a_warning(cmake_dir, tmp_path):
    """A Python without headers (Debian's system Python without python3-dev): one warning
    saying how to get them, and the library alone (its calls take the codec path)."""
    (tmp_path / "CMakeLists.txt").write_text(PROJECT.format(
        call=f"goray_add_app(app SOURCES {APPS}/onefile/app.cpp)\n"
             f"goray_add_app(second SOURCES {APPS}/onefile/app.cpp NAME second)"))
    empty = tmp_path / "no-headers"
    empty.mkdir()
    result = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "build"), "-G", "Ninja",
                  f"-Dgoray_DIR={cmake_dir}", f"-DGORAY_PYTHON_INCLUDE_DIR={empty}",
                  "-DGORAY_PYTHON_EXT_SUFFIX=.so"])
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stderr.split())  # (CMake folds a message's lines)
    assert said.count("built without their typed in-process entries") == 1, result.stderr
    assert "python3-dev" in said and f"{empty}/Python.h does not exist" in said, said
    ninja = (tmp_path / "build" / "build.ninja").read_text()
    assert "libapp.so" in ninja and "_app_entries" not in ninja
    quiet = run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "quiet"), "-G", "Ninja",
                 f"-Dgoray_DIR={cmake_dir}", "-DGORAY_TYPED_ENTRIES=OFF"])
    assert quiet.returncode == 0 and "typed in-process" not in " ".join(quiet.stderr.split())


INCREMENTAL = textwrap.dedent("""\
    cmake_minimum_required(VERSION 3.25)
    project(goray_incremental LANGUAGES CXX)
    find_package(goray CONFIG REQUIRED)
    goray_add_app(two SOURCES point.h a.cpp b.cpp plain.cpp)
    """)


def compiled_objects(output: str) -> list:
    return sorted(line.split("Building CXX object ", 1)[1].strip()
                  for line in output.splitlines() if "Building CXX object " in line)


def test_editing_one_source_recompiles_only_its_unit_and_never_reconfigures(cmake_dir,
                                                                           tmp_path):
    """Each source compiles in its own generated unit and CMake never reads the sources:
    touching a.cpp re-runs goray-gen and recompiles a.cpp's unit alone (the table and b.cpp's
    unit are unchanged, so not rebuilt), with no CMake re-run. A marker added to a source
    that had none registers its task, still without reconfiguring."""
    corpus = pathlib.Path(__file__).parent / "corpus" / "two_sources"
    for name in ("point.h", "a.cpp", "b.cpp"):
        (tmp_path / name).write_text((corpus / name).read_text())
    (tmp_path / "plain.cpp").write_text("int Plain() { return 1; }\n")
    (tmp_path / "CMakeLists.txt").write_text(INCREMENTAL)
    build = tmp_path / "build"
    configure = run(["cmake", "-S", str(tmp_path), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}", "-DCMAKE_BUILD_TYPE=None"])
    assert configure.returncode == 0, configure.stderr
    first = run(["cmake", "--build", str(build), "-j", "2"])
    assert first.returncode == 0, first.stdout + first.stderr
    assert compiled_objects(first.stdout) == [
        "CMakeFiles/two.dir/cmake_pch.hxx.gch",  # <goray/goray.h>, precompiled
        "CMakeFiles/two.dir/two_goray/two.a_cpp.goray.cpp.o",
        "CMakeFiles/two.dir/two_goray/two.b_cpp.goray.cpp.o",
        "CMakeFiles/two.dir/two_goray/two.goray.cpp.o",
        "CMakeFiles/two.dir/two_goray/two.plain_cpp.goray.cpp.o",
        "CMakeFiles/two_entries.dir/two_goray/two.entries.goray.cpp.o"]  # the typed entries
    build_ninja = (build / "build.ninja").stat().st_mtime_ns

    source = tmp_path / "a.cpp"
    source.write_text(source.read_text() + "// an edit\n")
    again = run(["cmake", "--build", str(build), "-j", "2"])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Re-running CMake" not in again.stdout
    assert "goray-gen: scanning the sources of two" in again.stdout
    assert compiled_objects(again.stdout) == ["CMakeFiles/two.dir/two_goray/two.a_cpp.goray.cpp.o"]
    assert (build / "build.ninja").stat().st_mtime_ns == build_ninja

    (tmp_path / "plain.cpp").write_text(
        "#include <goray/goray.h>\n"
        "struct GORAY_TASKS Plain { int64_t One() { return 1; } };\n")
    marked = run(["cmake", "--build", str(build), "-j", "2"])
    assert marked.returncode == 0, marked.stdout + marked.stderr
    assert "Re-running CMake" not in marked.stdout
    assert "two.plain_cpp.goray.cpp.o" in " ".join(compiled_objects(marked.stdout))
    idl = (build / "two_goray" / "two.idl.json").read_text()
    assert '"name": "One"' in idl


SHARED_HELPER = textwrap.dedent("""\
    cmake_minimum_required(VERSION 3.25)
    project(goray_shared_helper LANGUAGES CXX)
    find_package(goray CONFIG REQUIRED)
    goray_add_app(app SOURCES a.cpp helper.cpp)
    add_executable(tool tool.cpp helper.cpp)
    """)


# Tier 2: a CMake project of its own; goray_add_app's sources build in tier 1's projects
@pytest.mark.tier2
def test_a_source_shared_with_another_target_in_the_directory_still_compiles_there(
        cmake_dir, tmp_path):
    """Source properties are per directory: goray_add_app must not mark its sources
    HEADER_FILE_ONLY (tool would then not compile helper.cpp and fail to link)."""
    (tmp_path / "a.cpp").write_text(
        "#include <goray/goray.h>\nint Helper();\n"
        "struct GORAY_TASKS Tasks { static int64_t H() { return Helper(); } };\n")
    (tmp_path / "helper.cpp").write_text("int Helper() { return 7; }\n")
    (tmp_path / "tool.cpp").write_text("int Helper();\nint main() { return Helper() - 7; }\n")
    (tmp_path / "CMakeLists.txt").write_text(SHARED_HELPER)
    build = tmp_path / "build"
    configure = run(["cmake", "-S", str(tmp_path), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}"])
    assert configure.returncode == 0, configure.stderr
    built = run(["cmake", "--build", str(build), "-j", "2"])
    assert built.returncode == 0, built.stdout + built.stderr
    assert run([str(build / "tool")]).returncode == 0
    assert (build / "libapp.so").exists()


REAL_PATHS = textwrap.dedent("""\
    cmake_minimum_required(VERSION 3.25)
    project(goray_real_paths LANGUAGES CXX)
    find_package(goray CONFIG REQUIRED)
    goray_add_app(linked SOURCES src/tasks.cpp src/driver.cpp)
    goray_add_app(accents SOURCES café.cpp)
    """)


# Tier 2: sources' paths goray-gen spells byte by byte; test_gen_naming.py checks the spelling in
# tier 1
@pytest.mark.tier2
def test_symlinked_and_non_ascii_sources_get_the_units_goray_gen_writes(cmake_dir, tmp_path):
    """goray-gen names a unit after the source's real path, byte by byte: goray_add_app
    must too, or the build expects a unit that is never written. src/tasks.cpp is a link
    to ../shared/tasks.cpp; café.cpp has a non-ASCII name (one '_' per UTF-8 byte)."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "shared" / "tasks.cpp").write_text(
        "#include <goray/goray.h>\n"
        "struct GORAY_TASKS Tasks { static int64_t Add(int64_t a, int64_t b) "
        "{ return a + b; } };\n")
    (tmp_path / "src" / "tasks.cpp").symlink_to("../shared/tasks.cpp")
    (tmp_path / "src" / "driver.cpp").write_text(
        "#include <goray/goray.h>\nGORAY_DRIVER int Main() { return 0; }\n")
    (tmp_path / "café.cpp").write_text(
        "#include <goray/goray.h>\n"
        "struct GORAY_TASKS Tasks { static int64_t One() { return 1; } };\n",
        encoding="utf-8")
    (tmp_path / "CMakeLists.txt").write_text(REAL_PATHS, encoding="utf-8")
    build = tmp_path / "build"
    configure = run(["cmake", "-S", str(tmp_path), "-B", str(build), "-G", "Ninja",
                     f"-Dgoray_DIR={cmake_dir}"])
    assert configure.returncode == 0, configure.stderr
    built = run(["cmake", "--build", str(build), "-j", "2"])
    assert built.returncode == 0, built.stdout + built.stderr
    assert (build / "linked_goray" / "linked.shared_tasks_cpp.goray.cpp").exists()
    assert (build / "accents_goray" / "accents.caf___cpp.goray.cpp").exists()
    assert '"name": "Add"' in (build / "linked_goray" / "linked.idl.json").read_text()
    assert '"name": "One"' in (build / "accents_goray" / "accents.idl.json").read_text()
    assert (build / "liblinked.so").exists() and (build / "libaccents.so").exists()
