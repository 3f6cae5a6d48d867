"""The py-defs file: imported once per process, with its folder on sys.path while
it runs (as GoRay's driver does), so it can import the modules beside it."""
import shutil
import sys

from goray import _process_setup


def test_py_defs_imports_a_sibling_module(tmp_path):
    (tmp_path / "pd_sibling_helpers.py").write_text("def double(x):\n    return 2 * x\n")
    defs = tmp_path / "defs.py"
    defs.write_text("import pd_sibling_helpers\n\nVALUE = pd_sibling_helpers.double(21)\n")
    before = list(sys.path)
    module = _process_setup.import_py_defs(str(defs))
    assert module.VALUE == 42
    assert sys.path == before  # only while it is imported
    assert _process_setup.import_py_defs(str(defs)) is module  # once per process


def test_a_folder_already_on_sys_path_stays(tmp_path, monkeypatch):
    (tmp_path / "pd_sibling_kept.py").write_text("X = 1\n")
    defs = tmp_path / "defs.py"
    defs.write_text("import pd_sibling_kept\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = list(sys.path)
    _process_setup.import_py_defs(str(defs))
    assert sys.path == before


def test_a_relative_path_imported_once_survives_a_removed_working_directory(tmp_path, monkeypatch):
    # A Ray job's driver imports "defs.py" relative to the job's working_dir, which Ray
    # may remove while the driver runs; asking for it again (the driver's traits lookups
    # go through ensure_ready) must not resolve it again (os.getcwd() fails there).
    work = tmp_path / "job"
    work.mkdir()
    (work / "pd_relative_defs.py").write_text("VALUE = 7\n")
    monkeypatch.chdir(work)
    module = _process_setup.import_py_defs("pd_relative_defs.py")
    # The working directory is gone (with the bytecode Python may have written there):
    # os.getcwd() raises FileNotFoundError.
    shutil.rmtree(work)
    assert _process_setup.import_py_defs("pd_relative_defs.py") is module
