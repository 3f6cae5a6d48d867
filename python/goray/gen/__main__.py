"""``python -m goray.gen``: the same as the goray-gen command.

Tests: tests/renderers/test_gen_cmake.py, tests/renderers/test_gen_corpus.py,
tests/docs/test_docs_commands.py
"""

import sys

from .gen_cli import main

sys.exit(main())
