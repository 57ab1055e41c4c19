"""Tables for the pages: result tables widened to one row per model, with registry metadata,
the headline's reference lines, the probe's convergence report, and the forms a reader
needs: accuracies normalised as the paper's code does, the paper's model values beside
ours, dimension names in place of their numbers and precision gaps read without a claim."""

from __future__ import annotations

import pandas as pd

import numpy as np

from .. import datasets, escape, paper
from ..profiles import Profile
from ..names import arch_name
from ..registry import spec_table
from ..vocabulary import AGREES, OPPOSITE

__all__ = ["attach_metadata", "categories_by_measure", "gap_table", "headline_table", "held_fixed_words",
           "human_references", "in_words",
           "model_table", "named_dimensions", "paper_comparison", "paper_differences", "probe_by_data",
           "probe_convergence", "probe_description", "probe_source", "probe_warning", "wide_accuracy",
           "with_normalised"]

_META = ("id", "family", "arch", "params", "imagenet_top1", "objective", "training_data", "precision", "source")


def model_table(profile: Profile) -> pd.DataFrame:
    """Registry metadata of the profile's models, in its order (one row per model)."""
    return spec_table(profile.specs)


def attach_metadata(results: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Add registry columns (family, params, objective, training data, ...) of the profile's
    models to a result table.

    Rows of human baselines (model ids starting with ``human/``) get ``training_data``
    ``"human"`` and empty model metadata.
    """
    meta = model_table(profile)
    keep = [c for c in _META if c in meta.columns]
    out = results.merge(meta[keep].rename(columns={"id": "model"}), on="model", how="left")
    human = out["model"].astype(str).str.startswith("human/")
    out.loc[human, "training_data"] = "human"
    out.loc[human, "objective"] = "human judgements"
    out.loc[human, "family"] = "human"
    return out


def wide_accuracy(results: pd.DataFrame, profile: Profile, layer: str | None = "penultimate") -> pd.DataFrame:
    """One row per model (x layer): columns ``zero_shot`` with ``ci_low``/``ci_high``,
    ``probed`` with ``probed_low``/``probed_high``, the other measures and metadata.

    Args:
        results: Output of :func:`~humanalign.study.evaluate`.
        layer: Keep only this layer; ``None`` keeps all (one row per model and layer).
    """
    res = results if layer is None else results[results["layer"] == layer]
    if res.empty:
        raise ValueError(f"No results for layer {layer!r}; layers present: {sorted(results['layer'].unique())}.")
    value = res.pivot_table(index=["model", "layer"], columns="measure", values="value", aggfunc="first")
    ci = res[res["measure"] == "zero_shot"].set_index(["model", "layer"])[["ci_low", "ci_high"]]
    probed = (res[res["measure"] == "probed"].set_index(["model", "layer"])[["ci_low", "ci_high"]]
              .rename(columns={"ci_low": "probed_low", "ci_high": "probed_high"}))
    wide = value.join(ci).join(probed).reset_index()
    order = {m: i for i, m in enumerate(dict.fromkeys(results["model"]))}
    wide = wide.sort_values(["model", "layer"], key=lambda s: s.map(order) if s.name == "model" else s)
    return attach_metadata(wide, profile).reset_index(drop=True)


def headline_table(results: pd.DataFrame, baselines: pd.DataFrame,
                   profile: Profile) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every model's zero-shot and probed accuracy plus the reference lines of the headline.

    Returns:
        ``(table, refs)``: the wide table of :func:`wide_accuracy` over all layers, and the
        reference accuracies on the profile's real answers: ``noise_ceiling``, ``vice`` (the
        VICE embedding), ``chance``, and ``noise_ceiling_all`` (the whole 20k-trial set, the
        figure the literature reports).
    """
    table = wide_accuracy(results, profile, layer=None)
    b = baselines.set_index(["model", "dataset", "measure"])["value"]
    refs = {
        "chance": 1 / 3,
        "noise_ceiling": float(b[("human/noise_ceiling", profile.dataset, "noise_ceiling")]),
        "noise_ceiling_all": float(b[("human/noise_ceiling", "things-20k", "noise_ceiling")]),
        "vice": float(b[("human/vice_42d", profile.dataset, "zero_shot")]),
    }
    return table, refs


def probe_convergence(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model x layer with the probe's convergence report (the ``probe_*`` rows of
    :func:`~humanalign.study.evaluate`): final fit's iterations, gradient norm, last relative
    change, whether it hit the iteration cap, and how many cross-validation fits did."""
    conv = results[results["measure"].astype(str).str.startswith("probe_")]
    if conv.empty:
        raise ValueError("These results carry no probe convergence rows; recompute them with evaluate().")
    return conv.pivot_table(index=["model", "layer"], columns="measure", values="value").reset_index()


def probe_warning(results: pd.DataFrame, max_iter: int) -> str:
    """A MyST warning when any probe fit stopped on its iteration cap, else one plain sentence."""
    conv = probe_convergence(results)
    refits, capped = len(conv), int((conv["probe_refit_hit_cap"] > 0).sum())
    grid, grid_capped = int(conv["probe_grid_fits"].sum()), int(conv["probe_grid_fits_hit_cap"].sum())
    if capped == 0 and grid_capped == 0:
        return (f"Every probe fit ({grid} cross-validation fits and {refits} final fits) converged "
                f"before its {max_iter}-iteration cap.")
    return (
        "```{warning}\n"
        f"The probe's final fit stopped on its {max_iter}-iteration cap for {capped} of {refits} "
        f"model x layer pairs, and {grid_capped} of {grid} cross-validation fits did: those probes "
        "may not be fully converged. The cap is the profile's `probe_max_iter`.\n```"
    )


def human_references(baselines: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """The human reference points on the profile's real answers, named for a reader: the noise
    ceiling first, then each human embedding by its registry label.

    Returns:
        ``reference, value, ci_low, ci_high, n`` (one row each).
    """
    rows = baselines[baselines["dataset"] == profile.dataset]
    names = {f"human/{name}": datasets.dataset("embedding", name).label or name
             for name in datasets.dataset_names("embedding")}
    names["human/noise_ceiling"] = "Noise ceiling (the most frequent answer)"
    out = rows.assign(reference=[names.get(m, m) for m in rows["model"]])
    order = ["human/noise_ceiling", *names]
    out = out.assign(_order=[order.index(m) if m in order else len(order) for m in out["model"]])
    return out.sort_values("_order")[["reference", "value", "ci_low", "ci_high", "n"]].reset_index(drop=True)


def probe_description(profile: Profile) -> str:
    """One sentence on how the profile's probe is fitted (for the prose, Markdown)."""
    how_many = f"{profile.n_triplets:,}" if profile.n_triplets else "all"
    data = ("triplets whose choices are **simulated** from the VICE embedding (no other triplets reach an "
            "offline machine)" if profile.simulated else "people's triplets from the THINGS release")
    shape = ("the paper's full linear transform of the features" if profile.probe_rank is None else
             f"a linear transform that acts freely on the {profile.probe_rank} leading principal directions of the "
             "features and scales the rest by one number (a cheaper, more strongly regularised form of the "
             "paper's full transform)")
    return (f"The probe is {shape}, fitted on {how_many} {data}, with its penalty chosen from "
            f"{len(profile.lambdas)} values by {profile.n_folds}-fold cross-validation over objects; each real "
            "answer is scored by the fold's probe that never saw its three objects.")


def probe_source(profile: Profile) -> str:
    """What the profile's probe is fitted on, as a phrase for a caption: ``"the probe fitted
    on triplets simulated from VICE"`` or ``"the probe fitted on real THINGS triplets"``."""
    return ("the probe fitted on triplets simulated from VICE" if profile.simulated
            else "the probe fitted on real THINGS triplets")


def with_normalised(table: pd.DataFrame, columns: tuple[str, ...] = ("zero_shot", "probed")) -> pd.DataFrame:
    """``table`` with ``<column>_normalised`` beside each accuracy column: the share of the way
    from chance (1/3) to the noise ceiling the paper's code draws (0.673),
    :func:`humanalign.paper.normalised_accuracy`, so a reader can compare with the paper's
    rescaled plots. Columns ``table`` lacks are skipped.
    """
    out = table.copy()
    for column in columns:
        if column in out.columns:
            out[f"{column}_normalised"] = paper.normalised_accuracy(out[column].astype(float))
    return out


def named_dimensions(terms: pd.DataFrame, dimensions: pd.DataFrame, column: str = "dimensions") -> pd.DataFrame:
    """``terms`` with the list of dimension numbers in ``column`` replaced by the dimensions'
    reviewed names (``[3, 41]`` -> ``"animals (3), food (41)"``), so a reader sees what each
    term stands for.

    Args:
        terms: A table whose ``column`` holds lists of dimension numbers (the concepts verdict's terms).
        dimensions: :func:`~humanalign.study.dimension_table` (``dimension``, ``name``).
    """
    names = dict(zip(dimensions["dimension"].astype(int), dimensions["name"].astype(str)))

    def text(dims) -> str:
        if not isinstance(dims, (list, tuple, np.ndarray)) or not len(dims):
            return "none"
        return ", ".join(f"{names.get(int(d), 'unnamed')} ({int(d)})" for d in dims)

    return terms.assign(**{column: terms[column].map(text)})


#: How the interval of a gap between two precisions reads: the paper says nothing about
#: precision, so only whether a gap is detected.
_GAP_READINGS = {AGREES: "a gap (the interval lies above 0)", OPPOSITE: "a gap (the interval lies below 0)"}


def gap_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """The precision gaps (:func:`~humanalign.study.reference_gaps`) with their ``outcome``
    read without reference to the paper (which says nothing about precision): whether the
    interval shows a gap at all; what was held fixed in words (:func:`in_words`)."""
    return in_words(gaps.assign(outcome=[_GAP_READINGS.get(o, "no detectable gap (the interval covers 0)")
                                         for o in gaps["outcome"]]))


def in_words(table: pd.DataFrame) -> pd.DataFrame:
    """A comparison table with its ``held_fixed`` column (if any) in words: architecture ids
    named as a reader knows them (:func:`~humanalign.study.held_fixed_words`)."""

    return table.assign(held_fixed=held_fixed_words(table["held_fixed"])) if "held_fixed" in table else table


def paper_comparison(profile: Profile) -> pd.DataFrame:
    """The paper's parameter count and ImageNet top-1 beside ours, for the profile's models
    that have a row (the same weights, or another checkpoint of the same architecture) in
    the official code's ``networks.csv`` (:func:`humanalign.paper.compare_with_paper`).

    Returns:
        One row per matched model: ``model, paper_model, match, params_ours, params_paper,
        top1_ours, top1_paper, differs`` (``params`` in millions; ``differs``: what differs,
        in words, or ``"none"``).
    """
    table = paper.compare_with_paper(profile.models)
    out = pd.DataFrame({
        "model": table["model"], "paper_model": table["paper_model"], "match": table["match"],
        "params_ours": table["params_ours"].astype("Float64") / 1e6,
        "params_paper": table["params_paper"].astype("Float64") / 1e6,
        "top1_ours": table["top1_ours"].astype(float), "top1_paper": table["top1_paper"].astype(float),
    })
    out["differs"] = [_differs(row) for row in table.itertuples()]
    return out


def _differs(row) -> str:
    what = []
    if row.match == "related":
        what.append("another checkpoint")
    if row.params_differ:
        what.append("parameter count")
    if row.top1_differ:
        what.append("ImageNet top-1")
    return ", ".join(what) or "none"


def paper_differences(table: pd.DataFrame) -> str:
    """A Markdown list, one item per model of :func:`paper_comparison` whose values differ
    from the paper's, naming the numbers; ``""`` when none differs. Model names are escaped."""
    from ..names import display_name

    lines = []
    for row in table.itertuples():
        if row.differs == "none":
            continue
        parts = []
        if row.match == "related":
            paper_name = escape.one_line(row.paper_model).replace("`", "")
            parts.append(f"another checkpoint of the architecture of the paper's `{paper_name}`")
        if pd.notna(row.top1_ours) and pd.notna(row.top1_paper) and "top-1" in row.differs:
            parts.append(f"ImageNet top-1 {100 * row.top1_ours:.1f} % here, {100 * row.top1_paper:.1f} % there")
        if pd.notna(row.params_ours) and pd.notna(row.params_paper) and "parameter" in row.differs:
            parts.append(f"{row.params_ours:.2f} M parameters here, {row.params_paper:.2f} M there")
        if pd.isna(row.params_paper):
            parts.append("no parameter count there")
        lines.append(f"* {escape.markdown(display_name(row.model))}: " + "; ".join(parts) + ".")
    return "\n".join(lines) + ("\n" if lines else "")


def probe_by_data(probe: pd.DataFrame) -> pd.DataFrame:
    """The brain chapter's probe table (:attr:`~humanalign.study.BrainStudy.probe`) with one
    row per model and the two data sets side by side, so that it fits the text column:
    ``label``, then for ``behaviour`` and ``IT`` the score after the probe (``<data>_probed``)
    and the change with its interval (``<data>_gain``, ``_gain_low``, ``_gain_high``). Rows
    of other targets (the contrast between the two) are left out.
    """
    parts = []
    for target in ("behaviour", "IT"):
        rows = probe[probe["target"] == target].set_index("label")[["probed", "gain", "gain_low", "gain_high"]]
        parts.append(rows.add_prefix(f"{target}_"))
    out = parts[0].join(parts[1], how="outer")
    order = list(dict.fromkeys(probe["label"]))
    return out.reindex([m for m in order if m in out.index]).reset_index()


def categories_by_measure(categories: pd.DataFrame) -> pd.DataFrame:
    """The brain chapter's category table (:attr:`~humanalign.study.BrainStudy.categories`)
    with one row per division and data set and its two measures side by side: ``division,
    target``, ``plain`` and ``beyond`` (the other data set held fixed), each with ``_low``
    and ``_high``."""
    rows = []
    for (division, target), part in categories.groupby(["division", "target"], sort=False):
        row = {"division": division, "target": target}
        for _, r in part.iterrows():
            key = "plain" if r["measure"] == "plain" else "beyond"
            row.update({key: r["value"], f"{key}_low": r["ci_low"], f"{key}_high": r["ci_high"]})
        rows.append(row)
    return pd.DataFrame(rows, columns=["division", "target", "plain", "plain_low", "plain_high", "beyond",
                                       "beyond_low", "beyond_high"])


def held_fixed_words(values) -> list[str]:
    """What a comparison held fixed, in words: the architecture ids in each value
    (``"mobilenet_v2_100_224, supervised softmax, uint8"``) named as a reader knows them
    (:func:`humanalign.names.arch_name`)."""
    return [", ".join(arch_name(part) for part in str(value).split(", ")) for value in values]
