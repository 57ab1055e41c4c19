"""Build the book: execute the chapter notebooks with papermill, then run jupyter-book.

``python -m humanalign book --profile demo`` (or ``humanalign.book.main([...])``):

1. reads and validates the profile (``notebooks/params/<profile>.yml`` or a path), so an
   unknown model id or a missing data set fails before anything runs;
2. converts each ``notebooks/NN_name.py`` (jupytext percent format) to a notebook and
   executes it with papermill (kernel ``python3``, the profile's values injected as
   parameters) into ``book/chapters/NN_name.ipynb``; the first failing cell stops the run;
3. writes the self-hosted chart script into ``book/_static`` and the reproducibility record
   (profile, versions, data hashes, hardware, runtimes) into ``book/_generated``;
4. runs ``jupyter-book build book/ -W -n --keep-going``: any warning fails the build.

``--chapter scale`` executes one chapter only (the book is then built only when the other
chapters have been executed before); ``--no-build`` stops after the notebooks;
``--book-dir DIR`` copies the book's sources into ``DIR`` and builds there (executed
chapters in ``DIR/chapters``, HTML in ``DIR/_build/html``), leaving ``book/`` untouched.

``jupyter-book build book/`` works too: ``book/_config.yml`` loads this module as a Sphinx
extension (:func:`setup`), which, when the build starts, executes through the same
papermill path every chapter that is missing or stale (:func:`prepare_book`) and writes the
generated files (chart script, stimulus gallery, reproducibility record). A chapter is
stale when its source, its profile's file or the library changed since it was executed
(:func:`chapter_stamp`); the profile is ``HUMANALIGN_PROFILE``, else the one the executed
chapters were built with, else ``demo``.

The reproducibility page also shows the last results of the GPU check
(``benchmarks/gpu_check.py``), read from :data:`GPU_CHECK` when that file exists.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from ._atomic import write_text_atomic

__all__ = [
    "BOOK",
    "GPU_CHECK",
    "NOTEBOOKS",
    "ROOT",
    "build_book",
    "chapter_notebooks",
    "chapter_stamp",
    "book_profile",
    "prepare_book",
    "rule_values",
    "setup",
    "write_gallery",
    "pick_chapter",
    "copy_book_sources",
    "execute_chapter",
    "gpu_check_record",
    "main",
    "reproducibility_record",
    "write_reproducibility",
]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
# The last GPU check (``python benchmarks/gpu_check.py --out benchmarks/results/gpu_check.json``
# on a GPU machine), committed so that every later build shows it.
GPU_CHECK = ROOT / "benchmarks" / "results" / "gpu_check.json"
# What a copied book must not carry over: build output and the runner's generated files.
_NOT_SOURCES = ("_build", "_generated", "chapters", ".ipynb_checkpoints", "__pycache__")
KERNEL = "python3"
# Metadata key of an executed chapter that records what it was executed from.
STAMP_KEY = "humanalign"
# Environment variable naming the profile ``jupyter-book build book/`` uses.
PROFILE_ENV = "HUMANALIGN_PROFILE"
# Packages whose versions the reproducibility page lists.
_PACKAGES = (
    "humanalign", "numpy", "pandas", "scipy", "scikit-learn", "torch", "torchvision", "timm",
    "ai-edge-litert", "altair", "vl-convert-python", "jupyter-book", "myst-nb", "papermill",
    "jupytext", "efficientnet-lite-pytorch",
)


def chapter_notebooks(notebooks: Path = NOTEBOOKS) -> dict[str, Path]:
    """The chapter sources, keyed by name without the number (``scale`` -> ``01_scale.py``)."""
    found = {}
    for path in sorted(notebooks.glob("[0-9][0-9]_*.py")):
        found[path.stem.split("_", 1)[1]] = path
    if not found:
        raise FileNotFoundError(f"No chapter notebooks (NN_name.py) in {notebooks}.")
    return found


def pick_chapter(text: str, chapters: dict[str, Path]) -> str:
    """The chapter named by ``text``: its name (``scale``), file stem (``01_scale``) or number (``1``, ``01``).

    Raises:
        ValueError: empty or unknown; the message lists the choices.
    """
    value = text.strip()
    stems = {path.stem: name for name, path in chapters.items()}
    numbers = {path.stem.split("_", 1)[0]: name for name, path in chapters.items()}
    if value in chapters:
        return value
    if value in stems:
        return stems[value]
    if value.isdigit() and f"{int(value):02d}" in numbers:
        return numbers[f"{int(value):02d}"]
    raise ValueError(
        f"Unknown chapter {text!r}; choose one of {sorted(chapters)} (or a file name such as "
        f"{sorted(stems)[0]!r}, or its number)."
    )


def _check_book_dir(dest: str | os.PathLike, source: Path) -> Path:
    dest = Path(dest).expanduser()
    src, target = source.resolve(), dest.resolve()
    if target == src or src in target.parents:
        raise ValueError(
            f"--book-dir {dest} is the book's source folder or lies inside it; choose a folder "
            f"outside {source}."
        )
    return dest


def copy_book_sources(dest: str | os.PathLike, source: Path = BOOK) -> Path:
    """Copy the book's sources (pages, ``_config.yml``, ``_toc.yml``, bibliography) to ``dest``.

    Build output (``_build``), executed chapters and generated files are not copied: the
    runner writes them anew. Files already in ``dest`` from an earlier copy are overwritten,
    so a second build into the same folder starts from the current sources.

    Args:
        dest: Folder to build the book in; created when missing.
        source: The book's source folder (default: the repository's ``book/``).

    Returns:
        ``dest`` as a path.

    Raises:
        ValueError: ``dest`` is the source folder or lies inside it (jupyter-book would read
            the copy as part of the book).
        FileNotFoundError: ``source`` has no ``_config.yml``.
    """
    dest = _check_book_dir(dest, source)
    if not (source / "_config.yml").is_file():
        raise FileNotFoundError(f"{source} has no _config.yml; it is not a Jupyter Book source folder.")
    dest.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.name in _NOT_SOURCES:
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(*_NOT_SOURCES))
        else:
            shutil.copy2(item, dest / item.name)
    return dest


def execute_chapter(source: Path, output: Path, parameters: dict, cwd: Path | None = None,
                    stamp: dict | None = None) -> float:
    """Convert one jupytext notebook and execute it with papermill.

    Args:
        source: ``notebooks/NN_name.py``.
        output: Where the executed ``.ipynb`` goes (written only when execution succeeds).
        parameters: Values injected after the cell tagged ``parameters``.
        cwd: Working folder of the kernel (default: the notebooks folder).
        stamp: Recorded in the notebook's metadata (``humanalign``) so that a later build
            can tell whether the chapter is still up to date (:func:`chapter_stamp`).

    Returns:
        Seconds the execution took.

    Raises:
        RuntimeError: a cell failed; the message names the notebook and the error.
    """
    import jupytext
    import papermill

    notebook = jupytext.read(source)
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise RuntimeError(f"{source} has no cell tagged 'parameters'; papermill cannot inject the profile.")
    # papermill needs the language; a percent file without a header carries none.
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    notebook.metadata.setdefault("language_info", {"name": "python"})
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / (source.stem + ".ipynb")
        jupytext.write(notebook, plain)
        executed = Path(tmp) / ("executed-" + source.stem + ".ipynb")
        start = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(plain), str(executed), parameters=parameters, kernel_name=KERNEL,
                cwd=str(cwd or source.parent), progress_bar=False, log_output=False,
            )
        except papermill.PapermillExecutionError as err:
            raise RuntimeError(
                f"{source.name} failed in cell {err.exec_count}: {err.ename}: {err.evalue}"
            ) from err
        seconds = time.perf_counter() - start
        _collapse_parameter_cells(executed, stamp)
        os.replace(executed, output)
    return seconds


def _collapse_parameter_cells(path: Path, stamp: dict | None = None) -> None:
    """Fold the parameter cells (defaults and papermill's injected values) in the book.

    They stay in the page, one click away, so a reader sees the story first and can still
    check which values produced it. ``stamp`` goes into the notebook's metadata.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    if stamp is not None:
        notebook.metadata[STAMP_KEY] = dict(stamp)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "hide-cell" not in tags:
            tags.append("hide-cell")
    nbformat.write(notebook, path)


def _versions() -> dict[str, str]:
    from .features import library_versions

    return {"python": platform.python_version(), **library_versions(_PACKAGES, missing="not installed")}


def _hardware() -> dict[str, str]:
    info = {"platform": platform.platform(), "machine": platform.machine(), "cpus": str(os.cpu_count())}
    try:
        import torch

        info["torch threads"] = str(torch.get_num_threads())
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    except ImportError:  # pragma: no cover - torch is a core dependency
        info["gpu"] = "unknown"
    return info


def _data_hashes(dataset: str) -> dict[str, str]:
    """sha256 of the data files a data set reads (the demo's files, from the manifest).

    For the paper's data set (``things``) the archives have no published hash: the hashes
    recorded on their first download (``<data>/hashes.json``) are listed instead.
    """
    from .config import settings
    from .fetch import cached_sha256, fetch, hash_record
    from .errors import DataError
    from .sources import demo_resources

    hashes = {}
    for key, res in sorted(demo_resources().items()):
        if key.startswith("imagenet/images/") or key.startswith("litert/"):
            continue  # listed as a group below: 334 photos, checked against the manifest
        try:
            hashes[key] = cached_sha256(fetch(res))  # fetch has just hashed it
        except DataError as err:
            hashes[key] = f"missing ({type(err).__name__})"
    if dataset != "things":
        hashes["imagenet/images/ (334 photos)"] = "sha256 of each checked against resources/demo_manifest.tsv"
    else:
        record = hash_record()  # validated: a malformed record is named, not half-read
        for key in ("things/triplet_dataset", "things/images_cc0"):
            hashes[key] = record.get(key, "not downloaded yet (recorded in <data>/hashes.json on first download)")
        for key in sorted(k for k in record if k.startswith("weights/")):
            hashes[key] = record[key]
    return hashes


def gpu_check_record(path: str | os.PathLike = GPU_CHECK) -> dict | None:
    """The last results of ``benchmarks/gpu_check.py``, or ``None`` when there are none yet.

    Args:
        path: The JSON file the script wrote (default :data:`GPU_CHECK`).

    Returns:
        The script's report: ``date``, ``smoke``, ``hardware`` (dict), ``total_seconds`` and
        ``rows`` (one dict per measurement with ``task, what, size, seconds, rate,
        rate_unit, peak_gib, status``).

    Raises:
        ValueError: the file exists but is not such a report; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"GPU check results {path} are not valid JSON ({err}); run benchmarks/gpu_check.py again.") from err
    needed = {"date", "hardware", "rows"}
    if not isinstance(report, dict) or not needed <= set(report) or not isinstance(report["rows"], list):
        have = sorted(report) if isinstance(report, dict) else type(report).__name__
        raise ValueError(
            f"GPU check results {path} lack the keys {sorted(needed)} (found {have}); write the file "
            "with benchmarks/gpu_check.py --out."
        )
    columns = ("task", "what", "size", "seconds", "rate", "rate_unit", "peak_gib", "status")
    for i, row in enumerate(report["rows"]):
        missing = [c for c in columns if not isinstance(row, dict) or c not in row]
        if missing:
            raise ValueError(f"GPU check results {path}: row {i} lacks {missing}; run benchmarks/gpu_check.py again.")
    return report


def reproducibility_record(profile_params: dict, runtimes: dict[str, float],
                           gpu_check: str | os.PathLike = GPU_CHECK) -> dict:
    """Everything the reproducibility page shows, as plain JSON-able values.

    Args:
        profile_params: The profile's parameters as injected into the notebooks.
        runtimes: Seconds per executed notebook.
        gpu_check: The GPU check's result file (absent: the page says no GPU run yet).
    """
    from .config import settings

    cfg = settings()
    return {
        "gpu_check": gpu_check_record(gpu_check),
        "profile": profile_params,
        "versions": _versions(),
        "hardware": _hardware(),
        "device": cfg.resolve_device(),
        "data_hashes": _data_hashes(str(profile_params.get("dataset", ""))),
        "runtimes_s": {k: round(v, 1) for k, v in runtimes.items()},
        "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _md_table(rows: dict, left: str, right: str) -> str:
    lines = [f"| {left} | {right} |", "|---|---|"]
    for key, value in rows.items():
        text = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
        lines.append(f"| {key} | `{text}` |")
    return "\n".join(lines)


def write_reproducibility(record: dict, book: Path = BOOK) -> Path:
    """Write the record as JSON and as the Markdown fragment the reproducibility page includes."""
    folder = book / "_generated"
    write_text_atomic(folder / "reproducibility.json", json.dumps(record, indent=1, sort_keys=True))
    total = sum(record["runtimes_s"].values())
    parts = [
        f"Built on {record['built']} with the profile `{record['profile'].get('profile')}` "
        f"on device `{record['device']}`; executing the notebooks took {total:.0f} s in all.",
        "",
        "## Profile", "", _md_table(record["profile"], "parameter", "value"),
        "", "## Versions", "", _md_table(record["versions"], "package", "version"),
        "", "## Hardware", "", _md_table(record["hardware"], "item", "value"),
        "", "## Data files", "", _md_table(record["data_hashes"], "file", "sha256"),
        "", "## Runtime per notebook", "", _md_table({k: f"{v} s" for k, v in record["runtimes_s"].items()}, "notebook", "seconds"),
        "", "## GPU check", "", _gpu_section(record.get("gpu_check")),
        "",
    ]
    path = folder / "reproducibility.md"
    write_text_atomic(path, "\n".join(parts))
    return path


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def _gpu_section(report: dict | None) -> str:
    """Markdown of the GPU check: date, hardware and the table of measurements."""
    if report is None:
        return (
            "No GPU run yet. On a machine with a GPU, `python benchmarks/gpu_check.py --out "
            "benchmarks/results/gpu_check.json` measures extraction throughput of registry "
            "architectures (random weights), the probing grid at the paper's sizes and the peak "
            "GPU memory; commit that file and the next build shows the figures here."
        )
    hw = report["hardware"]
    where = hw.get("gpu") or f"{hw.get('device', 'cpu')} (no GPU)"
    memory = f", {hw['gpu_memory_gib']} GiB" if "gpu_memory_gib" in hw else ""
    lines = [
        f"Last run of `benchmarks/gpu_check.py`: {report['date']} on {where}{memory}"
        f" (torch {hw.get('torch', '?')}, CUDA {hw.get('cuda', '-')}, {hw.get('cpu_count', '?')} CPU cores)"
        + (f"; {report['total_seconds']} s in all." if "total_seconds" in report else "."),
    ]
    if report.get("smoke"):
        lines.append("")
        lines.append("*This was a smoke run at tiny sizes, not the paper-scale check: its figures say "
                     "nothing about speed.*")
    lines += ["", "| task | what | size | seconds | rate | peak GPU memory (GiB) | status |",
              "|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        rate = "" if row["rate"] is None else f"{row['rate']} {row['rate_unit']}"
        lines.append("| " + " | ".join(_cell(v) for v in (
            row["task"], row["what"], row["size"], row["seconds"], rate, row["peak_gib"], row["status"])) + " |")
    return "\n".join(lines)


def _previous_runtimes(book: Path) -> dict[str, float]:
    path = book / "_generated" / "reproducibility.json"
    if path.is_file():
        try:
            return dict(json.loads(path.read_text()).get("runtimes_s", {}))
        except (json.JSONDecodeError, AttributeError):
            return {}
    return {}


def build_book(book: Path = BOOK, profile: str | None = None) -> None:
    """Run ``jupyter-book build <book> -W -n --keep-going`` (strict: a warning fails it).

    ``profile`` is passed on (``HUMANALIGN_PROFILE``) so that the build's extension
    (:func:`setup`) checks the chapters against the profile they were just executed with.
    """
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else "jupyter-book", "build", str(book), "-W", "-n", "--keep-going"]
    print("$", " ".join(command), flush=True)
    env = dict(os.environ, **({PROFILE_ENV: str(profile)} if profile else {}))
    done = subprocess.run(command, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed (exit {done.returncode}); see the warnings above.")



# --------------------------------------------------------------------------- jupyter-book build book/


def profile_ref(profile: str | os.PathLike) -> str:
    """How the notebooks are given a profile: a shipped one by name, any other by its full path."""
    from . import study

    path = study.profile_path(profile)
    named = study.PROFILE_DIR / f"{profile}.yml"
    return str(profile) if named.is_file() and path == named else str(path.resolve())


def _library_fingerprint() -> str:
    """Hash of the package's code and resources: a changed library makes every chapter stale."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv", ".tsv", ".yml", ".yaml", ".json", ".txt"}:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def chapter_stamp(source: Path, profile: str, library: str | None = None) -> dict[str, str]:
    """What an executed chapter depends on: its source, its profile's file and the library.

    Args:
        source: ``notebooks/NN_name.py``.
        profile: The profile as injected (:func:`profile_ref`).
        library: Precomputed :func:`_library_fingerprint` (computed when ``None``).

    Returns:
        ``{"profile": profile, "key": <hash>}``; the chapter is up to date when the executed
        notebook's metadata holds the same.
    """
    from . import study

    digest = hashlib.sha256()
    for part in (Path(source).read_bytes(), study.profile_path(profile).read_bytes(),
                 (library or _library_fingerprint()).encode()):
        digest.update(hashlib.sha256(part).digest())
    return {"profile": str(profile), "key": digest.hexdigest()[:16]}


def _recorded_stamp(notebook: Path) -> dict | None:
    try:
        return json.loads(notebook.read_text()).get("metadata", {}).get(STAMP_KEY)
    except (OSError, json.JSONDecodeError, AttributeError):
        return None


def book_profile(book: Path = BOOK, notebooks: Path = NOTEBOOKS) -> str:
    """The profile ``jupyter-book build`` uses: ``HUMANALIGN_PROFILE``, else the one every
    executed chapter was built with (so a book made by ``make book PROFILE=full`` is rebuilt
    as it is), else ``demo``."""
    wanted = os.environ.get(PROFILE_ENV, "").strip()
    if wanted:
        return wanted
    used = set()
    for source in chapter_notebooks(notebooks).values():
        stamp = _recorded_stamp(book / "chapters" / (source.stem + ".ipynb"))
        used.add(stamp.get("profile") if isinstance(stamp, dict) else None)
    return used.pop() if len(used) == 1 and None not in used else "demo"


def prepare_book(book: Path = BOOK, notebooks: Path = NOTEBOOKS, profile: str | None = None,
                 log=print) -> dict[str, float]:
    """Execute the chapters that are missing or stale, then write the generated files.

    A chapter whose executed notebook carries the current :func:`chapter_stamp` is kept as
    it is; the others are executed with papermill (:func:`execute_chapter`), reusing the
    content-keyed caches of features and results. Then the self-hosted chart script, the
    stimulus gallery (when missing) and, when a chapter ran or it is missing, the
    reproducibility record are written.

    Args:
        book: The book's source folder.
        notebooks: The folder of the chapter sources.
        profile: Profile name or path (default: :func:`book_profile`).
        log: Where progress lines go.

    Returns:
        Seconds per executed chapter (empty when everything was up to date).

    Raises:
        ValueError, KeyError, FileNotFoundError: a bad profile (checked before anything runs).
        RuntimeError: a chapter failed; the message names it and its error.
    """
    from . import plots, study

    plots.write_vega_bundle(book / "_static" / plots.BUNDLE_NAME)
    ref = profile_ref(profile or book_profile(book, notebooks))
    library = _library_fingerprint()
    chapters = chapter_notebooks(notebooks)
    stale = {}
    for source in chapters.values():
        output = book / "chapters" / (source.stem + ".ipynb")
        stamp = chapter_stamp(source, ref, library)
        if _recorded_stamp(output) != stamp:
            stale[source.stem] = (source, output, stamp)
    runtimes: dict[str, float] = {}
    if stale:
        study.load_profile(ref)  # fail now on an unknown model or missing data
        log(f"humanalign: executing {len(stale)} of {len(chapters)} chapters with the profile {ref!r} "
            f"(missing or changed: {sorted(stale)})")
    else:
        log(f"humanalign: all {len(chapters)} chapters are up to date for the profile {ref!r}")
    for stem, (source, output, stamp) in stale.items():
        runtimes[stem] = execute_chapter(source, output, {"profile": ref}, stamp=stamp)
        log(f"humanalign: {stem} executed in {runtimes[stem]:.1f} s")
    if not (book / "_generated" / "gallery.md").is_file():
        write_gallery(book)
    if runtimes or not (book / "_generated" / "reproducibility.md").is_file():
        previous = _previous_runtimes(book)
        record = reproducibility_record(study.read_profile_params(ref), {**previous, **runtimes})
        write_reproducibility(record, book)
    return runtimes


GALLERY_SIZE = 6  # images per stimulus set on the methods page


def write_gallery(book: Path = BOOK, n: int = GALLERY_SIZE) -> Path:
    """Thumbnails of a few stimuli for the methods page: ``_generated/gallery.md`` + images.

    Written at build time from the data folder (the photos are not ours to commit): ``n``
    demo photos (THINGS concepts that are ImageNet-1k classes) and ``n`` of the 92 images.
    A set that cannot be read is named in the fragment instead of failing the build.
    """
    from PIL import Image, ImageOps

    from . import datasets

    folder = book / "_generated" / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    sets = []
    try:
        demo = datasets.load_demo_stimuli()
        picks = [round(i * (len(demo.ids) - 1) / (n - 1)) for i in range(n)]
        names = [demo.ids[i] for i in picks]  # THINGS uniqueID, e.g. "golf_ball"
        sets.append(("demo", f"The demo: one ImageNet-1k photo for each of the {len(demo.ids)} THINGS concepts "
                     "that are ImageNet classes",
                     [demo.paths[i] for i in picks], names))
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        sets.append(("demo", f"Demo photos not available here ({_one_line(err)})", [], []))
    try:
        loaded = datasets.load_rsa92()
        rsa92 = loaded.stimuli
        picks = [round(i * (len(rsa92.ids) - 1) / (n - 1)) for i in range(n)]
        sets.append(("rsa92", f"The {len(rsa92.ids)} images of Kriegeskorte et al. (2008), arranged by "
                     f"{len(loaded.participants)} people (Mur et al. 2013)",
                     [rsa92.paths[i] for i in picks],
                     [str(rsa92.labels.get("category", rsa92.ids)[i]) for i in picks]))
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        sets.append(("rsa92", f"The 92 images are not available here ({_one_line(err)})", [], []))
    lines = []
    for key, title, paths, names in sets:
        lines += [f"**{title}.**", ""]
        if not paths:
            continue
        lines += ["::::{grid} 3 3 6 6", ":gutter: 1", ""]
        for k, (path, name) in enumerate(zip(paths, names)):
            target = folder / f"{key}_{k}.jpg"
            with Image.open(path) as image:
                # Square thumbnails (centre crop), so that the grid's rows line up.
                ImageOps.fit(image.convert("RGB"), (160, 160)).save(target, quality=85)
            label = " ".join(str(name).replace("_", " ").split())
            lines += [":::{grid-item}", f"```{{image}} /_generated/gallery/{target.name}",
                      f":alt: {label}", ":width: 100%", "```", "", f"{label}", ":::", ""]
        lines += ["::::", ""]
    path = book / "_generated" / "gallery.md"
    write_text_atomic(path, "\n".join(lines))
    return path


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split()) or "no message"
    return f"{type(err).__name__}: " + text.replace("`", "'").replace("*", "")


def rule_values(func, *names: str) -> dict[str, float]:
    """The default thresholds of a verdict rule, to glue into the prose that states the rule.

    ``rule_values(verdicts.verdict_concepts, "min_n")`` -> ``{"min_n": 100}``.
    """
    defaults = {k: p.default for k, p in inspect.signature(func).parameters.items()
                if p.default is not inspect.Parameter.empty}
    missing = [n for n in names if n not in defaults]
    if missing:
        raise KeyError(f"{func.__name__} has no parameters {missing} with defaults; it has {sorted(defaults)}.")
    return {n: defaults[n] for n in names}


def setup(app) -> dict:
    """Sphinx extension: ``jupyter-book build book/`` executes what is missing or stale.

    ``book/_config.yml`` lists this module under ``sphinx.extra_extensions``. When the
    configuration is read (before Sphinx looks for the chapters), :func:`prepare_book` runs with
    the notebooks folder ``humanalign_notebooks`` (relative to the book, default
    ``../notebooks``); a book without that folder (e.g. a test's one-page book) only gets
    the chart script.
    """
    app.add_config_value("humanalign_notebooks", "../notebooks", "env")
    # Before Sphinx drops html_static_path entries that do not exist yet (priority 800).
    app.connect("config-inited", _on_config_inited, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _on_config_inited(app, config) -> None:
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    from . import plots
    from .errors import DataError

    logger = logging.getLogger(__name__)
    book = Path(app.srcdir)
    notebooks = (book / config.humanalign_notebooks).resolve()
    if not notebooks.is_dir() or not any(notebooks.glob("[0-9][0-9]_*.py")):
        plots.write_vega_bundle(book / "_static" / plots.BUNDLE_NAME)
        logger.info(f"humanalign: no chapter sources in {notebooks}; nothing to execute")
        return
    try:
        prepare_book(book, notebooks, log=logger.info)
    except KeyError as err:
        raise ExtensionError(f"humanalign: {err.args[0] if err.args else err}") from err
    except (ValueError, FileNotFoundError, RuntimeError, DataError) as err:
        raise ExtensionError(f"humanalign: {err}") from err


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``humanalign book [--profile demo|full|PATH] [--chapter NAME] [--no-build] [--book-dir DIR]``."""
    from . import plots, study

    parser = argparse.ArgumentParser(prog="humanalign book", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="demo", help="demo (default), full, or the path of a profile .yml")
    parser.add_argument("--chapter", help="execute only this chapter (e.g. scale, or 01_scale)")
    parser.add_argument("--no-build", action="store_true", help="execute the notebooks, do not build the book")
    parser.add_argument("--book-dir", type=Path, default=None, metavar="DIR",
                        help="build in DIR instead of book/: the sources are copied there, the executed "
                        "chapters go to DIR/chapters and the HTML to DIR/_build/html")
    parser.add_argument("--book", type=Path, default=BOOK, help=argparse.SUPPRESS)
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        if args.book_dir is not None:
            _check_book_dir(args.book_dir, args.book)  # before the profile's (slower) checks
        params = study.read_profile_params(args.profile)
        study.load_profile(args.profile)  # fail now on an unknown model or missing data
        # A shipped profile is passed by name, any other by its full path.
        ref = profile_ref(args.profile)
        chapters = chapter_notebooks(args.notebooks)
        if args.chapter is not None:
            wanted = pick_chapter(args.chapter, chapters)
            chapters = {wanted: chapters[wanted]}
        if args.book_dir is not None:
            args.book = copy_book_sources(args.book_dir, args.book)
    except (ValueError, KeyError, FileNotFoundError, RuntimeError) as err:
        # str(KeyError) quotes its message; print the message itself.
        print(f"error: {err.args[0] if isinstance(err, KeyError) and err.args else err}", file=sys.stderr)
        return 2

    plots.write_vega_bundle(args.book / "_static" / plots.BUNDLE_NAME)
    runtimes = _previous_runtimes(args.book) if args.chapter else {}
    library = _library_fingerprint()
    for name, source in chapters.items():
        output = args.book / "chapters" / (source.stem + ".ipynb")
        print(f"executing {source.name} -> {output.relative_to(args.book.parent) if args.book.parent in output.parents else output}", flush=True)
        try:
            # The notebooks take the profile alone; its file holds every value.
            runtimes[source.stem] = execute_chapter(source, output, {"profile": ref},
                                                    stamp=chapter_stamp(source, ref, library))
        except RuntimeError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"  done in {runtimes[source.stem]:.1f} s", flush=True)
    try:
        write_reproducibility(reproducibility_record(params, runtimes), args.book)
    except (ValueError, RuntimeError) as err:  # a broken GPU result file or hash record
        print(f"error: {err}", file=sys.stderr)
        return 1

    if args.no_build:
        return 0
    all_sources = chapter_notebooks(args.notebooks)
    missing = [p.stem for p in all_sources.values() if not (args.book / "chapters" / (p.stem + ".ipynb")).exists()]
    if missing:
        print(f"not building the book: chapters {missing} have not been executed yet (run without --chapter).")
        return 0
    try:
        write_gallery(args.book)
        build_book(args.book, profile=ref)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"book written to {args.book / '_build' / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
