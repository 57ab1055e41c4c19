"""A chapter's verdict, and the rules that turn comparisons with intervals into one.

Every interval resamples the units that were sampled (:mod:`..result`). A directional claim is
**reproduced** when every comparison the profile can make has its 95 % interval on the
paper's side of zero, **not reproduced** when one lies wholly on the other side, and
**undecided** otherwise (an interval covers zero: the data allow both readings). A claim of
*no* effect (scale) uses an equivalence rule against a reference effect instead: reproduced
when every interval lies within it, not reproduced when one lies wholly beyond it. **Not
testable** means the profile has no pair of models that the comparison needs.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ... import measures
from ...vocabulary import (AGREES, BEYOND, COVERS_ZERO, CROSSES, OPPOSITE, OUTCOME_STATUS, RULES, STATUSES, WITHIN,
                           rules_markdown, rules_table)

__all__ = ["RULES", "Verdict", "combine", "compare", "comparison_row", "deciding_row", "direction_verdict", "equivalence",
           "leader", "outcome", "rule_values", "rules_markdown", "rules_table"]


@dataclass(frozen=True)
class Verdict:
    """A chapter's conclusion: ``status`` is one of :data:`Verdict.STATUSES`.

    Attributes:
        status: ``reproduced``, ``not reproduced``, ``undecided`` (the interval allows both)
            or ``not testable with this profile's models``.
        reason: One sentence on why, for the text.
        numbers: The figures the decision rests on (glued into the prose). The deciding
            effect, where there is one, is ``estimate`` with its interval ``ci_low`` and
            ``ci_high``.
        labels: Short texts the prose quotes besides the reason (glued as Markdown); ``unit``
            names what was resampled, ``data`` what the human side rests on and
            ``robustness`` whether the status survives other defensible choices
            (:mod:`.robustness`).
        robustness: The table behind that mark (:func:`.robustness.robustness_table`), or
            ``None`` for a verdict computed under one choice only.
    """

    status: str
    reason: str
    numbers: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    robustness: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    STATUSES = STATUSES

    def __post_init__(self) -> None:
        if self.status not in self.STATUSES:
            raise ValueError(f"Unknown verdict {self.status!r}; use one of {self.STATUSES}.")


def compare(a: np.ndarray, b: np.ndarray, n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """Mean of ``a - b`` over paired units with a percentile bootstrap interval."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    low, high = measures.percentile_interval(measures.bootstrap_means(diff, n_boot=n_boot, seed=seed))
    return {"difference": float(diff.mean()), "ci_low": low, "ci_high": high}


def outcome(low: float, high: float) -> str:
    """Where an interval lies against zero: on the paper's side, the opposite, or neither."""
    if low > 0:
        return AGREES
    if high < 0:
        return OPPOSITE
    return COVERS_ZERO


def combine(outcomes: list[str]) -> str:
    """The status of a claim from the outcomes of its comparisons (:func:`outcome` or
    :func:`equivalence` words): reproduced when all agree with the paper, not reproduced when
    one is wholly against it, undecided otherwise."""
    if not outcomes:
        raise ValueError("No comparison to combine.")
    unknown = [o for o in outcomes if o not in OUTCOME_STATUS]
    if unknown:
        raise ValueError(f"Unknown outcomes {unknown}; an outcome is one of {list(OUTCOME_STATUS)}.")
    statuses = {OUTCOME_STATUS[o] for o in outcomes}
    if statuses == {"reproduced"}:
        return "reproduced"
    return "not reproduced" if "not reproduced" in statuses else "undecided"


def comparison_row(comparison: str, point: float, boot: np.ndarray, **extra) -> dict:
    """One comparison with its percentile interval and outcome, from paired resamples of the
    difference (positive: the paper's side)."""
    low, high = measures.interval(boot)
    return {"comparison": comparison, "difference": float(point), "ci_low": low, "ci_high": high,
            "outcome": outcome(low, high), **extra}


def direction_verdict(table: pd.DataFrame, claim: str, untestable_reason: str) -> Verdict:
    """Reproduced when every row's interval lies above zero (the paper's direction).

    Args:
        table: One row per comparison with ``comparison, difference, ci_low, ci_high``.
        claim: The paper's directional statement, for the reason.
        untestable_reason: Why nothing could be compared, used when ``table`` is empty.
    """
    if table.empty:
        return Verdict("not testable with this profile's models", untestable_reason, {"n_comparisons": 0.0})
    outcomes = [outcome(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])]
    agree = sum(o == AGREES for o in outcomes)
    status = combine(outcomes)
    parts = [f"{c}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}], {o}" for c, d, lo, hi, o in
             zip(table["comparison"], table["difference"], table["ci_low"], table["ci_high"], outcomes)]
    return Verdict(
        status,
        f"{agree} of {len(outcomes)} comparisons agree with the paper's direction ({claim}) at 95 % "
        f"confidence: {'; '.join(parts)}",
        {"n_comparisons": float(len(outcomes)), "n_agree": float(agree),
         "mean_difference": float(table["difference"].mean()),
         **_deciding(table)},
    )


def deciding_row(table: pd.DataFrame, value: str = "difference") -> pd.Series:
    """The comparison that decides a directional claim (positive: the paper's side).

    When one interval lies wholly on the other side of zero, that decides it (the claim is
    not reproduced): of those, the one farthest below zero. Otherwise the one whose interval
    reaches lowest: it keeps the claim from being reproduced when it covers zero, and is the
    weakest support when every interval clears zero.
    """
    high = table["ci_high"].astype(float)
    against = table[high < 0]
    if len(against):
        return against.loc[against["ci_high"].astype(float).idxmin()]
    return table.loc[table["ci_low"].astype(float).idxmin()]


def _deciding(table: pd.DataFrame) -> dict[str, float]:
    row = deciding_row(table)
    return {"estimate": float(row["difference"]), "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_high"])}


def equivalence(low: float, high: float, margin: float) -> str:
    """Where an interval lies against ``(-margin, margin)``: the outcome of an equivalence test."""
    if -margin < low and high < margin:
        return WITHIN
    if low >= margin or high <= -margin:
        return BEYOND
    return CROSSES


def rule_values(func, *names: str) -> dict[str, float]:
    """The default thresholds of a verdict rule, to glue into the prose that states the rule.

    ``rule_values(study.verdict_concepts, "min_n")`` -> ``{"min_n": 100}``.
    """
    defaults = {k: p.default for k, p in inspect.signature(func).parameters.items()
                if p.default is not inspect.Parameter.empty}
    missing = [n for n in names if n not in defaults]
    if missing:
        raise KeyError(f"{func.__name__} has no parameters {missing} with defaults; it has {sorted(defaults)}.")
    return {n: defaults[n] for n in names}


def leader(ev) -> dict:
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
