"""The cache of the aarch64 wheel (tests/aarch64/conftest.py): keyed on what its compile
reads, so a change to the package's Python files alone reuses the cached wheel, repacked
with the checkout's Python files (those changed, added and removed) and a new RECORD."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path

import conftest
from conftest import checkouts_python_files, is_copied_python_file, with_checkouts_python_files

DIST_INFO = "goray_cpp-0.0.1.dist-info"
NAME = "goray_cpp-0.0.1-cp311-cp311-manylinux_2_34_aarch64.whl"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def fake_wheel(folder: Path, files: dict) -> Path:
    """A wheel holding `files` (name -> bytes), with its WHEEL, METADATA and RECORD."""
    files = {**files,
             f"{DIST_INFO}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
                                   b"Tag: cp311-cp311-manylinux_2_34_aarch64\n\n",
             f"{DIST_INFO}/METADATA": b"Metadata-Version: 2.1\nName: goray-cpp\nVersion: 0.0.1\n\n"}
    record = [record_line(name, data) for name, data in files.items()] + [f"{DIST_INFO}/RECORD,,"]
    path = folder / NAME
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{DIST_INFO}/RECORD", "\n".join(record) + "\n")
    return path


def test_only_the_packages_own_python_files_are_copied():
    assert is_copied_python_file("python/goray/driver_cli.py")
    assert is_copied_python_file("python/goray/gen/generate.py")
    assert is_copied_python_file("python/goray/py.typed")
    assert not is_copied_python_file("python/goray/_fastpath_src/module.cpp")
    assert not is_copied_python_file("python/goray/__pycache__/x.cpython-311.pyc")
    assert not is_copied_python_file("runtime/src/abi/abi.cpp")
    # (compiled and installed by CMake: part of the cache's key)
    key_inputs = [name for name in conftest.checkout_files()
                  if name.startswith(conftest.WHEEL_INPUTS) and not is_copied_python_file(name)]
    assert "python/goray/_fastpath_src/CMakeLists.txt" in key_inputs
    assert not [name for name in key_inputs if name.startswith("python/goray/") and
                name.endswith(".py")]


def test_a_cached_wheel_gets_the_checkouts_python_files(tmp_path: Path):
    current = checkouts_python_files()
    stale = dict(current)
    changed = "goray/driver_cli.py"
    stale[changed] = b"# an older driver_cli\n"
    removed_since = "goray/gone_since.py"
    stale[removed_since] = b"# a module removed since the wheel was built\n"
    added_since = "goray/errors.py"
    del stale[added_since]
    binary = {"goray/bin/goray-scan": b"\x7fELF scanner", "goray/include/goray/goray.h": b"// h\n"}
    wheel = fake_wheel(tmp_path, {**stale, **binary})
    out = tmp_path / "out"
    out.mkdir()

    repacked = with_checkouts_python_files(wheel, sorted(stale), out)
    assert repacked != wheel and repacked.name == wheel.name
    with zipfile.ZipFile(repacked) as archive:
        names = set(archive.namelist())
        assert archive.read(changed) == current[changed]
        assert archive.read(added_since) == current[added_since]
        assert removed_since not in names
        assert archive.read("goray/bin/goray-scan") == binary["goray/bin/goray-scan"]
        record = list(csv.reader(io.StringIO(archive.read(f"{DIST_INFO}/RECORD").decode())))
        listed = {row[0]: row for row in record}
        assert set(listed) == names
        assert listed[changed][1:] == record_line(changed, current[changed]).split(",")[1:]

    # The same files: the cached wheel itself.
    (tmp_path / "same").mkdir()
    same = fake_wheel(tmp_path / "same", {**current, **binary})
    assert with_checkouts_python_files(same, sorted(current), out) == same
