"""The transfer verdict: does the THINGS probe raise the 92-image RSA of trained models?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...config import Settings
from ...profiles import Profile
from ..scores import specs_of, trained
from .rules import Verdict, compare, direction_verdict
from .units import unit_scores

__all__ = ["verdict_transfer_people"]


def verdict_transfer_people(profile: Profile, cfg: Settings | None = None) -> Verdict:
    """Transfer: does the THINGS probe raise the 92-image RSA of trained models?

    The gain of each trained model per person (after minus before), averaged over models;
    its interval comes from a bootstrap over people. Reproduced when the interval lies above
    zero (the paper: the transform substantially improves alignment on other human data).
    """
    specs = trained(specs_of(profile))
    if not specs:
        return Verdict("not testable with this profile's models", "the profile has no trained model", {})
    before = np.stack([unit_scores(profile, (s,), "rsa92", cfg) for s in specs], axis=1)
    after = np.stack([unit_scores(profile, (s,), "rsa92", cfg, True) for s in specs], axis=1)
    res = compare(after.mean(axis=1), before.mean(axis=1), profile.n_boot, profile.seed)
    improved = float(((after - before).mean(axis=0) > 0).mean())
    table = pd.DataFrame([{"comparison": "after - before the THINGS probe (mean over trained models)", **res}])
    verdict = direction_verdict(table, "a transform learned from THINGS triplets improves alignment on "
                                "other human data", "")
    numbers = dict(verdict.numbers, gain=res["difference"], gain_low=res["ci_low"], gain_high=res["ci_high"],
                   share_improved=improved, n_models=float(len(specs)),
                   mean_before=float(before.mean()), mean_after=float(after.mean()))
    return Verdict(verdict.status, verdict.reason, numbers, verdict.labels)
