"""Shared by the aarch64 stage's tests (scripts/run-tests.sh aarch64,
docs/maintainers/wheels.md "How aarch64 is tested"): the aarch64 wheels, cross-compiled on
this x86-64 machine (scripts/build-wheel.sh --arch aarch64), and aarch64 programs run under
qemu-user.

- `sysroot`: Debian bookworm's arm64 packages unpacked (scripts/aarch64-sysroot.sh), with
  qemu-aarch64 registered with binfmt_misc (scripts/aarch64-emulation.sh): every aarch64
  program then runs here, finding its loader and libraries in the sysroot through
  QEMU_LD_PREFIX, which `emulated_env` sets.
- `aarch64_wheels`: the cp311 wheel in CI's run; all five (cp310 to cp314) with the long
  runs (run-tests.sh --long), or the files of GORAY_TEST_AARCH64_WHEEL. CI's cp311 wheel
  is cached outside the checkout under a hash of its inputs (`wheel_inputs_key`: the
  files it is built from, the sysroot, the compilers, the interpreter), as ccache caches
  a compile: a run with the same inputs takes the wheel an earlier run built. The long
  runs always build all five.
- `arm_venv`: a virtualenv of Debian's arm64 CPython 3.11 whose pip, under emulation,
  installs the cp311 wheel picked by its tags from the aarch64 wheels alone (no index).
  Its requirements (NumPy's, msgpack's and Jinja2's aarch64 wheels, which the host's pip
  downloads for it: `pip download --platform manylinux2014_aarch64`) are installed by
  the same pip into a folder of their own, once per set of wheels (cached by their
  names), which the virtualenv's site-packages lists in a .pth file.

Nothing here imports goray: the aarch64 programs run in subprocesses."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import tiers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
CACHE = Path(os.environ.get("GORAY_AARCH64_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goray-aarch64")
PLATFORM_TAG = "manylinux_2_34_aarch64"
SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
# The wheel CI's run tests; the long runs add the others.
DEFAULT_PYTHON = "3.11"
WHEEL_NAME = re.compile(r"goray_cpp-[^-]+-cp3(\d+)-[^-]+-([^-]+)\.whl")
# What would let the checkout, or the host's Python, stand in for the aarch64 one.
LEAKY_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP",
                   "PIP_REQUIRE_VIRTUALENV", "CONDA_PREFIX")


def clean_environment(sysroot: Optional[Path] = None, first_on_path: Optional[Path] = None
                      ) -> Dict[str, str]:
    """This process's environment without the checkout's virtualenv, goray's variables or
    a Python path; with QEMU_LD_PREFIX for aarch64 programs when `sysroot` is given."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in LEAKY_VARIABLES and not key.startswith("GORAY_")}
    dev_bin = (REPO / ".venv" / "bin").resolve()
    kept = [entry for entry in environment.get("PATH", "").split(os.pathsep)
            if entry and Path(entry).resolve() != dev_bin]
    environment["PATH"] = os.pathsep.join(([str(first_on_path)] if first_on_path else []) + kept)
    environment["RAY_USAGE_STATS_ENABLED"] = "0"
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if sysroot is not None:
        environment["QEMU_LD_PREFIX"] = str(sysroot)
    return environment


def run(command: List[object], env: Dict[str, str], cwd: Optional[Path] = None,
        timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a command, text output captured; with check, a failure shows both outputs."""
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} (in {cwd or os.getcwd()}) exited "
                    f"{result.returncode}:\n--- stdout ---\n{result.stdout[-4000:]}\n"
                    f"--- stderr ---\n{result.stderr[-4000:]}", pytrace=False)
    return result


def script_output(*command: object) -> str:
    """The last stdout line of a script of scripts/ (its result), failing with its output."""
    result = run(["bash", *command], env=clean_environment(), cwd=REPO, timeout=1800)
    return result.stdout.strip().splitlines()[-1]


def python_of_wheel(path: Path) -> str:
    match = WHEEL_NAME.fullmatch(path.name)
    if not match:
        pytest.fail(f"{path.name} is not a goray_cpp wheel's file name", pytrace=False)
    return f"3.{match.group(1)}"


# What a cross build with the toolchain file runs on this machine (docs/install.md,
# "Cross-compiling an application for aarch64"): build-wheel.sh --arch aarch64 installs them
# too, but CI's wheel may come from the cache.
CROSS_PACKAGES = ("clang-19", "lld-19", "llvm-19")


@pytest.fixture(scope="session")
def sysroot() -> Path:
    """Debian bookworm's arm64 sysroot, with qemu-aarch64 registered to run its programs
    and the cross compiler and linker installed."""
    run(["bash", "-c", f'ROOT="{REPO}"; source "{SCRIPTS / "lib.sh"}"; '
         f'ensure_debian_packages {" ".join(CROSS_PACKAGES)}'], env=clean_environment(), timeout=900)
    path = Path(script_output(SCRIPTS / "aarch64-sysroot.sh"))
    run(["bash", SCRIPTS / "aarch64-emulation.sh", path], env=clean_environment(), timeout=900)
    return path


# What CI's cached wheel is built from: the files of the checkout (tracked, or untracked
# and not ignored) under these paths. The wheel's build leaves out the tests, examples and
# benchmarks (pyproject.toml's GORAY_BUILD_* options); of scripts/, the build's own.
WHEEL_INPUTS = ("python/", "runtime/", "generator/", "cmake/", "templates/", "CMakeLists.txt",
                "pyproject.toml", "scripts/build-wheel.sh", "scripts/lib.sh",
                "scripts/aarch64-sysroot.sh", "scripts/aarch64-python-headers.py")
# Of those, the package's Python files are copied into the wheel as they are (pyproject.toml:
# wheel.packages, less wheel.exclude): goray/<path> is python/goray/<path>. They are not part
# of the cache's key; a cached wheel gets the checkout's (`with_checkouts_python_files`), so
# a change to Python alone reuses the compiled wheel. The fast path's sources are compiled.
PACKAGE = "python/goray/"
PACKAGE_EXCLUDED = ("_fastpath_src/", "__pycache__/")
KEPT_WHEEL_KEYS = 6


def checkout_files() -> List[str]:
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    return sorted(name for name in set(listed.decode().split("\0")) - {""}
                  if (REPO / name).is_file())


def is_copied_python_file(name: str) -> bool:
    """Whether the wheel holds this checkout file as it is, under goray/."""
    if not name.startswith(PACKAGE) or name.endswith(".pyc"):
        return False
    inside = name[len(PACKAGE):]
    return not inside.startswith(PACKAGE_EXCLUDED) and "/__pycache__/" not in inside


def wheel_inputs_key(python: str, sysroot: Path) -> str:
    """A hash of what the aarch64 wheel of CPython `python` is compiled from: the checkout's
    WHEEL_INPUTS but the Python files copied as they are (their contents, as on disk), the
    sysroot (its name is a hash of its packages), the compilers' and linker's versions and
    the building interpreter."""
    digest = hashlib.sha256()
    for name in checkout_files():
        if not name.startswith(WHEEL_INPUTS) or is_copied_python_file(name):
            continue
        digest.update(name.encode() + b"\0" + hashlib.sha256((REPO / name).read_bytes()).digest())
    interpreter = next(line.split(" ", 1)[1] for line in
                       script_output_lines(SCRIPTS / "build-wheel.sh", "--list-pythons")
                       if line.startswith(python + " "))
    # (auditwheel's version is python/requirements-wheel.txt's pin, one of the files above)
    for command in (["clang++-19", "--version"], ["ld.lld-19", "--version"],
                    [interpreter, "-VV"]):
        digest.update(run(command, env=clean_environment()).stdout.encode())
    digest.update(str(sysroot).encode())
    return digest.hexdigest()[:20]


def checkouts_python_files() -> Dict[str, bytes]:
    """The wheel's names and contents of the Python files it copies from the checkout."""
    return {"goray/" + name[len(PACKAGE):]: (REPO / name).read_bytes()
            for name in checkout_files() if is_copied_python_file(name)}


def with_checkouts_python_files(wheel: Path, copied: List[str], out_dir: Path) -> Path:
    """`wheel`, whose files `copied` came from the checkout's python/goray when it was
    built, with those replaced by the checkout's now (those added and removed since too),
    repacked with a new RECORD by `wheel pack`; `wheel` itself when they are the same."""
    wanted = checkouts_python_files()
    with zipfile.ZipFile(wheel) as archive:
        held = {name: archive.read(name) for name in copied}
    if held == wanted:
        return wheel
    unpacked = out_dir / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    for name in held:
        (unpacked / name).unlink()
    for name, contents in wanted.items():
        (unpacked / name).parent.mkdir(parents=True, exist_ok=True)
        (unpacked / name).write_bytes(contents)
    packed = out_dir / "repacked"
    packed.mkdir()
    run([REPO / ".venv" / "bin" / "python", "-m", "wheel", "pack", "--dest-dir", packed, unpacked],
        env=clean_environment())
    shutil.rmtree(unpacked, ignore_errors=True)
    (repacked,) = packed.glob("*.whl")
    assert repacked.name == wheel.name, (repacked.name, wheel.name)
    return repacked


def script_output_lines(*command: object) -> List[str]:
    return run(["bash", *command], env=clean_environment(), cwd=REPO).stdout.splitlines()


def build_wheels(pythons: List[str]) -> Dict[str, Path]:
    """scripts/build-wheel.sh --arch aarch64's wheels of these CPython versions, in dist/."""
    arguments: List[str] = []
    for version in pythons:
        arguments += ["--python", version]
    result = run(["bash", SCRIPTS / "build-wheel.sh", "--arch", "aarch64", *arguments],
                 env=clean_environment(), cwd=REPO, timeout=3 * 3600)
    wheels = {}
    for line in result.stdout.strip().splitlines():
        if line.endswith(".whl"):
            wheels[python_of_wheel(Path(line))] = Path(line)
    assert sorted(wheels) == sorted(pythons), result.stdout
    return dict(sorted(wheels.items()))


def cached_wheel(python: str, sysroot: Path) -> Path:
    """The wheel of `python` from the cache of built wheels (with the checkout's Python
    files), built and cached when its compiled inputs' key is not there. The newest few
    keys are kept (other checkouts share it)."""
    built = CACHE / "built-wheels"
    folder = built / wheel_inputs_key(python, sysroot)
    found = sorted(folder.glob(f"goray_cpp-*-cp{python.replace('.', '')}-*.whl"))
    manifest = folder / "copied-python-files.txt"
    if len(found) == 1 and manifest.is_file():
        os.utime(folder)
        return with_checkouts_python_files(found[0], manifest.read_text().split(),
                                           Path(tempfile.mkdtemp(prefix="goray-aarch64-")))
    copied = sorted(checkouts_python_files())  # what this build copies
    wheel = build_wheels([python])[python]
    with zipfile.ZipFile(wheel) as archive:
        missing = sorted(set(copied) - set(archive.namelist()))
    assert not missing, f"{wheel.name} lacks the checkout's Python files {missing[:5]}"
    built.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=built))
    shutil.copy2(wheel, partial / wheel.name)
    (partial / manifest.name).write_text("\n".join(copied) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    for old in sorted((p for p in built.iterdir() if p.is_dir() and "." not in p.name),
                      key=lambda p: p.stat().st_mtime)[:-KEPT_WHEEL_KEYS]:
        shutil.rmtree(old, ignore_errors=True)
    return folder / wheel.name


@pytest.fixture(scope="session")
def aarch64_wheels(sysroot: Path) -> Dict[str, Path]:
    """The aarch64 wheels by CPython version: CI's cp311 one (cached by its inputs), or all
    five built by scripts/build-wheel.sh --arch aarch64 with the long runs, or
    GORAY_TEST_AARCH64_WHEEL's files."""
    given = os.environ.get("GORAY_TEST_AARCH64_WHEEL")
    if given:
        paths = [Path(part).resolve() for part in given.split(os.pathsep) if part]
        missing = [str(path) for path in paths if not path.is_file()]
        assert not missing, f"GORAY_TEST_AARCH64_WHEEL: no such file {missing}"
        return {python_of_wheel(path): path for path in paths}
    if tiers.long_wanted():
        return build_wheels(list(SUPPORTED_PYTHONS))
    return {DEFAULT_PYTHON: cached_wheel(DEFAULT_PYTHON, sysroot)}


@pytest.fixture(scope="session")
def dist_alone(aarch64_wheels: Dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the aarch64 wheels and nothing else, as dist/ is for a user."""
    directory = tmp_path_factory.mktemp("dist-aarch64")
    for path in aarch64_wheels.values():
        (directory / path.name).symlink_to(path)
    return directory


def wheel_requirements(wheel: Path, extras=("numpy",), leave_out=("ray",)) -> List[str]:
    """The wheel's Requires-Dist (the unconditional ones and those of `extras`), but the
    ones named in `leave_out`."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    wanted = []
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement, _, marker = line.split(":", 1)[1].strip().partition(";")
        extra = re.search(r'extra\s*==\s*"([^"]+)"', marker)
        project = re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()
        if (extra is None or extra.group(1) in extras) and project not in leave_out:
            wanted.append(requirement.strip())
    return wanted


def aarch64_wheelhouse(python: str, requirements: List[str]) -> Path:
    """A folder of the aarch64 wheels of `requirements` for CPython `python`, downloaded
    by this machine's pip (cached: a second run finds them and downloads nothing)."""
    folder = CACHE / "wheels" / f"cp{python.replace('.', '')}"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / ".requirements"
    wanted = "\n".join(sorted(requirements))
    if not stamp.is_file() or stamp.read_text() != wanted:
        run([REPO / ".venv" / "bin" / "python", "-m", "pip", "download", "--quiet",
             "--disable-pip-version-check", "--only-binary=:all:",
             "--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64",
             "--python-version", python,
             "-d", folder, *requirements], env=clean_environment(), timeout=1800)
        stamp.write_text(wanted)
    return folder


@dataclass
class ArmVenv:
    """An aarch64 virtualenv; its programs run under emulation with `env`."""
    root: Path
    sysroot: Path
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def run(self, command: List[object], cwd: Optional[Path] = None, timeout: float = 900,
            check: bool = True) -> subprocess.CompletedProcess:
        return run(command, self.env, cwd=cwd, timeout=timeout, check=check)

    def run_python(self, code: str, cwd: Optional[Path] = None) -> str:
        return self.run([self.python, "-c", code], cwd=cwd).stdout.strip()

    @property
    def package_dir(self) -> Path:
        return Path(self.run_python("import goray, os; print(os.path.dirname(goray.__file__))"))


def pip_of(sysroot: Path) -> Path:
    """The sysroot's pip, run from its wheel (Debian's python3-pip-whl, what ensurepip would
    install): `python <wheel>/pip install ...`, pip's documented way to run it uninstalled."""
    wheels = sorted((sysroot / "usr" / "share" / "python-wheels").glob("pip-*-py3-none-any.whl"))
    assert wheels, f"no pip wheel in {sysroot}/usr/share/python-wheels"
    return wheels[-1] / "pip"


def requirements_site(interpreter: Path, sysroot: Path, python: str,
                      requirements: List[str]) -> Path:
    """A folder into which the aarch64 `interpreter`'s pip (under emulation) installed
    `requirements` from their aarch64 wheels (no index): made once per set of wheels."""
    house = aarch64_wheelhouse(python, requirements)
    names = sorted(path.name for path in house.glob("*.whl"))
    key = hashlib.sha256("\n".join([*names, str(sysroot), str(interpreter)]).encode())
    folder = CACHE / "site" / f"cp{python.replace('.', '')}-{key.hexdigest()[:16]}"
    if (folder / ".complete").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    run([interpreter, pip_of(sysroot), "install", "--quiet", "--no-compile", "--no-index",
         "--target", partial, "--find-links", house, *requirements],
        env=clean_environment(sysroot), timeout=1800)
    (partial / ".complete").touch()
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def make_arm_venv(interpreter: Path, sysroot: Path, root: Path, dist: Path, wheel: Path,
                  python: str) -> ArmVenv:
    """A venv of the aarch64 `interpreter` (run under emulation) where pip installed
    goray-cpp from `dist` by its tags, with no index; its requirements (but Ray: its
    aarch64 wheel and dependencies are the Ray test's) come from `requirements_site`,
    which the venv's site-packages lists in a .pth file. pip runs from its wheel rather
    than from the venv (ensurepip's install of pip and setuptools alone took minutes
    under emulation on a loaded machine) and writes no bytecode (--no-compile: imports
    write it)."""
    env = clean_environment(sysroot, first_on_path=root / "bin")
    run([interpreter, "-m", "venv", "--clear", "--without-pip", root], env=env, timeout=900)
    created = ArmVenv(root=root, sysroot=sysroot, env=env)
    created.env["VIRTUAL_ENV"] = str(root)
    site = requirements_site(interpreter, sysroot, python, wheel_requirements(wheel))
    site_packages = root / "lib" / f"python{python}" / "site-packages"
    assert site_packages.is_dir(), f"the venv has no {site_packages}"
    (site_packages / "goray-test-requirements.pth").write_text(f"{site}\n")
    created.run([created.python, pip_of(sysroot), "install", "--quiet", "--no-compile",
                 "--no-index", "--find-links", dist, "--no-deps", "goray-cpp"], timeout=1800)
    return created


@pytest.fixture(scope="session")
def arm_venv(sysroot: Path, dist_alone: Path, aarch64_wheels: Dict[str, Path],
             tmp_path_factory: pytest.TempPathFactory) -> ArmVenv:
    """Debian's arm64 CPython 3.11's virtualenv with the cp311 wheel."""
    if DEFAULT_PYTHON not in aarch64_wheels:
        pytest.fail(f"no aarch64 wheel for CPython {DEFAULT_PYTHON}: {sorted(aarch64_wheels)}",
                    pytrace=False)
    root = tmp_path_factory.mktemp("arm-venv-cp311") / "venv"
    return make_arm_venv(sysroot / "usr" / "bin" / "python3.11", sysroot, root, dist_alone,
                         aarch64_wheels[DEFAULT_PYTHON], DEFAULT_PYTHON)


def pytest_configure(config):
    tiers.register(config)


def pytest_collection_modifyitems(config, items):
    tiers.deselect(config, items)
