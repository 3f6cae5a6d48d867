"""How an installed goray finds its own parts: the wheel puts the CMake package, the
scanner and the headers inside the goray package (site-packages/goray/{lib,bin,include}),
and its gorayConfig.cmake picks goray-gen's Python when found, not at build time."""

import pathlib
import stat
import subprocess
import sys

import pytest

import goray
from goray import _scan_tool, cmake_dir
from goray.gen import scanner

ROOT = pathlib.Path(__file__).resolve().parents[2]
GORAY_PYTHON_CMAKE = ROOT / "cmake" / "goray_python.cmake"
PACKAGE = pathlib.Path(goray.__file__).resolve().parent


def _executable(path: pathlib.Path) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _find_python(prefix: pathlib.Path, given: str = "") -> tuple:
    script = prefix.parent / "find.cmake"
    script.write_text(
        f'include("{GORAY_PYTHON_CMAKE}")\n'
        + (f'set(GORAY_PYTHON "{given}")\n' if given else "")
        + f'_goray_find_python("{prefix}" GORAY_PYTHON GORAY_PYTHONPATH)\n'
        'message(STATUS "python=${GORAY_PYTHON}")\n'
        'message(STATUS "pythonpath=${GORAY_PYTHONPATH}")\n')
    result = subprocess.run(["cmake", "-P", str(script)], capture_output=True, text=True,
                            check=True)
    lines = dict(line.removeprefix("-- ").split("=", 1)
                 for line in result.stdout.splitlines() if "=" in line)
    return lines["python"], lines["pythonpath"]


def test_a_wheel_in_a_venv_uses_that_venvs_python(tmp_path):
    env = tmp_path / "venv"
    python = _executable(env / "bin" / "python3")
    site = env / "lib" / "python3.11" / "site-packages"
    (site / "goray").mkdir(parents=True)
    assert _find_python(site / "goray") == (str(python), str(site))


def test_the_dev_prefix_install_uses_the_prefixs_python(tmp_path):
    # cmake --install build --component goray --prefix .venv: <prefix>/bin/python.
    prefix = tmp_path / ".venv"
    python = _executable(prefix / "bin" / "python")
    assert _find_python(prefix) == (str(python), "")


def test_a_given_python_wins_and_the_site_packages_still_goes_on_pythonpath(tmp_path):
    env = tmp_path / "venv"
    _executable(env / "bin" / "python3")
    site = env / "lib" / "python3.11" / "site-packages"
    (site / "goray").mkdir(parents=True)
    assert _find_python(site / "goray", given="/opt/py/bin/python3") == (
        "/opt/py/bin/python3", str(site))


def test_no_python_beside_the_package_falls_back_to_python3_on_path(tmp_path):
    site = tmp_path / "home" / ".local" / "lib" / "python3.11" / "site-packages"
    (site / "goray").mkdir(parents=True)
    python, pythonpath = _find_python(site / "goray")
    assert pathlib.Path(python).name in ("python3", "python"), python
    assert pythonpath == str(site)


def test_the_installed_config_records_no_build_python():
    config = ROOT / "build" / "goray-install-config" / "gorayConfig.cmake"
    if not config.is_file():
        pytest.skip("needs the configured tree (build/)")
    text = config.read_text()
    assert "_goray_find_python(" in text
    assert str(ROOT / ".venv") not in text


def test_the_packages_own_cmake_dir_comes_first_after_the_environment(monkeypatch):
    monkeypatch.delenv(cmake_dir.CMAKE_DIR_ENV, raising=False)
    found = cmake_dir.candidates()
    assert found[0] == PACKAGE / "lib" / "cmake" / "goray"
    assert found[1] == pathlib.Path(sys.prefix) / "lib" / "cmake" / "goray"
    monkeypatch.setenv(cmake_dir.CMAKE_DIR_ENV, "/somewhere")
    assert cmake_dir.candidates()[:2] == [pathlib.Path("/somewhere"),
                                          PACKAGE / "lib" / "cmake" / "goray"]


def test_goray_gen_prefers_the_packages_own_scanner(tmp_path, monkeypatch):
    monkeypatch.delenv(scanner.SCANNER_ENV, raising=False)
    fake = _executable(tmp_path / "goray" / "bin" / "goray-scan")
    # goray-gen asks the goray-scan command's module where the package's scanner is.
    monkeypatch.setattr(_scan_tool, "__file__", str(tmp_path / "goray" / "_scan_tool.py"))
    assert scanner.find_scanner() == str(fake)


def test_the_goray_scan_command_without_a_scanner_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_scan_tool, "__file__", str(tmp_path / "goray" / "_scan_tool.py"))
    assert _scan_tool.main(["--help"]) == 2
    error = capsys.readouterr().err
    assert str(tmp_path / "goray" / "bin" / "goray-scan") in error and "missing" in error


def test_the_goray_scan_command_runs_the_packages_scanner_with_its_arguments(tmp_path):
    package = tmp_path / "goray"
    scan = package / "bin" / "goray-scan"
    scan.parent.mkdir(parents=True)
    scan.write_text('#!/bin/sh\necho "scanner $*"\nexit 3\n')
    scan.chmod(0o755)
    (package / "_scan_tool.py").write_text((PACKAGE / "_scan_tool.py").read_text())
    code = ("import importlib.util as u, sys\n"
            f"spec = u.spec_from_file_location('t', {str(package / '_scan_tool.py')!r})\n"
            "m = u.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "sys.exit(m.main(['a b', '--x']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout) == (3, "scanner a b --x\n")
