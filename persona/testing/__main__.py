"""``python -m persona.testing``: run the reference server from a shell (see ``cli.py``)."""

from __future__ import annotations

import sys

from persona.testing.cli import main

if __name__ == "__main__":
    sys.exit(main())
