"""The transfer verdict: does the THINGS probe raise the 92-image RSA of trained models?"""

from __future__ import annotations

import numpy as np

from ... import measures
from ...profiles import Profile
from ...vocabulary import OUTCOME_STATUS
from ..choices import Choice
from ..result import StudyResult, as_result
from .robustness import robust
from .rules import Verdict, outcome

__all__ = ["heldout_gain", "verdict_transfer_people"]


def verdict_transfer_people(result: StudyResult | Profile, choice: Choice | None = None) -> Verdict:
    """Transfer: does the THINGS probe raise the 92-image RSA of trained models?

    The gain (after minus before the probe) of the trained models' mean RSA with the 16
    people; its interval resamples people and images together, the same draws before and
    after (paired). The gain is also given as a share of the distance from the models'
    RSA before the probe to the lower noise ceiling, with an interval from the same resamples
    (the ceiling recomputed on each). Reproduced when the interval lies above
    zero (the paper: the transform improves alignment on other human data), not reproduced
    when below, undecided when it covers zero. ``result``: the profile's study result (a
    profile is read through its :func:`~..result.study_result`). ``choice``: measure under
    this choice only; by default the book's way, with the verdict's robustness to the
    alternatives (:mod:`.robustness`).
    """
    result = as_result(result)
    if choice is None:
        return robust(lambda c: verdict_transfer_people(result, c), result.profile, ("rsa92",))
    specs = result.trained
    if not specs:
        return Verdict("not testable with this profile's models", "the profile has no trained model", {})
    ids = [s.id for s in specs]
    raw = result.evidence("rsa92", ids, choice=choice)
    moved = result.evidence("rsa92", ids, transformed=True, choice=choice)
    before, before_boot = raw.group(ids)
    after, after_boot = moved.group(ids)
    gain, low, high = after - before, *measures.interval(after_boot - before_boot)
    ceiling, lower = result.rsa_ceiling(choice.statistic)
    room = ceiling - before
    word = outcome(low, high)
    status = OUTCOME_STATUS[word]
    share = gain / room if room > 0 else float("nan")
    share_low, share_high = float("nan"), float("nan")
    if lower is not None:
        # The ceiling on the same draws of people and images as the models' scores.
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = (after_boot - before_boot) / np.where(lower > before_boot, lower - before_boot, np.nan)
        if np.isfinite(ratio).any():
            share_low, share_high = measures.interval(ratio)
    reason = (f"the probe changes the trained models' mean RSA with the 16 people by {gain:+.3f} "
              f"[{low:+.3f}, {high:+.3f}] (people and images resampled), {word}; that is "
              f"{100 * share:.0f} % [{100 * share_low:.0f} %, {100 * share_high:.0f} %] of the distance from "
              f"{before:.3f} to the lower noise ceiling {ceiling:.3f}")
    numbers = {"gain": gain, "gain_low": low, "gain_high": high, "estimate": gain, "ci_low": low, "ci_high": high,
               "share_of_room": share, "share_of_room_low": share_low, "share_of_room_high": share_high,
               "n_models": float(len(specs)),
               "mean_before": before, "mean_after": after,
               "share_improved": float(np.mean(moved.point > raw.point))}
    return Verdict(status, reason, numbers, {"unit": "people and images", "data": "real people (16, 92 images)"})


def heldout_gain(result: StudyResult | Profile) -> dict[str, float]:
    """How much the probe raises the trained models' mean accuracy on people's real answers
    to THINGS triplets whose objects it never saw (each answer scored by its fold's probe).

    Returns:
        ``n_models, before, after, gain, gain_low, gain_high`` (the interval resamples the
        distinct triplets and the people, the same draws before and after); NaN without a
        trained model.
    """
    result = as_result(result)
    specs = result.trained
    if not specs:
        nan = float("nan")
        return {"n_models": 0.0, "before": nan, "after": nan, "gain": nan, "gain_low": nan, "gain_high": nan}
    ids = [s.id for s in specs]
    before, before_boot = result.evidence("things", ids).group(ids)
    after, after_boot = result.evidence("things", ids, transformed=True).group(ids)
    low, high = measures.interval(after_boot - before_boot)
    return {"n_models": float(len(specs)), "before": before, "after": after, "gain": after - before,
            "gain_low": low, "gain_high": high}
