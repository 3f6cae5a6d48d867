"""goray-gen's scan store (python/goray/gen/scan_store.py, docs/generator.md "The scan
store"): a scan of the same files by the same scanner, in another tree, clone or project,
is read from the store instead of run; any change to what the scan reads scans again."""
import json
import os
import pathlib
import shutil
import stat
import textwrap

import pytest

SOURCES = {
    "tasks.h": """\
        #pragma once
        #include <goray/goray.h>
        #include "point.h"

        struct GORAY_TASKS Tasks {
          Point Flip(Point p);
          int64_t Add(int64_t a, int64_t b) { return a + b; }
        };
        """,
    "point.h": """\
        #pragma once
        #include <cstdint>
        struct Point {
          int64_t x = 0;
          int64_t y = 0;
        };
        """,
    "tasks.cpp": """\
        #include "tasks.h"
        Point Tasks::Flip(Point p) { return {p.y, p.x}; }
        """,
}

def write_project(directory: pathlib.Path) -> pathlib.Path:
    directory.mkdir(parents=True)
    for name, text in SOURCES.items():
        (directory / name).write_text(textwrap.dedent(text))
    return directory


def counting_scanner(tmp_path: pathlib.Path, scanner: str, name: str = "counting-scan") -> pathlib.Path:
    """A goray-scan that counts its runs in calls.txt."""
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\necho run >> {tmp_path / 'calls.txt'}\nexec \"{scanner}\" \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def scans(tmp_path: pathlib.Path) -> int:
    calls = tmp_path / "calls.txt"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


@pytest.fixture
def store(tmp_path, monkeypatch) -> pathlib.Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("GORAY_SCAN_STORE", str(folder))
    return folder


ROOT = pathlib.Path(__file__).resolve().parents[2]


def goray_include() -> pathlib.Path:
    return ROOT / "runtime" / "include"


def generate_in(project: pathlib.Path, out: pathlib.Path, scanner: pathlib.Path,
                include: pathlib.Path, scan_cache: bool = False, extra=()):
    from goray.gen.generate import GenerateOptions, generate

    return generate(GenerateOptions(
        sources=[str(project / "tasks.h"), str(project / "tasks.cpp")], outdir=str(out),
        name="stored", root=str(project), scanner=str(scanner), goray_include=str(include),
        clang_args=[f"-I{project}", f"-I{out}", *extra],
        scan_cache=str(out / "scan-cache.json") if scan_cache else None))


def outputs(folder: pathlib.Path):
    return {path.name: path.read_bytes() for path in folder.iterdir()
            if path.is_file() and path.name != "scan-cache.json"}


def test_another_tree_of_the_same_files_reads_the_scan_from_the_store(scanner, store, tmp_path):
    counting = counting_scanner(tmp_path, scanner)
    first = write_project(tmp_path / "clone-a" / "src")
    second = write_project(tmp_path / "clone-b" / "deeper" / "src")
    include = goray_include()
    assert generate_in(first, tmp_path / "clone-a" / "out", counting, include).scanned
    assert scans(tmp_path) == 1
    assert list(store.glob("??/*.idl.json")), "the scan was not stored"
    # Another clone, another output folder, with the body-edit cache: the store serves it,
    # and the outputs are the same bytes.
    served = generate_in(second, tmp_path / "clone-b" / "out", counting, include, scan_cache=True)
    assert not served.scanned and scans(tmp_path) == 1
    assert outputs(tmp_path / "clone-a" / "out") == outputs(tmp_path / "clone-b" / "out")
    # ... and the body-edit cache recorded the served scan: a body edit reuses it.
    (second / "tasks.cpp").write_text((second / "tasks.cpp").read_text().replace(
        "return {p.y, p.x};", "Point q{p.y, p.x};\n  return q;"))
    edited = generate_in(second, tmp_path / "clone-b" / "out", counting, include, scan_cache=True)
    assert not edited.scanned and scans(tmp_path) == 1


def test_a_change_to_any_file_the_scan_reads_scans_again(scanner, store, tmp_path):
    counting = counting_scanner(tmp_path, scanner)
    project = write_project(tmp_path / "src")
    out = tmp_path / "out"
    include = goray_include()
    assert generate_in(project, out, counting, include).scanned and scans(tmp_path) == 1
    assert not generate_in(project, out, counting, include).scanned and scans(tmp_path) == 1

    # A project header the sources reach (not itself a source).
    point = project / "point.h"
    point.write_text(point.read_text().replace("int64_t y = 0;", "int64_t y = 0;\n  int64_t z = 0;"))
    assert generate_in(project, out, counting, include).scanned and scans(tmp_path) == 2
    assert '"name": "z"' in (out / "stored.idl.json").read_text()

    # goray's headers: an identical copy elsewhere is the same scan, an edited one is not.
    copied = tmp_path / "copied-include"
    shutil.copytree(include, copied)
    assert not generate_in(project, out, counting, copied).scanned and scans(tmp_path) == 2
    goray_h = copied / "goray" / "goray.h"
    goray_h.write_text(goray_h.read_text() + "\n// an edit\n")
    assert generate_in(project, out, counting, copied).scanned and scans(tmp_path) == 3

    # The scan's arguments.
    assert generate_in(project, out, counting, copied, extra=["-DEXTRA=1"]).scanned
    assert scans(tmp_path) == 4

    # Another scanner (its contents, not its path).
    other = counting_scanner(tmp_path, scanner, name="other-scan")
    other.write_text(other.read_text() + "# another build\n")
    assert generate_in(project, out, other, copied, extra=["-DEXTRA=1"]).scanned
    assert scans(tmp_path) == 5


@pytest.mark.parametrize("scan_cache", [False, True], ids=["alone", "with the body-edit cache"])
def test_a_scan_that_warned_is_not_stored_and_warns_each_time(scanner, store, tmp_path, capfd,
                                                             scan_cache):
    from goray.gen.generate import GenerateOptions, generate

    counting = counting_scanner(tmp_path, scanner)
    skipped = ROOT / "tests" / "golden" / "inherited" / "skipped.h"  # members the rules skip
    for _ in range(2):
        result = generate(GenerateOptions(
            sources=[str(skipped)], outdir=str(tmp_path / "out"), name="warned",
            scanner=str(counting), goray_include=str(goray_include()),
            scan_cache=str(tmp_path / "cache.json") if scan_cache else None))
        assert result.scanned
        # (with the body-edit cache, the warnings were once swallowed)
        assert "private member function 'Helper'" in capfd.readouterr().err
    assert scans(tmp_path) == 2 and not list(store.glob("??/*.idl.json"))


@pytest.mark.parametrize("setting", ["0", "off"])
def test_the_store_can_be_turned_off(scanner, tmp_path, monkeypatch, setting):
    monkeypatch.setenv("GORAY_SCAN_STORE", setting)
    counting = counting_scanner(tmp_path, scanner)
    project = write_project(tmp_path / "src")
    for expected in (1, 2):
        assert generate_in(project, tmp_path / "out", counting, goray_include()).scanned
        assert scans(tmp_path) == expected


def test_a_damaged_entry_scans_again_and_is_replaced(scanner, store, tmp_path):
    counting = counting_scanner(tmp_path, scanner)
    project = write_project(tmp_path / "src")
    include = goray_include()
    generate_in(project, tmp_path / "out", counting, include)
    (entry,) = store.glob("??/*.idl.json")
    entry.write_text('{"truncated": ')
    assert generate_in(project, tmp_path / "out", counting, include).scanned
    assert scans(tmp_path) == 2
    json.loads(entry.read_text())  # whole again


def test_the_default_store_is_in_the_users_cache(monkeypatch, tmp_path):
    from goray.gen.scan_store import store_folder

    monkeypatch.delenv("GORAY_SCAN_STORE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert store_folder() == tmp_path / "cache" / "goray" / "scans"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert store_folder() == pathlib.Path(os.path.expanduser("~")) / ".cache" / "goray" / "scans"
