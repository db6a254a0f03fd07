"""``signals keys create --name NAME``: make an API key, print it once; only its hash is stored."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="manage API keys for the subscriptions API")
    actions = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (it is not shown again)")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.set_defaults(run=run_create)


def run_create(args: argparse.Namespace) -> int:
    from signals.storage.apikey_records import create_key

    name = args.name.strip()
    if not name or len(name) > 100:
        print("error: --name must be 1..100 characters")
        return 2
    plaintext, key = create_key(name)
    print(f"API key for {key.name!r} (id {key.key_id}); store it now, it is not shown again:")
    print(plaintext)
    return 0
