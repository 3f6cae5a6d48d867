"""goray-gen's pipeline: sources -> goray-scan -> IDL -> templates -> files.

    result = generate(GenerateOptions(sources=["app.cpp"], outdir="out"))

Nothing is written unless every output rendered; unchanged files are left alone.
The outputs depend only on the sources (paths in them are relative to the sources'
root), never on the output directory.

With a scan cache (``scan_cache``, goray_add_app's build passes one), an edit inside
function bodies reuses the last scan's IDL instead of scanning again (scan_cache.py); a
scan of files another tree or project scanned before is read from the scan store
(scan_store.py).

Tests: tests/renderers/test_gen_golden.py, tests/renderers/test_gen_edit_loop.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import app_name
from .idl import IdlError, parse_idl
from .marked import reaches_marker
from .model import CppUnit, NamespaceClash, build_model, check_namespace, is_header
from .incremental_write import touch, write_depfile, write_outputs
from .jinja import MissingJinja2, load_jinja2
from .render import OUTPUTS, output_file, render_all, templates_dir
from .naming import cpp_namespace, unit_file
from .scan_cache import ScanCache, scan_cache_root, scan_directories, scan_noting_warnings
from .scan_store import ScanStore
from .scanner import ScanError, ScanRequest, relative_source, run_scan, sources_root

__all__ = ["GenerateError", "GenerateOptions", "GenerateResult", "generate",
           "default_name", "sources_root", "output_names"]


class GenerateError(Exception):
    """goray-gen cannot proceed: ``message`` is what to print, ``exit_code`` the status."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class GenerateOptions:
    sources: Sequence[str]
    outdir: str
    name: Optional[str] = None
    stubs_dir: Optional[str] = None          # NAME.py, NAME.pyi, _NAME_types.pyi (default: outdir)
    root: Optional[str] = None
    build_dir: Optional[str] = None
    goray_include: Optional[str] = None
    scanner: Optional[str] = None
    clang_args: Sequence[str] = ()
    templates: Optional[str] = None
    idl: Optional[str] = None                # render this IDL file instead of scanning
    depfile: Optional[str] = None
    stamp: Optional[str] = None
    scan_cache: Optional[str] = None         # the last scan, reused after body-only edits
    namespace: Optional[str] = None          # the C++ wrappers' namespace (default: name)


@dataclass
class GenerateResult:
    name: str
    files: Dict[Path, str] = field(default_factory=dict)   # every output and its text
    written: List[Path] = field(default_factory=list)      # those that changed
    scanned: bool = True         # whether goray-scan ran (not the scan cache or store, --idl)


def default_name(sources: Sequence[str]) -> str:
    """The first source's stem (``app.cpp`` -> ``app``); for a directory, the first
    annotated source file's (goray.gen.app_name)."""
    return app_name.default_name(sources).name


def output_names(name: str, units: Sequence[str] = ()) -> List[str]:
    """The outputs' file names; ``units``: the source files (not headers) scanned, by
    path from the root, each of which gets its own translation unit."""
    return [f"{name}.idl.json"] + [output_file(pattern, name) for pattern in OUTPUTS] + \
        [unit_file(name, source) for source in units]


def _duplicate_units(units: Sequence[CppUnit]) -> str:
    """Two sources whose units would share a file name (``a/b.cpp`` and ``a_b.cpp``)."""
    by_file: Dict[str, str] = {}
    for unit in units:
        if unit.file in by_file:
            return (f"the sources {by_file[unit.file]} and {unit.source} would both "
                    f"generate {unit.file}: rename one of them")
        by_file[unit.file] = unit.source
    return ""


def _check_inputs(options: GenerateOptions) -> Tuple[str, Optional[str]]:
    """(the outputs' name, the C++ namespace chosen apart from it or None)."""
    if not options.sources and not options.idl:
        raise GenerateError("goray-gen: error: no source files given", 2)
    namespace = None
    if options.namespace is not None:
        try:
            namespace = cpp_namespace(options.namespace)
        except ValueError as error:
            raise GenerateError(f"goray-gen: error: --namespace: {error}", 2) from None
    for source in options.sources:
        if not os.path.exists(source):
            raise GenerateError(f"goray-gen: error: no such file or directory: {source}", 1)
    name = options.name or default_name(options.sources or [options.idl or ""])
    if not name or "/" in name or os.sep in name or name in (".", ".."):
        raise GenerateError(f"goray-gen: error: --name {name!r} is not a file name", 2)
    return name, namespace


def _split_unannotated(sources: Sequence[str], root: Optional[str]
                       ) -> Tuple[List[str], List[str]]:
    """(what to scan, source files given by name that reach no GORAY_ marker). The latter
    are not parsed (they declare nothing to register): each still gets a unit that
    compiles it. A source file including a marked project header is scanned (the
    header's declarations are found through it). Headers and directories are always
    scanned; if nothing would be, all sources are."""
    scanned: List[str] = []
    unannotated: List[str] = []
    for source in sources:
        if os.path.isfile(source) and not is_header(source):
            (scanned if reaches_marker(source, root) else unannotated).append(source)
        else:
            scanned.append(source)
    return (scanned, unannotated) if scanned else (list(sources), [])


def _dependencies(idl: Dict[str, Any], root: Path) -> List[str]:
    """The files the IDL came from: the scanned sources and every file a location names."""
    files = set(idl["sources"])

    def visit(node: object) -> None:
        if isinstance(node, dict):
            location = node.get("location")
            if isinstance(location, dict) and "file" in location:
                files.add(location["file"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(idl)
    return [str(root / file_) for file_ in files]


def generate(options: GenerateOptions) -> GenerateResult:
    name, namespace = _check_inputs(options)
    try:  # before the scan: without Jinja2 nothing could be written
        load_jinja2()
    except MissingJinja2 as error:
        raise GenerateError(str(error), exit_code=2) from None
    unscanned: List[str] = []  # source files without annotations, from the root
    cache: Optional[ScanCache] = None
    ran_scan = False  # whether goray-scan ran (not the scan cache or the scan store)
    if options.idl:
        try:
            idl_text = Path(options.idl).read_text(encoding="utf-8")
        except OSError as error:
            raise GenerateError(f"goray-gen: error: cannot read {options.idl}: "
                                f"{error.strerror}") from None
    else:
        root_for_includes = options.root or str(sources_root(options.sources))
        scanned, unscanned = _split_unannotated(options.sources, root_for_includes)
        scan_root = options.root
        if unscanned:  # the root of every source, not only of those scanned
            scan_root = scan_root or str(sources_root(options.sources))
        request = ScanRequest(
            sources=scanned, name=name, root=scan_root,
            goray_include=options.goray_include, build_dir=options.build_dir,
            clang_args=list(options.clang_args), scanner=options.scanner)
        unscanned = [relative_source(source, scan_root or "") for source in unscanned]
        cache = (ScanCache(Path(options.scan_cache), request, unscanned)
                 if options.scan_cache else None)
        reused = cache.reuse() if cache else None
        store = None
        if reused is None:
            store = ScanStore.for_request(request, unscanned, scan_cache_root(request),
                                          options.outdir, scan_directories(request))
            reused = store.lookup() if store else None
            if reused is not None and cache:
                cache.adopt(store.reached if store else [])
        try:
            if reused is not None:
                idl_text = reused
            elif cache:
                idl_text, ran_scan = cache.scan(), True
                if store and not cache.warned:
                    store.save(idl_text)
            else:
                (idl_text, warned), ran_scan = scan_noting_warnings(request), True
                if store and not warned:
                    store.save(idl_text)
        except ScanError as error:
            raise GenerateError(error.diagnostics.rstrip("\n"), error.exit_code) from None
    try:
        idl = parse_idl(idl_text, options.idl or "goray-scan's IDL")
    except IdlError as error:
        raise GenerateError(f"goray-gen: error: {error}") from None

    model = build_model(idl, name, unscanned, namespace)
    try:
        check_namespace(idl, model)
    except NamespaceClash as error:
        raise GenerateError(str(error)) from None
    duplicates = _duplicate_units(model.cpp.units)
    if duplicates:
        raise GenerateError(f"goray-gen: error: {duplicates}")
    rendered = render_all(model, templates_dir(options.templates))
    outdir = Path(options.outdir)
    stubs_dir = Path(options.stubs_dir) if options.stubs_dir else outdir
    files: Dict[Path, str] = {outdir / f"{name}.idl.json": idl_text}
    for file_name, text in rendered.items():
        directory = stubs_dir if file_name.endswith((".py", ".pyi")) else outdir
        files[directory / file_name] = text

    result = GenerateResult(name, files, write_outputs(files))
    result.scanned = ran_scan
    if cache:
        cache.save(idl_text)
    if options.depfile:
        root = Path(options.root).resolve() if options.root else sources_root(options.sources)
        target = options.stamp or str(outdir / f"{name}.goray.cpp")
        write_depfile(Path(options.depfile), target,
                      _dependencies(idl, root) + [str(root / path) for path in unscanned])
    if options.stamp:
        touch(Path(options.stamp))
    return result
