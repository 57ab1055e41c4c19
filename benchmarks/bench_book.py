"""Wall time of the README's book command: from an empty cache, then again with it warm.

Targets: the demo book (1849 THINGS photos) builds in at most 12 minutes from an empty
cache on two CPU cores (aim: 10), and a rebuild with a warm cache, every chapter executed
again, takes at most 40 seconds. The script builds into a temporary folder (``--book-dir``)
with temporary data and cache folders, so nothing of the user's is touched or reused; the
data come from ``HUMANALIGN_MIRRORS`` or are downloaded. After each build it prints where
the time went, from the build's reproducibility record: the models' features and probes,
the shared tables, each chapter, and the HTML build.

Usage::

    python benchmarks/bench_book.py                 # demo profile
    python benchmarks/bench_book.py --profile PATH  # another profile
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout whose book is built


def build(profile: str, book_dir: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "humanalign", "book", "--root", str(ROOT), "--profile", profile, "--book-dir", str(book_dir)],
        check=True, env=env, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def phases(book_dir: Path, label: str) -> None:
    """Print where a build's time went (its reproducibility record and HTML build time)."""
    record = json.loads((book_dir / "_generated" / "reproducibility.json").read_text())
    prepared = record.get("phases", {}).get("prepare", {})
    html = json.loads((book_dir / "_generated" / "html_build.json").read_text())["seconds"]
    extraction, probe = prepared.get("extraction", {}), prepared.get("probe", {})
    print(f"{label}: models {prepared.get('wall', 0):.1f} s wall in {prepared.get('workers', '?')} workers "
          f"(features {sum(extraction.values()):.1f} s, probes and scores {sum(probe.values()):.1f} s summed over "
          f"models), shared tables {prepared.get('tables', 0):.1f} s, chapters "
          f"{record['phases'].get('chapters', 0):.1f} s wall, HTML {html:.1f} s")
    print("  chapters: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(record["runtimes_s"].items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="demo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = dict(os.environ, HUMANALIGN_DATA=str(root / "data"), HUMANALIGN_CACHE=str(root / "cache"))
        cold = build(args.profile, root / "cold", env)
        phases(root / "cold", "cold")
        warm = build(args.profile, root / "warm", env)
        phases(root / "warm", "warm")
    print(f"profile            {args.profile}")
    print(f"cpu cores          {os.cpu_count()}")
    print(f"cold build         {cold:7.1f} s   (target <= 720 s: {'met' if cold <= 720 else 'NOT met'}; "
          f"aim 600 s: {'met' if cold <= 600 else 'not met'})")
    print(f"warm rebuild       {warm:7.1f} s   (target <= 40 s: {'met' if warm <= 40 else 'NOT met'})")
    print(f"cold / warm        {cold / warm:7.1f}x")


if __name__ == "__main__":
    main()
