"""Words and numbers handed to the pages' prose: the data note and glued verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import escape, plots
from ..config import Settings
from ..pages import rerun_box
from ..profiles import Profile, notebook_profile
from .claims import EFFECT_UNITS, verdict_box, verdict_words
from .runs import real_trial_counts
from .verdicts.rules import Verdict

__all__ = ["USES", "data_note", "glue_values", "glue_verdict", "open_chapter"]


#: What a page can rest on, for :func:`data_note`: people's answers to THINGS triplets, the
#: linear probe (fitted on THINGS triplets), the 92-image judgements and the IT recordings.
USES = ("things", "probe", "rsa92", "brain")


def data_note(profile: Profile, counts: dict[str, float] | None = None,
              uses: tuple[str, ...] = ("things", "probe")) -> str:
    """A Markdown paragraph on what the page's numbers rest on: what is real, and only where
    the page uses the probe, that its training triplets are simulated.

    Args:
        counts: The real answers the profile scores (:func:`~.runs.real_trial_counts`).
        uses: What the page shows, among :data:`USES`: ``things`` (people's answers to
            THINGS triplets), ``probe`` (the linear probe), ``rsa92`` (the 16 people's
            judgements of the 92 images), ``brain`` (human IT on the same images).

    Raises:
        ValueError: ``uses`` names something else.
    """
    unknown = [u for u in uses if u not in USES]
    if unknown:
        raise ValueError(f"data_note: unknown uses {unknown}; choose among {list(USES)}.")
    parts = []
    if "things" in uses and counts is not None:
        parts.append(
            f"**Every THINGS number on this page rests on real choices:** {counts['n_answers']:,.0f} odd-one-out "
            f"answers by {counts['n_people']:,.0f} people to {counts['n_triplets']:,.0f} distinct triplets (the "
            "triplets of the THINGS release that many people answered, among this profile's concepts)."
        )
    real = [text for key, text in (("rsa92", "the judgements of the 92 photos by 16 people"),
                                   ("brain", "the fMRI recordings of human IT cortex of 4 people viewing them"))
            if key in uses]
    if real:
        parts.append(("**Real people:** " if "things" not in uses else "So are ") + " and ".join(real) + ".")
    if "probe" in uses:
        if profile.simulated:
            parts.append(
                f"**Only the probe's training triplets are simulated:** the linear probe is fitted on "
                f"{profile.n_triplets:,} triplets whose choices are drawn from the VICE human embedding (itself "
                "fitted on 1.46 million real human triplets), since no other real triplets reach an offline "
                "machine; what it is scored on is real"
                + (", each answer by a probe that never saw any of its three objects." if "things" in uses else ".")
            )
        else:
            parts.append("The linear probe is fitted on real human odd-one-out choices from the THINGS release"
                         + (f" (a seeded subsample of {profile.n_triplets:,})." if profile.n_triplets
                            else " (all of them)."))
    if "things" in uses:
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
    """Glue a verdict for the prose: ``<prefix>_verdict`` (bold Markdown: the status, or
    each half of a claim of two halves, :func:`~.claims.verdict_words`), ``<prefix>_reason``
    (Markdown), ``<prefix>_box`` (the verdict's admonition, :func:`~.claims.verdict_box`),
    ``<prefix>_deciding`` (its deciding effect and interval) and every number and label as
    ``<prefix>_<name>``. The reason and the labels are plain text that may quote data (a
    family, a precision), so they are escaped for Markdown."""
    labels = {key: escape.markdown(text) for key, text in verdict.labels.items()}
    # A claim of two halves is never summed up in one word: each half is named.
    glue_values(prefix, {"verdict": f"**{escape.markdown(verdict_words(verdict))}**",
                         "reason": escape.markdown(verdict.reason),
                         "box": verdict_box(verdict, profile, EFFECT_UNITS.get(prefix.split("_")[0])),
                         **verdict.numbers, **labels})


def open_chapter(namespace: dict[str, Any], cfg: Settings | None = None, chapter: str | None = None,
                 uses: tuple[str, ...] = ("things", "probe"), **checks: Any) -> Profile:
    """What every chapter does first: read its profile (:func:`~humanalign.study.notebook_profile`
    with the notebook's ``globals()``), render charts without network access, and glue the
    note on what the page's data are (:func:`data_note` with ``uses``: what the page shows)
    as ``data_note`` (and, given the ``chapter``'s file name, the box that tells how to
    rerun it as ``page_rerun``).

    Returns:
        The validated profile.
    """
    profile = notebook_profile(namespace, cfg, **checks)
    plots.enable_offline()
    counts = real_trial_counts(profile, cfg) if "things" in uses else None
    glue_values("data", {"note": data_note(profile, counts, uses)})
    if chapter:
        glue_values("page", {"rerun": rerun_box(chapter, namespace.get("profile") or profile.name, _project_root())})
    return profile


def _project_root() -> Path:
    """The checkout a chapter runs in: the kernel's folder (``notebooks/`` when the book
    runs it) or the first folder above it that holds ``notebooks/`` and ``book/``."""
    here = Path.cwd()
    return next((folder for folder in (here, *here.parents)
                 if (folder / "notebooks").is_dir() and (folder / "book").is_dir()), here)
