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
  with a 95 % interval that resamples people and images, every model on the same draw and
  the images drawn once for both data sets (with IT's 4 people a t interval on
  Satterthwaite's degrees of freedom, :func:`humanalign.measures.people_images_interval`);
* the noise ceiling of each data set (Nili et al. 2014) with intervals on both bounds, how
  well IT's two sessions agree, and the trained networks' score as a share of each lower
  ceiling, compared between the data sets (:func:`~.brain_categories.ceiling_normalised`);
* the correlation across trained networks between behavioural and IT alignment, its
  interval from resamples that draw the models, and, in the same resample, one two-way draw
  of each data set's people and images (:func:`~.brain_analysis.across_models`);
* the probe's effect on each data set (probed minus cosine, paired on the same draws), per
  model and averaged over the trained ones (:func:`~.brain_analysis.probe_effects`);
* the category divisions of behaviour beyond IT, and of IT beyond behaviour: partial rank
  correlations with binary category models, the other data set's mean matrix held fixed
  (:func:`~.brain_analysis.category_structure`). Mur et al. (2013) report that judgements divide human from
  non-human animals and natural from artificial objects, divisions IT shows weakly or not
  (:mod:`.brain_categories`).

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
from .brain_analysis import CONTROL, HUMAN, NETWORK, Resampled, across_models, contrast, effect_word, margin_word
from .brain_analysis import nan_interval, network_weights, probe_effects, rsa_rows, subset, top_model
from .brain_categories import brain_ceilings, category_divisions, category_structure, ceiling_normalised
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
        normalised: :func:`~.brain_categories.ceiling_normalised` of the trained networks'
            mean (cosine): each data set's score as a share of its lower ceiling, and the
            difference of the shares.
    """

    scores: pd.DataFrame
    ceilings: pd.DataFrame
    relation: pd.DataFrame
    probe: pd.DataFrame
    categories: pd.DataFrame
    top: dict[str, dict[str, object]]
    normalised: pd.DataFrame


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


def _relation(rows: dict[str, pd.DataFrame], scored: dict[str, Resampled], specs_kind: str, seed: int) -> dict:
    kinds = [NETWORK] if specs_kind == "trained networks" else [NETWORK, CONTROL]
    pick = [(r["kind"].isin(kinds) & (r["representation"] == "cosine")).to_numpy() for r in rows.values()]
    (x, xb), (y, yb) = [(r["value"].to_numpy()[p], res.boot[:, p]) for r, res, p in zip(rows.values(), scored.values(),
                                                                                          pick)]
    return {"models": specs_kind, **across_models(x, y, xb, yb, seed),
            "resampled": "models, and each data set's people and images (two-way), in every resample"}


def evaluate_brain(profile: Profile, cfg: Settings | None = None) -> BrainStudy:
    """Behaviour and IT on the 92 images for every model of ``profile`` (see the module docstring).

    The networks' dissimilarities come from :func:`~.scores.matrix_scores` (the THINGS probe
    of the profile); intervals use the profile's ``n_boot`` and ``seed``. Every resample
    draws the 92 images once for both data sets and each data set's people from a stream of
    its own; every model shares the draws.
    """
    behaviour = datasets.load_dataset("matrices", BEHAVIOUR, cfg)
    brain = datasets.load_dataset("matrices", BRAIN, cfg)
    sessions = brain.sessions
    candidates = _candidates(profile, behaviour, brain, cfg)
    rows, scored = {}, {}
    for target, data in (("behaviour", behaviour), ("IT", brain)):
        # A data set's own group mean is not scored against it (it holds each person's matrix).
        picked = candidates[candidates["model"] != OWN_MEAN[target]]
        rows[target], scored[target] = rsa_rows(picked, data.rdms, target, profile.n_boot, profile.seed, cfg)
    relation = pd.DataFrame([_relation(rows, scored, which, profile.seed) for which in ("trained networks", "all networks")])
    probe = pd.concat([probe_effects(rows[t], scored[t], t) for t in rows], ignore_index=True)
    probe = pd.concat([probe, _gain_contrast(rows, scored)], ignore_index=True)
    top = {}
    for target in rows:
        nets = (rows[target]["kind"] == NETWORK).to_numpy() & (rows[target]["representation"] == "cosine").to_numpy()
        if nets.any():
            top[target] = top_model(rows[target][nets].reset_index(drop=True), subset(scored[target], nets))
    categories = category_structure({"behaviour": behaviour.rdms, "IT": brain.rdms},
                                    category_divisions(behaviour.stimuli), profile.n_boot, profile.seed)
    people = {"behaviour": behaviour.rdms, "IT": brain.rdms}
    normalised = (ceiling_normalised({t: (scored[t], network_weights(rows[t], "cosine")) for t in rows}, people,
                                     profile.n_boot, profile.seed, cfg)
                  if (rows["IT"]["kind"] == NETWORK).any() else pd.DataFrame())
    return BrainStudy(scores=pd.concat(list(rows.values()), ignore_index=True),
                      ceilings=brain_ceilings(behaviour.rdms, sessions, profile.n_boot, profile.seed, cfg),
                      relation=relation, probe=probe, categories=categories, top=top, normalised=normalised)


def _gain_contrast(rows: dict[str, pd.DataFrame], scored: dict[str, Resampled]) -> pd.DataFrame:
    """The mean probe gain over trained networks on behaviour minus that on IT: the images
    are drawn once per resample for both, the people of each data set on their own (the
    interval follows the small-sample rule, since IT has 4 people)."""
    terms = []
    for target, sign in (("behaviour", 1.0), ("IT", -1.0)):
        r = rows[target]
        weights = network_weights(r, "probed") - network_weights(r, "cosine")
        if not weights.any():
            return pd.DataFrame()
        terms.append(scored[target].term(sign * weights))
    gain, low, high, how = contrast(terms, scored["IT"].n_images)
    return pd.DataFrame([{"model": "mean of trained networks", "label": "mean of trained networks", "kind": NETWORK,
                          "target": "behaviour minus IT", "gain": gain, "gain_low": low, "gain_high": high,
                          "interval": how, "effect": margin_word(low, high, "larger on behaviour", "larger on IT")}])


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
    for t in ("behaviour", "IT"):
        for b in ("lower", "upper"):
            out[f"{t}_ceiling_{b}_ci"] = _ci(ceil.loc[t, f"{b}_low"], ceil.loc[t, f"{b}_high"])
        out[f"{t}_ceiling_interval"] = str(ceil.loc[t, "interval"])
    out["IT_reliability"] = float(ceil.loc["IT", "reliability"])
    if len(result.normalised):
        norm = result.normalised.set_index("target")
        for target, key in (("behaviour", "behaviour"), ("IT", "IT"), ("behaviour minus IT", "difference")):
            out[f"share_{key}"] = float(norm.loc[target, "share"])
            out[f"share_{key}_ci"] = _ci(norm.loc[target, "share_low"], norm.loc[target, "share_high"],
                                         "+.2f" if key == "difference" else ".2f")
        out["share_difference_word"] = str(norm.loc["behaviour minus IT", "reading"])
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
        out["judgements_on_IT_interval"] = str(cross["interval"].iloc[0])
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
    """One sentence: the divisions the judgements show beyond IT while IT alone shows none
    (with how many of IT's people are positive on their own, since "not detected" is about
    images and people together)."""
    table = categories.set_index(["division", "target", "measure"])
    only = [d for d in dict.fromkeys(categories["division"])
            if table["finding"].get((d, "behaviour", "beyond IT")) == "present"
            and str(table["finding"].get((d, "IT", "plain"))).startswith("not")]
    if not only:
        return "No category division is both present in the judgements beyond IT and undetected in IT."
    counts = [f"{int(table.loc[(d, 'IT', 'plain'), 'people_positive'])} of {int(table.loc[(d, 'IT', 'plain'), 'n'])}"
              for d in only]
    return (f"The judgements show {' and '.join(d.split(' (')[0] for d in only)} beyond IT; in IT alone these "
            f"divisions are not detected over people and images (positive for {' and '.join(counts)} people on "
            "their own: too few to tell a weak division from none).")
