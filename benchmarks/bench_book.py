"""Wall time of the README's book command: from an empty cache, then again with it warm.

Targets (issue: the book): the demo book builds in under 10 minutes from an empty cache on
two CPU cores, and a rebuild with a warm cache takes under 2 minutes. The script builds
into a temporary folder (``--book-dir``) with temporary data and cache folders, so nothing
of the user's is touched or reused; the data come from ``HUMANALIGN_MIRRORS`` or are
downloaded.

Usage::

    python benchmarks/bench_book.py                 # demo profile
    python benchmarks/bench_book.py --profile PATH  # another profile
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="demo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = dict(os.environ, HUMANALIGN_DATA=str(root / "data"), HUMANALIGN_CACHE=str(root / "cache"))
        cold = build(args.profile, root / "cold", env)
        warm = build(args.profile, root / "warm", env)
    print(f"profile            {args.profile}")
    print(f"cpu cores          {os.cpu_count()}")
    print(f"cold build         {cold:7.1f} s   (target < 600 s: {'met' if cold < 600 else 'NOT met'})")
    print(f"warm rebuild       {warm:7.1f} s   (target < 120 s: {'met' if warm < 120 else 'NOT met'})")
    print(f"cold / warm        {cold / warm:7.1f}x")


if __name__ == "__main__":
    main()
