"""goray-gen's default name: without --name, the first source's stem; for a directory, the
stem of the first annotated source file in it (never the folder's name: `src/` must not
make a module `src` and a namespace `src`); a one-line note says which name was chosen
and how to choose another, and no note when --name is given."""

from __future__ import annotations

import os
import pathlib
import textwrap

from conftest import gen_command, run
from goray.gen.app_name import default_name

TASKS = textwrap.dedent("""\
    #include <goray/annotations.h>
    #include <cstdint>
    struct GORAY_TASKS Tasks {
      int64_t Twice(int64_t x) { return 2 * x; }
    };
    """)
PLAIN = "#pragma once\ninline int Helper() { return 1; }\n"


def project(root: pathlib.Path) -> pathlib.Path:
    """src/ with a plain header first, then the annotated rayapp.cpp; a hidden folder and
    a generated header that sort earlier hold markers but are not sources."""
    src = root / "src"
    (src / ".cache").mkdir(parents=True)
    (src / "helpers.h").write_text(PLAIN)
    (src / "rayapp.cpp").write_text(TASKS)
    (src / "zeta.cpp").write_text(TASKS.replace("Tasks", "More").replace("Twice", "Thrice"))
    (src / ".cache" / "aaa.cpp").write_text(TASKS)
    (src / "aaa.goray.h").write_text("// GORAY_TASKS\n")
    return src


def test_a_directory_is_named_after_its_first_annotated_source(scanner, tmp_path):
    project(tmp_path)
    result = run(gen_command("src", "-o", "gen"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outputs = os.listdir(tmp_path / "gen")
    assert {"rayapp.goray.cpp", "rayapp.goray.h", "rayapp.idl.json", "rayapp.py",
            "rayapp.pyi", "_rayapp_types.pyi"} <= set(outputs)
    assert all(name.startswith(("rayapp.", "_rayapp_types.")) for name in outputs), outputs
    assert "namespace rayapp {" in (tmp_path / "gen" / "rayapp.goray.h").read_text()
    note = f"goray-gen: note: the outputs are named 'rayapp' (the stem of " \
           f"{pathlib.Path('src', 'rayapp.cpp')}); --name NAME names them otherwise\n"
    assert result.stderr == note


def test_a_file_is_named_after_its_stem_with_a_note(scanner, tmp_path):
    src = project(tmp_path)
    result = run(gen_command(str(src / "zeta.cpp"), "-o", str(tmp_path / "gen")))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gen" / "zeta.py").is_file()
    assert result.stderr.startswith("goray-gen: note: the outputs are named 'zeta' ")
    assert result.stderr.count("\n") == 1


def test_no_note_when_the_name_is_given(scanner, tmp_path):
    project(tmp_path)
    result = run(gen_command("src", "-o", "gen", "--name", "mine"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "gen" / "mine.pyi").is_file()
    assert (tmp_path / "gen" / "_mine_types.pyi").is_file()


def test_the_help_says_how_the_default_is_chosen():
    result = run(gen_command("--help"))
    assert "first annotated source file" in " ".join(result.stdout.split())


def test_a_directory_without_annotated_sources_keeps_its_own_name(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "helpers.h").write_text(PLAIN)
    chosen = default_name([str(tmp_path / "lib")])
    assert (chosen.name, chosen.source) == ("lib", str(tmp_path / "lib"))


def test_a_source_including_its_generated_header_names_the_outputs(scanner, tmp_path):
    """src/driver.cpp includes "inventory.goray.h": the only name it compiles with, so
    `goray-gen src/ -o gen/` uses it (before, the outputs were named 'driver' and the scan
    failed: 'inventory.goray.h' file not found)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "tasks.h").write_text(TASKS)
    (src / "driver.cpp").write_text(
        '#include "tasks.h"\n#include "inventory.goray.h"\n'
        "GORAY_DRIVER int Driver() { return static_cast<int>(inventory::Twice(2).Remote().Get()); }\n")
    result = run(gen_command("src", "-o", "gen"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "gen" / "inventory.goray.h").is_file()
    assert result.stderr == (f"goray-gen: note: the outputs are named 'inventory' "
                             f"({pathlib.Path('src', 'driver.cpp')} includes inventory.goray.h); "
                             "--name NAME names them otherwise\n")
