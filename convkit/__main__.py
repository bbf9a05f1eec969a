"""Entry point of ``python -m convkit``."""

import sys

from .cli import main

sys.exit(main())
