"""Rendering: one Jinja2 template per output, each a pure function of the view model.

The templates are the repository's top-level ``templates/``: the wheel installs them next
to this module (``goray/gen/templates``), and the development tree's editable install reads
them where they are. GORAY_GEN_TEMPLATES or ``--templates`` points elsewhere.

Tests: tests/renderers/test_gen_concurrency.py, tests/renderers/test_gen_eigen.py,
tests/renderers/test_gen_template_cache.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from .jinja import load_jinja2
from .model import Model
from .naming import cpp_comment_lines, cpp_string_literal, python_docstring
from .template_cache import bytecode_cache

__all__ = ["OUTPUTS", "output_file", "TEMPLATES_ENV", "templates_dir", "template_files", "environment",
           "render_all"]

TEMPLATES_ENV = "GORAY_GEN_TEMPLATES"

# output file name ({name}: the outputs' name) -> its template.
OUTPUTS: Dict[str, str] = {
    "{name}.goray.h": "goray.h.j2",
    "{name}.goray.cpp": "goray.cpp.j2",
    # The typed in-process entries: a CPython extension module's source (goray_add_app
    # builds it apart from the library, which never needs Python).
    "{name}.entries.goray.cpp": "entries.cpp.j2",
    "{name}.py": "stub.py.j2",
    "{name}.pyi": "stub.pyi.j2",
    # The stub's private companion (naming.stub_types_module): its helper classes.
    "_{name}_types.pyi": "stub_types.pyi.j2",
}
UNIT_TEMPLATE = "unit.cpp.j2"


def output_file(pattern: str, name: str) -> str:
    """An OUTPUTS key's file name for the outputs named ``name``."""
    return pattern.format(name=name)


def templates_dir(override: Optional[str] = None) -> Path:
    """Where the templates are: ``override``, $GORAY_GEN_TEMPLATES, else the installed
    package's, else the source tree's (python/goray/gen -> templates/)."""
    chosen = override or os.environ.get(TEMPLATES_ENV)
    if chosen:
        return Path(chosen)
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parents[2] / "templates"


def template_files(directory: Path) -> List[Path]:
    """Every template file (the outputs' and the shared macros), resolved."""
    return sorted(path.resolve() for path in directory.iterdir() if path.suffix == ".j2")


def _cpp_doc(text_lines: List[str], indent: str = "") -> str:
    """``///`` doc comment lines (without a trailing newline), or nothing."""
    lines = []
    for line in text_lines:
        for piece in cpp_comment_lines(line):
            lines.append(f"{indent}/// {piece}".rstrip())
    return "\n".join(lines)


def environment(directory: Path) -> Any:  # a jinja2.Environment (imported lazily)
    """goray-gen's Jinja2 environment over the templates in `directory` (strict undefined
    names, its filters); protocol_table renders the protocol's numbers with it too."""
    jinja2 = load_jinja2()
    jinja_env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        bytecode_cache=bytecode_cache(jinja2),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    jinja_env.filters["cpp_string"] = cpp_string_literal
    jinja_env.filters["cpp_doc"] = _cpp_doc
    jinja_env.filters["py_doc"] = python_docstring
    return jinja_env


def render_all(model: Model, directory: Optional[Path] = None) -> Dict[str, str]:
    """Every output's text, keyed by file name (NAME.goray.h, ...)."""
    source = directory or templates_dir()
    if not (source / "macros.j2").is_file():
        raise RuntimeError(f"goray-gen: no templates in {source} (set {TEMPLATES_ENV})")
    jinja = environment(source)
    rendered = {output_file(pattern, model.name):
                jinja.get_template(template).render(m=model)
                for pattern, template in OUTPUTS.items()}
    # One translation unit per source file (NAME.<source>.goray.cpp), from UNIT_TEMPLATE.
    unit_template = jinja.get_template(UNIT_TEMPLATE)
    for unit in model.cpp.units:
        rendered[unit.file] = unit_template.render(m=model, unit=unit)
    return rendered
