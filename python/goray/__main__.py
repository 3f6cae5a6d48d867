"""python -m goray: the goray command (see goray.driver_cli); ``python -m goray --cmake-dir``
prints the directory for CMake's goray_DIR (see goray.cmake_dir); ``python -m goray
--doctor`` what goray runs with here (see goray.doctor).

Tests: tests/python/test_without_jinja2.py, tests/python/test_ray_releases.py,
tests/python/test_version.py, tests/ray/test_cli.py, tests/ray/test_cluster.py,
tests/ray/test_cluster_values.py
"""
import sys

if sys.argv[1:2] == ["--cmake-dir"]:
    from .cmake_dir import main as cmake_dir_main

    sys.exit(cmake_dir_main(sys.argv[1:]))

if sys.argv[1:2] == ["--doctor"]:
    from .doctor import main as doctor_main

    sys.exit(doctor_main(sys.argv[1:]))

from .driver_cli import main

sys.exit(main())
