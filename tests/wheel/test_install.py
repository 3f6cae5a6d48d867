"""The wheel from a user's side: a throwaway venv with `pip install <wheel>` and nothing of
the checkout (conftest.py), then what README.md and docs/install.md say a user does.

Everything runs in subprocesses with the venv's tools; the test process never imports
the installed goray."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from conftest import PLATFORM_TAG, REPO, WheelVenv, each_python, require_python, run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/
from doc_samples import assert_sample  # noqa: E402

VERSION_RE = r"(\d+)\.(\d+)\.(\d+)"


def doc_blocks(file: str, language: str) -> List[str]:
    """The ```language blocks of a file of the checkout, in order."""
    text = (REPO / file).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def readme_block(language: str) -> str:
    """The first ```language block of README.md (the application's app.cpp and app.py)."""
    return doc_blocks("README.md", language)[0]


def shell_commands(file: str, containing: str) -> List[str]:
    """The commands of the one ```sh block of `file` that contains `containing`."""
    blocks = [b for b in doc_blocks(file, "sh") if containing in b]
    assert len(blocks) == 1, f"{file}: {len(blocks)} sh blocks contain {containing!r}"
    return [line for line in blocks[0].splitlines() if line.strip()]


def run_commands(venv: WheelVenv, commands: List[str], cwd: Path,
                 prefix: Optional[List[str]] = None, **env: str) -> subprocess.CompletedProcess:
    """The docs' commands in one bash, in the venv's environment (nothing activated)."""
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    return run([*(prefix or []), "bash", "-c", script], env=dict(venv.env, **env), cwd=cwd)


def user_project(venv: WheelVenv, project: Path) -> Path:
    """A project directory whose .venv is the test's venv (docs/install.md's layout)."""
    project.mkdir(parents=True, exist_ok=True)
    (project / ".venv").symlink_to(venv.root, target_is_directory=True)
    return project


def cmake_dir_of(venv: WheelVenv) -> Path:
    return Path(venv.run([venv.python, "-m", "goray", "--cmake-dir"]).stdout.strip())


def hand_compile(venv: WheelVenv, include: Path, sources: List[Path], output: Path,
                 cwd: Path, check: bool = True,
                 prefix: Optional[List[str]] = None) -> subprocess.CompletedProcess:
    """The generated code compiled into a shared library against `include` and the wheel's
    runtime library, as docs/generator.md compiles it by hand (the sources are in src/:
    each unit #includes its source)."""
    package = venv.package_dir
    command = ["c++", "-std=c++20", "-O1", "-fPIC", "-shared", "-fvisibility=hidden",
               "-DMSGPACK_NO_BOOST", "-Isrc", "-Igen", f"-I{include}", *sources,
               package / "lib" / "libgoray_runtime.a", "-pthread", "-ldl",
               f"-Wl,--version-script={package / 'lib' / 'cmake' / 'goray' / 'exports.map'}",
               "-Wl,--no-undefined", "-o", output]
    return venv.run([*(prefix or []), *command], cwd=cwd, check=check)


def write_readme_project(project: Path, with_cmake: bool) -> None:
    """The README's app.cpp and app.py; with_cmake: and docs/install.md's CMakeLists.txt."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "app.cpp").write_text(readme_block("cpp"))
    (project / "app.py").write_text(readme_block("python"))
    if with_cmake:
        (project / "CMakeLists.txt").write_text(doc_blocks("docs/install.md", "cmake")[0])


# ---- The docs say the same thing ---------------------------------------------------------

def test_readme_section_is_install_md():
    # The README's "Use it in your project" is install.md's, which the tests below run.
    assert readme_block("cmake") == doc_blocks("docs/install.md", "cmake")[0]
    readme = shell_commands("README.md", "--cmake-dir")
    documented = (shell_commands("docs/install.md", "pip install")
                  + shell_commands("docs/install.md", ".venv/bin/python -m goray --cmake-dir"))
    assert readme == documented


# ---- What the wheel holds ------------------------------------------------------------

@pytest.mark.parametrize("python", each_python())
def test_wheel_holds_the_package_runtime_cmake_package_and_scanner(wheels: Dict[str, Path],
                                                                   python: str):
    if python not in wheels:
        require_python(python)  # skips (fails in CI) where this machine has no such Python
        pytest.fail(f"CPython {python} is here but no wheel was built for it", pytrace=False)
    wheel_path = wheels[python]
    cp = "cp" + python.replace(".", "")
    names = zipfile.ZipFile(wheel_path).namelist()
    size = wheel_path.stat().st_size
    installed = sum(info.file_size for info in zipfile.ZipFile(wheel_path).infolist())
    print(f"\nwheel {wheel_path.name}: {size / 2**20:.1f} MiB "
          f"({installed / 2**20:.1f} MiB installed, {len(names)} files)")
    # auditwheel's manylinux tag (PyPI takes no linux_x86_64), in the name and in WHEEL.
    assert re.fullmatch(rf"goray_cpp-\d+\.\d+\.\d+-{cp}-{cp}-{PLATFORM_TAG}\.whl",
                        wheel_path.name), wheel_path.name
    wheel_info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
    tags = re.findall(r"(?m)^Tag: (\S+)$", zipfile.ZipFile(wheel_path).read(wheel_info).decode())
    assert tags == [wheel_path.name.split("-", 2)[2].removesuffix(".whl")], tags
    # build-wheel.sh leaves one wheel of a version and Python for this machine beside it:
    # pip picks by tag. (The aarch64 stage's cross-built wheel may lie there too.)
    version = wheel_path.name.split("-")[1]
    machine = PLATFORM_TAG.split("_", 3)[-1]
    assert sorted(wheel_path.parent.glob(f"goray_cpp-{version}-{cp}-*_{machine}.whl")) == [wheel_path]
    assert not [n for n in names if "_fastpath_src" in n], "the fast path's sources are shipped"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    fastpath = f"goray/_fastpath.cpython-{cp[2:]}-x86_64-linux-gnu.so"
    required = {
        "the compiled fast path": re.escape(fastpath),
        "the scanner": r"goray/bin/goray-scan",
        "the CMake package": r"goray/lib/cmake/goray/gorayConfig\.cmake",
        "its version file": r"goray/lib/cmake/goray/gorayConfigVersion\.cmake",
        "the runtime's headers": r"goray/include/goray/goray\.h",
        "msgpack-c's headers, which they include": r"goray/include/msgpack\.hpp",
        "the runtime library": r"goray/lib/libgoray_runtime\.a",
        "clang's builtin headers": r"goray/lib/clang/\d+/include/stddef\.h",
        "the driver": r"goray/driver_cli\.py",
        "goray-gen's templates": r"goray/gen/templates/.+\.j2",
    }
    missing = [what for what, pattern in required.items()
               if not any(re.fullmatch(pattern, n) for n in names)]
    assert not missing, f"the wheel lacks {missing}; it holds:\n" + "\n".join(sorted(names))
    # Only this Python's compiled module: no other interpreter's build or a stale copy.
    extensions = [n for n in names if n.startswith("goray/") and n.endswith(".so")]
    assert extensions == [fastpath], extensions
    # A generous bound: static LLVM makes the scanner big, not hundreds of MiB.
    assert size < 300 * 2**20, f"{size} bytes"


# ---- One version everywhere --------------------------------------------------------

#: "ray<2.61 and >=2.40.0" in pip 25, "ray<2.61,>=2.40.0" before.
PIP_RANGE = [(r"ray(<2\.61(,| and )>=2\.40\.0|>=2\.40\.0(,| and )<2\.61)", "ray(the supported range)")]


def test_pip_refuses_a_ray_older_than_the_supported_range(wheel_venv: WheelVenv,
                                                           dist_alone: Path):
    # docs/install.md's console block, against PyPI: the wheel requires ray>=2.40.0,<2.61,
    # so ray==2.10.0 beside it is a conflict pip's resolver reports, not an install.
    requirement = [line for line in wheel_venv.run(
        [wheel_venv.python, "-m", "pip", "show", "goray-cpp"]).stdout.splitlines()
        if line.startswith("Requires:")]
    assert requirement and "ray" in requirement[0]
    # stderr into stdout, as a terminal shows them: pip writes its ERROR lines to stderr,
    # between the lines of its resolver's report on stdout.
    refused = subprocess.run([str(wheel_venv.python), "-m", "pip", "install", "--dry-run",
                              "--disable-pip-version-check", "--find-links", str(dist_alone),
                              "goray-cpp", "ray==2.10.0"], env=wheel_venv.env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    output = refused.stdout
    assert refused.returncode != 0, output
    assert "conflicting dependencies" in output, output
    # ("ray<2.61 and >=2.40.0" in pip 25, "ray<2.61,>=2.40.0" before)
    assert re.search(r"depends on ray(<2\.61(,| and )>=2\.40\.0|>=2\.40\.0(,| and )<2\.61)",
                     output), output
    # The documented block says what pip says (tests/docs/test_docs_samples.py lists who
    # checks each sample), pip's two spellings of the range aside.
    assert_sample("docs/install.md", "ERROR: Cannot install goray-cpp", output, PIP_RANGE)


def test_versions_agree(wheel_path: Path, wheel_venv: WheelVenv, tmp_path: Path):
    found: Dict[str, str] = {}
    found["wheel file name"] = wheel_path.name.split("-")[1]
    found["distribution metadata"] = wheel_venv.run_python(
        "import importlib.metadata as m; print(m.version('goray-cpp'))")
    found["goray.__version__"] = wheel_venv.run_python("import goray; print(goray.__version__)")
    cli = wheel_venv.run([wheel_venv.bin("goray"), "--version"]).stdout.strip()
    match = re.fullmatch(rf"goray-cpp ({VERSION_RE}) \(protocol \d+\)", cli)
    assert match, cli
    found["goray --version"] = match.group(1)

    # The installed header's GORAY_VERSION_STRING.
    include = wheel_venv.package_dir / "include"
    (tmp_path / "version.cpp").write_text(
        "#include <goray/version.h>\n#include <cstdio>\n"
        "int main() { std::puts(GORAY_VERSION_STRING); }\n")
    wheel_venv.run(["c++", f"-I{include}", "version.cpp", "-o", "version"], cwd=tmp_path)
    found["GORAY_VERSION_STRING"] = wheel_venv.run([tmp_path / "version"]).stdout.strip()

    # The CMake package: the version find_package matched and the config's GORAY_VERSION.
    project = tmp_path / "cmake-version"
    project.mkdir()
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.25)\n"
        "project(versions LANGUAGES CXX)\n"
        "find_package(goray CONFIG REQUIRED)\n"
        'message(STATUS "goray_VERSION=${goray_VERSION}")\n'
        'message(STATUS "GORAY_VERSION=${GORAY_VERSION}")\n'
        'message(STATUS "GORAY_PYTHON=${GORAY_PYTHON}")\n')
    configured = wheel_venv.run(["cmake", "-S", ".", "-B", "build",
                                 f"-Dgoray_DIR={cmake_dir_of(wheel_venv)}"], cwd=project)
    messages = dict(re.findall(r"^-- (goray_VERSION|GORAY_VERSION|GORAY_PYTHON)=(.*)$",
                               configured.stdout, re.M))
    found["find_package's goray_VERSION"] = messages.get("goray_VERSION", "")
    found["gorayConfig's GORAY_VERSION"] = messages.get("GORAY_VERSION", "")

    print("\n" + "\n".join(f"{what}: {value}" for what, value in found.items()))
    assert all(re.fullmatch(VERSION_RE, value) for value in found.values()), found
    assert len(set(found.values())) == 1, f"the versions differ: {found}"
    # The package runs goray-gen with the venv's own Python (not the isolated build's).
    # (Compared by directory: every venv's python links to the same base interpreter.)
    python = Path(messages.get("GORAY_PYTHON", ""))
    assert python.parent.resolve() == wheel_venv.python.parent.resolve(), messages

    # find_package with a version: this one and its minor are accepted, the next major not.
    major, minor, _ = found["goray.__version__"].split(".")
    for requested, accepted in ((f"{major}.{minor}", True), (f"{int(major) + 1}.0", False)):
        (project / "CMakeLists.txt").write_text(
            "cmake_minimum_required(VERSION 3.25)\nproject(versions LANGUAGES CXX)\n"
            f"find_package(goray {requested} CONFIG REQUIRED)\n")
        shutil.rmtree(project / "build")
        result = wheel_venv.run(["cmake", "-S", ".", "-B", "build",
                                 f"-Dgoray_DIR={cmake_dir_of(wheel_venv)}"],
                                cwd=project, check=False)
        assert (result.returncode == 0) == accepted, (requested, result.stderr[-2000:])


# ---- The README's application, built with find_package and run with Ray ---------------

def test_readme_application_builds_with_find_package_and_runs(wheel_venv: WheelVenv,
                                                              tmp_path: Path):
    # docs/install.md's commands as written, in a project whose .venv has only the wheel;
    # where a mount namespace is permitted, with Debian's LLVM, msgpack-c's headers and
    # the checkout hidden (a machine with the wheel, a compiler and CMake).
    cmake_dir = cmake_dir_of(wheel_venv)
    # The wheel's own CMake package, not the checkout's (build tree or .venv install).
    assert cmake_dir == wheel_venv.package_dir / "lib" / "cmake" / "goray", cmake_dir
    assert (cmake_dir / "gorayConfig.cmake").is_file()

    project = user_project(wheel_venv, tmp_path / "rayapp")
    write_readme_project(project, with_cmake=True)
    commands = shell_commands("docs/install.md", ".venv/bin/python -m goray --cmake-dir")
    assert commands[-1].startswith(".venv/bin/goray --py-defs app.py"), commands
    prefix = hidden_system_prefix() if not unshare_refused() else []
    print("\nbuilt and run " + ("with Debian's LLVM, msgpack-c and the checkout hidden"
                                 if prefix else f"with the system as it is ({unshare_refused()})"))
    # The debug log shows the ray.init options goray used.
    result = run_commands(wheel_venv, commands, cwd=project, prefix=prefix,
                          GORAY_DEBUG_LOGGING="1")
    assert (project / "build" / "librayapp.so").is_file()
    assert (project / "build" / "rayapp.pyi").is_file()
    assert (project / "build" / "_rayapp_types.pyi").is_file()
    # report(sq, py) prints Square(2.0), square(8) and Square(3.0) from Python.
    assert "4.0 64 9.0" in result.stdout.splitlines(), (result.stdout, result.stderr[-3000:])
    # A local Ray on the loopback address only.
    assert "'_node_ip_address': '127.0.0.1'" in result.stderr, result.stderr[-3000:]


# ---- goray-gen standalone -----------------------------------------------------------

def library_units(gen: Path) -> list:
    """goray-gen's units of the library: the table and a unit per source, not the typed
    entries' module (app.entries.goray.cpp, a CPython extension built against Python's
    headers: cmake.md, "The typed entries")."""
    return sorted(p for p in gen.glob("app*.goray.cpp") if not p.name.endswith(".entries.goray.cpp"))


def test_goray_gen_standalone_writes_code_that_compiles(wheel_venv: WheelVenv, tmp_path: Path):
    write_readme_project(tmp_path / "src", with_cmake=False)
    commands = shell_commands("docs/install.md", "goray-gen")
    assert commands == [".venv/bin/goray-gen src/ -o gen/"], commands
    run_commands(wheel_venv, commands, cwd=user_project(wheel_venv, tmp_path))
    gen = tmp_path / "gen"
    written = sorted(p.name for p in gen.iterdir())
    units = library_units(gen)
    assert {"app.idl.json", "app.goray.h", "app.goray.cpp", "app.py", "app.pyi",
            "_app_types.pyi", "app.entries.goray.cpp"} <= set(written), \
        written
    assert len(units) == 2, written  # the table and app.cpp's own unit
    hand_compile(wheel_venv, wheel_venv.package_dir / "include", units,
                 tmp_path / "librayapp.so", cwd=tmp_path)
    symbols = run(["nm", "-D", "--defined-only", tmp_path / "librayapp.so"],
                  env=wheel_venv.env).stdout
    assert {"Execute", "FreeMemory", "RegisterCallback", "GorayProtocolVersion"} <= \
        {line.split()[-1] for line in symbols.splitlines() if line.strip()}
    assert "Square" in (gen / "app.pyi").read_text()


def test_the_guides_hand_build_works_with_the_wheel(wheel_venv: WheelVenv, tmp_path: Path):
    """docs/guide.md's build without CMake, as written, against the wheel's package: its
    prefix comes from `python -m goray --cmake-dir` (the wheel's is site-packages/goray)."""
    (tmp_path / "app.cpp").write_text(
        "// Tasks only, no driver: nothing in it references the C ABI (the -u flags pull it in).\n"
        "#include <goray/goray.h>\n#include <cstdint>\n"
        "void goray::RegisterApplication(goray::Registry& registry) {\n"
        "  registry.AddTask(\"Negate\", [](int64_t x) { return -x; });\n}\n")
    commands = shell_commands("docs/guide.md", "GORAY=")
    run_commands(wheel_venv, commands, cwd=user_project(wheel_venv, tmp_path))
    symbols = run(["nm", "-D", "--defined-only", tmp_path / "libapp.so"], env=wheel_venv.env).stdout
    assert {line.split()[-1] for line in symbols.splitlines() if line.strip()} == \
        {"Execute", "FreeMemory", "RegisterCallback", "GorayProtocolVersion", "GoraySetCrashReport",
         "GorayRecoverCrashes", "GorayTypedEntries"}


# ---- Generated code refuses a runtime it was not generated for -------------------------

def _runtime_copy(include: Path, destination: Path, macro: str, change) -> Path:
    copy = destination / "include"
    shutil.copytree(include, copy)
    header = copy / "goray" / "version.h"
    text = header.read_text()
    number = int(re.search(rf"^#define {macro} (\d+)$", text, re.M).group(1))
    header.write_text(re.sub(rf"^#define {macro} \d+$", f"#define {macro} {change(number)}",
                             text, flags=re.M))
    return copy


@pytest.mark.parametrize("macro, change, what", [
    ("GORAY_VERSION_MINOR", lambda n: n - 1, "an older minor"),
    ("GORAY_VERSION_MAJOR", lambda n: n + 1, "another major"),
], ids=["older-minor", "other-major"])
def test_generated_code_refuses_a_runtime_it_was_not_generated_for(
        wheel_venv: WheelVenv, tmp_path: Path, macro: str, change, what: str):
    write_readme_project(tmp_path / "src", with_cmake=False)
    wheel_venv.run([wheel_venv.bin("goray-gen"), "src/", "-o", "gen/"], cwd=tmp_path)
    include = wheel_venv.package_dir / "include"
    if macro == "GORAY_VERSION_MINOR" and \
            re.search(r"^#define GORAY_VERSION_MINOR 0$",
                      (include / "goray" / "version.h").read_text(), re.M):
        pytest.skip("the runtime's minor is 0: there is no older minor to refuse")
    other = _runtime_copy(include, tmp_path / "other", macro, change)
    result = hand_compile(wheel_venv, other, [tmp_path / "gen" / "app.goray.cpp"],
                          tmp_path / "libapp.so", cwd=tmp_path, check=False)
    assert result.returncode != 0, f"compiled against {what}"
    assert "regenerate it with the goray-gen of this runtime" in result.stderr, \
        result.stderr[-3000:]
    assert "static assertion failed" in result.stderr or "static_assert" in result.stderr


# ---- goray-scan runs without Debian's clang packages ------------------------------------

def test_scanner_needs_no_clang_or_llvm_library(wheel_venv: WheelVenv):
    scanner = wheel_venv.package_dir / "bin" / "goray-scan"
    dynamic = run(["readelf", "-d", "--wide", scanner], env=wheel_venv.env).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
    print(f"\ngoray-scan NEEDED: {needed}")
    assert needed, dynamic  # dynamic, linked against the system's libc
    assert not [lib for lib in needed if re.match(r"lib(clang|LLVM)", lib)], needed
    # Only base system libraries: libstdc++ is linked statically, libgcc_s stays shared
    # (every system has it; its static unwinder would raise the glibc floor).
    system = r"(libc|libm|libz|libzstd|libtinfo|libpthread|libdl|librt|libgcc_s)\.so\.\d+|ld-linux.*"
    assert not [lib for lib in needed if not re.fullmatch(system, lib)], needed


HIDE_SYSTEM = r"""
set -euo pipefail
# Debian's LLVM/Clang 19 (libraries, clang's resource dir) and every libclang/libLLVM file.
mount -t tmpfs none /usr/lib/llvm-19
# The empty file the hidden files become, on a tmpfs of its own that ends with the namespace.
mount -t tmpfs none /mnt
empty=/mnt/hidden
: > "$empty"
for file in /usr/lib/x86_64-linux-gnu/libclang*.so* /usr/lib/x86_64-linux-gnu/libLLVM*.so*; do
  if [ -f "$file" ] && [ ! -L "$file" ]; then mount --bind "$empty" "$file"; fi
done
# msgpack-c's headers (Debian's libmsgpack-cxx-dev): the wheel's runtime must bring its own.
if [ "$GORAY_HIDE_MSGPACK" = 1 ]; then
  if [ -f /usr/include/msgpack.hpp ]; then mount --bind "$empty" /usr/include/msgpack.hpp; fi
  if [ -d /usr/include/msgpack ]; then mount -t tmpfs none /usr/include/msgpack; fi
fi
# The checkout too: nothing of it may stand in for the wheel.
mount -t tmpfs none "$GORAY_HIDE_CHECKOUT"
exec "$@"
"""


def unshare_refused() -> str:
    """Why a private mount namespace cannot be made here ('' when it can)."""
    if not shutil.which("unshare"):
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs none /mnt"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare -m with a tmpfs mount is not permitted here: {probe.stderr.strip()}"
    return ""


def hidden_system_prefix(msgpack: bool = True) -> List[str]:
    """A command prefix: the command runs where Debian's LLVM and Clang, the checkout and
    (with `msgpack`) msgpack-c's headers are hidden (tmpfs and empty files mounted over)."""
    return ["env", f"GORAY_HIDE_CHECKOUT={REPO}", f"GORAY_HIDE_MSGPACK={int(msgpack)}",
            "unshare", "-m", "--propagation", "private", "bash", "-c", HIDE_SYSTEM, "bash"]


def test_scan_and_generation_run_with_debian_llvm_hidden(wheel_venv: WheelVenv, tmp_path: Path):
    reason = unshare_refused()
    if reason:
        pytest.skip(reason)
    hidden = hidden_system_prefix(msgpack=False)
    probe = run(hidden + ["bash", "-c", f"ls -A /usr/lib/llvm-19 {REPO} | grep -v : | grep . "
                          "|| echo hidden"], env=wheel_venv.env, cwd=tmp_path)
    assert probe.stdout.split() == ["hidden"], probe.stdout
    write_readme_project(tmp_path / "src", with_cmake=False)
    # The venv's goray-scan command runs the package's scanner, which takes the headers
    # and Clang's resource directory from beside itself.
    package = wheel_venv.package_dir
    paths = run(hidden + [wheel_venv.bin("goray-scan"), "--print-paths"], env=wheel_venv.env,
                cwd=tmp_path).stdout
    assert f"executable: {package / 'bin' / 'goray-scan'}\n" in paths, paths
    assert f"goray-include: {package / 'include'} (executable)" in paths, paths
    assert re.search(rf"resource-dir: {re.escape(str(package))}/lib/clang/\d+ \(executable\)",
                     paths), paths
    run(hidden + [wheel_venv.bin("goray-scan"), "src/app.cpp", "-o", "app.idl.json"],
        env=wheel_venv.env, cwd=tmp_path)
    assert '"Square"' in (tmp_path / "app.idl.json").read_text()
    run(hidden + [wheel_venv.bin("goray-gen"), "src/", "-o", "gen/"], env=wheel_venv.env,
        cwd=tmp_path)
    assert len(library_units(tmp_path / "gen")) == 2


def test_the_wheels_headers_need_no_system_msgpack(wheel_venv: WheelVenv, tmp_path: Path):
    # The runtime's headers include <msgpack.hpp>: a machine with only the wheel, a
    # compiler and CMake has no msgpack-c of its own, so the wheel must carry it.
    reason = unshare_refused()
    if reason:
        pytest.skip(reason)
    hidden = hidden_system_prefix(msgpack=True)
    probe = run(hidden + ["bash", "-c", "ls -A /usr/include/msgpack | grep . || echo hidden; "
                          "wc -c < /usr/include/msgpack.hpp"], env=wheel_venv.env, cwd=tmp_path)
    assert probe.stdout.split() == ["hidden", "0"], probe.stdout
    write_readme_project(tmp_path / "src", with_cmake=False)
    run(hidden + [wheel_venv.bin("goray-gen"), "src/", "-o", "gen/"], env=wheel_venv.env,
        cwd=tmp_path)
    units = library_units(tmp_path / "gen")
    hand_compile(wheel_venv, wheel_venv.package_dir / "include", units,
                 tmp_path / "librayapp.so", cwd=tmp_path, prefix=hidden)
