"""``python -m codegen [--check] [--strict] [--spec PATH] [--root DIR] [--package NAME]``.

What the spec holds that cannot be generated is reported on standard error, one line
each (the file, the JSON pointer of the part, why, and the operations skipped for it),
then a count; the rest is generated. ``--strict`` makes any such report fatal (exit 1,
nothing written). Exit status: 0 done (or, with ``--check``, nothing differs); 1
``--check`` found differences, or ``--strict`` found a report; 2 the spec or a page
cannot be read, or nothing in it can be generated.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.generate import Options, check, read, write
from codegen.markers import MarkerError
from codegen.spec import SpecError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 naming each file that differs, is missing, is an orphan",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1, writing nothing, when any part of the spec cannot be generated",
    )
    parser.add_argument("--root", default=".", help="the repository root (default: .)")
    parser.add_argument("--spec", default="persona/openapi.yaml", help="relative to --root")
    parser.add_argument("--package", default="persona", help="import name of the generated package")
    parser.add_argument("--readme", default="README.md", help="page with the tables ('' for none)")
    parser.add_argument("--docs", default="docs", help="reference pages ('' for none)")
    args = parser.parse_args(argv)
    opts = Options(Path(args.root), args.spec, args.package, args.readme or None, args.docs or None)
    try:
        spec = read(opts)
        for line in spec.report_lines():
            print(line, file=sys.stderr)
        if args.strict and spec.reports:
            print("codegen: --strict: the spec has parts that cannot be generated", file=sys.stderr)
            return 1
        if args.check:
            problems = check(opts, spec)
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                print("run `python -m codegen` to regenerate", file=sys.stderr)
                return 1
            return 0
        for line in write(opts, spec):
            print(line)
    except (MarkerError, SpecError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(
            f"codegen: {args.spec}: internal error ({type(exc).__name__}: {exc}); "
            "this is a bug of the generator: please report it with the spec",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
