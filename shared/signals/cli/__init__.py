"""The ``signals`` command: one module per command group, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module in signals/cli/ that defines ``register(subparsers)``; listed so --help is complete.
COMMANDS: tuple[str, ...] = ("demo", "keys", "migrate", "replay", "redrive", "score", "eval", "train")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command group registered."""
    parser = argparse.ArgumentParser(prog="signals", description="Signals: the AI-news intelligence feed.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"signals.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script: dispatch to the chosen command's ``run(args)``."""
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
