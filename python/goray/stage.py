"""Stages a working directory for `ray job submit --working-dir`: the library, the
py-defs file and any other files, copied into one plain directory (Ray skips
.gitignore'd files, so a build tree is not a usable working directory).

    python -m goray.stage DIR LIBRARY [--py-defs FILE] [EXTRA...]
    ray job submit --working-dir DIR -- python -m goray --cluster --py-defs defs.py ./libapp.so

Files keep their base names; DIR is created (and must not hold other files).

Tests: tests/python/test_stage.py, tests/ray/test_cluster.py,
tests/ray/test_token_auth_cluster.py, tests/wheel/test_cluster_wheel.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import List, Optional, Sequence

__all__ = ["stage", "main"]


def stage(directory: str, library: str, py_defs: str = "", extra: Sequence[str] = ()) -> List[str]:
    """Copies the files into `directory`; returns their staged paths."""
    sources = [library] + ([py_defs] if py_defs else []) + list(extra)
    missing = [path for path in sources if not os.path.isfile(path)]
    if missing:
        raise FileNotFoundError(f"cannot stage {', '.join(missing)}: no such file")
    names = [os.path.basename(path) for path in sources]
    if len(set(names)) != len(names):
        raise ValueError(f"two staged files share a base name: {names}")
    if os.path.isdir(directory) and os.listdir(directory):
        raise ValueError(f"{directory} is not empty: its files would ship with the job")
    os.makedirs(directory, exist_ok=True)
    staged = []
    for source, name in zip(sources, names):
        target = os.path.join(directory, name)
        shutil.copy2(source, target)
        staged.append(target)
    return staged


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goray.stage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("library")
    parser.add_argument("--py-defs", default="")
    parser.add_argument("extra", nargs="*")
    options = parser.parse_intermixed_args(argv)  # extra files also after --py-defs
    try:
        for path in stage(options.directory, options.library, options.py_defs, options.extra):
            print(path)
    except (OSError, ValueError) as error:
        print(f"goray.stage: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
