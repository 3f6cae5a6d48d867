"""``python -m goray.gen``: the same as the goray-gen command."""

import sys

from .cli import main

sys.exit(main())
