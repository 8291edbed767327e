"""``python -m persona`` and the ``persona`` script: the command line (see :mod:`persona.cli`)."""

import sys


def run() -> None:
    """Run the command line. A Ctrl-C while it is still being imported (the first fraction
    of a second) ends it as quietly as one during a command: exit status 130, no traceback."""
    try:
        from .cli import console
    except KeyboardInterrupt:
        sys.stderr.write("persona: interrupted\n")
        sys.exit(130)  # cli.EXIT_INTERRUPTED, which could not be imported
    console()


if __name__ == "__main__":
    run()
