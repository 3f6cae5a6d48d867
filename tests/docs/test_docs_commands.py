"""Every command in the shell blocks of README.md and docs/*.md is exercised by a test.

Each command (a line of a ```sh/bash/shell/console block, or of an unlabelled block that
starts with a command word, continuations joined, comments dropped) must match exactly one
rule of RULES:

- RUN: a test in this file runs the command as written (in a temporary directory whose
  `.venv` is the checkout's, against the built tree: nothing is rebuilt);
- COVERED: an existing test or CI stage runs it (long ones: Ray clusters, benchmarks,
  fuzzing, the suite itself); the rule names it and says why it is not run here, and
  test_covered_targets_exist checks that the named test is still there;
- SYNOPSIS: a usage line, not a command; the tool's --help is run instead.

A new command in the docs with no rule fails test_every_command_has_a_rule.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest

from conftest import (C_ABI, REPO, VENV, call_in_process, code_block, debug_sections,
                      exported_symbols, run_shell)

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}


# ---- The docs' commands ------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    file: str  # relative to the repository
    line: int  # of the command's first line
    text: str  # continuations joined, comment dropped, whitespace collapsed

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def doc_files() -> List[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")


def shell_blocks(path: Path) -> List[tuple[int, List[str], str]]:
    """(line of the first content line, its lines, language) of each shell block."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, language = match.group(1), match.group(2).lower()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = lines[index + 1:end]
        if language in SHELL_LANGUAGES or (not language and _looks_like_commands(body)):
            blocks.append((index + 2, body, language or "sh"))
        index = end + 1
    return blocks


# An unlabelled block whose first line starts with one of these is commands too (usage
# lines, mostly); other unlabelled blocks are diagrams and messages.
COMMAND_WORDS = {"goray", "goray-gen", "goray-scan", "python", "python3", "cmake", "bash", "c++",
                 "ray", ".venv/bin/python", ".venv/bin/pytest"}


def _looks_like_commands(body: List[str]) -> bool:
    first = next((line.split() for line in body if line.strip()), [])
    return bool(first) and first[0] in COMMAND_WORDS


def _strip_comment(line: str) -> str:
    # A comment starts at a '#' that begins the line or follows whitespace, outside quotes.
    quote = None
    for position, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1].isspace()):
            return line[:position]
    return line


def block_commands(file: str, first_line: int, lines: List[str], language: str) -> List[Command]:
    commands = []
    pending: List[str] = []
    start = first_line
    for offset, raw in enumerate(lines):
        line = raw
        if language == "console":
            if not pending:
                if not line.lstrip().startswith("$ "):
                    continue  # output
                line = line.lstrip()[2:]
        if not pending:
            start = first_line + offset
        line = _strip_comment(line).rstrip()
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        text = " ".join(" ".join(pending).split())
        pending = []
        if text:
            commands.append(Command(file, start, text))
    return commands


def doc_commands() -> List[Command]:
    commands = []
    for path in doc_files():
        relative = str(path.relative_to(REPO))
        for first_line, lines, language in shell_blocks(path):
            commands.extend(block_commands(relative, first_line, lines, language))
    return commands


# ---- The rules ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    pattern: str  # re.fullmatch against Command.text
    kind: str  # "run", "covered" or "synopsis"
    by: str  # run: the test here; covered: "path" or "path::needle"; synopsis: --help argv
    reason: str = ""


RUN, COVERED, SYNOPSIS = "run", "covered", "synopsis"
CLUSTER = "tests/ray/test_cluster.py"
TWO_NODES = "tests/ray/two_node_cluster.py"
ONE_MACHINE = "tests/ray/test_cluster_doc.py"

RULES = [
    # docs/cmake.md: install the package, then build an application with it.
    Rule(r"cmake --install build --component goray --prefix \.venv", RUN,
         "test_cmake_package_builds_a_small_application"),
    Rule(r'cmake -S \. -B build -G Ninja -Dgoray_DIR="\$\(\.venv/bin/python -m goray --cmake-dir\)"',
         RUN, "test_cmake_package_builds_a_small_application"),
    Rule(r"cmake --build build", RUN, "test_cmake_package_builds_a_small_application"),
    # docs/cmake.md, "AddressSanitizer": the wheel stage builds and runs it (g++ and clang++).
    Rule(r'cmake -S \. -B build -G Ninja -Dgoray_DIR="\$\(\.venv/bin/python -m goray --cmake-dir\)" '
         r'-DCMAKE_CXX_FLAGS="-fsanitize=address -fno-omit-frame-pointer"', COVERED,
         "tests/wheel/test_toolchains.py::def test_address_sanitizer_end_to_end(",
         "an ASan build against the wheel's package (there with -fsanitize-recover too)"),
    Rule(r'LD_PRELOAD="\$\(g\+\+ -print-file-name=libasan\.so\)" ASAN_OPTIONS=detect_leaks=0 '
         r'\.venv/bin/goray --py-defs app\.py \./build/librayapp\.so', COVERED,
         "tests/wheel/test_toolchains.py::def test_address_sanitizer_end_to_end(",
         "starts a local Ray with ASan preloaded: the wheel stage runs an ASan build so"),
    # README.md and docs/install.md: the pip wheel. The wheel stage (tests/wheel) builds it
    # once, installs it into a throwaway virtualenv (pip fetches Ray) and runs install.md's
    # blocks as written in a project whose .venv is that virtualenv.
    Rule(r"bash scripts/build-wheel\.sh", COVERED, "tests/wheel/conftest.py::def wheels(",
         "builds the wheels (minutes: LLVM linked statically); the wheel stage's fixture runs it"),
    # docs/install.md, "aarch64": the aarch64 stage (tests/aarch64) builds the wheel and
    # cross-builds applications against it with the toolchain file, as written there.
    Rule(r"bash scripts/build-wheel\.sh --arch aarch64", COVERED,
         "tests/aarch64/conftest.py::def build_wheels(",
         "cross-compiles the aarch64 wheels (LLVM's arm64 archives linked): the aarch64 "
         "stage's fixture runs it, for cp311 in CI (cached by its inputs) and every "
         "CPython with --long"),
    Rule(r'SYSROOT="\$\(bash scripts/aarch64-sysroot\.sh --extra [a-z0-9.+ -]+\)"', COVERED,
         "tests/aarch64/test_sysroot_extra.py::def fmt_sysroot(",
         "downloads and unpacks an application's arm64 packages: the aarch64 stage makes such "
         "a sysroot (with a package of its own pick) and cross-builds a program against it"),
    Rule(r'bash scripts/aarch64-emulation\.sh "\$SYSROOT"', COVERED,
         "tests/aarch64/conftest.py::def sysroot(",
         "installs qemu-user-static and registers it with binfmt_misc (root): the aarch64 "
         "stage's fixture runs it on its sysroot"),
    Rule(r"\.venv/bin/python -m pip download --only-binary=:all: --platform manylinux2014_aarch64 "
         r"--python-version 3\.11 -d wheelhouse-arm msgpack Jinja2 numpy", COVERED,
         "tests/aarch64/conftest.py::def aarch64_wheelhouse(",
         "downloads the aarch64 wheels of the wheel's requirements but Ray: the aarch64 "
         "stage's fixture runs this download (cached by the requirements)"),
    Rule(r'"\$SYSROOT/usr/bin/python3\.11" -m venv --without-pip \.venv-arm', COVERED,
         "tests/aarch64/conftest.py::\"-m\", \"venv\", \"--clear\", \"--without-pip\"",
         "runs the arm64 CPython under emulation: the aarch64 stage's arm_venv makes its "
         "virtualenv so"),
    Rule(r'PIP="\$\(echo "\$SYSROOT"/usr/share/python-wheels/pip-\*\.whl\)/pip"', COVERED,
         "tests/aarch64/conftest.py::def pip_of(",
         "the sysroot's pip wheel, which the aarch64 stage runs pip from"),
    Rule(r'\.venv-arm/bin/python "\$PIP" install --no-index --find-links wheelhouse-arm '
         r"msgpack Jinja2 numpy", COVERED, "tests/aarch64/conftest.py::def requirements_site(",
         "installs the requirements with the emulated pip from their wheels alone (the stage "
         "installs them into a folder of their own the virtualenv lists, made once per set "
         "of wheels: minutes under emulation)"),
    Rule(r'\.venv-arm/bin/python "\$PIP" install --no-index --find-links /path/to/goray/dist '
         r"--no-deps goray-cpp", COVERED, "tests/aarch64/conftest.py::\"--no-index\", \"--find-links\", dist, \"--no-deps\", \"goray-cpp\"",
         "the emulated pip installs the aarch64 wheel picked by its tags from the aarch64 "
         "wheels alone: the aarch64 stage's arm_venv does"),
    Rule(r'export QEMU_LD_PREFIX="\$SYSROOT"', COVERED,
         "tests/aarch64/conftest.py::def clean_environment(",
         "the aarch64 stage sets QEMU_LD_PREFIX to its sysroot for every emulated program"),
    Rule(r'GORAY_CMAKE="\$\(\.venv-arm/bin/python -m goray --cmake-dir\)"', COVERED,
         "tests/aarch64/test_userapp_aarch64.py::def cross_build(",
         "runs the aarch64 virtualenv's Python under emulation: the aarch64 stage does"),
    Rule(r'cmake -S \. -B build-arm -G Ninja -DCMAKE_TOOLCHAIN_FILE="\$GORAY_CMAKE/toolchains/'
         r'aarch64-linux-gnu\.cmake" -DGORAY_SYSROOT="\$SYSROOT" -Dgoray_DIR="\$GORAY_CMAKE"',
         COVERED, "tests/aarch64/test_userapp_aarch64.py::def cross_build(",
         "a cross build against the aarch64 wheel: the aarch64 stage runs these options"),
    Rule(r"cmake --build build-arm", COVERED,
         "tests/aarch64/test_userapp_aarch64.py::def cross_build(",
         "the cross build's build step: the aarch64 stage runs it"),
    # docs/testing.md: the docs site, by its script (which installs its own MkDocs).
    Rule(r"bash scripts/docsite/build\.sh", COVERED, "tests/docs/test_docs_site.py::def site(",
         "builds the whole site (a minute): the docs stage's fixture runs it as written, "
         "and the site's tests read what it built"),
    Rule(r"bash scripts/docsite/build\.sh serve -a 127\.0\.0\.1:8000", COVERED,
         "tests/docs/test_docs_site.py::def test_the_site_script_runs_mkdocs_of_its_own_with_its_arguments(",
         "serves the site until stopped: the test runs the script's `serve --help`, whose "
         "options (-a) reach its own mkdocs"),
    Rule(r"\.venv/bin/python -m build --sdist", COVERED, "tests/wheel/test_sdist.py::def sdist(",
         "builds the source distribution (pip fetches scikit-build-core): the wheel stage's "
         "test_sdist builds it, checks its files and configures it"),
    Rule(r"python3 -m venv \.venv", COVERED, "tests/wheel/conftest.py::def make_wheel_venv(",
         "a virtualenv with the wheel, which the wheel stage makes (pip downloads Ray)"),
    Rule(r"\.venv/bin/pip install --find-links /path/to/goray/dist 'goray-cpp\[numpy\]'", COVERED,
         "tests/wheel/conftest.py::def make_wheel_venv(",
         "pip picks the wheel of the venv's Python from dist/; the wheel stage runs this line "
         "as written, per CPython, with the dist directory's path put in"),
    Rule(r'cmake -S \. -B build -Dgoray_DIR="\$\(\.venv/bin/python -m goray --cmake-dir\)"',
         COVERED, "tests/wheel/test_install.py::def test_readme_application_builds_with_find_package",
         "needs the wheel installed: the wheel stage runs install.md's block as written"),
    Rule(r"\.venv/bin/goray --py-defs app\.py \./build/librayapp\.so", COVERED,
         "tests/wheel/test_install.py::def test_readme_application_builds_with_find_package",
         "starts a local Ray with the wheel's goray: the wheel stage runs install.md's block"),
    Rule(r"\.venv/bin/goray-gen src/ -o gen/", COVERED,
         "tests/wheel/test_install.py::def test_goray_gen_standalone_writes_code_that_compiles",
         "the wheel's goray-gen: the wheel stage runs install.md's block as written"),
    # docs/guide.md: the hand build.
    Rule(r'GORAY="\$\(\.venv/bin/python -m goray --cmake-dir\)/\.\./\.\./\.\."', RUN,
         "test_guide_hand_build_exports_the_c_abi"),
    Rule(r"c\+\+ .*-I\"\$GORAY/include\" .* -o libapp\.so", RUN,
         "test_guide_hand_build_exports_the_c_abi"),
    # docs/generator.md: goray-gen by hand.
    Rule(r"goray-gen app\.cpp -o gen", RUN, "test_generator_hand_build_exports_the_c_abi"),
    Rule(r"c\+\+ .* gen/app\.goray\.cpp( gen/[\w.]+\.goray\.cpp)* -o librayapp\.so \.\.\.", RUN,
         "test_generator_hand_build_exports_the_c_abi"),
    Rule(r"goray-gen SRC\.\.\. -o OUTDIR .*", SYNOPSIS, "goray-gen --help"),
    Rule(r"python -m goray\.gen \.\.\.", SYNOPSIS, "python -m goray.gen --help"),
    Rule(r"goray \[--cluster\] .*LIBRARY \[-- ARGS\.\.\.\]", SYNOPSIS, "goray --help"),
    Rule(r"python -m goray \[\.\.\.\]", SYNOPSIS, "python -m goray --help"),
    Rule(r"goray-scan SRC\.\.\. -o FILE\.json .*", SYNOPSIS, "goray-scan --help"),
    # The goray CLI runs a driver on Ray.
    Rule(r"goray --py-defs app\.py \./build/librayapp\.so", COVERED,
         "scripts/run-example.sh::--py-defs app.py",
         "starts a local Ray: run-example.sh (a stage of the suite) runs the guide's "
         "application (examples/rayapp) so"),
    Rule(r"goray --py-defs app\.py librayapp\.so -- tasks --verbose", COVERED,
         "tests/ray/test_cli.py::def test_bare_file_name_in_the_current_directory",
         "starts a local Ray"),
    Rule(r"goray --cluster --py-defs defs\.py \./libapp\.so -- input\.csv", COVERED,
         f"{CLUSTER}::def test_cli_joins_the_cluster_and_places_work_on_both_nodes",
         "needs a Ray cluster"),
    # docs/cluster.md.
    Rule(r"python -m goray\.stage deploy/ build/librayapp\.so --py-defs app\.py( \[EXTRA\.\.\.\])?",
         COVERED, f"{CLUSTER}::def test_ray_job_submit_with_a_staged_working_dir",
         "the staged directory is submitted to a cluster there"),
    Rule(r"ray job submit --address http://HEAD:8265 --working-dir deploy/ -- python -m goray "
         r"--cluster --py-defs app\.py \./librayapp\.so -- input\.csv", COVERED,
         f"{CLUSTER}::def test_ray_job_submit_with_a_staged_working_dir", "needs a Ray cluster"),
    # docs/cluster.md: the wheel onto the workers (runtime_env py_modules / pip).
    Rule(r"ray job submit --address http://HEAD:8265 --working-dir deploy/ --runtime-env-json "
         r"'\{.*\}' -- python -m goray --cluster --py-defs app\.py \./librayapp\.so -- input\.csv",
         COVERED, "tests/wheel/test_cluster_wheel.py::def documented_runtime_envs(",
         "needs a Ray cluster and the wheel: the wheel stage submits each documented runtime_env"),
    Rule(r"python -m zipfile -e dist/goray_cpp-[\w.-]+\.whl wheel/", COVERED,
         "tests/wheel/test_cluster_wheel.py::\"zipfile\", \"-e\"",
         "unpacks the wheel, which the wheel stage builds, for the py_modules job there"),
    Rule(r"python -m goray\.stage deploy/ build/librayapp\.so --py-defs app\.py "
         r"dist/goray_cpp-[\w.-]+\.whl", COVERED, "tests/wheel/test_cluster_wheel.py::def stage(",
         "stages the wheel, which the wheel stage builds, for the pip job there"),
    # docs/cluster.md: "Trying it on one machine", run as written by one test.
    Rule(r"export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block's first line: that test runs the block"),
    Rule(r"export RAY_AUTH_MODE=token", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it"),
    Rule(r"ray get-auth-token --generate > /dev/null", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it, with a home directory of its own"),
    Rule(r"read GCS DASHBOARD CLIENT AGENT < <\(python -c .*\)", COVERED,
         f"{ONE_MACHINE}::def one_machine_block(", "the one-machine block: that test runs it"),
    Rule(r"HEAD_DIR=\$\(mktemp -d -t ray-head\.XXXXXX\)", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it, with a TMPDIR of its own"),
    Rule(r"ray start --head --block --temp-dir=\$HEAD_DIR --node-ip-address=127\.0\.0\.1 --port=\$GCS .* &",
         COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it beside another Ray, port 52365 held"),
    Rule(r"RAY_PID=\$!", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it"),
    Rule(r"until ray job list --address http://127\.0\.0\.1:\$DASHBOARD .*; done", COVERED,
         f"{ONE_MACHINE}::def one_machine_block(", "the one-machine block: that test runs it"),
    Rule(r"ray job submit --address http://127\.0\.0\.1:\$DASHBOARD --working-dir deploy/ -- python -m goray "
         r"--cluster --py-defs app\.py \./librayapp\.so", COVERED, f"{ONE_MACHINE}::def one_machine_block(",
         "the one-machine block: that test runs it"),
    Rule(r"kill \$RAY_PID; wait \$RAY_PID \|\| true", COVERED,
         f"{ONE_MACHINE}::the block left its head's processes running",
         "the one-machine block's stop: that test checks the head's processes are gone after it"),
    Rule(r'rm -rf "\$HEAD_DIR"', COVERED, f"{ONE_MACHINE}::the block left files in its TMPDIR",
         "the one-machine block's last line: that test checks the head's files and Ray's record "
         "of its address are gone after it"),
    Rule(r"ray start --head --resources='\{\"node_a\": 1\}'", COVERED,
         f"{TWO_NODES}::class TwoNodeCluster:",
         "a cluster of nodes with custom resources, as the cluster tests' fixture starts them (on 127.0.0.1)"),
    Rule(r"ray start --address=HEAD:6379 --resources='\{\"node_b\": 1\}'", COVERED,
         f"{TWO_NODES}::class TwoNodeCluster:",
         "a cluster of nodes with custom resources, as the cluster tests' fixture starts them (on 127.0.0.1)"),
    # The project's own scripts: the suite and CI run them.
    Rule(r"\.venv/bin/python examples/raydata/main\.py build/examples/raydata/liborders\.so", COVERED,
         "scripts/run-example.sh::main.py \"$BUILD/raydata/liborders.so\"",
         "starts a local Ray and Ray Data: run-example.sh (a stage of the suite) runs the example"),
    Rule(r"\.venv/bin/python examples/serving/main\.py build/examples/serving/libscoring\.so "
         r"build/examples/serving", COVERED, "scripts/run-example.sh::main.py \"$BUILD/serving/libscoring.so\"",
         "starts a local Ray and Ray Serve: run-example.sh (a stage of the suite) runs the example"),
    # docs/serve.md
    Rule(r"pip install 'goray-cpp\[serve\]'", COVERED, "pyproject.toml::serve = [\"ray[serve]\"]",
         "the extra the wheel declares (tests/python/test_serve_values.py checks it); pip "
         "resolves it against PyPI"),
    # docs/data.md
    Rule(r"pip install 'goray-cpp\[data\]'", COVERED, "pyproject.toml::data = [\"ray[data]\", \"typing_extensions\"]",
         "the extra the wheel declares (tests/python/test_serve_values.py checks it); pip "
         "resolves it against PyPI"),
    Rule(r"serve deploy -a http://127\.0\.0\.1:8265 serve\.yaml", COVERED,
         "tests/ray/test_cluster.py::def test_serve_deploy_spreads_a_cpp_deployment_over_two_nodes",
         "needs a Ray cluster with its dashboard: the cluster test deploys such a file"),
    Rule(r"export GORAY_BIN_PATH=\$PWD/build/libscoring\.so PYTHONPATH=\$PWD:\$PWD/build", COVERED,
         "tests/ray/test_serve.py::\"GORAY_BIN_PATH\": LIBRARY, \"PYTHONPATH\"",
         "the environment test_serve's serve run test gives the command"),
    Rule(r"serve run --address 127\.0\.0\.1:6379 --runtime-env-json .* app:model", COVERED,
         "tests/ray/test_serve.py::def test_serve_run_deploys_a_modules_cpp_application",
         "needs a running Ray: test_serve runs it on the session's Ray (its address, "
         "--non-blocking, its own name and prefix)"),
    Rule(r"curl -d '\{\"features\": \[1, 2, 3\]\}' http://127\.0\.0\.1:8000/model/Score",
         COVERED, "tests/ray/test_serve.py::def run_serve_md_curl(",
         "needs examples/serving's model up: test_serve runs the command as written against it "
         "(curl's configuration file takes 127.0.0.1:8000 to the session's Serve port) and "
         "compares its output with the page's"),
    Rule(r"bash scripts/run-example\.sh", COVERED, "scripts/run-tests.sh::scripts/run-example.sh\"; fi",
         "starts Ray for the main example: tier 1's examples stage runs it"),
    Rule(r"bash scripts/run-example\.sh( --all| [a-z_]+)+", COVERED,
         "scripts/run-tests.sh::scripts/run-example.sh\" --all",
         "starts Ray for the examples named (or all): the examples stage runs every one"),
    Rule(r"bash scripts/run-tests\.sh", COVERED, ".ci/run::bash scripts/run-tests.sh",
         "tier 1, the landing run (this test is part of it): CI runs it"),
    Rule(r"bash scripts/run-tests\.sh( [a-z][a-z0-9-]*)+", COVERED, "scripts/run-tests.sh::stage_gen()",
         "some stages of the suite, each a part of tier 1 or tier 2"),
    Rule(r"bash scripts/run-tests\.sh --all( [a-z][a-z0-9-]*)*", COVERED,
         "tests/python/test_run_tests_stages.py::def test_no_stage_runs_two_lanes_taking_the_tiers_stages_from_one_queue",
         "tier 2, every stage and test (about 45 minutes): the plan is checked there, the "
         "marking in tests/python/test_tiers.py"),
    Rule(r"bash scripts/run-tests\.sh( --all)? --long( [a-z][a-z0-9-]*)*", COVERED,
         "tests/python/test_run_tests_stages.py::def test_long_runs_are_left_out_unless_asked_for",
         "the suite with its long runs: the plan is checked there, the marking in "
         "tests/python/test_tiers.py, the list in tests/docs/test_long_runs_doc.py"),
    Rule(r"bash scripts/test-interop\.sh", COVERED, "scripts/run-tests.sh::scripts/test-interop.sh",
         "builds GoRay's Go applications and runs them on Ray: a stage of the suite"),
    Rule(r"bash scripts/test-reliability\.sh", COVERED,
         "scripts/run-tests.sh::scripts/test-reliability.sh", "fuzzing and sanitizer builds"),
    Rule(r"(FUZZ_TARGETS=\w+ )?bash scripts/fuzz\.sh \d+", COVERED,
         "scripts/test-reliability.sh::scripts/fuzz.sh", "fuzzing for minutes (CI: 10 s, --long: 60 s)"),
    Rule(r"(SANITIZERS=\w+ )?bash scripts/sanitize\.sh( short)?", COVERED,
         "scripts/test-reliability.sh::scripts/sanitize.sh", "sanitizer builds of the tree"),
    Rule(r"bash tests/fuzz/compile_fail/run\.sh( \S+)?", COVERED,
         "scripts/test-reliability.sh::tests/fuzz/compile_fail/run.sh",
         "the compile-fail cases (with another compiler: the same script)"),
    Rule(r"\.venv/bin/pytest tests/renderers", COVERED,
         "scripts/run-tests.sh::tests/renderers", "the renderers' tests are part of the suite"),
    Rule(r"GORAY_UPDATE_GOLDEN=1 \.venv/bin/pytest tests/renderers/test_gen_golden\.py",
         COVERED, "tests/renderers/test_gen_golden.py::GORAY_UPDATE_GOLDEN",
         "rewrites the goldens: the suite runs the same test comparing them"),
    Rule(r"cd build && GORAY_UPDATE_GOLDEN=1 ctest -L scanner -R Golden", COVERED,
         "tests/scanner/golden_test.cpp::GORAY_UPDATE_GOLDEN",
         "rewrites the IDL goldens: the suite runs the same test comparing them"),
    Rule(r"(\w+=\d+ )?\.venv/bin/python -m pytest (tests/ray/\w+\.py)( -\w+| -k \w+)*", COVERED,
         "scripts/run-tests.sh::tests/ray", "Ray tests, part of the suite (the env. vars: sizes)"),
    Rule(r"python3 scripts/module-tests\.py", COVERED,
         "tests/python/test_module_tests.py::def test_every_module_of_the_package",
         "the map's check: the python stage's test runs it as written"),
    Rule(r"python3 scripts/module-tests\.py --write", COVERED,
         "tests/python/test_module_tests.py::module_tests.write(root)",
         "rewrites the tree's lines: its test writes them into a planted tree"),
    Rule(r"python3 scripts/test-times\.py( --slowest \d+)?", COVERED, "tests/docs/test_test_times.py",
         "reads the reports of a test run: its test feeds it one"),
    Rule(r"python3 scripts/failed-tests\.py build/pytest/ray\.xml", COVERED,
         "tests/docs/test_failed_tests.py",
         "reads the reports of a test run: its test feeds it one"),
    # Ray releases (docs/install.md, testing.md, performance.md).
    Rule(r"pip install --find-links dist goray-cpp 'ray==2\.10\.0'", COVERED,
         "tests/wheel/test_install.py::def test_pip_refuses_a_ray_older_than_the_supported_range",
         "resolves against PyPI with the wheel: the wheel stage runs it"),
    Rule(r"(python -m )?goray --doctor( --json)?", COVERED,
         "tests/python/test_ray_releases.py::def test_the_doctor_names_goray_ray_python_libc_paths_and_features",
         "the python stage runs both forms, and each Ray of the matrix too"),
    Rule(r"bash scripts/test-ray-versions\.sh( [\d.]+)*", COVERED,
         "scripts/run-tests.sh::test-ray-versions.sh --oldest",
         "installs each Ray release from PyPI (minutes each): the ray-oldest stage runs the "
         "oldest, the ray stage the newest's whole suite"),
    Rule(r"bash scripts/bench\.sh --ray [\d.]+ remote --public", COVERED,
         "scripts/bench.sh::--ray", "a benchmark under another Ray (minutes)"),
    # Benchmarks: minutes to an hour each.
    Rule(r"bash scripts/bench\.sh peers( --\w+ \S+)*", COVERED, "scripts/bench.sh::peers",
         "a benchmark (about 30 minutes)"),
    Rule(r"bash scripts/bench\.sh arrays( --\w+ \S+)*", COVERED, "scripts/bench.sh::bench/arrays.py",
         "a benchmark (minutes: arrays of 64 and 256 MiB on Ray)"),
    Rule(r"bash scripts/bench\.sh concurrency( --\w+ \S+)*", COVERED,
         "scripts/bench.sh::bench/concurrency.py", "a benchmark (a minute on Ray)"),
    Rule(r"bash scripts/bench\.sh graphs( --\w+ \S+)*", COVERED,
         "scripts/bench.sh::bench/compiled_graphs.py", "a benchmark (minutes: actors and compiled graphs on Ray)"),
    Rule(r"bash scripts/bench\.sh map( --[\w-]+ \S+)*", COVERED, "scripts/bench.sh::bench/map.py",
         "a benchmark (minutes: goray.map, a Ray Pool and Ray's C++ API on Ray)"),
    Rule(r"bash scripts/bench\.sh local-pythons", COVERED, "scripts/bench.sh::local-pythons",
         "a benchmark (minutes: local calls under each CPython, building fast paths)"),
    Rule(r"python bench/local_pythons\.py( --[\w-]+ \S+)*", COVERED, "bench/local_pythons.py",
         "a benchmark (minutes: local calls under each CPython)"),
    Rule(r"\.venv/bin/python bench/scan_bench\.py", COVERED, "bench/scan_bench.py",
         "a benchmark"),
    Rule(r"\.venv/bin/python bench/local_peer\.py build/bench/local_peer( --[\w-]+ \d+)*", COVERED,
         "tests/python/test_bench_local_peer.py::def test_it_runs_and_prints_every_figure",
         "a benchmark (seconds at these counts, minutes at its own): the python stage runs it with 200 calls a round"),
    Rule(r"\.venv/bin/python bench/serve_soak\.py build/examples/serving/libscoring\.so "
         r"build/examples/serving( --[\w-]+ [\d.]+)*", COVERED, "bench/serve_soak.py",
         "a load test of Ray Serve with a crash injected (minutes)"),
    Rule(r"\.venv/bin/python bench/crash_report_cost\.py build/bench/libbench_local\.so"
         r"( --[\w-]+ \d+)*", COVERED, "bench/crash_report_cost.py",
         "a benchmark (a minute on Ray: a call's cost with and without the old report naming)"),
    Rule(r"\.venv/bin/python bench/soak\.py( --[\w-]+( \d+| \w+)?)*", COVERED, "bench/soak.py",
         "a soak test of a million calls (minutes)"),
    Rule(r"bash scripts/soak\.sh \d+[smh]?( --[\w-]+ \S+)*", COVERED,
         "tests/python/test_soak_script.py::def test_durations_in_seconds_minutes_and_hours(",
         "the mixed soak on Ray for the time given (30 minutes): its durations are tested "
         "with -n, which runs nothing"),
]


def rule_for(command: Command) -> List[Rule]:
    return [rule for rule in RULES if re.fullmatch(rule.pattern, command.text)]


def test_every_command_has_a_rule():
    commands = doc_commands()
    assert len(commands) > 20, "the docs' shell blocks were not found"
    unmatched = [str(command) for command in commands if not rule_for(command)]
    ambiguous = [str(command) for command in commands if len(rule_for(command)) > 1]
    assert not unmatched, ("commands in the docs that no test exercises (add a rule to "
                           "tests/docs/test_docs_commands.py):\n" + "\n".join(unmatched))
    assert not ambiguous, "commands matched by several rules:\n" + "\n".join(ambiguous)


def test_every_rule_matches_a_command():
    texts = [command.text for command in doc_commands()]
    unused = [rule.pattern for rule in RULES if not any(re.fullmatch(rule.pattern, t) for t in texts)]
    assert not unused, "rules for commands no longer in the docs:\n" + "\n".join(unused)


def test_covered_targets_exist():
    for rule in RULES:
        if rule.kind == RUN:
            assert callable(globals().get(rule.by)), rule
        elif rule.kind == COVERED:
            assert rule.reason, rule
            path, _, needle = rule.by.partition("::")
            assert (REPO / path).is_file(), rule
            if needle:
                assert needle in (REPO / path).read_text(encoding="utf-8"), rule


def test_block_parsing():
    lines = ["a \\", "  b # note", "# only a comment", "", "c '# kept' \"#kept\"  # dropped"]
    assert [c.text for c in block_commands("f", 1, lines, "sh")] == ["a b", "c '# kept' \"#kept\""]
    console = ["$ run it", "output", "$ again \\", "  more"]
    assert [(c.line, c.text) for c in block_commands("f", 5, console, "console")] == [
        (5, "run it"), (7, "again more")]


# ---- Running the commands ------------------------------------------------------------------

def commands_run_by(test_name: str, file: str) -> List[Command]:
    """The commands of `file` whose rule says `test_name` runs them, in the docs' order."""
    found = [command for command in doc_commands()
             if command.file == file and any(rule.kind == RUN and rule.by == test_name
                                             for rule in rule_for(command))]
    assert found, f"{file} has no command for {test_name}"
    return found


def test_cmake_package_builds_a_small_application(installed_package, project):
    # cmake.md's CMakeLists.txt and the guide's first application, built with cmake.md's
    # commands: no build type, so goray_add_app's -O2.
    name = "test_cmake_package_builds_a_small_application"
    (project / "CMakeLists.txt").write_text(code_block("docs/cmake.md", "cmake"))
    (project / "app.cpp").write_text(code_block("docs/guide.md", "cpp"))
    # The install command ran in the installed_package fixture (from the checkout).
    commands = [c.text for c in commands_run_by(name, "docs/cmake.md")
                if not c.text.startswith("cmake --install")]
    run_shell(commands, cwd=project)
    library = project / "build" / "librayapp.so"
    assert exported_symbols(library) == C_ABI
    assert (project / "build" / "rayapp.pyi").is_file()
    assert (project / "build" / "_rayapp_types.pyi").is_file()
    # No build type: -O2 -g1, line tables of the application's own code (crash reports
    # name file:line), and none of the packaged runtime (docs/cmake.md, "Size"): it was
    # 12.4 MB while the runtime carried its DWARF.
    assert ".debug_line" in debug_sections(library)
    info = subprocess.run(["readelf", "--debug-dump=info", str(library)], check=True, text=True,
                          capture_output=True).stdout
    units = re.findall(r"DW_TAG_compile_unit.*?DW_AT_name\s*:[^\n]*?(\S+)\n", info, re.S)
    # The app's own units (its generated ones, each including its source), by a path
    # absolute or relative (ccache's base_dir makes it relative).
    assert units and all(unit.endswith(".goray.cpp") for unit in units), units
    assert library.stat().st_size < 2_000_000, library.stat().st_size
    assert call_in_process(library, "Square", 3.0) == 9.0


HAND_REGISTERED_APP = """\
// Tasks only and no driver: nothing in it references the runtime's C ABI.
#include <goray/goray.h>

#include <cstdint>

void goray::RegisterApplication(goray::Registry& registry) {
  registry.AddTask("Negate", [](int64_t x) { return -x; });
}
"""


def test_guide_hand_build_exports_the_c_abi(installed_package, project):
    (project / "app.cpp").write_text(HAND_REGISTERED_APP)
    commands = commands_run_by("test_guide_hand_build_exports_the_c_abi", "docs/guide.md")
    run_shell([c.text for c in commands], cwd=project)
    library = project / "libapp.so"
    assert exported_symbols(library) == C_ABI
    assert call_in_process(library, "Negate", 5) == -5


def test_generator_hand_build_exports_the_c_abi(installed_package, project):
    # generator.md's two commands on the guide's first application; its compile line ends
    # in "...": the runtime and link flags of guide.md's hand build, taken from there.
    (project / "app.cpp").write_text(code_block("docs/guide.md", "cpp"))
    guide = [c.text for c in commands_run_by("test_guide_hand_build_exports_the_c_abi",
                                             "docs/guide.md")]
    link_flags = re.search(r"app\.cpp (.*) -o libapp\.so", guide[-1])
    assert link_flags, guide
    commands = [c.text for c in commands_run_by("test_generator_hand_build_exports_the_c_abi",
                                                "docs/generator.md")]
    commands = [c.replace("<goray>", "$GORAY").replace("...", link_flags.group(1))
                for c in commands]
    run_shell(guide[:-1] + commands, cwd=project)
    library = project / "librayapp.so"
    assert exported_symbols(library) == C_ABI
    assert call_in_process(library, "Square", 1.5) == 2.25


def synopses() -> List[tuple]:
    return [(command, rule) for command in doc_commands() for rule in rule_for(command)
            if rule.kind == SYNOPSIS]


@pytest.mark.parametrize("command, rule", synopses(),
                         ids=[f"{c.file}:{c.line}" for c, _ in synopses()])
def test_synopsis_options_are_the_tools(command, rule):
    # The tool answers --help, and every option the usage line shows is one of its options.
    argv = rule.by.split()
    argv[0] = str(VENV / "bin" / argv[0])
    result = subprocess.run(argv, text=True, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    usage = re.sub(r"^python -m \S+", "", command.text)
    options = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", usage))
    missing = sorted(option for option in options if option not in result.stdout)
    assert not missing, f"{command}: {rule.by} does not list {missing}"
