"""The command line of the reference server: ``python -m persona.testing serve|outbox``.

``serve`` runs a :class:`~persona.testing.server.ReferenceServer` in the foreground until
Ctrl-C or SIGTERM (exit status 0), printing its URL on stdout and one line per request on
stderr. ``outbox`` prints the newest code mailed to an address, read from the outbox file
that ``serve --outbox FILE`` writes, so that a shell script can finish the reset flow.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Optional

from persona.testing.outbox import OUTBOX_ENV, last_code_in_file


def _account(value: str) -> tuple[str, str]:
    email, sep, password = value.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD")
    return email, password


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m persona.testing``."""
    parser = argparse.ArgumentParser(
        prog="python -m persona.testing",
        description="The reference server of the Persona Account API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the reference server until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one (8080)")
    serve.add_argument(
        "--db", default=":memory:", help="sqlite3 file to keep state in across restarts"
    )
    serve.add_argument(
        "--account",
        type=_account,
        action="append",
        default=[],
        metavar="EMAIL:PASSWORD",
        help="create an account (repeatable)",
    )
    serve.add_argument(
        "--outbox",
        default=None,
        metavar="FILE",
        help=f"append mailed codes to FILE as JSON lines (default: ${OUTBOX_ENV})",
    )
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=5,
        metavar="N",
        help="forgotPass requests allowed per address per minute (5)",
    )

    serve.add_argument(
        "--outbox-page",
        choices=("auto", "on", "off"),
        default="auto",
        help="serve the outbox page and API at /outbox: auto (only on a loopback address, "
        "as it shows live codes), on (any address, with a warning) or off (auto)",
    )
    serve.add_argument(
        "--outbox-cors",
        default=None,
        metavar="ORIGIN",
        help="let pages of ORIGIN (e.g. http://localhost:3000) call the outbox API (none)",
    )

    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests sent to NAME (Host), besides 127.0.0.1, localhost and "
        "[::1]; others get 421 (repeatable)",
    )

    outbox = commands.add_parser("outbox", help="print the newest code mailed to an address")
    outbox.add_argument(
        "--file",
        default=os.environ.get(OUTBOX_ENV),
        metavar="FILE",
        help=f"the outbox file written by serve --outbox (default: ${OUTBOX_ENV})",
    )
    outbox.add_argument("--email", required=True, help="the address the code was mailed to")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _outbox(args)


def _serve(args: argparse.Namespace) -> int:
    from persona.testing.server import ReferenceServer

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        server = ReferenceServer(
            dict(args.account),
            host=args.host,
            port=args.port,
            db=args.db,
            outbox=args.outbox,
            rate_limit=args.rate_limit,
            log=log,
            outbox_page={"auto": None, "on": True, "off": False}[args.outbox_page],
            outbox_cors=args.outbox_cors,
            allowed_hosts=args.allow_host,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server.start()
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n"
            "hint: choose another port with --port PORT, or --port 0 for a free one "
            "(the URL printed at start says which)",
            file=sys.stderr,
        )
        server.stop()
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"persona reference server listening on {server.url}", flush=True)
    if server.outbox_url:
        print(f"outbox (mailed codes, live): {server.outbox_url}", flush=True)
    try:
        # Wait in short slices: a signal handler runs only between bytecodes of the main thread.
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    print("persona reference server stopped", file=sys.stderr, flush=True)
    return 0


def _outbox(args: argparse.Namespace) -> int:
    if not args.file:
        print(f"error: no outbox file: pass --file FILE or set ${OUTBOX_ENV}", file=sys.stderr)
        return 2
    try:
        code = last_code_in_file(args.file, args.email)
    except FileNotFoundError:
        print(f"error: outbox file {args.file} does not exist", file=sys.stderr)
        return 1
    if code is None:
        print(f"error: no code mailed to {args.email} in {args.file}", file=sys.stderr)
        return 1
    print(code)
    return 0
