"""Behaviour and brain on the 92 images: do the networks that match people's judgements also
match human inferior temporal (IT) cortex?

Two human data sets share the 92 object photos of Kriegeskorte et al. (2008, *Neuron*):
the similarity judgements of 16 people (Mur et al. 2013, *Front Psychol* 4:128; registry
row ``rsa92``) and the fMRI dissimilarities of human IT, 4 people x 2 sessions (registry row
``rsa92-brain``; each person's matrix is the mean of the two sessions). For every model of a
profile (penultimate layer, cosine distance, before and after the THINGS probe) and for the
classic reference models (the registry's ``rsa92-models``), this module
computes

* its RSA with each data set: the mean over people of each person's Spearman correlation,
  with a 95 % interval from :func:`~humanalign.measures.rsa_two_way_bootstrap` (people and
  images resampled together, every model on the same draw);
* the noise ceiling of each data set (Nili et al. 2014), and how well IT's two sessions agree;
* the correlation across trained networks between behavioural and IT alignment, its
  interval from resamples that draw the models, and, in the same resample, one two-way draw
  of each data set's people and images (:func:`~.brain_analysis.across_models`);
* the probe's effect on each data set (probed minus cosine, paired on the same draws), per
  model and averaged over the trained ones (:func:`~.brain_analysis.probe_effects`);
* the category divisions of behaviour beyond IT, and of IT beyond behaviour: partial rank
  correlations with binary category models, the other data set's mean matrix held fixed
  (:func:`~.brain_analysis.category_structure`). Mur et al. (2013) report that judgements divide human from
  non-human animals and natural from artificial objects, divisions IT shows weakly or not.

The analyses on arrays live in :mod:`.brain_analysis`; this module wires them to a
profile. Every table is tidy; every verdict word follows an interval
(:func:`~.brain_analysis.effect_word`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import datasets, escape, measures
from ..config import Settings
from ..datasets import MatrixSet
from ..names import display_name
from ..profiles import Profile
from ..registry import UNTRAINED
from .brain_analysis import (
    CONTROL,
    HUMAN,
    NETWORK,
    nan_interval,
    across_models,
    brain_ceilings,
    category_divisions,
    category_structure,
    effect_word,
    probe_effects,
    rsa_rows,
    top_model,
)
from .scores import matrix_scores, specs_of

__all__ = [
    "BEHAVIOUR",
    "BRAIN",
    "BrainStudy",
    "brain_numbers",
    "brain_wide",
    "evaluate_brain",
    "network_rdms",
    "reference_rdms",
    "reference_rsa",
]

BEHAVIOUR = "rsa92"
BRAIN = "rsa92-brain"
#: The two data sets' names in tables: target -> registry row.
TARGETS = {"behaviour": BEHAVIOUR, "IT": BRAIN}
LAYER = "penultimate"
#: Target -> the row holding that data set's own group mean (scored against the other one only).
OWN_MEAN = {"behaviour": "human/judgements", "IT": "human/IT"}
REFERENCE = "reference model"
#: Kind of a reference model (datasets.rsa92_models) -> its kind in tables and chart legends.
REFERENCE_KINDS = {"category": "reference: category", "brain": "reference: brain data",
                   "image-computable": "reference: from pixels"}


# --------------------------------------------------------------------------- inputs


def network_rdms(profile: Profile, data: MatrixSet, cfg: Settings | None = None) -> dict[str, np.ndarray]:
    """The profile's networks on the 92 images (penultimate layer).

    Returns:
        ``cosine`` and ``probed``: (k, n, n) dissimilarity matrices before and after the
        THINGS probe, in the profile's model order (cached by :func:`~.scores.matrix_scores`).

    Raises:
        ValueError: the profile does not score the penultimate layer.
    """
    if LAYER not in profile.layers:
        raise ValueError(f"Profile {profile.name!r} scores the layers {list(profile.layers)}; the brain chapter "
                         f"compares the {LAYER!r} layer. Add it to the profile's layers.")
    scores = [matrix_scores(profile, spec, LAYER, data, cfg) for spec in specs_of(profile)]
    return {which: np.stack([s.rdm(which) for s in scores]) for which in ("cosine", "probed")}


def reference_rdms(cfg: Settings | None = None, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The reference models of the 92 images as rows ``model, label, kind, rdm``.

    Args:
        kinds: Keep these kinds only (``category``, ``brain``, ``image-computable``); all by default.
    """
    refs = datasets.load_dataset("references", "rsa92-models", cfg)
    names = [n for n in refs if kinds is None or refs.kind[n] in kinds]
    return pd.DataFrame({"model": [f"reference/{n}" for n in names], "label": [f"reference: {refs.label[n]}" for n in names],
                         "kind": [REFERENCE_KINDS[refs.kind[n]] for n in names],
                         "rdm": [refs[n] for n in names]})


# --------------------------------------------------------------------------- the study


@dataclass(frozen=True, eq=False)
class BrainStudy:
    """Every table of the brain chapter.

    Attributes:
        scores: RSA rows (:func:`rsa_rows`) of every network (``representation`` cosine and
            probed), reference model and the other human data set, on ``behaviour`` and ``IT``.
        ceilings: :func:`brain_ceilings`.
        relation: One row per model set (``trained networks``, ``all networks``):
            :func:`across_models` of behaviour against IT (cosine), with ``resampled``.
        probe: :func:`probe_effects` on both data sets, plus rows ``target =
            "behaviour minus IT"`` for the mean over trained networks.
        categories: :func:`category_structure`.
        top: Data set -> :func:`top_model` among the networks (cosine).
    """

    scores: pd.DataFrame
    ceilings: pd.DataFrame
    relation: pd.DataFrame
    probe: pd.DataFrame
    categories: pd.DataFrame
    top: dict[str, dict[str, object]]


def _candidates(profile: Profile, behaviour: MatrixSet, brain: MatrixSet, cfg: Settings | None) -> pd.DataFrame:
    """Rows ``model, label, kind, training_data, representation, rdm`` of everything scored."""
    specs = specs_of(profile)
    nets = network_rdms(profile, behaviour, cfg)
    kinds = [CONTROL if s.training_data == UNTRAINED else NETWORK for s in specs]
    parts = [pd.DataFrame({"model": [s.id for s in specs], "label": [s.id for s in specs], "kind": kinds,
                           "training_data": [s.training_data for s in specs], "representation": which,
                           "rdm": list(nets[which])}) for which in ("cosine", "probed")]
    refs = reference_rdms(cfg).assign(training_data=REFERENCE, representation="reference")
    humans = pd.DataFrame({
        "model": [OWN_MEAN["behaviour"], OWN_MEAN["IT"]], "label": ["people's judgements (group mean)", "human IT (group mean)"],
        "kind": HUMAN, "training_data": "human", "representation": "group mean",
        "rdm": [behaviour.rdms.mean(axis=0), brain.rdms.mean(axis=0)]})
    return pd.concat([*parts, refs, humans], ignore_index=True)


def _relation(rows: dict[str, pd.DataFrame], boots: dict[str, np.ndarray], specs_kind: str, seed: int) -> dict:
    kinds = [NETWORK] if specs_kind == "trained networks" else [NETWORK, CONTROL]
    pick = [(r["kind"].isin(kinds) & (r["representation"] == "cosine")).to_numpy() for r in rows.values()]
    (x, xb), (y, yb) = [(r["value"].to_numpy()[p], b[:, p]) for r, b, p in zip(rows.values(), boots.values(), pick)]
    return {"models": specs_kind, **across_models(x, y, xb, yb, seed),
            "resampled": "models, and each data set's people and images (two-way), in every resample"}


def evaluate_brain(profile: Profile, cfg: Settings | None = None) -> BrainStudy:
    """Behaviour and IT on the 92 images for every model of ``profile`` (see the module docstring).

    The networks' dissimilarities come from :func:`~.scores.matrix_scores` (the THINGS probe
    of the profile); intervals use the profile's ``n_boot`` and ``seed``. The two data sets
    are resampled independently (different people), each with one draw per resample shared
    by all models.
    """
    behaviour = datasets.load_dataset("matrices", BEHAVIOUR, cfg)
    brain = datasets.load_dataset("matrices", BRAIN, cfg)
    sessions = brain.sessions
    candidates = _candidates(profile, behaviour, brain, cfg)
    rows, boots = {}, {}
    for target, data in (("behaviour", behaviour), ("IT", brain)):
        # A data set's own group mean is not scored against it (it holds each person's matrix).
        scored = candidates[candidates["model"] != OWN_MEAN[target]]
        rows[target], boots[target] = rsa_rows(scored, data.rdms, target, profile.n_boot, profile.seed, cfg)
    relation = pd.DataFrame([_relation(rows, boots, which, profile.seed) for which in ("trained networks", "all networks")])
    probe = pd.concat([probe_effects(rows[t], boots[t], t) for t in rows], ignore_index=True)
    probe = pd.concat([probe, _gain_contrast(rows, boots)], ignore_index=True)
    top = {}
    for target in rows:
        nets = (rows[target]["kind"] == NETWORK).to_numpy() & (rows[target]["representation"] == "cosine").to_numpy()
        if nets.any():
            top[target] = top_model(rows[target][nets].reset_index(drop=True), boots[target][:, nets])
    categories = category_structure({"behaviour": behaviour.rdms, "IT": brain.rdms},
                                    category_divisions(behaviour.stimuli), profile.n_boot, profile.seed)
    return BrainStudy(scores=pd.concat(list(rows.values()), ignore_index=True), ceilings=brain_ceilings(
        behaviour.rdms, sessions), relation=relation, probe=probe, categories=categories, top=top)


def _gain_contrast(rows: dict[str, pd.DataFrame], boots: dict[str, np.ndarray]) -> pd.DataFrame:
    """The mean probe gain over trained networks on behaviour minus that on IT (the two data
    sets' resamples are independent, so resample b of one is paired with b of the other)."""
    gains, points = [], []
    for target in ("behaviour", "IT"):
        r = rows[target]
        net = (r["kind"] == NETWORK).to_numpy()
        cos, prb = net & (r["representation"] == "cosine").to_numpy(), net & (r["representation"] == "probed").to_numpy()
        if not cos.any():
            return pd.DataFrame()
        gains.append(boots[target][:, prb].mean(axis=1) - boots[target][:, cos].mean(axis=1))
        points.append(r["value"][prb].mean() - r["value"][cos].mean())
    low, high = nan_interval(gains[0] - gains[1])
    return pd.DataFrame([{"model": "mean of trained networks", "label": "mean of trained networks", "kind": NETWORK,
                          "target": "behaviour minus IT", "gain": points[0] - points[1], "gain_low": low,
                          "gain_high": high, "effect": effect_word(low, high, "larger on behaviour", "larger on IT")}])


def brain_wide(scores: pd.DataFrame, representation: tuple[str, ...] = ("cosine", "reference", "group mean")
               ) -> pd.DataFrame:
    """One row per model: ``behaviour``, ``IT`` and their ``_low``/``_high`` bounds.

    Args:
        scores: :attr:`BrainStudy.scores`.
        representation: The representations kept (networks before the probe by default).
    """
    data = scores[scores["representation"].isin(representation)]
    if data.empty:
        raise ValueError(f"brain_wide: no rows with representation in {representation}.")
    keys = ["model", "label", "kind", "training_data", "representation"]
    out = None
    for target in ("behaviour", "IT"):
        part = data[data["target"] == target].set_index(keys)[["value", "ci_low", "ci_high"]]
        part.columns = [target, f"{target}_low", f"{target}_high"]
        out = part if out is None else out.join(part, how="outer")
    return out.reset_index()


def reference_rsa(profile: Profile, cfg: Settings | None = None,
                  kinds: tuple[str, ...] = ("category", "image-computable")) -> pd.DataFrame:
    """The reference models' RSA with each person's judgements of the 92 images, in the
    columns of :func:`~.rsa.rsa_wide` (``rsa_people_zero_shot`` with ``_low``/``_high``: an
    interval over people with the profile's ``n_boot`` and ``seed``, as the networks have
    there), for charts that show them beside the networks.

    Returns:
        Rows ``model, label, kind, training_data`` (``reference model``) and the score columns.
    """
    data = datasets.load_dataset("matrices", BEHAVIOUR, cfg)
    refs = reference_rdms(cfg, kinds)
    each = measures.rsa_per_person(np.stack(list(refs["rdm"])), data.rdms).T  # (people, models)
    means = measures.bootstrap_means(each, n_boot=profile.n_boot, seed=profile.seed)
    bounds = np.array([nan_interval(means[:, j]) for j in range(each.shape[1])])
    return refs.drop(columns="rdm").assign(training_data=REFERENCE, rsa_people_zero_shot=each.mean(axis=0),
                                           rsa_people_zero_shot_low=bounds[:, 0],
                                           rsa_people_zero_shot_high=bounds[:, 1])


def _ci(low: float, high: float, fmt: str = ".3f") -> str:
    return f"[{low:{fmt}}, {high:{fmt}}]"


def brain_numbers(result: BrainStudy) -> dict[str, float | str]:
    """The numbers and words the chapter's prose quotes (glue them with
    :func:`~.glue.glue_values`): ceilings, the top network per data set and whether it is
    separated, the relation across models, the probe's effect on each data set and the
    category divisions. Words follow the intervals (:func:`~.brain_analysis.effect_word`).
    """
    ceil = result.ceilings.set_index("target")
    out: dict[str, float | str] = {f"{t}_ceiling_{b}": float(ceil.loc[t, b]) for t in ("behaviour", "IT")
                                   for b in ("lower", "upper")}
    out["IT_reliability"] = float(ceil.loc["IT", "reliability"])
    for target, top in result.top.items():
        out[f"{target}_top"] = escape.markdown(display_name(top["label"]))
        out[f"{target}_top_value"] = top["value"]
        runner_up = escape.markdown(display_name(top["runner_up"]))
        out[f"{target}_top_separated"] = ("its paired interval with every other network lies above 0" if top["separated"]
                                          else f"it is not separated from the others (e.g. {runner_up})")
    cross = result.scores[(result.scores["target"] == "IT") & (result.scores["model"] == OWN_MEAN["behaviour"])]
    if not cross.empty:
        out["judgements_on_IT"] = float(cross["value"].iloc[0])
        out["judgements_on_IT_ci"] = _ci(cross["ci_low"].iloc[0], cross["ci_high"].iloc[0])
    rel = result.relation.set_index("models").loc["trained networks"]
    out.update(relation_n=float(rel["n_models"]), relation_r=float(rel["pearson"]),
               relation_ci=_ci(rel["pearson_low"], rel["pearson_high"]), relation_rho=float(rel["spearman"]),
               relation_word=effect_word(rel["pearson_low"], rel["pearson_high"], "positive", "negative", "undecided"))
    mean = result.probe[result.probe["model"] == "mean of trained networks"].set_index("target")
    for target, key in (("behaviour", "behaviour"), ("IT", "IT"), ("behaviour minus IT", "contrast")):
        if target in mean.index:
            out[f"probe_{key}"] = float(mean.loc[target, "gain"])
            out[f"probe_{key}_ci"] = _ci(mean.loc[target, "gain_low"], mean.loc[target, "gain_high"], "+.3f")
            out[f"probe_{key}_word"] = str(mean.loc[target, "effect"])
    cats = result.categories.set_index(["division", "target", "measure"])
    for (division, target, measure), row in cats.iterrows():
        key = f"cat_{division.split(' (')[0].replace(' / ', '_').replace(' ', '_').replace('-', '')}_{target}_{measure.split()[0]}"
        out[key] = f"{row['value']:.3f} {_ci(row['ci_low'], row['ci_high'])}, {row['finding']}"
    out["categories_summary"] = _category_summary(result.categories)
    return out


def _category_summary(categories: pd.DataFrame) -> str:
    """One sentence: the divisions the judgements show beyond IT while IT alone shows none."""
    cats = categories.set_index(["division", "target", "measure"])["finding"]
    only = [d for d in dict.fromkeys(categories["division"])
            if cats.get((d, "behaviour", "beyond IT")) == "present" and str(cats.get((d, "IT", "plain"))).startswith("not")]
    if not only:
        return "No category division is both present in the judgements beyond IT and undetected in IT."
    return (f"The judgements show {' and '.join(d.split(' (')[0] for d in only)} beyond IT, divisions not "
            "detected in IT alone.")
