"""What a profile could test for each claim, and on which measure: the caveats of the landing
table, in plain words (the caller escapes them for Markdown)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..profiles import Profile
from ..registry import UNTRAINED, get_spec
from .summaries import held_fixed_words
from .verdicts import DATA_BREADTH, Verdict

__all__ = ["claim_caveats"]


def claim_caveats(profile: Profile, verdicts: dict[str, Verdict], scale: pd.DataFrame | None = None,
                  data: pd.DataFrame | None = None, gaps: pd.DataFrame | None = None,
                  missing_sets: list[str] | None = None) -> dict[str, str]:
    """What the profile could test for each claim, and on which measure (the paper's or another).

    Args:
        profile: The profile.
        verdicts: The claims' verdicts (their numbers and labels).
        scale: The scale comparisons (:func:`~humanalign.study.verdict_scale`'s table).
        data: The training-data comparisons (:func:`~humanalign.study.verdict_training_data`'s table).
        gaps: The precision gaps (:func:`~humanalign.study.reference_gaps`), set beside the data effects.
        missing_sets: The paper's arrangement data sets the profile lacks (transfer).

    Returns:
        Claim key -> one or two sentences of plain text (escape them for Markdown).
    """
    specs = {s.id: s for s in (profile.specs or tuple(get_spec(m) for m in profile.models))}
    out: dict[str, str] = {}
    paper = "the paper's measure (THINGS odd-one-out)"
    if "scale" in verdicts:
        out["scale"] = _scale_caveat(verdicts["scale"], scale, specs, paper)
    if "objective" in verdicts:
        v = verdicts["objective"]
        if v.status.startswith("not testable"):
            out["objective"] = (f"{int(v.numbers.get('n_contrastive', 0))} image/text contrastive models (2 needed). "
                                "The other objectives come with other training images: explored, not tested.")
        else:
            out["objective"] = _sentence(f"Image/text contrastive against softmax models, on {paper}")
    if "dataset" in verdicts and data is not None and len(data):
        out["dataset"] = _data_caveat(data, gaps)
    elif "dataset" in verdicts:
        out["dataset"] = "No two models share architecture, objective and precision but differ in training data."
    if "transfer" in verdicts:
        absent = " (not in this profile)" if missing_sets else ""
        out["transfer"] = (f"RSA with 16 people's judgements of the 92 images, not the paper's two arrangement data "
                           f"sets{absent}; the probe is fitted on THINGS triplets.")
    if "concepts" in verdicts:
        out["concepts"] = (f"Zero-shot, on {paper}; the 42 public VICE dimensions (the paper used 45), terms "
                           "assigned in a reviewed table.")
    return out


def _scale_caveat(v: Verdict, scale: pd.DataFrame | None, specs: dict, paper: str) -> str:
    """What the scale claim could test: each size series (its models, parameters, and whether
    width and resolution change together), the architecture half, the measure and margin."""
    series = []
    size = scale[scale["half"] == "size"] if scale is not None and len(scale) else pd.DataFrame()
    for comparison in size.get("comparison", []):
        family = str(comparison).split(" | ")[0]
        members = [s for s in specs.values() if s.training_data != UNTRAINED
                   and " | ".join([s.family, s.objective, s.training_data, s.precision]) == comparison]
        sizes = sorted({s.input_size for s in members if s.input_size})
        params = sorted(s.params for s in members if s.params)
        text = f"{family} ({len(members)} models"
        if params:
            text += f", {params[0] / 1e6:.2g}–{params[-1] / 1e6:.2g} M parameters"
        if len(sizes) > 1:
            text += "; width and input resolution grow together"
        series.append(text + ")")
    parts = [("Size within " + " and ".join(series)) if series else
             "Size: no family spans a range of sizes at matched objective, data and precision"]
    if v.labels.get("architecture_status") == "not testable":
        parts.append("architecture: no two families at matched objective, data and precision")
    margin = v.numbers.get("margin")
    measure = "On " + paper
    if margin is not None and np.isfinite(margin):
        source = str(v.labels.get("margin_source", ""))
        measure += f", margin ±{margin:.3f}" + (" (the precision gap)" if "precision" in source else "")
    return _sentence(". ".join([parts[0], *(p[:1].upper() + p[1:] for p in parts[1:])])) + " " + _sentence(measure)


def _data_caveat(data: pd.DataFrame, gaps: pd.DataFrame | None) -> str:
    """What the training-data claim could test: which data sets against which, at what was
    held fixed, and the effects beside the precision gap on each human data set."""
    sides: dict[str, list[str]] = {}
    for comparison in dict.fromkeys(data["comparison"]):
        broad, _, narrow = str(comparison).partition(" - ")
        sides.setdefault(broad, []).append(narrow)
    compared = "; ".join(f"{broad} against {' and '.join(narrow)}" for broad, narrow in sides.items())
    archs = dict.fromkeys(held_fixed_words(str(f).split(", ")[0] for f in data["held_fixed"]))
    text = f"{compared} ({', '.join(archs)}, one objective and precision)"
    if max((DATA_BREADTH.get(b, 0) for b in sides), default=0) <= DATA_BREADTH["ImageNet-1k"]:
        text += "; the broader side is not one of the paper's larger data sets"
    effects = []
    for prefix, name in (("THINGS", "THINGS (the paper's measure)"), ("92", "92 images (not the paper's)")):
        rows = data[data["human_data"].str.startswith(prefix)]
        if not len(rows):
            continue
        part = f"{name} {rows['difference'].min():+.3f} to {rows['difference'].max():+.3f}"
        gap = gaps[gaps["human_data"].str.startswith(prefix)] if gaps is not None and len(gaps) else pd.DataFrame()
        if len(gap):
            part += f", precision gap {float(np.abs(gap['difference']).mean()):.3f}"
        effects.append(part)
    return _sentence(text) + (" Effects: " + "; ".join(effects) + "." if effects else "")


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else ""

