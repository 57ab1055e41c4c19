"""Tables for the pages: result tables widened to one row per model, with registry metadata,
the headline's reference lines and the probe's convergence report."""

from __future__ import annotations

import pandas as pd

from ..profiles import Profile
from ..registry import spec_table

__all__ = ["attach_metadata", "headline_table", "model_table", "probe_convergence", "probe_warning", "wide_accuracy"]

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
    """One row per model (x layer): columns ``zero_shot``, ``probed``, CI and metadata.

    Args:
        results: Output of :func:`~humanalign.study.evaluate`.
        layer: Keep only this layer; ``None`` keeps all (one row per model and layer).
    """
    res = results if layer is None else results[results["layer"] == layer]
    if res.empty:
        raise ValueError(f"No results for layer {layer!r}; layers present: {sorted(results['layer'].unique())}.")
    value = res.pivot_table(index=["model", "layer"], columns="measure", values="value", aggfunc="first")
    ci = res[res["measure"] == "zero_shot"].set_index(["model", "layer"])[["ci_low", "ci_high"]]
    wide = value.join(ci).reset_index()
    order = {m: i for i, m in enumerate(dict.fromkeys(results["model"]))}
    wide = wide.sort_values(["model", "layer"], key=lambda s: s.map(order) if s.name == "model" else s)
    return attach_metadata(wide, profile).reset_index(drop=True)


def headline_table(results: pd.DataFrame, baselines: pd.DataFrame,
                   profile: Profile) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every model's zero-shot and probed accuracy plus the reference lines of the headline.

    Returns:
        ``(table, refs)``: the wide table of :func:`wide_accuracy` over all layers, and the
        reference accuracies ``noise_ceiling`` (real 20k set), ``vice_real`` (VICE on the
        real 20k set), ``vice_profile`` (VICE on the profile's triplets) and ``chance``.
    """
    table = wide_accuracy(results, profile, layer=None)
    b = baselines.set_index(["model", "dataset", "measure"])["value"]
    profile_ds = [d for d in baselines["dataset"].unique() if d != "things-20k"]
    refs = {
        "chance": 1 / 3,
        "noise_ceiling": float(b[("human/noise_ceiling", "things-20k", "noise_ceiling")]),
        "vice_real": float(b[("human/vice_42d", "things-20k", "zero_shot")]),
    }
    if profile_ds:
        refs["vice_profile"] = float(b[("human/vice_42d", profile_ds[0], "zero_shot")])
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
