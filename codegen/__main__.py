"""``python -m codegen [--check] [--spec PATH] [--root DIR] [--package NAME]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.generate import Options, check, write
from codegen.markers import MarkerError
from codegen.spec import SpecError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 naming each file that differs, is missing, is an orphan",
    )
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    parser.add_argument("--spec", default="persona/openapi.yaml", help="relative to --root")
    parser.add_argument("--package", default="persona", help="import name of the generated package")
    parser.add_argument("--readme", default="README.md", help="page with the tables ('' for none)")
    parser.add_argument("--docs", default="docs", help="reference pages ('' for none)")
    args = parser.parse_args(argv)
    opts = Options(Path(args.root), args.spec, args.package, args.readme or None, args.docs or None)
    try:
        if args.check:
            problems = check(opts)
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                print("run `python -m codegen` to regenerate", file=sys.stderr)
                return 1
            return 0
        for line in write(opts):
            print(line)
    except (MarkerError, SpecError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
