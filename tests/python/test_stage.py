"""python -m goray.stage: the files it copies, in the argument orders docs/cluster.md shows."""
import pytest

from goray import stage


@pytest.fixture
def files(tmp_path):
    made = {}
    for name in ("librayapp.so", "app.py", "helpers.py", "table.csv"):
        path = tmp_path / "src" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(name)
        made[name] = str(path)
    return made


@pytest.mark.parametrize("extras_after_py_defs", [True, False])
def test_extra_files_are_staged_before_or_after_py_defs(tmp_path, files, capsys, extras_after_py_defs):
    # docs/cluster.md: python -m goray.stage deploy/ build/librayapp.so --py-defs app.py [EXTRA...]
    extras = [files["helpers.py"], files["table.csv"]]
    py_defs = ["--py-defs", files["app.py"]]
    argv = [str(tmp_path / "deploy"), files["librayapp.so"]]
    argv += py_defs + extras if extras_after_py_defs else extras + py_defs
    assert stage.main(argv) == 0
    staged = sorted(p.name for p in (tmp_path / "deploy").iterdir())
    assert staged == ["app.py", "helpers.py", "librayapp.so", "table.csv"]
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_two_files_with_one_base_name_are_refused(tmp_path, files, capsys):
    other = tmp_path / "other" / "app.py"
    other.parent.mkdir()
    other.write_text("x")
    argv = [str(tmp_path / "deploy"), files["librayapp.so"], "--py-defs", files["app.py"], str(other)]
    assert stage.main(argv) == 2
    assert "two staged files share a base name" in capsys.readouterr().err
