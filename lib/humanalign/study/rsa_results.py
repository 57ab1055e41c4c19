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

The data sets are the ``matrices`` rows of :mod:`humanalign.datasets.catalogue`; the models'
dissimilarities come from :func:`~.scores.matrix_scores`.

For each model (penultimate layer) and data set the run reports, as tidy rows:
``rsa_zero_shot`` (Spearman of the cosine-distance model RDM with the mean human RDM, with a
bootstrap interval over images), ``rsa_zero_shot_corr`` (the same with correlation
distance), ``rsa_transformed`` and ``rsa_gain`` (after the probe fitted on the profile's
THINGS triplets; the gain with a paired interval), and, where each person's matrix is
known, ``rsa_people_zero_shot``, ``rsa_people_transformed`` and ``rsa_people_gain`` (the mean
over people of each person's Spearman with the model, the score the noise ceiling bounds,
with intervals resampling people and images together). Human rows (model ``human/noise_ceiling``) carry
``ceiling_lower`` and ``ceiling_upper``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings
from ..datasets import MatrixSet
from ..errors import DataNotFoundError
from ..profiles import Profile
from ..results import result_row as row
from .runs import cached, table_name
from .scores import MatrixScores, ceiling_resamples, layers_of, matrix_scores, specs_of, two_way_resamples
from .summaries import attach_metadata

__all__ = ["CEILING_MODEL", "available_sets", "ceiling", "evaluate_rsa", "person_scores", "rsa_sets_of", "rsa_wide"]

CEILING_MODEL = "human/noise_ceiling"


def rsa_sets_of(profile: Profile) -> tuple[str, ...]:
    """The RSA data sets a profile scores: those of role ``always`` (the 92 images), and the
    arrangement sets when the profile's transfer is ``arrangements``."""
    names = datasets.dataset_names("matrices", role="always")
    if profile.transfer == "arrangements":
        names += datasets.dataset_names("matrices", role="arrangements")
    return names


def available_sets(profile: Profile, cfg: Settings | None = None) -> tuple[list[MatrixSet], dict[str, str]]:
    """The profile's RSA data sets that can be loaded, and the missing ones with the reason.

    Only a hand-placed arrangement set may be missing; a set of role ``always`` is part of
    the demo files, so its absence stops the run with the fetch error.
    """
    loaded, missing = [], {}
    for name in rsa_sets_of(profile):
        try:
            loaded.append(datasets.load_dataset("matrices", name, cfg))
        except DataNotFoundError as err:
            if datasets.dataset("matrices", name).role == "always":
                raise
            missing[name] = str(err)
    return loaded, missing


def person_scores(model_rdm: np.ndarray, rdms: np.ndarray) -> np.ndarray:
    """(p,) Spearman of a model's (n, n) dissimilarity matrix with each person's."""
    return measures.rsa_per_person(model_rdm, rdms)


def _interval(samples: np.ndarray) -> tuple[float, float]:
    return measures.percentile_interval(samples)


def _ceiling_rows(data: MatrixSet, profile: Profile, cfg: Settings | None) -> list[dict]:
    """The two noise-ceiling bounds, each with its interval on the profile's resamples of the
    people and the images (the draws of the models' intervals, :func:`ceiling_resamples`)."""
    if data.rdms is None:
        return []
    bounds = measures.noise_ceiling_rsa(data.rdms)
    boot = ceiling_resamples(data.rdms, profile.n_boot, profile.seed, cfg)
    return [row(CEILING_MODEL, data.name, "-", f"ceiling_{key}", bounds[key], _interval(boot[:, k]),
                len(bounds[f"{key}_each"])) for k, key in enumerate(("lower", "upper"))]


def _model_rows(model_id: str, layer: str, data: MatrixSet, scores: MatrixScores, profile: Profile,
                people_boot: np.ndarray | None = None) -> list[dict]:
    """Tidy rows of one model x layer on one RSA data set (zero-shot, transformed, gain).

    ``people_boot``: (B, 2) mean RSA over people before and after the probe on two-way
    resamples (people and images; :func:`humanalign.measures.rsa_two_way_bootstrap`)."""
    n = len(data.stimuli)
    human = data.human.as_dissimilarity()
    raw_rdm, moved_rdm = scores.rdm("cosine"), scores.rdm("probed")
    boot = measures.rsa_image_bootstrap(np.stack([raw_rdm, moved_rdm]), human, profile.n_boot, profile.seed)
    point = measures.rsa_vectors(np.stack([scores.cosine, scores.probed]), measures.upper_triangle(human))
    corr = measures.rsa(scores.rdm("correlation"), human, model_kind="dissimilarity")
    rows = [
        row(model_id, data.name, layer, "rsa_zero_shot", point[0], _interval(boot[:, 0]), n),
        row(model_id, data.name, layer, "rsa_zero_shot_corr", corr, None, n),
        row(model_id, data.name, layer, "rsa_transformed", point[1], _interval(boot[:, 1]), n),
        row(model_id, data.name, layer, "rsa_gain", point[1] - point[0], _interval(boot[:, 1] - boot[:, 0]), n),
    ]
    if data.rdms is not None:
        each = np.stack([person_scores(raw_rdm, data.rdms), person_scores(moved_rdm, data.rdms)], 1)
        means = people_boot
        p = len(each)
        rows += [
            row(model_id, data.name, layer, "rsa_people_zero_shot", each[:, 0].mean(), _interval(means[:, 0]), p),
            row(model_id, data.name, layer, "rsa_people_transformed", each[:, 1].mean(), _interval(means[:, 1]), p),
            row(model_id, data.name, layer, "rsa_people_gain", (each[:, 1] - each[:, 0]).mean(),
                 _interval(means[:, 1] - means[:, 0]), p),
        ]
    return rows


def evaluate_rsa(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """RSA of every model x layer on the profile's human matrices, before and after the probe.

    The probe is the one of :func:`~humanalign.study.evaluate`: fitted on all of the
    profile's THINGS triplets (for the demo: choices **simulated** from VICE over its 1849
    concepts), lambda chosen by object-wise cross-validation. The other data set's features
    are standardised with the THINGS mean and standard deviation before it is applied.

    Returns:
        Tidy DataFrame (``model, dataset, layer, measure, value, ci_low, ci_high, n``) with
        the measures listed in the module docstring; missing hand-placed sets add one row
        each with measure ``missing`` and value NaN.
    """
    name = table_name("rsa", profile)

    def compute() -> pd.DataFrame:
        sets, missing = available_sets(profile, cfg)
        rows = []
        for data in sets:
            rows += _ceiling_rows(data, profile, cfg)
            pairs = [(spec, layer) for spec in specs_of(profile) for layer in layers_of(spec, profile)]
            scores = [matrix_scores(profile, spec, layer, data, cfg) for spec, layer in pairs]
            people = None
            if data.rdms is not None and scores:
                # One two-way bootstrap for all models, layers and both sides of the probe:
                # the people's ranks are shared, and every column sees the same draws.
                stacked = np.stack([s.rdm(kind) for s in scores for kind in ("cosine", "probed")])
                people = two_way_resamples(stacked, data.rdms, profile.n_boot, profile.seed, cfg)
            for j, ((spec, layer), sc) in enumerate(zip(pairs, scores)):
                boot = people[:, 2 * j:2 * j + 2] if people is not None else None
                rows += _model_rows(spec.id, layer, data, sc, profile, boot)
        rows += [row("-", name_, "-", "missing", np.nan) for name_ in missing]
        return pd.DataFrame(rows)

    return cached(name, compute)


def ceiling(results: pd.DataFrame, dataset: str = "rsa92") -> dict[str, float]:
    """The noise-ceiling bounds of a data set from :func:`evaluate_rsa`'s table."""
    rows = results[(results["model"] == CEILING_MODEL) & (results["dataset"] == dataset)].set_index("measure")
    return {key: float(rows.loc[f"ceiling_{key}", "value"]) for key in ("lower", "upper")}


def rsa_wide(results: pd.DataFrame, profile: Profile, dataset: str = "rsa92", layer: str = "penultimate") -> pd.DataFrame:
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
    return attach_metadata(wide, profile).reset_index(drop=True)
