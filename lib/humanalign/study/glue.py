"""Words and numbers handed to the pages' prose: the data note and glued verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import escape, plots
from ..config import Settings
from ..pages import rerun_box
from ..profiles import Profile, notebook_profile
from .claims import verdict_box
from .runs import real_trial_counts
from .verdicts.rules import Verdict

__all__ = ["data_note", "glue_values", "glue_verdict", "open_chapter"]


def data_note(profile: Profile, counts: dict[str, float] | None = None) -> str:
    """A Markdown paragraph on what the page's THINGS numbers rest on (for every page).

    Args:
        counts: The real answers the profile scores (:func:`~.runs.real_trial_counts`).
    """
    parts = []
    if counts is not None:
        parts.append(
            f"**Every THINGS verdict rests on real choices:** {counts['n_answers']:,.0f} odd-one-out answers "
            f"by {counts['n_people']:,.0f} people to {counts['n_triplets']:,.0f} distinct triplets (the "
            "triplets of the THINGS release that many people answered, among this profile's concepts)."
        )
    if profile.simulated:
        parts.append(
            f"The linear probe is fitted on {profile.n_triplets:,} triplets whose choices are **simulated** "
            "from the VICE human embedding (itself fitted on 1.46 million real human triplets), since no "
            "other real triplets reach an offline machine; it is scored on the real answers, each by a "
            "probe that never saw any of its three objects."
        )
    else:
        parts.append("The linear probe is fitted on real human odd-one-out choices from the THINGS release"
                     + (f" (a seeded subsample of {profile.n_triplets:,})." if profile.n_triplets else " (all of them)."))
    if profile.images == "cc0":
        parts.append(
            "**The images are not the ones people saw:** each concept is shown to the models as "
            "its THINGSplus public-domain photo, while people judged the THINGS database image of "
            "the odd-one-out task (a deviation from the paper)."
        )
    elif profile.simulated:
        parts.append("The models see one THINGS database photo per concept, for most concepts the one people "
                     "saw in the odd-one-out task.")
    return " ".join(parts)


def glue_values(prefix: str, values: dict) -> None:
    """Glue plain numbers (``<prefix>_<name>``) and strings (as Markdown) for the prose.

    A string is glued as the MyST it is: any text in it that came from data (a model id, a
    family, a file name) must have gone through :mod:`humanalign.escape` first, as the
    library's own sentences do.
    """
    from IPython.display import Markdown
    from myst_nb import glue

    for key, value in values.items():
        glue(f"{prefix}_{key}", Markdown(value) if isinstance(value, str) else value, display=False)


def glue_verdict(prefix: str, verdict: Verdict, profile: Profile | None = None) -> None:
    """Glue a verdict for the prose: ``<prefix>_verdict`` (bold Markdown), ``<prefix>_reason``
    (Markdown), ``<prefix>_box`` (the verdict's admonition, :func:`~.claims.verdict_box`),
    ``<prefix>_deciding`` (its deciding effect and interval) and every number and label as
    ``<prefix>_<name>``. The reason and the labels are plain text that may quote data (a
    family, a precision), so they are escaped for Markdown."""
    labels = {key: escape.markdown(text) for key, text in verdict.labels.items()}
    glue_values(prefix, {"verdict": f"**{verdict.status}**", "reason": escape.markdown(verdict.reason),
                         "box": verdict_box(verdict, profile), **verdict.numbers, **labels})


def open_chapter(namespace: dict[str, Any], cfg: Settings | None = None, chapter: str | None = None,
                 **checks: Any) -> Profile:
    """What every chapter does first: read its profile (:func:`~humanalign.study.notebook_profile`
    with the notebook's ``globals()``), render charts without network access, and glue the
    note on where the triplets come from as ``data_note`` (and, given the ``chapter``'s
    file name, the box that tells how to rerun it as ``page_rerun``).

    Returns:
        The validated profile.
    """
    profile = notebook_profile(namespace, cfg, **checks)
    plots.enable_offline()
    glue_values("data", {"note": data_note(profile, real_trial_counts(profile, cfg))})
    if chapter:
        glue_values("page", {"rerun": rerun_box(chapter, namespace.get("profile") or profile.name, _project_root())})
    return profile


def _project_root() -> Path:
    """The checkout a chapter runs in: the kernel's folder (``notebooks/`` when the book
    runs it) or the first folder above it that holds ``notebooks/`` and ``book/``."""
    here = Path.cwd()
    return next((folder for folder in (here, *here.parents)
                 if (folder / "notebooks").is_dir() and (folder / "book").is_dir()), here)
