"""The goray-gen command line: parses options and hands them to goray.gen.generate.

    goray-gen SRC... -o OUTDIR [--name NAME] [--namespace NS] [-p BUILD_DIR] [-- CLANG_ARGS]

Without --name, the outputs take the first source's stem (for a directory, the first
annotated source file's: goray.gen.app_name) and a one-line note on stderr says so.

Exit status: 0 done; 1 bad input (clang-style ``file:line:col: error:`` lines on
stderr, nothing written); 2 a bad command line or a missing tool.

Tests: tests/renderers/test_gen_cli.py, tests/renderers/test_gen_cmake.py,
tests/renderers/test_gen_corpus.py, tests/docs/test_docs_commands.py
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional, Sequence

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    from .tool_version import VERSION

    command = argparse.ArgumentParser(
        prog="goray-gen",
        usage="goray-gen SRC... -o OUTDIR [--name NAME] [--namespace NS] [-p BUILD_DIR] [options] "
              "[-- CLANG_ARGS...]",
        description="Scan C++ sources annotated with goray's markers and write NAME.idl.json, "
                    "NAME.goray.h (typed C++ wrappers, msgpack adaptors of the structs it can "
                    "name), NAME.goray.cpp (the table registering what the headers declare "
                    "and calling each unit's registration), one unit NAME.<source>.goray.cpp "
                    "per .cpp source (it #includes that source, adds its structs' adaptors "
                    "and registers what it declares: compile the units instead of the .cpp "
                    "files, plus NAME.goray.cpp), NAME.py, NAME.pyi and _NAME_types.pyi "
                    "(typed Python stubs: the .pyi's classes are in _NAME_types.pyi). "
                    "Unchanged files are not rewritten.",
        epilog="Arguments after -- go to clang (e.g. -I dirs, -D macros); C++20 unless they say "
               "otherwise. See docs/generator.md.")
    command.add_argument("sources", nargs="*", metavar="SRC",
                         help="source files or directories (searched for C++ files)")
    command.add_argument("-o", "--output-dir", dest="outdir", metavar="OUTDIR",
                         help="where the outputs go (created if needed)")
    command.add_argument("--name", help="the outputs' name: the Python module, and the C++ "
                                        "namespace unless --namespace says otherwise "
                                        "(default: X when a source includes X.goray.h, else "
                                        "the first source's stem; for a directory, the stem of "
                                        "the first annotated source file in it)")
    command.add_argument("--namespace", metavar="NS",
                         help="the C++ namespace of the typed wrappers, apart from the Python "
                              "module's name: an identifier, or several joined by :: to nest "
                              "it in yours (riskray::gen) (default: NAME)")
    command.add_argument("-p", dest="build_dir", metavar="BUILD_DIR",
                         help="a build directory holding compile_commands.json")
    command.add_argument("--root", help="the directory output paths are relative to "
                                        "(default: the deepest one holding every source)")
    command.add_argument("--stubs-dir", help="where NAME.py, NAME.pyi and _NAME_types.pyi go "
                                             "(default: OUTDIR)")
    command.add_argument("--goray-include", metavar="DIR",
                         help="the directory holding <goray/goray.h> (default: the scanner's)")
    command.add_argument("--scanner", metavar="PATH",
                         help="the goray-scan executable (default: $GORAY_SCAN, beside python, "
                              "$PATH, the repository's build/bin)")
    command.add_argument("--templates", metavar="DIR",
                         help="the Jinja2 templates (default: the package's)")
    command.add_argument("--idl", metavar="FILE",
                         help="render this IDL file instead of scanning SRC")
    command.add_argument("--depfile", metavar="FILE",
                         help="also write a Makefile-syntax depfile of the scanned files")
    command.add_argument("--stamp", metavar="FILE",
                         help="touch FILE after every successful run (for build systems)")
    command.add_argument("--scan-cache", metavar="FILE",
                         help="record the scan in FILE and reuse it while only the bodies "
                              "of functions change (for build systems)")
    command.add_argument("--print-deps", action="store_true",
                         help="print the renderer's own files (modules, templates) and exit")
    command.add_argument("--version", action="version", version=f"goray-gen {VERSION}")
    return command


def _print_deps(templates: Optional[str]) -> int:
    from pathlib import Path

    from .jinja import MissingJinja2, load_jinja2
    from .render import template_files, templates_dir

    try:  # CMake's find_package runs this to check that this Python can run goray-gen
        load_jinja2()
    except MissingJinja2 as error:
        print(error, file=sys.stderr)
        return 2
    package = Path(__file__).resolve().parent
    for path in sorted(package.glob("*.py")) + template_files(templates_dir(templates)):
        print(path)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments: List[str] = list(sys.argv[1:] if argv is None else argv)
    clang_args: List[str] = []
    if "--" in arguments:
        split = arguments.index("--")
        arguments, clang_args = arguments[:split], arguments[split + 1:]
    options = parser().parse_args(arguments)
    if options.print_deps:
        return _print_deps(options.templates)
    if not options.outdir:
        parser().error("-o OUTDIR is required")
    if not options.sources and not options.idl:
        parser().error("no source files given")

    from .app_name import default_name
    from .generate import GenerateError, GenerateOptions, generate

    chosen = None if options.name else default_name(options.sources or [options.idl])
    try:
        generate(GenerateOptions(
            sources=options.sources, outdir=options.outdir,
            name=options.name or (chosen.name if chosen else None),
            stubs_dir=options.stubs_dir, root=options.root, build_dir=options.build_dir,
            goray_include=options.goray_include, scanner=options.scanner,
            clang_args=clang_args, templates=options.templates, idl=options.idl,
            depfile=options.depfile, stamp=options.stamp, scan_cache=options.scan_cache,
            namespace=options.namespace))
    except GenerateError as error:
        print(error.message, file=sys.stderr)
        return error.exit_code
    if chosen is not None:
        print(f"goray-gen: note: the outputs are named '{chosen.name}' ({chosen.why}); "
              f"--name NAME names them otherwise", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
