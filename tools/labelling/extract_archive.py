#!/usr/bin/env python3
"""Pull every distinct item out of a feed-archive repository's git history.

    python tools/labelling/extract_archive.py GIT_DIR --repo OWNER/NAME [--versions N] > items.jsonl

For every feed file (.xml/.rss/.atom, and JSON Feed .json) ever committed, up to N versions spread
evenly over its history are parsed; each item is kept once per feed (by link, else title), with
the feed's own title, the item's plain-text summary (<= 600 chars), its link and date, and where it
came from (repo, path, commit). Nothing is labelled or filtered here: `draw.py` does that.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

from signals.feeds.normalize import plain_text, truncate
from signals.feeds.parser import parse_feed

FEED_FILE = re.compile(r"\.(xml|rss|atom)$|feed.*\.json$", re.IGNORECASE)


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", git_dir, *args], capture_output=True, check=True).stdout


def feed_paths(git_dir: str) -> list[str]:
    out = git(git_dir, "log", "--all", "--name-only", "--format=").decode(errors="replace")
    return sorted({p for p in out.splitlines() if p and FEED_FILE.search(p)})


def versions(git_dir: str, path: str, limit: int) -> list[tuple[str, str]]:
    out = git(git_dir, "log", "--all", "--format=%H %cI", "--", path).decode().split("\n")
    commits = [tuple(line.split(" ", 1)) for line in out if line.strip()]
    if len(commits) <= limit:
        return commits  # type: ignore[return-value]
    step = (len(commits) - 1) / (limit - 1)
    return [commits[round(i * step)] for i in range(limit)]  # type: ignore[misc]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("git_dir")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--versions", type=int, default=25)
    ap.add_argument("--only", default="", help="regex on paths to keep")
    args = ap.parse_args()
    only = re.compile(args.only) if args.only else None
    for path in feed_paths(args.git_dir):
        if only and not only.search(path):
            continue
        seen: set[str] = set()
        for commit, date in versions(args.git_dir, path, args.versions):
            try:
                data = git(args.git_dir, "show", f"{commit}:{path}")
                feed = parse_feed(data)
            except Exception as exc:  # a broken capture: skip it, say so
                print(f"skip {path}@{commit[:8]}: {type(exc).__name__}", file=sys.stderr)
                continue
            for entry in feed.entries:
                title = plain_text(entry.title or "", "text/html").strip()
                key = entry.link or title
                if not title or not key or key in seen:
                    continue
                seen.add(key)
                summary = truncate(plain_text(entry.summary or entry.content or "", "text/html"), 600)
                published = entry.published.isoformat() if entry.published else None
                row = {
                    "feed_title": feed.title or path,
                    "title": title,
                    "summary": summary,
                    "link": entry.link,
                    "published": published,
                    "origin_repo": args.repo,
                    "origin_path": path,
                    "origin_commit": commit,
                    "origin_commit_date": date,
                }
                print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
