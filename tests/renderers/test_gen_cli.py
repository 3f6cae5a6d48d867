"""The goray-gen command: outputs, names, incremental writes (goray.gen.incremental_write),
independence from the output directory, first builds, exit codes, which sources need a scan
(goray.gen.marked, following includes with goray.gen.includes), and the message without
Jinja2 (goray.gen.jinja)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import textwrap

import pytest

from conftest import GOLDEN, INPUTS, ROOT, gen_command, run

APP = GOLDEN / "app" / "app.cpp"             # includes <goray/goray.h>: a real scan
ACTORS = GOLDEN / "actors" / "actors.h"      # includes only the markers: a quick scan
# The stub's private companion, _app_types.pyi, holds the .pyi's classes.
OUTPUTS = ["app.idl.json", "app.goray.h", "app.goray.cpp", "app.entries.goray.cpp", "app.py", "app.pyi",
           "_app_types.pyi"]
ACTORS_OUTPUTS = [name.replace("app", "actors", 1) for name in OUTPUTS]  # a header: no unit


def goray_gen(*arguments: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess:
    return run(gen_command(*arguments), cwd=cwd)


def test_writes_the_outputs_named_after_the_first_source(scanner, tmp_path):
    """The six outputs, and one translation unit per source file (app.cpp's)."""
    result = goray_gen(str(APP), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "out")) == sorted(OUTPUTS + ["app.app_cpp.goray.cpp"])


def test_name_option_and_stubs_dir(scanner, tmp_path):
    result = goray_gen(str(ACTORS), "-o", str(tmp_path / "gen"), "--name", "rayapp",
                       "--stubs-dir", str(tmp_path / "stubs"))
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / "gen")) == [
        "rayapp.entries.goray.cpp", "rayapp.goray.cpp", "rayapp.goray.h", "rayapp.idl.json"]
    assert sorted(os.listdir(tmp_path / "stubs")) == [
        "_rayapp_types.pyi", "rayapp.py", "rayapp.pyi"]
    header = (tmp_path / "gen" / "rayapp.goray.h").read_text()
    assert "namespace rayapp {" in header


def test_regeneration_is_byte_identical_and_leaves_unchanged_files_alone(scanner, tmp_path):
    out = tmp_path / "out"
    assert goray_gen(str(ACTORS), "-o", str(out)).returncode == 0
    before = {name: (out / name).read_bytes() for name in ACTORS_OUTPUTS}
    for name in ACTORS_OUTPUTS:  # make any rewrite visible in the mtime
        os.utime(out / name, ns=(1_000_000_000, 1_000_000_000))
    assert goray_gen(str(ACTORS), "-o", str(out)).returncode == 0
    for name in ACTORS_OUTPUTS:
        assert (out / name).read_bytes() == before[name], name
        assert (out / name).stat().st_mtime_ns == 1_000_000_000, f"{name} was rewritten"


def test_a_changed_output_is_rewritten(scanner, tmp_path):
    out = tmp_path / "out"
    assert goray_gen(str(ACTORS), "-o", str(out)).returncode == 0
    good = (out / "actors.py").read_text()
    (out / "actors.py").write_text("# edited by hand\n")
    assert goray_gen(str(ACTORS), "-o", str(out)).returncode == 0
    assert (out / "actors.py").read_text() == good


def test_outputs_do_not_depend_on_the_output_directory_or_the_working_directory(scanner,
                                                                                 tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(GOLDEN / "project", copy)
    first = goray_gen(str(copy), "-o", str(tmp_path / "a"))
    second = goray_gen("src", "-o", "deep/er/b", cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    # Named after src/'s first annotated source, api.h.
    for name in ["api.idl.json", "api.goray.h", "api.goray.cpp", "api.py", "api.pyi",
                 "_api_types.pyi"]:
        assert (tmp_path / "a" / name).read_bytes() == \
            (tmp_path / "deep" / "er" / "b" / name).read_bytes(), name
    assert str(tmp_path) not in (tmp_path / "a" / "api.goray.cpp").read_text()


def test_first_build_a_source_including_its_own_generated_header(scanner, tmp_path):
    """The source includes app.goray.h, which does not exist yet (and later is stale):
    the scan sees an empty stand-in, so the first and every later run work."""
    source = tmp_path / "prog.cpp"
    source.write_text(textwrap.dedent("""\
        #include <goray/annotations.h>
        #include "prog.goray.h"

        struct GORAY_TASKS Tasks {
          double Square(double x) { return x * x; }
        };

        GORAY_DRIVER int Driver() {
          return static_cast<int>(prog::Square(2.0).Remote().Get());
        }
        """))
    out = tmp_path / "out"
    first = goray_gen(str(source), "-o", str(out))
    assert first.returncode == 0, first.stderr
    (out / "prog.goray.h").write_text("#error stale\n")  # a stale header is never read
    second = goray_gen(str(source), "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert "[[nodiscard]] auto Square(A0&& x)" in (out / "prog.goray.h").read_text()


def test_clang_args_after_double_dash(scanner, tmp_path):
    flags = INPUTS / "flags" / "flags.cpp"
    without = goray_gen(str(flags), "-o", str(tmp_path / "a"))
    assert without.returncode == 1
    assert "GORAY_TEST_FLAG comes from compile_commands.json" in without.stderr
    with_flag = goray_gen(str(flags), "-o", str(tmp_path / "b"), "--", "-DGORAY_TEST_FLAG")
    assert with_flag.returncode == 0, with_flag.stderr


def test_missing_source_is_exit_1_and_writes_nothing(scanner, tmp_path):
    result = goray_gen(str(tmp_path / "missing.cpp"), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "no such file or directory" in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_command_lines_are_exit_2(tmp_path):
    assert goray_gen(str(APP)).returncode == 2                       # no -o
    assert goray_gen("-o", str(tmp_path)).returncode == 2            # no source
    assert goray_gen(str(APP), "-o", str(tmp_path), "--bogus").returncode == 2
    assert goray_gen(str(APP), "-o", str(tmp_path), "--name", "a/b").returncode == 2


@pytest.mark.parametrize("namespace, why", [
    ("risk-ray", "'risk-ray' is not an identifier"),
    ("riskray::class", "'class' is a C++ keyword"),
    ("riskray::", "'' is not an identifier"),
    ("_Risk", "reserved to the implementation"),
    ("goray::app", "inside namespace goray, which is not the application's"),
])
def test_a_namespace_that_cannot_be_one_is_exit_2_saying_why(tmp_path, namespace, why):
    result = goray_gen(str(ACTORS), "-o", str(tmp_path / "out"), "--namespace", namespace)
    assert result.returncode == 2, result.stderr
    assert f"goray-gen: error: --namespace: '{namespace}'" in result.stderr
    assert why in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_namespace_names_the_wrappers_namespace_and_name_the_rest(scanner, tmp_path):
    """--namespace is the C++ namespace alone: the files and the Python module keep the
    outputs' name; a leading :: is dropped."""
    result = goray_gen(str(ACTORS), "-o", str(tmp_path / "gen"), "--name", "rayapp",
                       "--namespace", "::team::gen")
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "gen" / "rayapp.goray.h").read_text()
    assert "namespace team::gen {" in header and "namespace rayapp" not in header
    assert sorted(os.listdir(tmp_path / "gen")) == sorted(
        name.replace("actors", "rayapp", 1) for name in ACTORS_OUTPUTS)


def test_unknown_idl_version_is_refused(tmp_path):
    idl = tmp_path / "future.idl.json"
    idl.write_text('{"idl_version": 99}')
    result = goray_gen("--idl", str(idl), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "idl_version 99" in result.stderr
    assert not (tmp_path / "out").exists()


def test_scanner_lookup_order(tmp_path, monkeypatch):
    from goray.gen.scanner import find_scanner

    monkeypatch.setenv("GORAY_SCAN", "/from/env")
    assert find_scanner("/explicit") == "/explicit"
    assert find_scanner() == "/from/env"
    monkeypatch.delenv("GORAY_SCAN")
    fake = tmp_path / "bin" / "goray-scan"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setattr("sys.executable", str(tmp_path / "elsewhere" / "python"))
    assert find_scanner() == str(fake)


def test_print_deps_lists_the_renderer_and_templates():
    result = run(gen_command("--print-deps"))
    assert result.returncode == 0, result.stderr
    listed = {pathlib.Path(line) for line in result.stdout.splitlines()}
    gen = ROOT / "python" / "goray" / "gen"
    templates = sorted((ROOT / "templates").glob("*.j2"))
    assert templates, f"no templates in {ROOT / 'templates'}"
    for template in templates:
        assert template.resolve() in listed
    assert (gen / "model.py").resolve() in listed


def test_version_and_module_entry_point():
    result = run(gen_command("--version"))
    assert result.returncode == 0 and result.stdout.startswith("goray-gen ")


def test_depfile_and_stamp(scanner, tmp_path):
    out = tmp_path / "out"
    result = goray_gen(str(GOLDEN / "project"), "-o", str(out), "--depfile",
                       str(out / "project.d"), "--stamp", str(out / "project.stamp"))
    assert result.returncode == 0, result.stderr
    depfile = (out / "project.d").read_text()
    assert depfile.startswith(f"{out / 'project.stamp'}:")
    for name in ["api.h", "main.cpp", "standalone.hpp"]:
        assert name in depfile
    assert (out / "project.stamp").is_file()


def test_importing_the_generator_imports_neither_jinja2_nor_ray():
    code = ("import sys, goray.gen, goray.gen.gen_cli, goray.gen.scanner;"
            "print('jinja2' in sys.modules, 'ray' in sys.modules)")
    result = run([__import__("sys").executable, "-c", code])
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_a_source_without_annotations_gets_a_unit_but_is_not_parsed(scanner, tmp_path):
    """A source file with no GORAY_ marker declares nothing to register: goray-gen does
    not parse it (here it would not even parse), but writes the unit that compiles it."""
    shutil.copy(APP, tmp_path / "app.cpp")
    (tmp_path / "plain.cpp").write_text("int Plain() { return 1; }  this does not parse\n")
    result = goray_gen(str(tmp_path / "app.cpp"), str(tmp_path / "plain.cpp"),
                       "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    unit = (tmp_path / "out" / "app.plain_cpp.goray.cpp").read_text()
    assert '#include "plain.cpp"' in unit and "Register" not in unit
    assert '"plain.cpp"' not in (tmp_path / "out" / "app.idl.json").read_text()


def test_a_header_reached_only_through_an_unmarked_source_is_scanned(scanner, tmp_path):
    """tasks.cpp has no marker but includes tasks.h, which declares the tasks: the source
    is scanned so the header's tasks are registered (they vanished silently before)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "tasks.h").write_text(textwrap.dedent("""\
        #ifndef TASKS_H
        #define TASKS_H
        #include <cstdint>
        #include <goray/annotations.h>
        struct GORAY_TASKS Tasks { static int64_t Add(int64_t a, int64_t b); };
        #endif
        """))
    (src / "tasks.cpp").write_text(
        '#include "tasks.h"\nint64_t Tasks::Add(int64_t a, int64_t b) { return a + b; }\n')
    (src / "driver.cpp").write_text(
        "#include <goray/annotations.h>\nGORAY_DRIVER int Main() { return 0; }\n")
    result = goray_gen(str(src / "tasks.cpp"), str(src / "driver.cpp"),
                       "-o", str(tmp_path / "gen"))
    assert result.returncode == 0, result.stderr
    idl = (tmp_path / "gen" / "tasks.idl.json").read_text()
    assert '"Add"' in idl
    assert "Add" in (tmp_path / "gen" / "tasks.pyi").read_text()


def test_help_describes_the_per_source_units():
    """--help says what each output holds: NAME.goray.cpp is the table, each .cpp source
    gets its own unit compiled instead of it (not NAME.goray.cpp)."""
    result = goray_gen("--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "NAME.<source>.goray.cpp" in text
    assert "compile the units instead of the .cpp files" in text
    assert "msgpack adaptors: compile it instead" not in text


@pytest.mark.parametrize("arguments", [["ACTORS", "-o", "OUT"], ["--print-deps"]])
def test_without_jinja2_goray_gen_says_how_to_install_it(scanner, tmp_path, arguments):
    """Jinja2 is the extra goray-cpp[gen]: without it goray-gen (and --print-deps, which
    CMake's find_package runs to check that a Python can run goray-gen) exits 2 saying
    what to install, before scanning and with nothing written."""
    arguments = [str(ACTORS) if a == "ACTORS" else str(tmp_path / "out") if a == "OUT" else a
                 for a in arguments]
    code = ("import sys; sys.modules['jinja2'] = None\n"
            "from goray.gen.gen_cli import main\n"
            f"sys.exit(main({arguments!r}))\n")
    result = run([__import__("sys").executable, "-c", code])
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("goray-gen: error: goray-gen renders with Jinja2")
    assert result.stderr.rstrip().endswith("pip install 'goray-cpp[gen]'")
    assert not (tmp_path / "out").exists()
