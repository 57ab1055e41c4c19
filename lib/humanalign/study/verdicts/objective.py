"""The objective verdict, and what a profile can show about objectives within one backbone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...config import Settings
from ...profiles import Profile
from ...registry import UNTRAINED, ModelSpec
from ..scores import specs_of, trained
from ..tables import attach_metadata
from .dataset import COMPARISON_COLUMNS, things_label
from .rules import Verdict, compare, direction_verdict, outcome
from .units import unit_scores

__all__ = ["CONTRASTIVE", "SOFTMAX", "objective_exploration", "verdict_objective"]

CONTRASTIVE = "image/text contrastive"
SOFTMAX = "supervised softmax"


def verdict_objective(profile: Profile, evaluate_table: pd.DataFrame, n_boot: int = 1000,
                      seed: int = 0) -> Verdict:
    """Objective: do image/text contrastive models align better than supervised softmax ones
    trained on ImageNet-1k (the paper's comparison)?

    Needs at least two trained models in each group (the groups differ in more than the
    objective, so variation between models must enter the interval): the difference of the
    group means of zero-shot accuracy, with a bootstrap over the models of each group.
    """
    zs = evaluate_table[(evaluate_table["measure"] == "zero_shot") & (evaluate_table["layer"] == "penultimate")]
    zs = attach_metadata(zs, profile)
    zs = zs[zs["training_data"] != UNTRAINED]
    softmax = (zs["objective"] == SOFTMAX) & (zs["training_data"] == "ImageNet-1k")
    groups = {CONTRASTIVE: zs.loc[zs["objective"] == CONTRASTIVE, "value"].to_numpy(float),
              SOFTMAX: zs.loc[softmax, "value"].to_numpy(float)}
    if min(len(v) for v in groups.values()) < 2:
        have = ", ".join(f"{len(v)} {g}" for g, v in groups.items())
        return Verdict(
            "not testable with this profile's models",
            f"the paper's comparison needs at least two image/text contrastive and two supervised "
            f"softmax ImageNet-1k models; this profile has {have}",
            {"n_contrastive": float(len(groups[CONTRASTIVE])), "n_softmax": float(len(groups[SOFTMAX]))},
        )
    rng = np.random.default_rng(seed)
    a, b = groups[CONTRASTIVE], groups[SOFTMAX]
    boot = np.array([rng.choice(a, len(a)).mean() - rng.choice(b, len(b)).mean() for _ in range(int(n_boot))])
    table = pd.DataFrame([{"comparison": f"{CONTRASTIVE} - {SOFTMAX} (ImageNet-1k)", "difference": a.mean() - b.mean(),
                           "ci_low": np.percentile(boot, 2.5), "ci_high": np.percentile(boot, 97.5)}])
    return direction_verdict(table, "image/text contrastive models align better than softmax classifiers", "")


def objective_exploration(profile: Profile, cfg: Settings | None = None, family: str = "MobileNet v2",
                          reference: str = "ImageNet-1k") -> pd.DataFrame:
    """Within one backbone family: each objective's models against the classifiers on ``reference``.

    Returns:
        One row per (objective, training data) group other than the reference classifiers and
        human data set: ``human_data, comparison, difference, ci_low, ci_high, outcome``
        (positive: the group aligns better than the classifiers).
    """
    specs = [s for s in trained(specs_of(profile)) if s.family == family]
    ref = tuple(s for s in specs if s.objective == SOFTMAX and s.training_data == reference)
    others: dict[tuple[str, str], list[ModelSpec]] = {}
    for s in specs:
        if s.objective != SOFTMAX:
            others.setdefault((s.objective, s.training_data), []).append(s)
    rows = []
    if not ref:
        return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    for (objective, data), group in sorted(others.items()):
        for on, human in (("rsa92", "92 images (real people)"), ("things", things_label(profile))):
            res = compare(unit_scores(profile, tuple(group), on, cfg),
                          unit_scores(profile, ref, on, cfg),
                          profile.n_boot, profile.seed)
            rows.append({"human_data": human, "comparison": f"{objective} ({data}) - {SOFTMAX} ({reference})",
                         **res, "outcome": outcome(res["ci_low"], res["ci_high"])})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


