"""The study on human (dis)similarity matrices: zero-shot RSA, noise ceiling and transfer.

Data sets a profile scores by RSA (:func:`rsa_sets_of`):

``rsa92``
    The 92 object photos of Kriegeskorte et al. (2008) with the multi-arrangement
    judgements of 16 people (Mur et al. 2013): real human data in every profile. One matrix
    per person, so it has an inter-person noise ceiling.
``cichy118``, ``king-set1``, ``king-set2``, ``peterson-<domain>``
    The paper's own arrangement data sets (full profile, ``transfer: arrangements``). They
    have no public download address; a set whose files were not placed by hand is listed
    as missing, with the instructions of its resource, instead of stopping the book.

For each model (penultimate layer) and data set the run reports, as tidy rows:
``rsa_zero_shot`` (Spearman of the cosine-distance model RDM with the mean human RDM, with a
bootstrap interval over images), ``rsa_zero_shot_corr`` (the same with correlation
distance), ``rsa_transformed`` and ``rsa_gain`` (after the probe fitted on the profile's
THINGS triplets; the gain with a paired interval), and, where each person's matrix is
known, ``rsa_people_zero_shot``, ``rsa_people_transformed`` and ``rsa_people_gain`` (the mean
over people of each person's Spearman with the model, the score the noise ceiling bounds,
with intervals over people). Human rows (model ``human/noise_ceiling``) carry
``ceiling_lower`` and ``ceiling_upper``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings
from ..datasets import HumanMatrix, Stimuli
from ..errors import DataNotFoundError
from ..results import result_row as row
from .data import load_study_data
from .profiles import Profile
from .runs import things_probe
from .tables import attach_metadata
from .toolkit import Toolkit, cached, features_for, layers_of, specs_of

__all__ = [
    "ARRANGEMENT_SETS",
    "RsaSet",
    "ceiling",
    "evaluate_rsa",
    "load_rsa_set",
    "person_scores",
    "rsa_sets_of",
    "rsa_wide",
]

ARRANGEMENT_SETS = ("cichy118", "king-set1", "king-set2") + tuple(
    f"peterson-{d}" for d in ("animals", "automobiles", "fruits", "furniture", "various", "vegetables")
)
CEILING_MODEL = "human/noise_ceiling"


@dataclass(frozen=True, eq=False)
class RsaSet:
    """One human data set scored by RSA.

    Attributes:
        name: Data set name (``rsa92``, ``cichy118``, ...).
        stimuli: Its images, in the order of the matrices.
        human: The group's mean dissimilarity matrix.
        rdms: (p, n, n) each person's dissimilarities, or None when only the mean is public.
    """

    name: str
    stimuli: Stimuli
    human: HumanMatrix
    rdms: np.ndarray | None = None


def load_rsa_set(name: str, cfg: Settings | None = None) -> RsaSet:
    """Load one RSA data set by name.

    Raises:
        ValueError: unknown name.
        DataNotFoundError: its files are not in a mirror or the data folder (the message
            says how to place them).
    """
    if name == "rsa92":
        data = datasets.load_rsa92(cfg)
        return RsaSet(name, data.stimuli, data.mean_rdm, data.rdms)
    if name == "cichy118":
        stimuli, human = datasets.load_cichy118(cfg)
    elif name.startswith("king-") and name[5:] in datasets.KING_SETS:
        stimuli, human = datasets.load_king(name[5:], cfg)
    elif name.startswith("peterson-") and name[9:] in datasets.PETERSON_DOMAINS:
        stimuli, human = datasets.load_peterson(name[9:], cfg)
    else:
        raise ValueError(f"Unknown RSA data set {name!r}; choose from {('rsa92',) + ARRANGEMENT_SETS}.")
    return RsaSet(name, stimuli, human, None)


def rsa_sets_of(profile: Profile) -> tuple[str, ...]:
    """The RSA data sets a profile scores: the 92 images always, the arrangement sets when
    the profile's transfer is ``arrangements``."""
    return ("rsa92",) + (ARRANGEMENT_SETS if profile.transfer == "arrangements" else ())


def available_sets(profile: Profile, cfg: Settings | None = None) -> tuple[list[RsaSet], dict[str, str]]:
    """The profile's RSA data sets that can be loaded, and the missing ones with the reason.

    Only a hand-placed arrangement set may be missing; the 92-image set is part of the
    demo files, so its absence stops the run with the fetch error.
    """
    loaded, missing = [], {}
    for name in rsa_sets_of(profile):
        try:
            loaded.append(load_rsa_set(name, cfg))
        except DataNotFoundError as err:
            if name == "rsa92":
                raise
            missing[name] = str(err)
    return loaded, missing


def _rdm(features: np.ndarray, metric: str = "cosine") -> np.ndarray:
    return measures.model_rdm(features, metric)


def person_scores(features: np.ndarray, rdms: np.ndarray) -> np.ndarray:
    """(p,) Spearman of a model's cosine-distance RDM with each person's RDM."""
    return measures.rsa_per_person(_rdm(features), rdms)


def _interval(samples: np.ndarray) -> tuple[float, float]:
    return measures.percentile_interval(samples)


def _ceiling_rows(data: RsaSet) -> list[dict]:
    if data.rdms is None:
        return []
    bounds = measures.noise_ceiling_rsa(data.rdms)
    rows = []
    for key in ("lower", "upper"):
        each = bounds[f"{key}_each"]
        ci = _interval(measures.bootstrap_means(each, n_boot=1000, seed=0))
        rows.append(row(CEILING_MODEL, data.name, "-", f"ceiling_{key}", bounds[key], ci, len(each)))
    return rows


def _model_rows(model_id: str, layer: str, data: RsaSet, feats: np.ndarray, moved: np.ndarray,
                profile: Profile) -> list[dict]:
    """Tidy rows of one model x layer on one RSA data set (zero-shot, transformed, gain)."""
    n = len(data.stimuli)
    human = data.human.as_dissimilarity()
    raw_rdm, moved_rdm = _rdm(feats), _rdm(moved)
    boot = measures.rsa_image_bootstrap(np.stack([raw_rdm, moved_rdm]), human, profile.n_boot, profile.seed)
    point = measures.rsa_vectors(
        np.stack([measures.upper_triangle(raw_rdm), measures.upper_triangle(moved_rdm)]),
        measures.upper_triangle(human),
    )
    corr = measures.rsa(_rdm(feats, "pearson"), human, model_kind="dissimilarity")
    rows = [
        row(model_id, data.name, layer, "rsa_zero_shot", point[0], _interval(boot[:, 0]), n),
        row(model_id, data.name, layer, "rsa_zero_shot_corr", corr, None, n),
        row(model_id, data.name, layer, "rsa_transformed", point[1], _interval(boot[:, 1]), n),
        row(model_id, data.name, layer, "rsa_gain", point[1] - point[0], _interval(boot[:, 1] - boot[:, 0]), n),
    ]
    if data.rdms is not None:
        each = np.stack([measures.rsa_per_person(raw_rdm, data.rdms), measures.rsa_per_person(moved_rdm, data.rdms)], 1)
        means = measures.bootstrap_means(each, n_boot=profile.n_boot, seed=profile.seed)
        p = len(each)
        rows += [
            row(model_id, data.name, layer, "rsa_people_zero_shot", each[:, 0].mean(), _interval(means[:, 0]), p),
            row(model_id, data.name, layer, "rsa_people_transformed", each[:, 1].mean(), _interval(means[:, 1]), p),
            row(model_id, data.name, layer, "rsa_people_gain", (each[:, 1] - each[:, 0]).mean(),
                 _interval(means[:, 1] - means[:, 0]), p),
        ]
    return rows


def evaluate_rsa(profile: Profile, cfg: Settings | None = None, tools: Toolkit | None = None) -> pd.DataFrame:
    """RSA of every model x layer on the profile's human matrices, before and after the probe.

    The probe is the one of :func:`~humanalign.study.evaluate`: fitted on all of the
    profile's THINGS triplets (for the demo: choices **simulated** from VICE over 334
    concepts), lambda chosen by object-wise cross-validation. The other data set's features
    are standardised with the THINGS mean and standard deviation before it is applied.

    Returns:
        Tidy DataFrame (``model, dataset, layer, measure, value, ci_low, ci_high, n``) with
        the measures listed in the module docstring; missing hand-placed sets add one row
        each with measure ``missing`` and value NaN.
    """
    name = f"rsa-{profile.name}-{profile.key('models', 'dataset', 'layers', 'n_triplets', 'seed', 'n_boot', 'lambdas', 'n_folds', 'probe_max_iter', 'transfer')}"

    def compute() -> pd.DataFrame:
        things = load_study_data(profile, cfg)
        sets, missing = available_sets(profile, cfg)
        rows = []
        for data in sets:
            rows += _ceiling_rows(data)
            for spec in specs_of(profile, tools):
                for layer in layers_of(spec, profile):
                    probe = things_probe(profile, spec, layer, features_for(spec, layer, profile, things.stimuli, tools),
                                         things, cfg)
                    feats = features_for(spec, layer, profile, data.stimuli, tools)
                    rows += _model_rows(spec.id, layer, data, feats, probe.apply(feats), profile)
        rows += [row("-", name_, "-", "missing", np.nan) for name_ in missing]
        return pd.DataFrame(rows)

    return cached(name, compute)


def ceiling(results: pd.DataFrame, dataset: str = "rsa92") -> dict[str, float]:
    """The noise-ceiling bounds of a data set from :func:`evaluate_rsa`'s table."""
    rows = results[(results["model"] == CEILING_MODEL) & (results["dataset"] == dataset)].set_index("measure")
    return {key: float(rows.loc[f"ceiling_{key}", "value"]) for key in ("lower", "upper")}


def rsa_wide(results: pd.DataFrame, dataset: str = "rsa92", layer: str = "penultimate",
             tools: Toolkit | None = None) -> pd.DataFrame:
    """One row per model on one data set: each measure's value and interval, plus metadata."""
    res = results[(results["dataset"] == dataset) & (results["layer"] == layer)]
    if res.empty:
        raise ValueError(f"No RSA results for data set {dataset!r} and layer {layer!r}.")
    value = res.pivot_table(index="model", columns="measure", values="value", aggfunc="first")
    low = res.pivot_table(index="model", columns="measure", values="ci_low", aggfunc="first").add_suffix("_low")
    high = res.pivot_table(index="model", columns="measure", values="ci_high", aggfunc="first").add_suffix("_high")
    wide = value.join(low).join(high).reset_index()
    order = {m: i for i, m in enumerate(dict.fromkeys(res["model"]))}
    wide = wide.sort_values("model", key=lambda s: s.map(order))
    return attach_metadata(wide, tools).reset_index(drop=True)
