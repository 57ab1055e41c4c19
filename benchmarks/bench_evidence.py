"""How often a warm rebuild computes the verdicts' evidence, and how long each chapter takes.

Every chapter runs in a process of its own, as the book runs it, under :mod:`cProfile`; the
script then counts the calls that compute evidence (the paired bootstraps of triplets and
people, and of people and images, each a resample of every unit that was sampled) and the
calls that score a verdict, and prints them per chapter with the chapter's wall time. Run it
with the caches of a built book (``HUMANALIGN_DATA`` and ``HUMANALIGN_CACHE`` as the build
had them), so the models' features and probes are read, not computed: what is left is the
work the chapters themselves repeat.

Usage::

    python benchmarks/bench_evidence.py                  # demo profile, every chapter
    python benchmarks/bench_evidence.py --chapters 00_overview 05_concepts
"""

from __future__ import annotations

import argparse
import os
import pstats
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout whose chapters are run

#: Functions of the library whose calls are counted, as (end of the file's path, name) -> what
#: a call is: the evidence (each model's scores with resamples of the units; one call scores a
#: batch of models), the reads of one model's scores it rests on, the resamples computed rather
#: than read from the cache, and the verdicts that read the evidence. The evidence was computed
#: by ``study/verdicts/units.py`` until the study result took it over.
COUNTED = {
    ("study/result.py", "_compute_evidence"): "evidence sets computed",
    ("study/verdicts/units.py", "_things"): "evidence sets computed",
    ("study/verdicts/units.py", "_rsa92"): "evidence sets computed",
    ("study/scores.py", "things_scores"): "reads of one model's scores",
    ("study/scores.py", "matrix_scores"): "reads of one model's scores",
    ("study/choices.py", "things_correct"): "reads of one model's scores",
    ("study/choices.py", "rdm_under"): "reads of one model's scores",
    ("measures/trials.py", "crossed_bootstrap"): "THINGS resamples computed (triplets x people)",
    ("measures/inference.py", "rsa_two_way_bootstrap"): "92-image resamples computed (people x images)",
    ("study/verdicts/concepts.py", "concept_comparisons"): "concept comparisons",
    ("study/verdicts/scale.py", "verdict_scale"): "scale verdicts",
    ("study/verdicts/objective.py", "verdict_objective"): "objective verdicts",
    ("study/verdicts/dataset.py", "verdict_training_data"): "training-data verdicts",
    ("study/verdicts/transfer.py", "verdict_transfer_people"): "transfer verdicts",
    ("study/verdicts/concepts.py", "verdict_concepts"): "concept verdicts",
}


def run_chapter(path: Path, profile: str) -> None:
    """Run one chapter's code as a script (its parameters cell sets the defaults)."""
    os.chdir(path.parent)
    runpy.run_path(str(path), init_globals={"profile": profile}, run_name="__main__")


def profile_chapter(path: Path, profile: str, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), __file__, "--run", str(path), "--profile",
                    profile], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def counts(stats_file: Path) -> dict[str, int]:
    """Calls per counted kind (primitive calls, summed over the functions of that kind)."""
    found = dict.fromkeys(COUNTED.values(), 0)
    for (path, _, name), (primitive, *_rest) in pstats.Stats(str(stats_file)).stats.items():
        for (ending, counted), kind in COUNTED.items():
            if name == counted and Path(path).as_posix().endswith("humanalign/" + ending):
                found[kind] += primitive
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--chapters", nargs="*", help="chapter file names without .py (default: all)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_chapter(Path(args.run), args.profile)
        return
    chapters = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
    if args.chapters:
        chapters = [c for c in chapters if c.stem in args.chapters]
    totals = dict.fromkeys(COUNTED.values(), 0)
    wall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in chapters:
            seconds = profile_chapter(chapter, args.profile, Path(tmp) / f"{chapter.stem}.prof")
            found = counts(Path(tmp) / f"{chapter.stem}.prof")
            wall += seconds
            for key, value in found.items():
                totals[key] += value
            print(f"{chapter.stem}: {seconds:.1f} s (profiled); "
                  + ", ".join(f"{k} {v}" for k, v in found.items() if v))
    print(f"all chapters: {wall:.1f} s (profiled, one after another); "
          + ", ".join(f"{k} {v}" for k, v in totals.items() if v))


if __name__ == "__main__":
    main()
