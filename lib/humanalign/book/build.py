"""Build the book: execute the chapter notebooks with papermill, then run jupyter-book.

The book's sources (``book/``, ``notebooks/``, ``benchmarks/results/``) are not part of the
installed package: they are found through a :class:`Layout`, the root folder of a checkout.
``humanalign book`` takes it from ``--root`` (default: the current folder); ``jupyter-book
build book/`` from the book folder Sphinx was given.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import plots
from .._atomic import probe_writable, write_text_atomic
from ..config import absolute_env, settings, workers as config_workers
from ..errors import DataError
from ..profiles import load_profile, read_profile_params
from ..vocabulary import rules_markdown
from .chapters import (
    PROFILE_ENV,
    book_profile,
    chapter_notebooks,
    chapter_stamp,
    chapter_state,
    execute_chapter,
    library_fingerprint,
    profile_ref,
)
from .gallery import write_gallery
from .state import prepared_state, record_state, recorded_state
from .record import (
    previous_html_seconds,
    previous_runtimes,
    record_html_seconds,
    reproducibility_record,
    write_reproducibility,
)

__all__ = ["BOOK_MARK", "GPU_CHECK", "Layout", "build_book", "check_book_dir", "check_book_writable", "claim_book_dir",
           "copy_book_sources", "prepare_book", "run_chapters", "setup", "write_rules"]

#: Where a checkout keeps the last GPU check's results (``benchmarks/gpu_check.py --out``).
GPU_CHECK = Path("benchmarks", "results", "gpu_check.json")
# What a copied book must not carry over: build output and the runner's generated files.
_NOT_SOURCES = ("_build", "_generated", "chapters", ".ipynb_checkpoints", "__pycache__")
# The folders of a book that a build writes into (jupyter-book adds _build to the book itself).
_WRITTEN = (".", "chapters", "_static", "_generated")
#: The file that marks a folder as a copy of the book made by ``humanalign book --book-dir``:
#: only such a folder, an empty one or a new one is written into.
BOOK_MARK = ".humanalign-book"


@dataclass(frozen=True)
class Layout:
    """Where a checkout keeps the book's sources.

    Attributes:
        root: The checkout's root folder.
        book: The Jupyter Book folder (``_config.yml``, ``_toc.yml``, pages).
        notebooks: The chapter sources (``NN_name.py``).
        gpu_check: The last GPU check's results (``benchmarks/results/gpu_check.json``).
    """

    root: Path
    book: Path
    notebooks: Path
    gpu_check: Path

    @classmethod
    def of(cls, root: str | os.PathLike, book: str | os.PathLike | None = None,
           notebooks: str | os.PathLike | None = None) -> "Layout":
        """The layout of a checkout at ``root`` (``book``/``notebooks`` override the folders).

        Raises:
            FileNotFoundError: no ``book/_config.yml`` or no chapter sources; the message says
                to run in a checkout of the repository or to pass ``--root``.
        """
        root = Path(root).expanduser().resolve()
        layout = cls(root, Path(book) if book else root / "book", Path(notebooks) if notebooks else root / "notebooks",
                     root / GPU_CHECK)
        if not (layout.book / "_config.yml").is_file():
            raise FileNotFoundError(
                f"No book sources in {root} (no {layout.book / '_config.yml'}). The book is built from a "
                "checkout of the repository: run `humanalign book` in its root folder, or pass --root DIR."
            )
        chapter_notebooks(layout.notebooks)  # raises FileNotFoundError naming the folder
        return layout


def check_book_dir(dest: str | os.PathLike, source: Path) -> Path:
    """``dest`` as a path, refused when it is the book's source folder or lies inside it, when
    it (or a folder above it) is a file, or when it holds files and is no copy of the book that
    this command made (:data:`BOOK_MARK`): a user's files are never overwritten."""
    dest = Path(dest).expanduser()
    src, target = source.resolve(), dest.resolve()
    if target == src or src in target.parents:
        raise ValueError(
            f"--book-dir {dest} is the book's source folder or lies inside it; choose a folder "
            f"outside {source}."
        )
    blocker = next((p for p in (target, *target.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ValueError(
            f"--book-dir {dest} cannot be a folder: {blocker} is a file. Name a folder (it is created when missing)."
        )
    if target.is_dir() and not (target / BOOK_MARK).is_file():
        try:
            present = sorted(item.name for item in target.iterdir())
        except OSError as err:
            raise ValueError(f"--book-dir {dest} cannot be read ({err.strerror or err}); name another folder.") from None
        if present:
            raise ValueError(
                f"--book-dir {dest} already holds files ({', '.join(present[:3])}{', ...' if len(present) > 3 else ''}) "
                "and is not a folder that `humanalign book --book-dir` made, so nothing is written there: name a "
                "new or empty folder."
            )
    return dest


def claim_book_dir(dest: str | os.PathLike, source: Path) -> Path:
    """:func:`check_book_dir`, then create ``dest`` when missing and mark it as a copy of the
    book (:data:`BOOK_MARK`), so that later builds may write into it again.

    Raises:
        ValueError: as :func:`check_book_dir`.
        DataError: ``dest`` cannot be created or written.
    """
    dest = check_book_dir(dest, source)
    mark = dest / BOOK_MARK
    if not mark.is_file():
        try:
            dest.mkdir(parents=True, exist_ok=True)
            write_text_atomic(mark, "A copy of the book's sources made by `humanalign book --book-dir`; the "
                              "command writes into this folder again.\n")
        except OSError as err:
            raise DataError(
                f"The book folder {dest.resolve()} cannot be written ({err.strerror or err}); make it writable, "
                "or build elsewhere with --book-dir DIR."
            ) from None
    return dest


def check_book_writable(book: Path) -> None:
    """Fail before any chapter runs when the book's output folders cannot be written.

    Each of ``book``, ``book/chapters``, ``book/_static`` and ``book/_generated`` is created
    when missing and must take a new file.

    Raises:
        DataError: the folder that cannot be written, why, and what to do.
    """
    for name in _WRITTEN:
        folder = Path(book) / name
        try:
            probe_writable(folder)
        except OSError as err:
            raise DataError(
                f"The book folder {folder.resolve()} cannot be written ({err.strerror or err}); make it "
                "writable, or build elsewhere with --book-dir DIR."
            ) from None


def copy_book_sources(dest: str | os.PathLike, source: Path) -> Path:
    """Copy the book's sources (pages, ``_config.yml``, ``_toc.yml``, bibliography) to ``dest``.

    Build output (``_build``), executed chapters and generated files are not copied: the
    runner writes them anew. ``dest`` must be new, empty or an earlier copy (it carries
    :data:`BOOK_MARK`); the files of an earlier copy are overwritten, so a second build into
    the same folder starts from the current sources.

    Raises:
        ValueError: ``dest`` is the source folder or lies inside it (jupyter-book would read
            the copy as part of the book), or holds files of its own.
        FileNotFoundError: ``source`` has no ``_config.yml``.
    """
    if not (source / "_config.yml").is_file():
        raise FileNotFoundError(f"{source} has no _config.yml; it is not a Jupyter Book source folder.")
    dest = claim_book_dir(dest, source)
    for item in source.iterdir():
        if item.name in _NOT_SOURCES:
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(*_NOT_SOURCES))
        else:
            shutil.copy2(item, dest / item.name)
    return dest


def build_book(book: Path, profile: str | None = None) -> None:
    """Run ``jupyter-book build <book> -W -n --keep-going`` (strict: a warning fails it).

    ``profile`` is passed on (``HUMANALIGN_PROFILE``) so that the build's extension
    (:func:`setup`) checks the chapters against the profile they were just executed with.
    """
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else "jupyter-book", "build", str(book), "-W", "-n", "--keep-going"]
    print("$", " ".join(command), flush=True)
    env = dict(os.environ, **absolute_env(), **({PROFILE_ENV: str(profile)} if profile else {}))
    start = time.perf_counter()
    done = subprocess.run(command, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed (exit {done.returncode}); see the warnings above.")
    record_html_seconds(book, time.perf_counter() - start)


def write_rules(book: Path) -> Path:
    """The methods page's table of verdict rules, ``_generated/rules.md``, from the code's own
    :data:`~humanalign.vocabulary.RULES` (so the page cannot say other than the code)."""
    path = Path(book) / "_generated" / "rules.md"
    write_text_atomic(path, rules_markdown())
    return path


def prepare_profile(ref: str, log=print, workers: int | None = None) -> dict:
    """Run ``humanalign prepare`` for a profile in a process of its own (it loads torch and
    the models, which the book's own process has no use for) and return its times.

    Raises:
        RuntimeError: the step failed; the message names it and ends with what it printed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        times = Path(tmp) / "times.json"
        command = [sys.executable, "-m", "humanalign", "prepare", "--profile", ref, "--times", str(times)]
        if workers is not None:
            command += ["--workers", str(workers)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
            tail: list[str] = []
            for line in process.stdout:
                line = line.rstrip("\n")
                tail = (tail + [line])[-20:]
                if line.startswith("humanalign:"):
                    log(line)
        if process.returncode != 0:
            raise RuntimeError("computing the models' features and probes failed (humanalign prepare, exit "
                               f"{process.returncode}):\n" + "\n".join(tail))
        return json.loads(times.read_text())


def run_chapters(chapters: dict[str, tuple[Path, Path, dict]], ref: str, log=print,
                 workers: int | None = None, expected: dict[str, float] | None = None) -> tuple[dict[str, float], dict]:
    """Execute chapters: first every model's features and scores in parallel
    (``humanalign prepare``, :func:`prepare_profile`), then the chapters themselves side by
    side, each in a process of its own (they only read what the first step cached).

    Args:
        chapters: Chapter stem -> ``(source, output, stamp)``.
        ref: The profile as the notebooks are given it (:func:`~.chapters.profile_ref`).
        workers: Processes for both steps (default: ``HUMANALIGN_WORKERS`` or the CPU cores).
        expected: The chapters' runtimes of the last build, if known: the longest start first,
            and the time left is estimated from them.

    Returns:
        ``(runtimes, phases)``: seconds per chapter (its own run), and the phases' seconds
        (``prepare``: per model and phase; ``chapters``: wall time of the chapter step).

    Raises:
        RuntimeError: a step or a chapter failed (named, with its error).
    """
    lanes = workers or config_workers()
    with _chapter_environment():
        start = time.perf_counter()
        if prepared_state(ref) == recorded_state(ref):
            prepared = {"wall": 0.0, "workers": 0, "extraction": {}, "probe": {}, "tables": 0.0, "skipped": True}
            log("humanalign: features, probes and shared tables are as the last build left them; no model work")
        else:
            prepared = prepare_profile(ref, log, workers)
            log(f"humanalign: features, probes and shared tables ready in {prepared['wall']:.0f} s "
                f"({prepared['workers']} worker processes)")
        runtimes: dict[str, float] = {}
        chapter_start = time.perf_counter()
        # The longest chapters first (by their last runtimes), so that the last to end is short.
        order = sorted(chapters, key=lambda stem: -(expected or {}).get(stem, 0.0))
        lanes = min(lanes, len(chapters))

        def done(stem: str, seconds: float) -> None:
            runtimes[stem] = seconds
            left = [expected.get(s, seconds) if expected else float(np.mean(list(runtimes.values())))
                    for s in order if s not in runtimes]
            log(f"humanalign: [{len(runtimes)}/{len(order)}] {stem} executed in {seconds:.1f} s"
                + (f" (about {sum(left) / lanes:.0f} s left)" if left else ""))

        if lanes == 1:
            for stem in order:
                source, output, stamp = chapters[stem]
                done(stem, execute_chapter(source, output, {"profile": ref}, stamp=stamp))
        else:
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(lanes, mp_context=context) as pool:
                futures = {pool.submit(execute_chapter, chapters[stem][0], chapters[stem][1], {"profile": ref}, None,
                                       chapters[stem][2]): stem for stem in order}
                for future in concurrent.futures.as_completed(futures):
                    done(futures[future], future.result())
        phases = {"prepare": prepared, "chapters": time.perf_counter() - chapter_start,
                  "total": time.perf_counter() - start}
        record_state(ref)
    return runtimes, phases




#: Thread counts of the numerical libraries in the worker processes and kernels of a build:
#: the processes share the cores, so each uses one.
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _chapter_environment():
    """The data and cache folders as absolute paths in the environment, for the worker
    processes and the kernels they start (set once, before any of them), and one thread
    per numerical library in each of them."""
    from .chapters import _environment

    return _environment({**absolute_env(), **_ONE_THREAD})


def _stale_chapters(book: Path, notebooks: Path, ref: str, log=print) -> dict[str, tuple[Path, Path, dict]]:
    library = library_fingerprint()
    stale = {}
    for source in chapter_notebooks(notebooks).values():
        output = book / "chapters" / (source.stem + ".ipynb")
        stamp = chapter_stamp(source, ref, library)
        state = chapter_state(output, stamp)
        if state == "edited":
            log(f"humanalign: {output} differs from the notebook that was executed (edited by hand?); "
                "executing it again")
        if state != "current":
            stale[source.stem] = (source, output, stamp)
    return stale


def prepare_book(book: Path, notebooks: Path, profile: str | None = None, log=print,
                 gpu_check: Path | None = None) -> dict[str, float]:
    """Execute the chapters that are missing or stale, then write the generated files.

    A chapter whose executed notebook carries the current
    :func:`~humanalign.book.chapter_stamp` and whose cells are as executed is kept as it is;
    the others (a hand-edited one with a notice naming it) are executed with papermill,
    reusing the content-keyed caches of features and results. Then the self-hosted chart
    script, the stimulus gallery (when missing) and, when a chapter ran or it is missing,
    the reproducibility record are written.

    Args:
        book: The book's source folder.
        notebooks: The folder of the chapter sources.
        profile: Profile name or path (default: :func:`~humanalign.book.book_profile`).
        log: Where progress lines go.
        gpu_check: The last GPU check's results, shown on the reproducibility page.

    Returns:
        Seconds per executed chapter (empty when everything was up to date).

    Raises:
        ValueError, KeyError, FileNotFoundError: a bad profile (checked before anything runs).
        DataError: the book's folders cannot be written (checked before anything runs).
        RuntimeError: a chapter failed; the message names it and its error.
    """
    check_book_writable(book)
    plots.write_vega_bundle(book / "_static" / plots.BUNDLE_NAME)
    ref = profile_ref(profile or book_profile(book, notebooks))
    stale = _stale_chapters(book, notebooks, ref, log)
    n_chapters = len(chapter_notebooks(notebooks))
    runtimes: dict[str, float] = {}
    phases: dict = {}
    if stale:
        load_profile(ref)  # fail now on an unknown model or missing data
        log(f"humanalign: executing {len(stale)} of {n_chapters} chapters with the profile {ref!r} "
            f"(missing or changed: {sorted(stale)})")
        runtimes, phases = run_chapters(stale, ref, log, expected=previous_runtimes(book))
    else:
        log(f"humanalign: all {n_chapters} chapters are up to date for the profile {ref!r}")
    if not (book / "_generated" / "gallery.md").is_file():
        write_gallery(book)
    write_rules(book)
    if runtimes or not (book / "_generated" / "reproducibility.md").is_file():
        record = reproducibility_record(read_profile_params(ref), {**previous_runtimes(book), **runtimes}, gpu_check,
                                        phases=phases, html_seconds=previous_html_seconds(book))
        write_reproducibility(record, book)
    return runtimes


# --------------------------------------------------------------------------- jupyter-book build book/


def setup(app) -> dict:
    """Sphinx extension: ``jupyter-book build book/`` executes what is missing or stale.

    ``book/_config.yml`` lists :mod:`humanalign.book` under ``sphinx.extra_extensions``. When
    the configuration is read (before Sphinx looks for the chapters), :func:`prepare_book`
    runs with the notebooks folder ``humanalign_notebooks`` (relative to the book, default
    ``../notebooks``); a book without that folder (e.g. a test's one-page book) only gets
    the chart script. It also settles how pages read: maths in MathJax's SVG output
    (:func:`_mathjax_svg`), numbered captions as "Figure 3: text" and each script loaded
    once (:func:`_page_context`).
    """
    app.add_config_value("humanalign_notebooks", "../notebooks", "env")
    # Before Sphinx drops html_static_path entries that do not exist yet (priority 800).
    app.connect("config-inited", _on_config_inited, priority=500)
    app.connect("config-inited", _mathjax_svg)
    # Last, after the extensions that add scripts while a page is written.
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# Sphinx writes a numbered caption as "<span class="caption-number">Figure 3 </span>text".
_CAPTION_NUMBER = re.compile(r'(<span class="caption-number">[^<]*?) </span>')


def _mathjax_svg(app, config) -> None:
    """Draw maths with MathJax's SVG build. sphinx-mathjax-offline points ``mathjax_path`` at
    its CHTML build, which fetches font files (that some browsers refuse to a page opened
    from disk); the SVG build, shipped beside it, draws every glyph itself."""
    if getattr(config, "mathjax_path", None) == "mathjax/tex-chtml.js":
        config.mathjax_path = "mathjax/tex-svg.js"


def _page_context(app, pagename, templatename, context, doctree) -> None:
    """What each page gets before it is written: numbered captions read "Figure 3: text"
    (numfig_format has no colon, since the same format names the figure in a
    cross-reference, "see Figure 3"), and each script is loaded once (sphinx-thebe
    registers its settings script twice, and the second declaration of its constants is
    a console error)."""
    if isinstance(context.get("body"), str):
        context["body"] = _CAPTION_NUMBER.sub(r"\1: </span>", context["body"])
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        # An inline script is registered with the file name None or "" by different callers.
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


def _on_config_inited(app, config) -> None:
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    book = Path(app.srcdir)
    notebooks = (book / config.humanalign_notebooks).resolve()
    if not notebooks.is_dir() or not any(notebooks.glob("[0-9][0-9]_*.py")):
        plots.write_vega_bundle(book / "_static" / plots.BUNDLE_NAME)
        logger.info(f"humanalign: no chapter sources in {notebooks}; nothing to execute")
        return
    try:
        prepare_book(book, notebooks, log=logger.info, gpu_check=notebooks.parent / GPU_CHECK)
    except KeyError as err:
        raise ExtensionError(f"humanalign: {err.args[0] if err.args else err}") from err
    except (ValueError, OSError, RuntimeError) as err:  # DataError is a RuntimeError
        raise ExtensionError(f"humanalign: {err}") from err
