"""Compiled templates are kept between goray-gen runs (gen/template_cache.py): a second
Environment loads them instead of compiling, an edited template compiles again, "off"
keeps nothing, and a folder that cannot be written changes nothing but the time."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

jinja2 = pytest.importorskip("jinja2")

from goray.gen import render  # noqa: E402
from goray.gen.template_cache import TEMPLATE_CACHE_ENV, bytecode_cache  # noqa: E402


def _compile_count(monkeypatch: pytest.MonkeyPatch, templates: Path) -> int:
    """How many templates a fresh Environment compiled to render stub.py.j2."""
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    environment = render.environment(templates)
    environment.get_template("macros.j2")
    monkeypatch.setattr(jinja2.Environment, "compile", original)
    return len(compiled)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), copy)
    return copy


def test_a_second_run_loads_what_the_first_compiled(monkeypatch, tmp_path, templates):
    cache = tmp_path / "cache"
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, str(cache))
    assert _compile_count(monkeypatch, templates) == 1
    assert len(list(cache.iterdir())) == 1
    assert _compile_count(monkeypatch, templates) == 0


def test_an_edited_template_compiles_again(monkeypatch, tmp_path, templates):
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, str(tmp_path / "cache"))
    assert _compile_count(monkeypatch, templates) == 1
    macros = templates / "macros.j2"
    macros.write_text(macros.read_text() + "{# edited #}\n")
    assert _compile_count(monkeypatch, templates) == 1


def test_off_keeps_nothing(monkeypatch, templates):
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, "off")
    assert bytecode_cache(jinja2) is None
    assert _compile_count(monkeypatch, templates) == 1
    assert _compile_count(monkeypatch, templates) == 1


def test_a_cache_that_cannot_be_written_only_costs_time(monkeypatch, tmp_path, templates):
    cache = tmp_path / "cache"
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, str(cache))
    environment = render.environment(templates)
    shutil.rmtree(cache)  # gone between the start and the first compile: writing fails
    assert environment.get_template("macros.j2").render() is not None  # compiled, not raised
    assert not cache.exists()


def test_a_corrupt_entry_is_compiled_instead(monkeypatch, tmp_path, templates):
    cache = tmp_path / "cache"
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, str(cache))
    _compile_count(monkeypatch, templates)
    for entry in cache.iterdir():
        entry.write_bytes(b"j2 not bytecode")
    assert _compile_count(monkeypatch, templates) == 1


def test_a_path_that_is_a_file_renders_without_a_cache(monkeypatch, tmp_path, templates):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(TEMPLATE_CACHE_ENV, str(blocker))
    assert bytecode_cache(jinja2) is None
    assert _compile_count(monkeypatch, templates) == 1
