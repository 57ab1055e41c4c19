"""``humanalign book``: execute the chapters with a profile, write the generated files, build.

1. reads and validates the profile (a shipped name or a path), so an unknown model id or a
   missing data set fails before anything runs;
2. converts each ``notebooks/NN_name.py`` (jupytext percent format) to a notebook and
   executes it with papermill (kernel ``python3``, the profile injected as the parameter)
   into ``book/chapters/NN_name.ipynb``; the first failing cell stops the run;
3. writes the self-hosted chart script into ``book/_static`` and the reproducibility record
   (profile, versions, data hashes, hardware, runtimes) into ``book/_generated``;
4. runs ``jupyter-book build book/ -W -n --keep-going``: any warning fails the build.

``--chapter scale`` executes one chapter only (the book is then built only when the other
chapters have been executed before); ``--no-build`` stops after the notebooks;
``--book-dir DIR`` copies the book's sources into ``DIR`` and builds there (executed
chapters in ``DIR/chapters``, HTML in ``DIR/_build/html``), leaving ``book/`` untouched;
``--root DIR`` names the checkout (default: the current folder).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .. import plots
from ..errors import user_message
from ..profiles import load_profile, read_profile_params
from .build import Layout, build_book, check_book_writable, claim_book_dir, copy_book_sources, run_chapters, write_rules
from .chapters import chapter_notebooks, chapter_stamp, library_fingerprint, pick_chapter, profile_ref
from .gallery import write_gallery
from .record import previous_html_seconds, previous_runtimes, reproducibility_record, write_reproducibility

__all__ = ["main"]


@dataclass
class _Plan:
    """What one call runs: the checkout, the book folder written to, the profile and chapters."""

    layout: Layout
    book: Path
    params: dict
    ref: str
    chapters: dict[str, Path]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="humanalign book", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="demo", help="demo (default), full, or the path of a profile .yml")
    parser.add_argument("--chapter", help="execute only this chapter (e.g. scale, or 01_scale)")
    parser.add_argument("--no-build", action="store_true", help="execute the notebooks, do not build the book")
    parser.add_argument("--book-dir", type=Path, default=None, metavar="DIR",
                        help="build in DIR instead of book/: the sources are copied there, the executed "
                        "chapters go to DIR/chapters and the HTML to DIR/_build/html")
    parser.add_argument("--root", type=Path, default=Path.cwd(), metavar="DIR",
                        help="the checkout holding book/ and notebooks/ (default: the current folder)")
    parser.add_argument("--book", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--notebooks", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def _plan(args: argparse.Namespace) -> _Plan:
    """Every check that can fail before a notebook runs."""
    layout = Layout.of(args.root, args.book, args.notebooks)
    if args.book_dir is not None:
        # Before the profile's (slower) checks; a folder of the user's own is refused, a new one marked as ours.
        claim_book_dir(args.book_dir, layout.book)
    check_book_writable(args.book_dir if args.book_dir is not None else layout.book)
    params = read_profile_params(args.profile)
    load_profile(args.profile)  # fail now on an unknown model or missing data
    chapters = chapter_notebooks(layout.notebooks)
    if args.chapter is not None:
        wanted = pick_chapter(args.chapter, chapters)
        chapters = {wanted: chapters[wanted]}
    book = copy_book_sources(args.book_dir, layout.book) if args.book_dir is not None else layout.book
    # A shipped profile is passed by name, any other by its full path.
    return _Plan(layout, book, params, profile_ref(args.profile), chapters)


def _execute(plan: _Plan, keep_runtimes: bool) -> tuple[dict[str, float], dict]:
    """Execute the planned chapters (:func:`~.build.run_chapters`); raises RuntimeError naming
    the first that fails. Returns seconds per chapter and per phase."""
    plots.write_vega_bundle(plan.book / "_static" / plots.BUNDLE_NAME)
    runtimes = previous_runtimes(plan.book) if keep_runtimes else {}
    library = library_fingerprint()
    chapters = {source.stem: (source, plan.book / "chapters" / (source.stem + ".ipynb"),
                              chapter_stamp(source, plan.ref, library)) for source in plan.chapters.values()}
    print(f"executing {len(chapters)} chapters into {plan.book.name}/chapters", flush=True)
    # The notebooks take the profile alone; its file holds every value.
    done, phases = run_chapters(chapters, plan.ref, log=lambda line: print(line, flush=True),
                                expected=previous_runtimes(plan.book))
    return {**runtimes, **done}, phases


def _unexecuted(plan: _Plan) -> list[str]:
    return [p.stem for p in chapter_notebooks(plan.layout.notebooks).values()
            if not (plan.book / "chapters" / (p.stem + ".ipynb")).exists()]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``humanalign book [--profile demo|full|PATH] [--chapter NAME] [--no-build]
    [--book-dir DIR] [--root DIR]``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        plan = _plan(args)
    except (ValueError, KeyError, OSError, RuntimeError) as err:  # RuntimeError: DataError too
        print(f"humanalign: error: {user_message(err)}", file=sys.stderr)
        return 2
    try:
        runtimes, phases = _execute(plan, keep_runtimes=args.chapter is not None)
        write_reproducibility(reproducibility_record(plan.params, runtimes, plan.layout.gpu_check, phases=phases,
                                                     html_seconds=previous_html_seconds(plan.book)), plan.book)
        if args.no_build:
            return 0
        missing = _unexecuted(plan)
        if missing:
            print(f"not building the book: chapters {missing} have not been executed yet (run without --chapter).")
            return 0
        write_gallery(plan.book)
        write_rules(plan.book)
        build_book(plan.book, profile=plan.ref)
    except (ValueError, RuntimeError, OSError) as err:  # a failed chapter, a broken GPU result file or hash record
        print(f"humanalign: error: {user_message(err)}", file=sys.stderr)
        return 1
    print(f"book written to {plan.book / '_build' / 'html' / 'index.html'}")
    return 0
