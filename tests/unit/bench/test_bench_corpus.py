"""The scoring benchmark's corpus loads: every feed document under demo/feeds parses, and a file
that is not a feed is skipped with a note instead of stopping ``make bench`` (it once stopped on
the arXiv JSON dump when the CLI learned to refuse non-feeds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_scoring.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_scoring_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_corpus_loads_and_skips_what_is_not_a_feed(capsys):
    bench = _bench_module()
    paths = bench.demo_feed_paths()
    feeds = bench.load_feeds(paths)
    loaded = {f.path for f in feeds}
    skipped = [p for p in paths if p not in loaded]
    assert sum(len(f.items) for f in feeds) > 2000
    assert [p.name for p in skipped if p.suffix == ".json" and "arxiv" in p.name], "the arXiv dump is skipped"
    assert "skipped (not a feed)" in capsys.readouterr().err
