"""The evidence of every verdict: each model's score and its bootstrap resamples, paired.

A verdict compares groups of models on human data. Its interval must resample every unit
that was sampled:

* on **THINGS** (odd-one-out accuracy on people's real answers to repeated triplets), the
  distinct triplets and the people together, crossed
  (:func:`humanalign.measures.crossed_bootstrap`);
* on the **92 images** (RSA with 16 people's judgements), the people and the images
  together (:func:`humanalign.measures.rsa_two_way_bootstrap`).

The draws of a resample depend only on the seed and on the units, never on the models, so
every model of a profile is scored on the same draws: differences between groups are
paired, and so are the scores before and after the THINGS probe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ... import datasets, measures
from ...config import Settings, settings as current_settings
from ...profiles import Profile
from ...registry import ModelSpec
from ..choices import BOOK, Choice, rdm_under, things_correct
from ..data import ANSWERS, load_study_data
from ..scores import crossed_resamples, matrix_scores, things_scores, two_way_resamples

__all__ = ["REAL_THINGS", "UNITS", "Evidence", "evidence", "leader", "unit_scores"]

#: What :func:`evidence` can score on -> its registry row (kind, name).
SOURCES = {"things": ("answers", ANSWERS), "rsa92": ("matrices", "rsa92")}
#: What :func:`evidence` can score on, and the units its resamples draw (from the rows).
UNITS = {on: datasets.dataset(*row).unit for on, row in SOURCES.items()}
#: What the THINGS side of a verdict rests on, for the pages (the answers' row label).
REAL_THINGS = datasets.dataset(*SOURCES["things"]).label
_EVIDENCE: dict[tuple, "Evidence"] = {}


@dataclass(frozen=True, eq=False)
class Evidence:
    """Scores of some models on one human data set, with paired bootstrap resamples.

    Attributes:
        on: ``things`` or ``rsa92``.
        unit: What the resamples draw (:data:`UNITS`).
        models: The model ids, one per column.
        point: (M,) each model's score on the data as sampled.
        boot: (B, M) its scores on the B resamples (the same draws for every column).
    """

    on: str
    unit: str
    models: tuple[str, ...]
    point: np.ndarray
    boot: np.ndarray

    def group(self, ids) -> tuple[float, np.ndarray]:
        """The mean score of some of the models: ``(point, (B,) resamples)``."""
        where = [self.models.index(m) for m in ids]
        if not where:
            raise ValueError("An empty group of models has no score.")
        return float(self.point[where].mean()), self.boot[:, where].mean(axis=1)


def _things(profile: Profile, specs: list[ModelSpec], cfg: Settings | None, probed: bool,
            choice: Choice) -> tuple[np.ndarray, np.ndarray]:
    if probed and choice.applies_to("things"):
        raise ValueError(f"The probe's choices are scored by the book's measure only, not under {choice.label!r}.")
    if probed:
        correct = np.stack([things_scores(profile, s, "penultimate", cfg).probed for s in specs], axis=1)
    else:
        correct = np.stack([things_correct(profile, s, choice, cfg) for s in specs], axis=1)
    trials = load_study_data(profile, cfg).trials
    boot = crossed_resamples(correct, trials.triplet_id, trials.triplets.participants, profile.n_boot, profile.seed,
                             cfg)
    return correct.mean(axis=0), boot


def _rsa92(profile: Profile, specs: list[ModelSpec], cfg: Settings | None,
           transformed: bool, choice: Choice) -> tuple[np.ndarray, np.ndarray]:
    """Mean RSA over people of each model, and its two-way resamples (cached per model
    matrix, :func:`~..scores.two_way_resamples`)."""
    data = datasets.load_dataset("matrices", "rsa92", cfg)
    if choice.applies_to("rsa92"):
        rdms = np.stack([_rdm_under(profile, spec, data, choice, transformed, cfg) for spec in specs])
    else:
        kind = "probed" if transformed else "cosine"
        rdms = np.stack([matrix_scores(profile, spec, "penultimate", data, cfg).rdm(kind) for spec in specs])
    boot = two_way_resamples(rdms, data.rdms, profile.n_boot, profile.seed, cfg, method=choice.statistic)
    point = measures.rsa_per_person(rdms, data.rdms, choice.statistic).mean(axis=1)
    return point, boot


def _rdm_under(profile: Profile, spec: ModelSpec, data, choice: Choice, transformed: bool,
               cfg: Settings | None) -> np.ndarray:
    rdm = rdm_under(profile, spec, data, choice, transformed, cfg)
    if rdm is None:  # a preprocessing without a centre crop to leave out keeps its own framing
        rdm = rdm_under(profile, spec, data, replace(choice, framing=BOOK.framing), transformed, cfg)
    return rdm


def evidence(profile: Profile, specs, on: str, cfg: Settings | None = None,
             transformed: bool = False, choice: Choice = BOOK) -> Evidence:
    """Every model's score on ``on`` with paired resamples of its units (penultimate layer).

    Args:
        specs: The models (registry rows).
        on: ``"things"`` (odd-one-out accuracy on people's real answers, triplets and people
            resampled) or ``"rsa92"`` (mean Spearman RSA over the 16 people, people and
            images resampled).
        transformed: Score the features after the THINGS probe (on THINGS: each answer
            scored by a probe that never saw its objects).
        choice: How alignment is measured (:class:`~..choices.Choice`; the book's by default).
    """
    if on not in UNITS:
        raise ValueError(f"Score on one of {sorted(UNITS)}, not {on!r}.")
    specs = list(specs)
    if not specs:
        raise ValueError("No models to score: pass at least one spec.")
    # Every chapter asks for the same evidence several times (each verdict, table and chart):
    # computed once per process for its inputs.
    key = (profile.key(), profile.layers, str((cfg or current_settings()).cache_dir), tuple(s.id for s in specs),
           on, transformed, choice)
    if key not in _EVIDENCE:
        if on == "things":
            point, boot = _things(profile, specs, cfg, transformed, choice)
        else:
            point, boot = _rsa92(profile, specs, cfg, transformed, choice)
        point, boot = np.asarray(point, float), np.asarray(boot, float)
        point.setflags(write=False)
        boot.setflags(write=False)
        _EVIDENCE[key] = Evidence(on, UNITS[on], tuple(s.id for s in specs), point, boot)
    return _EVIDENCE[key]


def unit_scores(profile: Profile, specs, on: str, cfg: Settings | None = None,
                transformed: bool = False) -> np.ndarray:
    """Per-unit scores of a group of models averaged over the group (the units of the data as
    sampled: one 0/1 correctness per real answer, or one Spearman per person)."""
    if on not in UNITS:
        raise ValueError(f"Score on one of {sorted(UNITS)}, not {on!r}.")
    rows = []
    if on == "things":
        scores = [things_scores(profile, spec, "penultimate", cfg) for spec in specs]
        rows = [sc.probed if transformed else sc.zero_shot for sc in scores]
    else:
        data = datasets.load_dataset("matrices", on, cfg)
        for spec in specs:
            scores = matrix_scores(profile, spec, "penultimate", data, cfg)
            rows.append(measures.rsa_per_person(scores.rdm("probed" if transformed else "cosine"), data.rdms))
    return np.mean(np.asarray(rows, dtype=np.float64), axis=0)


def leader(ev: Evidence) -> dict:
    """Which model scores highest, and whether it is separated from the runner-up.

    "Best" is a claim about the difference between the top two, so it is read off the paired
    resamples of that difference: separated when its 95 % interval lies above zero.

    Returns:
        ``model, score, low, high, runner_up, gap, gap_low, gap_high, separated, text``
        (``text``: one sentence for the prose, in Markdown).
    """
    if len(ev.models) == 0:
        raise ValueError("No models: nothing leads.")
    order = np.argsort(-ev.point, kind="stable")
    top = int(order[0])
    low, high = measures.interval(ev.boot[:, top])
    out = {"model": ev.models[top], "score": float(ev.point[top]), "low": low, "high": high,
           "runner_up": "", "gap": float("nan"), "gap_low": float("nan"), "gap_high": float("nan"), "separated": False}
    if len(order) < 2:
        out["text"] = f"`{ev.models[top]}` is the only model ({ev.point[top]:.3f} [{low:.3f}, {high:.3f}])"
        return out
    second = int(order[1])
    gap_low, gap_high = measures.interval(ev.boot[:, top] - ev.boot[:, second])
    out.update(runner_up=ev.models[second], gap=float(ev.point[top] - ev.point[second]), gap_low=gap_low,
               gap_high=gap_high, separated=bool(gap_low > 0))
    where = f"{ev.point[top]:.3f} [{low:.3f}, {high:.3f}]"
    gap = f"{out['gap']:+.3f} [{gap_low:+.3f}, {gap_high:+.3f}]"
    out["text"] = (f"`{ev.models[top]}` scores highest ({where}) and is separated from the runner-up "
                   f"`{ev.models[second]}` (difference {gap})" if out["separated"] else
                   f"`{ev.models[top]}` has the highest score ({where}) but is not separated from "
                   f"`{ev.models[second]}` (difference {gap}, {ev.unit} resampled): no single model is best")
    return out
