"""``python -m persona``: the command line (see :mod:`persona.cli`)."""

from .cli import console

if __name__ == "__main__":
    console()
