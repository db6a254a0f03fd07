"""Ranking runs against the in-memory feed index: no moto, milliseconds per test."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # fabricate.py: shared signal maker
