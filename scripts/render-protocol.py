#!/usr/bin/env python3
"""Renders the protocol's numbers (generator/protocol/numbers.json) into the files that
use them, with goray-gen's templates (templates/protocol/):

  runtime/include/goray/detail/protocol_numbers.h   the runtime's and goray._fastpath's
  python/goray/_protocol_numbers.py                  goray._protocol's enums and constants
  runtime/include/goray/version.h                    GORAY_PROTOCOL_VERSION (a marked block)
  docs/protocol.md                                   the numbered tables (marked blocks)

Usage (Python with Jinja2, such as .venv/bin/python):
  scripts/render-protocol.py            write the renderings that changed
  scripts/render-protocol.py --check    write nothing; exit 1 naming the stale ones
  scripts/render-protocol.py --out DIR  write every rendering under DIR instead

The renderings are committed (building the runtime needs no Python);
tests/renderers/test_gen_protocol_numbers.py fails while one is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from goray.gen.jinja import MissingJinja2  # noqa: E402
from goray.gen.protocol_table import TableError, render_repository, stale_files  # noqa: E402


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a rendering differs from the table's")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="write every rendering under DIR (paths as in the repository)")
    parser.add_argument("--root", metavar="DIR", type=Path, default=ROOT,
                        help="the repository (default: this script's)")
    options = parser.parse_args(argv)
    try:
        files = render_repository(options.root)
    except (TableError, MissingJinja2) as error:
        print(f"render-protocol: {error}", file=sys.stderr)
        return 2
    if options.out:
        for path, text in files.items():
            target = options.out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return 0
    stale = stale_files(options.root, files)
    if options.check:
        for path in stale:
            print(f"render-protocol: {path} is stale: run .venv/bin/python "
                  "scripts/render-protocol.py (a Python with Jinja2)",
                  file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        (options.root / path).write_text(files[path], encoding="utf-8")
        print(f"render-protocol: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
