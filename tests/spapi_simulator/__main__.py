"""Command line: run the simulator until SIGTERM/SIGINT.

    python -m tests.spapi_simulator --port 0 --seed 1 --fault throttle='{"getReport": 2}'

Prints exactly one line, ``SIMULATOR READY <url>``, once it accepts connections.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from .faults import SWITCHES
from .server import Simulator


def _fault(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    if name not in SWITCHES:
        raise argparse.ArgumentTypeError(f"unknown fault {name!r}; known: {', '.join(sorted(SWITCHES))}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


def _document_file(text: str) -> tuple[str, str]:
    report_type, sep, path = text.partition("=")
    if not sep or not report_type or not path:
        raise argparse.ArgumentTypeError(f"expected REPORT_TYPE=PATH, got {text!r}")
    return report_type, path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.spapi_simulator", description="Local SP-API simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--processing-delay", type=float, default=0.2)
    parser.add_argument("--rate-scale", type=float, default=1.0)
    parser.add_argument("--token-ttl", type=float, default=3600)
    parser.add_argument("--document-url-ttl", type=float, default=300)
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fault switch; VALUE is JSON when it parses",
    )
    parser.add_argument(
        "--document-file",
        type=_document_file,
        action="append",
        default=[],
        metavar="REPORT_TYPE=PATH",
        help="serve this gzip file as the document of every report of the type",
    )
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the simulator in the foreground; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        simulator = Simulator(
            seed=args.seed,
            rows=args.rows,
            processing_delay=args.processing_delay,
            rate_scale=args.rate_scale,
            token_ttl=args.token_ttl,
            document_url_ttl=args.document_url_ttl,
            faults=dict(args.fault),
            verbose=args.verbose,
            document_files=dict(args.document_file),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    url = simulator.start(args.host, args.port)
    print(f"SIMULATOR READY {url}", flush=True)
    try:
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stopping.wait(0.2):
            pass
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
