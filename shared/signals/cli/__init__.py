"""The ``signals`` command: one module per command group, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module in signals/cli/ that defines ``register(subparsers)``; listed so --help is complete.
COMMANDS: tuple[str, ...] = (
    "demo",
    "keys",
    "migrate",
    "replay",
    "redrive",
    "score",
    "eval",
    "train",
    "digest",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command group registered."""
    parser = argparse.ArgumentParser(prog="signals", description="Signals: the AI-news intelligence feed.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"signals.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script: dispatch to the chosen command's ``run(args)``; bad input
    is one line and exit status 2, any other failure one line and 1 (``signals.cli.usage``)."""
    from signals.cli.usage import run_reporting

    args = build_parser().parse_args(argv)
    return run_reporting(args.command, lambda: args.run(args))


if __name__ == "__main__":
    sys.exit(main())
