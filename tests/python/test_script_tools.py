"""What the scripts install for themselves (issue 59 §8): scripts/lib.sh's
ensure_debian_packages (only what dpkg lacks) and tool_virtualenv (a script's own
virtualenv under .tools/, from a file of pins, made once), which scripts/build-wheel.sh
and scripts/docsite/build.sh use so that they run from a fresh clone, without .venv/ or
scripts/setup.sh's build of the whole tree. (The wheel and docs stages run both scripts;
tests/docs/test_docs_site.py checks the docs site's virtualenv.)"""
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "scripts" / "lib.sh"


def bash(script: str, root: pathlib.Path, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", "-c", f"set -euo pipefail\nROOT={root}\nsource {LIB}\n{script}"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def test_ensure_debian_packages_installs_only_what_dpkg_lacks(tmp_path):
    # dpkg-query and apt-get stubbed: "present" is installed, the others are not.
    stubs = f"""
        id() {{ echo 0; }}
        dpkg-query() {{ [ "${{@: -1}}" = present ] && printf 'install ok installed'; return 0; }}
        apt-get() {{ echo "apt-get $*" >> {tmp_path}/calls; }}
    """
    result = bash(stubs + "ensure_debian_packages present\nensure_debian_packages present absent other",
                  tmp_path)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "apt-get update -qq"
    assert re.fullmatch(r"apt-get install .* absent other", calls[1]), calls
    assert len(calls) == 2  # the first call, all present, ran no apt-get


def test_tool_virtualenv_installs_a_file_of_pins_once(tmp_path):
    root = tmp_path / "clone"
    (root / ".tools").mkdir(parents=True)
    uv = ROOT / ".tools" / "uv"
    env = {}
    if (uv / "bin" / "uv").is_file():
        (root / ".tools" / "uv").symlink_to(uv)  # (this checkout's, not a download)
    else:
        env["GORAY_UV"] = "pip"
    version = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('iniconfig'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    pins = tmp_path / "requirements-demo.txt"
    pins.write_text(f"# the demo's tools\n\niniconfig=={version}   # pinned\n")
    first = bash(f"tool_virtualenv demo {pins}", root, env)
    assert first.returncode == 0, first.stderr
    venv = root / ".tools" / "demo"
    assert first.stdout.strip() == str(venv)
    assert f"installing iniconfig=={version} into {venv}" in first.stderr
    installed = subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import importlib.metadata as m; print(m.version('iniconfig'))"],
                               capture_output=True, text=True, check=True).stdout.strip()
    assert installed == version
    again = bash(f"tool_virtualenv demo {pins}", root, env)
    assert again.returncode == 0 and again.stdout.strip() == str(venv)
    assert "installing" not in again.stderr and "creating" not in again.stderr
    missing = bash(f"tool_virtualenv demo {tmp_path}/nothing.txt", root, env)
    assert missing.returncode != 0
    assert f"no requirements file {tmp_path}/nothing.txt" in missing.stderr


def test_the_wheel_and_docs_scripts_use_their_own_virtualenvs():
    """Not .venv/ (scripts/setup.sh's, the whole tree built): their pins are the files
    requirements-dev.txt includes, so the tests' .venv has the same versions."""
    for script, name, pins in (("build-wheel.sh", "wheel", "requirements-wheel.txt"),
                               ("docsite/build.sh", "docsite", "requirements-docs.txt")):
        text = (ROOT / "scripts" / script).read_text()
        assert f'tool_virtualenv {name} "$ROOT/python/{pins}"' in text, script
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert ".venv" not in code, script
    dev = (ROOT / "python" / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements-wheel.txt" in dev and "-r requirements-docs.txt" in dev
