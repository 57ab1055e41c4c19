"""Blocks of a chapter's page, written as MyST: the verdict's label and the box that tells
how to rerun the chapter.

Each function returns MyST text. A chapter glues it and pastes it where it belongs::

    from IPython.display import Markdown
    from myst_nb import glue
    glue("scale_verdict_box", Markdown(pages.verdict_admonition(status, summary, details)), display=False)

and, in a Markdown cell::

    ```{glue:md} scale_verdict_box
    :format: myst
    ```

The colours and the compact layout come from the book's style sheet
(``book/_static/humanalign.css``, classes ``ha-verdict`` and ``ha-rerun``).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path, PurePath

from . import escape
from ._yaml import read_yaml

__all__ = ["VERDICT_CLASSES", "checkout_source", "rerun_box", "verdict_admonition"]

#: Verdict status (or the start of one, e.g. "undecided (the interval crosses the margin)")
#: -> the CSS class of its label: green, red, amber, grey.
VERDICT_CLASSES = {
    "reproduced": "ha-verdict-reproduced",
    "not reproduced": "ha-verdict-not-reproduced",
    "undecided": "ha-verdict-undecided",
    "not testable with this profile's models": "ha-verdict-not-testable",
    # A question beyond the paper that an interval decided (no claim to reproduce).
    "answered": "ha-verdict-answered",
}
_CHAPTER = re.compile(r"^[0-9]{2}_[A-Za-z0-9_]+$")
# What may stand in a link of the rerun box: a commit in hexadecimal, an https address of
# plain path segments (nothing that could end a Markdown link or start markup).
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
_ADDRESS = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)*/?$")


def _verdict_class(status: str) -> str:
    text = " ".join(str(status).split()).lower()
    # "not testable" alone is the short form of the last status; longer keys first, so
    # that "not reproduced" is not read as "reproduced".
    keys = sorted([*VERDICT_CLASSES, "not testable"], key=len, reverse=True)
    for key in keys:
        if text == key or text.startswith(key + " "):
            return VERDICT_CLASSES.get(key, VERDICT_CLASSES["not testable with this profile's models"])
    raise ValueError(f"verdict_admonition: unknown status {status!r}; use one of {list(VERDICT_CLASSES)} "
                     "(a reason in brackets may follow).")


def verdict_admonition(status: str, summary: str, details: str, details_title: str = "How this was decided",
                       title: str | None = None) -> str:
    """A compact admonition whose title is the verdict, coloured by status, with the summary
    shown and the details folded below it.

    Args:
        status: ``"reproduced"`` (green), ``"not reproduced"`` (red), ``"undecided"``
            (amber) or ``"not testable with this profile's models"`` (grey); a reason may
            follow, e.g. ``"undecided (the interval crosses the margin)"``.
        summary: One or two sentences of MyST, always shown.
        details: MyST folded into a dropdown (how the verdict was reached, the numbers);
            an empty string leaves the dropdown out. It may hold ``:::`` fences.
        details_title: The dropdown's title.
        title: The box's title (default: the status); e.g. each half of a claim of two
            halves, ``"Size: undecided; architecture: not testable"``. The colour still
            follows ``status``.

    Returns:
        MyST text (an ``admonition`` directive with a nested ``dropdown``).

    Raises:
        ValueError: an unknown status or an empty summary.

    Example:
        >>> print(verdict_admonition("reproduced", "Larger models are not more aligned.",
        ...                          "Within each family, the slope is 0.001 ± 0.004."))  # doctest: +SKIP
    """
    css = _verdict_class(status)
    if not str(summary).strip():
        raise ValueError("verdict_admonition: the summary is empty; say in a sentence what was found.")
    title = " ".join(str(title if title and str(title).strip() else status).split())
    lines = [f"`````{{admonition}} {title[:1].upper() + title[1:]}", f":class: ha-verdict {css}", "",
             str(summary).strip(), ""]
    if str(details).strip():
        lines += [f"````{{dropdown}} {details_title}", ":class-container: ha-verdict-details", "",
                  str(details).strip(), "````", ""]
    return "\n".join(lines + ["`````", ""])


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _configured_repository(root: Path) -> str | None:
    """The address in the book's configuration (``repository: url``), which the page's
    repository button links to."""
    path = root / "book" / "_config.yml"
    if not path.is_file():
        return None
    try:
        config = read_yaml(path, "Book configuration", 1 << 20)
    except ValueError:
        return None
    url = str(((config or {}).get("repository") or {}).get("url") or "").strip().rstrip("/")
    return url if _ADDRESS.match(url) else None


def checkout_source(root: str | os.PathLike | None = None) -> dict:
    """The repository and commit the running code comes from, for a page to link to.

    Args:
        root: The repository's root folder (default: the checkout this package is imported
            from, else the working folder's).

    Returns:
        ``{"repository": address or None, "commit": full hash or None, "modified": bool}``:
        the address from ``book/_config.yml`` (``repository: url``); the commit from git
        (or ``GITHUB_SHA`` where git is missing); ``modified`` when tracked files differ
        from that commit.
    """
    if root is None:
        here = Path(__file__).resolve().parents[2]
        root = here if (here / "book" / "_config.yml").is_file() else Path(_git(Path.cwd(), "rev-parse",
                                                                                 "--show-toplevel") or Path.cwd())
    root = Path(root)
    commit = _git(root, "rev-parse", "HEAD") or os.environ.get("GITHUB_SHA", "").strip().lower()
    commit = commit if commit and _COMMIT.match(commit) else None
    modified = bool(commit and _git(root, "status", "--porcelain", "--untracked-files=no"))
    return {"repository": _configured_repository(root), "commit": commit, "modified": modified}


def _source_line(repository: str | None, commit: str | None, modified: bool, stem: str) -> str:
    """The sentence of the rerun box that says which code computed the page."""
    repository = repository.rstrip("/") if repository and _ADDRESS.match(repository) else None
    if commit is not None and not _COMMIT.match(commit):
        raise ValueError(f"rerun_box: the commit {commit!r} is not a hexadecimal git hash.")
    if commit is None:
        where = f"the repository [{repository}]({repository})" if repository else "the repository the README names"
        return (f"This page was computed from code whose commit is not known here (it was not built in a git "
                f"checkout); the chapter's source is `notebooks/{stem}.py` in {where}.")
    if repository is None:
        line = (f"This page was computed at commit `{commit}` of the repository the README names "
                f"(`notebooks/{stem}.py` at that commit).")
    else:
        line = (f"This page was computed at commit [`{commit[:12]}`]({repository}/tree/{commit}) of "
                f"[{repository}]({repository}); the chapter at that commit: "
                f"[`notebooks/{stem}.py`]({repository}/blob/{commit}/notebooks/{stem}.py).")
    if modified:
        line += " The checkout had changes not yet committed, so that commit alone may not give these numbers."
    return line


def rerun_box(chapter_file: str, profile: str | os.PathLike = "demo", root: str | os.PathLike | None = None,
              repository: str | None = None, commit: str | None = None, modified: bool = False) -> str:
    """The "Rerun this chapter" box: the two commands that execute the chapter as the book
    did, and a link to the repository at the commit that computed the page.

    Args:
        chapter_file: The chapter's source, e.g. ``"01_scale.py"`` or
            ``"notebooks/01_scale.py"`` (only its file name counts).
        profile: The profile the page was built with (``demo``, ``full`` or a profile
            file), passed to papermill. A file given by its full path is named relative to
            ``root`` when it lies there, else by its name (:func:`humanalign.escape.page_path`).
        root: The project's root folder, from which the commands run.
        repository: The repository's https address; with ``commit`` also ``None``, both
            are found by :func:`checkout_source` (an address that is not a plain https
            address is left out).
        commit: The full git hash the page was computed at.
        modified: Whether the checkout had uncommitted changes (said in the box).

    Returns:
        MyST text: a ``tip`` admonition with a ``bash`` block, from the repository's root
        folder: ``jupytext`` converts the chapter to a notebook, ``papermill`` executes it;
        then the commit, linked when the repository's address is known.

    Raises:
        ValueError: ``chapter_file`` is not a chapter's name (``NN_name.py``), the
            profile is empty, or ``commit`` is not a hexadecimal hash.

    Example:
        >>> print(rerun_box("01_scale.py"))  # doctest: +SKIP
    """
    stem = PurePath(str(chapter_file)).stem
    if not _CHAPTER.match(stem):
        raise ValueError(f"rerun_box: {chapter_file!r} is not a chapter file; use the name of one in notebooks/, "
                         "NN_name.py (e.g. 01_scale.py).")
    if not str(profile).strip():
        raise ValueError("rerun_box: the profile is empty; give the one the page was built with, e.g. 'demo'.")
    # The profile is data (a file name anyone may choose): shown by a relative path or its name,
    # quoted for the shell in the command and set as code in the sentence.
    shown = escape.page_path(profile, root)
    if repository is None and commit is None:
        found = checkout_source()
        repository, commit, modified = found["repository"], found["commit"], found["modified"]
    source = _source_line(repository, commit, modified, stem)
    convert = f"mkdir -p build && .venv/bin/jupytext --to ipynb notebooks/{stem}.py -o build/{stem}.ipynb"
    execute = (f".venv/bin/papermill -k python3 -p profile {escape.shell_word(shown)} "
               f"build/{stem}.ipynb build/{stem}.out.ipynb")
    return "\n".join([
        "````{admonition} Rerun this chapter", ":class: tip ha-rerun", "",
        "In the repository's root folder, with the environment installed as the README says, "
        "convert the chapter to a notebook and execute it with papermill:", "",
        "```bash", convert, execute, "```", "",
        f"The profile is the one this page was built with ({escape.code(shown)}), so `build/{stem}.out.ipynb` "
        "holds this page's numbers; the README lists the other parameters.", "",
        source,
        "````", "",
    ])
