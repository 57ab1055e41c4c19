"""The chapters: find them, execute one with papermill, and tell whether an executed one is
still up to date with its source, its profile and the library, and unedited since."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Iterator

from ..config import absolute_env
from ..errors import resource_hint
from ..profiles import profile_path, profile_names

__all__ = [
    "KERNEL",
    "PROFILE_ENV",
    "STAMP_KEY",
    "book_profile",
    "chapter_notebooks",
    "chapter_stamp",
    "chapter_state",
    "execute_chapter",
    "pick_chapter",
    "profile_ref",
    "library_fingerprint",
    "outputs_digest",
    "without_build_paths",
    "recorded_stamp",
]

KERNEL = "python3"
# Metadata key of an executed chapter that records what it was executed from.
STAMP_KEY = "humanalign"
# Environment variable naming the profile ``jupyter-book build book/`` uses.
PROFILE_ENV = "HUMANALIGN_PROFILE"
# A quoted absolute path (POSIX, or Windows as Python writes it), split into its folder
# and its file name.
_ABSOLUTE_PATH = re.compile(r"""(["'])((?:/|[A-Za-z]:\\\\)[^"'\n]*?(?:/|\\\\))([^/\\"'\n]+)\1""")


def chapter_notebooks(notebooks: Path) -> dict[str, Path]:
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


def execute_chapter(source: Path, output: Path, parameters: dict, cwd: Path | None = None,
                    stamp: dict | None = None) -> float:
    """Convert one jupytext notebook and execute it with papermill.

    Args:
        source: ``notebooks/NN_name.py``.
        output: Where the executed ``.ipynb`` goes (written only when execution succeeds).
        parameters: Values injected after the cell tagged ``parameters``.
        cwd: Working folder of the kernel (default: the notebooks folder).
        stamp: Recorded in the notebook's metadata (``humanalign``), with the
            :func:`outputs_digest` of the executed cells, so that a later build can tell
            whether the chapter is still up to date and unedited (:func:`chapter_state`).

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
            # The kernel runs in another folder: it gets the data and cache folders as absolute paths.
            with _environment(absolute_env()):
                papermill.execute_notebook(
                    str(plain), str(executed), parameters=parameters, kernel_name=KERNEL,
                    cwd=str(cwd or source.parent), progress_bar=False, log_output=False,
                )
        except papermill.PapermillExecutionError as err:
            hint = resource_hint(err.evalue)
            raise RuntimeError(
                f"{source.name} failed in cell {err.exec_count}: "
                + (hint if hint else f"{err.ename}: {err.evalue}")
            ) from err
        seconds = time.perf_counter() - start
        _collapse_parameter_cells(executed, stamp)
        os.replace(executed, output)
    return seconds


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set inside the block (child processes inherit them)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _collapse_parameter_cells(path: Path, stamp: dict | None = None) -> None:
    """Fold the parameter cells (defaults and papermill's injected values) in the book.

    They stay in the page, one click away, so a reader sees the story first and can still
    check which values produced it; an absolute path among papermill's values (a profile
    file given by its path) shows as its file name, since the folders of the machine that
    built the book mean nothing to a reader. ``stamp`` goes into the notebook's metadata,
    with the :func:`outputs_digest` of the cells as written.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "hide-cell" not in tags:
            tags.append("hide-cell")
        if "injected-parameters" in tags:
            cell.source = without_build_paths(cell.source)
    if stamp is not None:
        # Hashed as the file will hold the cells (the metadata does not change them).
        written = json.loads(nbformat.writes(notebook))
        notebook.metadata[STAMP_KEY] = {**stamp, "outputs": outputs_digest(written)}
    nbformat.write(notebook, path)


def outputs_digest(notebook: dict) -> str:
    """sha256 of what makes an executed chapter's page: each cell's type, source, outputs and
    metadata (tags such as ``remove-cell``, a figure's caption), and the notebook's metadata
    but for the stamp that records this digest.

    Args:
        notebook: The notebook file's JSON (``json.loads`` of the ``.ipynb``).
    """
    cells = [[cell.get("cell_type"), cell.get("source"), cell.get("outputs"), cell.get("metadata")]
             for cell in notebook.get("cells", [])]
    metadata = {k: v for k, v in (notebook.get("metadata") or {}).items() if k != STAMP_KEY}
    return hashlib.sha256(json.dumps([cells, metadata], sort_keys=True).encode()).hexdigest()


def without_build_paths(source: str) -> str:
    """``source`` with every quoted absolute path replaced by its file name, and a comment
    that says so (unchanged when it holds none).

    Example: ``profile = "/home/me/humanalign/my.yml"`` -> ``profile = "my.yml"`` and the
    comment line.
    """
    shown = _ABSOLUTE_PATH.sub(r"\1\3\1", source)
    if shown == source:
        return source
    return shown.rstrip("\n") + "\n# (files given by their full path on the machine that built the book)\n"


def profile_ref(profile: str | os.PathLike) -> str:
    """How the notebooks are given a profile: a shipped one by name, any other by its full path."""
    if str(profile) in profile_names():
        return str(profile)
    return str(profile_path(profile).resolve())


def library_fingerprint() -> str:
    """Hash of the package's code and resources: a changed library makes every chapter stale."""
    package = Path(__file__).resolve().parents[1]
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
        library: Precomputed :func:`library_fingerprint` (computed when ``None``).

    Returns:
        ``{"profile": profile, "key": <hash>}``; the chapter is up to date when the executed
        notebook's metadata holds the same and its cells are as executed (:func:`chapter_state`).
    """
    digest = hashlib.sha256()
    for part in (Path(source).read_bytes(), profile_path(profile).read_bytes(),
                 (library or library_fingerprint()).encode()):
        digest.update(hashlib.sha256(part).digest())
    return {"profile": str(profile), "key": digest.hexdigest()[:16]}


def recorded_stamp(notebook: Path) -> dict | None:
    """The stamp an executed chapter was written with, or ``None`` (missing or unreadable)."""
    try:
        return json.loads(notebook.read_text()).get("metadata", {}).get(STAMP_KEY)
    except (OSError, ValueError, AttributeError):
        return None


def chapter_state(notebook: Path, stamp: dict) -> str:
    """Whether an executed chapter can be published as it is.

    Args:
        notebook: The executed ``book/chapters/NN_name.ipynb``.
        stamp: What it should have been executed from (:func:`chapter_stamp`).

    Returns:
        ``"current"``; ``"missing"`` (absent or unreadable); ``"outdated"`` (executed from
        another source, profile or library, or before outputs were recorded); or
        ``"edited"``: its cells (sources, outputs, metadata) or its metadata differ from
        those it was executed with.
    """
    try:
        content = json.loads(notebook.read_text())
        recorded = content.get("metadata", {}).get(STAMP_KEY)
    except (OSError, ValueError, AttributeError):
        return "missing"
    if not isinstance(recorded, dict) or "outputs" not in recorded or any(recorded.get(k) != v for k, v in stamp.items()):
        return "outdated"
    try:
        return "current" if recorded["outputs"] == outputs_digest(content) else "edited"
    except AttributeError:  # cells that are not cells
        return "edited"


def book_profile(book: Path, notebooks: Path) -> str:
    """The profile ``jupyter-book build`` uses: ``HUMANALIGN_PROFILE``, else the one every
    executed chapter was built with (so a book made by ``make book PROFILE=full`` is rebuilt
    as it is), else ``demo``."""
    wanted = os.environ.get(PROFILE_ENV, "").strip()
    if wanted:
        return wanted
    used = set()
    for source in chapter_notebooks(notebooks).values():
        stamp = recorded_stamp(book / "chapters" / (source.stem + ".ipynb"))
        used.add(stamp.get("profile") if isinstance(stamp, dict) else None)
    return used.pop() if len(used) == 1 and None not in used else "demo"
