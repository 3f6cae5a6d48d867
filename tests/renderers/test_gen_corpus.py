"""The rule: if goray-gen exits 0, every output compiles. A corpus of tricky inputs
(tests/renderers/corpus/<case>/, the cases and what each is about in corpus/cases.json):
the namespace equal to the outputs' name, aliases (one declared only in a .cpp), nested
and inline namespaces, structs declared in .cpp files, templates instantiated in
signatures, default arguments, enums in namespaces, user names equal to the generator's
own, two sources with same-named internal helpers, every form of NumPy array.

The tree's build generates each case goray-gen accepts and compiles every generated
translation unit with -Wall -Wextra -Werror, the corpus a SYSTEM include
(tests/renderers/CMakeLists.txt); the "linked" cases are application libraries, loaded
and called here. A refusal must be a clang-style error naming the declaration, with
nothing written: those cases run goray-gen here (a namespace clash: goray.gen.namespace_clash)."""

from __future__ import annotations

import json
import pathlib
import subprocess
from typing import Dict, List

import pytest

from conftest import APPS, HERE, PYTHON, built, run

CORPUS = HERE / "corpus"
# case -> {"name": the outputs' name, "refused": the error goray-gen must give (absent:
# it must succeed), "linked": built into a library, "what": what the case is about}
CASES: Dict[str, dict] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
ACCEPTED = sorted(case for case, fields in CASES.items() if "refused" not in fields)
REFUSED = sorted(case for case, fields in CASES.items() if "refused" in fields)


def sources(case: str) -> List[str]:
    """The case's inputs: its .h and .cpp files (its .hpp files are found by the scan)."""
    return sorted(str(path) for path in (CORPUS / case).iterdir()
                  if path.suffix in (".h", ".cpp"))


def generate_case(case: str, outdir: pathlib.Path) -> subprocess.CompletedProcess:
    namespace = CASES[case].get("namespace")
    return run([PYTHON, "-m", "goray.gen", *sources(case), "-o", str(outdir), "--name",
                CASES[case]["name"], "--root", str(CORPUS),
                *(["--namespace", namespace] if namespace else [])])


def built_case(case: str) -> pathlib.Path:
    """The case's outputs, generated and compiled by the build."""
    return built(f"gen_corpus_{case}") / "corpus" / case


def test_every_case_is_a_directory_of_the_corpus():
    assert sorted(CASES) == sorted(path.name for path in CORPUS.iterdir() if path.is_dir())


@pytest.mark.parametrize("case", ACCEPTED)
def test_goray_gen_succeeds_and_every_output_compiles(case):
    """Built: every output written (a unit per source file, the table and the typed
    entries' module), every unit compiled without a warning of goray's."""
    from goray.gen.naming import unit_file

    outdir, name = built_case(case), CASES[case]["name"]
    units = {f"{name}.goray.cpp", f"{name}.entries.goray.cpp"} | {unit_file(name, f"{case}/{pathlib.Path(source).name}")
                                     for source in sources(case) if source.endswith(".cpp")}
    written = {path.name for path in outdir.iterdir()}
    assert units <= written, sorted(units - written)
    assert {f"{name}{suffix}" for suffix in (".idl.json", ".goray.h", ".py", ".pyi")} | \
        {f"_{name}_types.pyi"} <= written
    assert {path.name for path in outdir.glob("*.goray.cpp")} == units


@pytest.mark.parametrize("case", REFUSED)
def test_goray_gen_refuses_naming_the_declaration_and_writes_nothing(scanner, tmp_path, case):
    outdir = tmp_path / "gen"
    result = generate_case(case, outdir)
    assert result.returncode == 1, result.stderr
    assert CASES[case]["refused"] in result.stderr, result.stderr
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert not outdir.exists() or not any(outdir.iterdir()), "an output was written"


def test_the_generated_header_includes_only_the_found_headers_it_needs():
    """impl.hpp compiles only after tasks.cpp's #define and declares nothing goray needs:
    the generated header leaves it out (it failed to compile while goray-gen exited 0);
    point.hpp declares a struct of a signature and stays."""
    header = (built_case("macro_header") / "macro_header.goray.h").read_text()
    assert '#include "macro_header/point.hpp"' in header
    assert '#include "macro_header/impl.hpp"' not in header


def linked_case(case: str) -> pathlib.Path:
    """The case linked into an application library by the build, as goray_add_app does."""
    assert CASES[case].get("linked"), f"{case} is not \"linked\" in corpus/cases.json"
    return built(f"gen_corpus_{case}") / "corpus" / f"libgen_corpus_{case}.so"


def test_two_sources_link_and_run():
    """Same-named internal helpers in two sources and one unscanned struct with an adaptor
    in both units: the units link together, and each source's tasks are registered."""
    library = linked_case("two_sources")
    check = ("import goray, sys; goray.load_library(sys.argv[1]); "
             "print(goray.golang_local_run_task('Double', {'x': 1.0, 'y': 2.0}), "
             "goray.golang_local_run_task('Triple', {'x': 1.0, 'y': 2.0}))")
    called = run([PYTHON, "-c", check, str(library)])
    assert called.returncode == 0, called.stderr
    assert called.stdout.split("\n")[0] == \
        "{'x': 2.0, 'y': 4.0} {'x': 3.0, 'y': 6.0}", called.stdout


def test_generators_with_defaults_keep_their_reference_arguments():
    """A generator taking `const std::string&` and called with fewer arguments (the
    registry's shorter form, a generated lambda) refers to the arguments the stream keeps,
    not to the lambda's own parameters, gone once it returned the generator: every item
    carries the whole argument (long strings, so a dangling one would be freed memory)."""
    library = linked_case("streams")
    word, prefix = "w" * 64, "p" * 48
    check = ("import goray, sys; goray.load_library(sys.argv[1])\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r})))\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r}, 2)))\n"
             f"print(list(goray.golang_local_run_task('Repeat', {word!r}, 1, '?')))\n"
             "with goray.golang_local_new_actor('Tagger') as tagger:\n"
             f"    print(list(tagger.Tag({prefix!r})))\n")
    called = run([PYTHON, "-c", check, str(library)])
    assert called.returncode == 0, called.stderr
    assert called.stdout.splitlines()[:4] == [
        str([word + "!"] * 3), str([word + "!"] * 2), str([word + "?"]), str([prefix + "t"] * 2)
    ], called.stdout


def test_the_value_types_libraries_use_cross_in_process():
    """Complex numbers, paths, durations, string views and variants as the scan mapped
    them: each task and the actor's constructor and methods called in-process, a variant
    decoded as the alternative the value's kind picks."""
    library = linked_case("value_exts")
    check = """\
import datetime, pathlib, sys
import goray
goray.load_library(sys.argv[1])
run = goray.golang_local_run_task
ms = datetime.timedelta(milliseconds=1)
sample = {"z": 1 + 2j, "file": pathlib.Path("/data/a"), "timeout": 250 * ms, "tag": None}
print(run("Conj", 1 + 2j), run("Scale", 1j), run("Scale", 1j, 3.0))
print(repr(run("Parent", "/tmp/a/b")), repr(run("Parent", pathlib.Path("/x/y"))))
print(run("Twice", datetime.timedelta(microseconds=5)), run("Whole", 3 * 1000 * ms))
print(run("Length", "abc"), run("Length", "abc", "xyz"), run("Name"))
print([run("Pick", value) for value in (None, True, 7, 2.5, 1j, "text", b"b",
                                        pathlib.Path("p"), ms, [1], sample)])
print(run("Units", sample), run("Units", {**sample, "tag": 3}))
print(run("Maybe", {"a": 1 + 0j, "b": 2j}))
print(run("Echo", sample) == sample)
with goray.golang_local_new_actor("Clock", 10 * ms, "log") as clock:
    print(clock.Advance(3), clock.Advance(5 * ms), clock.Log())
"""
    called = run([PYTHON, "-c", check, str(library)])
    assert called.returncode == 0, called.stderr
    assert called.stdout.splitlines()[:9] == [
        "(1-2j) 2j 3j",
        "PosixPath('/tmp/a') PosixPath('/x')",
        "0:00:00.000010 0:00:03",
        "5 6 exts",
        "[0, 1, 2, 2.5, 4, 'text', 6, 7, 8, 9, 10]",
        "1 {'im': 2.0, 're': 1.0}",
        "[None, 'b']",
        "True",
        "0:00:00.030000 0:00:00.035000 log",
    ], called.stdout


def test_goray_stream_takes_the_stubs_generators_by_keyword_on_ray(ray_env):
    """goray.stream of the streams case's generated task and typed handle's method on the
    session's Ray: keywords name the C++ parameters, defaults are C++'s
    (apps/ray_streams.py, in a process of its own)."""
    library = linked_case("streams")
    result = run([PYTHON, str(APPS / "ray_streams.py"), str(library),
                  str(built_case("streams"))], timeout=300, env=ray_env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[-1])["failures"] == []


def test_a_global_declaration_named_like_the_outputs_is_refused(scanner, tmp_path):
    """`namespace Point` for the wrappers would clash with the user's struct ::Point; a
    chosen namespace nested in it would too. The way out named is a namespace beside it."""
    outdir = tmp_path / "gen"
    result = run([PYTHON, "-m", "goray.gen", *sources("templates"), "-o", str(outdir),
                  "--name", "Point", "--root", str(CORPUS)])
    assert result.returncode == 1, result.stderr
    assert "templates/templates.cpp:15:8: error: struct Point is declared, which is also the " \
           "namespace of the generated C++ wrappers" in result.stderr, result.stderr
    assert "--namespace Point_gen" in result.stderr and "NAMESPACE Point_gen" in result.stderr
    assert result.stderr.rstrip().endswith("or rename it")
    assert not outdir.exists() or not any(outdir.iterdir())
    nested = run([PYTHON, "-m", "goray.gen", *sources("templates"), "-o", str(outdir),
                  "--name", "templates", "--namespace", "Point::gen", "--root", str(CORPUS)])
    assert nested.returncode == 1, nested.stderr
    assert ("struct Point is declared, which is also the name of a namespace enclosing the "
            "generated C++ wrappers (Point::gen) (the namespace chosen by --namespace "
            "Point::gen): the two would clash. Choose another (goray-gen --namespace "
            "Point_gen, or goray_add_app(<target> NAMESPACE Point_gen ...))") in nested.stderr
    assert not outdir.exists() or not any(outdir.iterdir())


def test_a_namespace_clash_names_namespace_as_the_way_out_and_that_way_works(scanner, tmp_path):
    """same_namespace's outputs are named like the user's namespace corpus, whose class
    corpus::Corpus the wrapper corpus::Corpus() would hide: the error offers a namespace
    of the wrappers' own that keeps the Python module's name, and goray-gen takes it."""
    refused = generate_case("same_namespace", tmp_path / "refused")
    assert refused.returncode == 1, refused.stderr
    assert ("(outputs named 'corpus', whose C++ namespace is corpus too): the two would "
            "clash. Give the wrappers a namespace of their own and keep the Python module "
            "'corpus' (goray-gen --namespace corpus::gen, or goray_add_app(<target> "
            "NAMESPACE corpus::gen ...)), or rename your declaration") in refused.stderr
    outdir = tmp_path / "gen"
    taken = run([PYTHON, "-m", "goray.gen", *sources("same_namespace"), "-o", str(outdir),
                 "--name", "corpus", "--namespace", "corpus::gen", "--root", str(CORPUS)])
    assert taken.returncode == 0, taken.stderr
    assert (outdir / "corpus.py").is_file()
    assert "namespace corpus::gen {" in (outdir / "corpus.goray.h").read_text()


def test_a_namespace_chosen_apart_keeps_the_module_name():
    """own_namespace (built with --namespace riskray::gen, its C++ caller compiled): the
    Python module is riskray, its task and actor run in-process."""
    library = linked_case("own_namespace")
    header = (built_case("own_namespace") / "riskray.goray.h").read_text()
    assert "namespace riskray::gen {" in header and "class PortfolioHandle" in header
    check = ("import goray, sys; sys.path.insert(0, sys.argv[2]); goray.load_library(sys.argv[1])\n"
             "import riskray\n"
             "print(riskray.local.Score(2.0))\n"
             "with riskray.local.Portfolio(100) as portfolio:\n"
             "    print(portfolio.Add(5))\n")
    called = run([PYTHON, "-c", check, str(library), str(built_case("own_namespace"))])
    assert called.returncode == 0, called.stderr
    assert called.stdout.split() == ["4.0", "105"], called.stdout


def test_array_wrappers_take_arrays_and_views_of_their_element_without_copies():
    """The typed C++ wrappers of array parameters (goray::Array, goray::ArrayView,
    std::span<const T> in the task): what they accept, and what a call keeps. The
    static_asserts of tests/renderers/checks/array_wrappers.cpp, compiled by the build
    with the arrays case."""
    assert built_case("arrays").is_dir()
