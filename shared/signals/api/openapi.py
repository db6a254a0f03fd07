"""Print the API's OpenAPI document: ``python -m signals.api.openapi > docs/openapi.json``."""

from __future__ import annotations

import json
import sys


def document() -> str:
    """The OpenAPI document as committed: generated from the routes, stable key order, indented."""
    from signals.api.app import openapi_document

    return json.dumps(json.loads(openapi_document()), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document())
