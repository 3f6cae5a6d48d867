"""The cp314 wheel as pip installed it on CPython 3.14 (run.sh: with Ray 2.60): what it
is, the Ray it declares on 3.14, and what `goray --doctor` says of the pair."""
from __future__ import annotations

import json
import platform
import sys
import sysconfig
from importlib import metadata

from conftest import BIN, run

from pip._vendor.packaging.requirements import Requirement  # (pip's own: no extra package)


def test_this_is_cpython_3_14_2_or_later_with_the_gil():
    # 3.14.0 and 3.14.1 crash Ray's async actors (python/cpython#141944).
    assert platform.python_implementation() == "CPython"
    assert sys.version_info[:3] >= (3, 14, 2), sys.version
    assert not sysconfig.get_config_var("Py_GIL_DISABLED")  # 3.14t has no Ray wheel


def test_pip_installed_the_cp314_wheel_with_its_fast_path():
    wheel = metadata.distribution("goray-cpp").read_text("WHEEL") or ""
    assert "Tag: cp314-cp314-manylinux_2_34_x86_64" in wheel, wheel
    import goray._fastpath as fastpath
    assert fastpath.__file__.endswith(".cpython-314-x86_64-linux-gnu.so"), fastpath.__file__


def test_on_3_14_the_wheel_asks_for_ray_2_58_or_later_and_got_2_60():
    import ray
    assert ray.__version__ == "2.60.0"
    wanted = [Requirement(text) for text in metadata.requires("goray-cpp") or []]
    ray_lines = [req for req in wanted if req.name == "ray"
                 and (req.marker is None or req.marker.evaluate({"extra": ""}))]
    assert len(ray_lines) == 2, wanted  # the range, and 3.14's first release

    def allowed(version: str) -> bool:
        return all(req.specifier.contains(version) for req in ray_lines)
    assert [allowed(v) for v in ("2.55.0", "2.57.0", "2.58.0", "2.60.0", "2.61.0")] == \
        [False, False, True, True, False]


def test_the_doctor_knows_the_python_and_ray_pair():
    text = run([BIN / "goray", "--doctor"]).stdout
    assert "Ray         2.60.0: tested (goray-cpp supports ray>=2.58.0,<2.61 on CPython 3.14)" in text, text
    facts = json.loads(run([BIN / "goray", "--doctor", "--json"]).stdout)
    assert facts["python"].startswith("CPython 3.14.") and facts["ray_status"] == "tested"
    assert all(path["taken"] for path in facts["paths"]), facts["paths"]
