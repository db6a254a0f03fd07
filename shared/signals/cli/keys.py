"""``signals keys create|list|revoke``: API keys for the subscriptions API.

``create --name NAME`` makes a key and prints it once (only its hash is stored); ``list`` prints each
key's id, name, creation time and revocation time; ``revoke KEY_ID`` makes a key answer 401 on every
route from now on (its subscriptions stay, owned by the id, until deleted by an operator).
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="manage API keys for the subscriptions API")
    actions = parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (it is not shown again)")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.set_defaults(run=run_create)
    listing = actions.add_parser("list", help="every key: id, name, created, revoked")
    listing.set_defaults(run=run_list)
    revoke = actions.add_parser("revoke", help="revoke a key: it answers 401 from now on")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key's id (key_...), as `keys list` shows it")
    revoke.set_defaults(run=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    from signals.cli.usage import UsageError
    from signals.storage.apikey_records import create_key

    name = args.name.strip()
    if not name or len(name) > 100:
        raise UsageError(f"--name must be 1..100 characters (got {len(name)})")
    plaintext, key = create_key(name)
    print(f"API key for {key.name!r} (id {key.key_id}); store it now, it is not shown again:")
    print(plaintext)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from signals.models import iso
    from signals.storage.apikey_records import list_keys

    keys = list_keys()
    print(f"{'KEY_ID':<22} {'CREATED':<21} {'REVOKED':<21} NAME")
    for key in keys:
        revoked = iso(key.revoked_at) if key.revoked_at else "-"
        print(f"{key.key_id:<22} {iso(key.created_at):<21} {revoked:<21} {key.name}")
    print(f"{len(keys)} key(s), {sum(1 for k in keys if k.revoked_at)} revoked")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from signals.models import iso
    from signals.storage.apikey_records import revoke_key

    key = revoke_key(args.key_id.strip())
    if key is None:
        print(f"signals keys: no key with id {args.key_id!r} (see `signals keys list`)", file=sys.stderr)
        return 1
    assert key.revoked_at is not None
    print(f"revoked {key.key_id} ({key.name!r}) at {iso(key.revoked_at)}; it now answers 401")
    return 0
