"""The py-defs file: imported once per process, with its folder on sys.path while
it runs (as GoRay's driver does), so it can import the modules beside it."""
import sys

from goray import _worker


def test_py_defs_imports_a_sibling_module(tmp_path):
    (tmp_path / "pd_sibling_helpers.py").write_text("def double(x):\n    return 2 * x\n")
    defs = tmp_path / "defs.py"
    defs.write_text("import pd_sibling_helpers\n\nVALUE = pd_sibling_helpers.double(21)\n")
    before = list(sys.path)
    module = _worker.import_py_defs(str(defs))
    assert module.VALUE == 42
    assert sys.path == before  # only while it is imported
    assert _worker.import_py_defs(str(defs)) is module  # once per process


def test_a_folder_already_on_sys_path_stays(tmp_path, monkeypatch):
    (tmp_path / "pd_sibling_kept.py").write_text("X = 1\n")
    defs = tmp_path / "defs.py"
    defs.write_text("import pd_sibling_kept\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = list(sys.path)
    _worker.import_py_defs(str(defs))
    assert sys.path == before
