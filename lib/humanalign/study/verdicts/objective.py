"""The objective verdict, and what a profile can show about objectives within one backbone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import measures
from ...profiles import Profile
from ...registry import UNTRAINED, ModelSpec
from ..choices import Choice
from ..result import REAL_THINGS, Evidence, StudyResult, as_result
from .dataset import COMPARISON_COLUMNS, RSA92_LABEL, THINGS_LABEL
from .robustness import robust
from .rules import Verdict, comparison_row, direction_verdict, outcome

__all__ = ["CONTRASTIVE", "SOFTMAX", "group_difference", "objective_exploration", "verdict_objective"]

CONTRASTIVE = "image/text contrastive"
SOFTMAX = "supervised softmax"


def verdict_objective(result: StudyResult | Profile, min_models: int = 2,
                      choice: Choice | None = None) -> Verdict:
    """Objective: do image/text contrastive models align better than supervised softmax ones
    trained on ImageNet-1k (the paper's comparison)?

    The groups differ in more than the objective, so the variation between models enters the
    interval (:func:`group_difference`: the models of each group are a sampled unit beside the
    distinct triplets and the people of the real answers; with fewer than 10 models in a group,
    a t interval). Only models of one precision are compared (the precision
    both groups share most models in). Needs ``min_models`` trained models in each group.
    ``result``: the profile's study result (a profile is read through its
    :func:`~..result.study_result`). ``choice``: measure under this choice only; by default
    the book's way, with the verdict's robustness to the alternatives (:mod:`.robustness`).
    """
    result = as_result(result)
    if choice is None:
        return robust(lambda c: verdict_objective(result, min_models, c), result.profile, ("things",))
    specs = result.trained
    contrastive = [s for s in specs if s.objective == CONTRASTIVE]
    softmax = [s for s in specs if s.objective == SOFTMAX and s.training_data == "ImageNet-1k"]
    shared = sorted({s.precision for s in contrastive} & {s.precision for s in softmax},
                    key=lambda p: -min(sum(s.precision == p for s in g) for g in (contrastive, softmax)))
    if shared:
        contrastive = [s for s in contrastive if s.precision == shared[0]]
        softmax = [s for s in softmax if s.precision == shared[0]]
    if min(len(contrastive), len(softmax)) < min_models or not shared:
        return Verdict(
            "not testable with this profile's models",
            f"the paper's comparison needs at least {min_models} image/text contrastive and {min_models} supervised "
            f"softmax ImageNet-1k models of one precision; this profile has {len(contrastive)} and {len(softmax)}",
            {"n_contrastive": float(len(contrastive)), "n_softmax": float(len(softmax))},
            {"unit": "triplets, people and models", "data": REAL_THINGS},
        )
    ev = result.evidence("things", [*contrastive, *softmax], choice=choice)
    label = f"{CONTRASTIVE} - {SOFTMAX} (ImageNet-1k, {shared[0]})"
    row = group_difference(ev, [s.id for s in contrastive], [s.id for s in softmax], label, result.profile.seed + 2)
    verdict = direction_verdict(pd.DataFrame([row]), "image/text contrastive models align better than softmax "
                                "classifiers", "")
    numbers = dict(verdict.numbers, n_contrastive=float(len(contrastive)), n_softmax=float(len(softmax)))
    return Verdict(verdict.status, verdict.reason, numbers, {"unit": "triplets, people and models", "data": REAL_THINGS})


def group_difference(ev: Evidence, first: list[str], second: list[str], label: str, seed: int = 0) -> dict:
    """The difference between two groups' mean scores, with the models as a sampled unit.

    With at least :data:`humanalign.measures.SMALL_SAMPLE` models in each group, each
    resample draws the models of each group with replacement on top of the evidence's own
    units (a percentile interval). With fewer, a t interval on Satterthwaite's degrees of
    freedom whose sources are each group's models (the variance of their scores over the
    models, divided by their number) and the evidence's units (its resamples, the models
    held), as :func:`humanalign.measures.people_images_interval` does for people and images.

    Returns:
        A row of :func:`.rules.comparison_row` (``comparison, difference, ci_low, ci_high,
        outcome``) and ``interval``.
    """
    cols = [np.array([ev.models.index(m) for m in group]) for group in (first, second)]
    point = ev.point[cols[0]].mean() - ev.point[cols[1]].mean()
    if min(len(c) for c in cols) >= measures.SMALL_SAMPLE:
        rng = np.random.default_rng(seed)

        def drawn(c: np.ndarray) -> np.ndarray:
            pick = c[rng.integers(0, len(c), size=(len(ev.boot), len(c)))]
            return np.take_along_axis(ev.boot, pick, axis=1).mean(axis=1)

        return {**comparison_row(label, point, drawn(cols[0]) - drawn(cols[1])),
                "interval": "percentile, models and units resampled"}
    units = ev.boot[:, cols[0]].mean(axis=1) - ev.boot[:, cols[1]].mean(axis=1)
    sources = [measures.mean_variance(ev.point[c]) for c in cols]
    sources.append((float(np.var(units, ddof=1)), float(len(units) - 1)))
    low, high, df = measures.satterthwaite_interval(point, sources)
    return {"comparison": label, "difference": float(point), "ci_low": low, "ci_high": high,
            "outcome": outcome(low, high), "interval": f"t on {df:.1f} df ({len(cols[0])} and {len(cols[1])} models)"}


def objective_exploration(result: StudyResult | Profile, family: str = "MobileNet v2",
                          reference: str = "ImageNet-1k") -> pd.DataFrame:
    """Within one backbone family: each objective's models against the classifiers on ``reference``.

    The classifiers compared with a group are those of the group's precision when the
    profile has any (the label says "precision matched"), else all of them (the label
    names both precisions: the difference then mixes objective and precision).

    Returns:
        One row per (objective, training data) group other than the reference classifiers and
        human data set: ``human_data, comparison, difference, ci_low, ci_high, outcome``
        (positive: the group aligns better than the classifiers).
    """
    result = as_result(result)
    specs = [s for s in result.trained if s.family == family]
    ref = [s for s in specs if s.objective == SOFTMAX and s.training_data == reference]
    others: dict[tuple[str, str], list[ModelSpec]] = {}
    for s in specs:
        if s.objective != SOFTMAX:
            others.setdefault((s.objective, s.training_data), []).append(s)
    rows = []
    if not ref or not others:
        return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    for on, human in (("rsa92", RSA92_LABEL), ("things", THINGS_LABEL)):
        ev = result.evidence(on, specs)
        for (objective, data), group in sorted(others.items()):
            precisions = {s.precision for s in group}
            matched = [s for s in ref if s.precision in precisions]
            note = "precision matched" if matched else (
                f"precision differs: {', '.join(sorted(precisions))} vs {', '.join(sorted({s.precision for s in ref}))}")
            (pa, ba), (pb, bb) = ev.group([s.id for s in group]), ev.group([s.id for s in (matched or ref)])
            rows.append({"human_data": human, **comparison_row(
                f"{objective} ({data}) - {SOFTMAX} ({reference})", pa - pb, ba - bb),
                "held_fixed": f"{family} backbone; {note}"})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
