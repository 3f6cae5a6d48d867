"""python -m goray: the goray command (see goray.cli)."""
import sys

from .cli import main

sys.exit(main())
