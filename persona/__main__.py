"""``python -m persona``: the command line (see :mod:`persona.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
