"""python -m goray: the goray command (see goray.cli); ``python -m goray --cmake-dir``
prints the directory for CMake's goray_DIR (see goray.cmake_dir)."""
import sys

if sys.argv[1:2] == ["--cmake-dir"]:
    from .cmake_dir import main as cmake_dir_main

    sys.exit(cmake_dir_main(sys.argv[1:]))

from .cli import main

sys.exit(main())
