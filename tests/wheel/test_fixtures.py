"""conftest.py's own behaviour: a failed wheel build says what the script printed, the
wheels are read from its last lines, and the venv's environment keeps the checkout out."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import DEV_VENV_BIN, build_wheels, clean_environment, python_of_wheel


def test_a_failed_build_shows_the_scripts_output(tmp_path: Path):
    script = tmp_path / "build.sh"
    script.write_text("echo compiling; echo 'ld: cannot find -lclangTooling' >&2; exit 3\n")
    with pytest.raises(pytest.fail.Exception) as failure:
        build_wheels(script)
    message = str(failure.value)
    assert f"bash {script} exited 3" in message
    assert "compiling" in message and "ld: cannot find -lclangTooling" in message


def test_a_last_line_that_is_no_wheel_is_refused(tmp_path: Path):
    script = tmp_path / "build.sh"
    script.write_text(f"echo {tmp_path}/missing.whl\n")
    with pytest.raises(pytest.fail.Exception) as failure:
        build_wheels(script)
    assert "missing.whl' is not a wheel file" in str(failure.value)


def test_the_built_wheels_are_the_last_lines(tmp_path: Path):
    wheels = {}
    for tag in ("cp310", "cp313"):
        wheels[f"3.{tag[3:]}"] = tmp_path / f"goray_cpp-0.0.0-{tag}-{tag}-manylinux_2_34_x86_64.whl"
        wheels[f"3.{tag[3:]}"].write_bytes(b"")
    script = tmp_path / "build.sh"
    script.write_text(f"echo building; echo 'done.whl?'; echo {wheels['3.10']}; echo {wheels['3.13']}\n")
    assert build_wheels(script) == wheels


def test_a_wheels_python_is_its_tags():
    assert python_of_wheel(Path("goray_cpp-0.1.0-cp312-cp312-manylinux_2_34_x86_64.whl")) == "3.12"
    with pytest.raises(pytest.fail.Exception):
        python_of_wheel(Path("goray_cpp-0.1.0.tar.gz"))


def test_the_environment_keeps_the_checkout_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PATH", f"{DEV_VENV_BIN}{os.pathsep}/usr/bin")
    monkeypatch.setenv("PYTHONPATH", "/work/main/python")
    monkeypatch.setenv("VIRTUAL_ENV", str(DEV_VENV_BIN.parent))
    monkeypatch.setenv("GORAY_CMAKE_DIR", "/work/main/build/goray-config")
    environment = clean_environment(first_on_path=tmp_path / "bin")
    assert environment["PATH"] == f"{tmp_path / 'bin'}{os.pathsep}/usr/bin"
    assert not {"PYTHONPATH", "VIRTUAL_ENV", "GORAY_CMAKE_DIR"} & set(environment)
    assert environment["RAY_USAGE_STATS_ENABLED"] == "0"
