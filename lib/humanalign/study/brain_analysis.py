"""The analyses of the brain chapter on plain arrays and tables (see :mod:`.brain`).

Each function takes the models' dissimilarity matrices or their resamples and returns
numbers or a tidy table; :func:`.brain.evaluate_brain` wires them to a profile. Every
verdict word follows an interval (:func:`effect_word`).

The two data sets share their images but not their people, and one of them has 4 people:
every interval comes from :class:`Resampled` scores, which hold what both kinds of interval
need (each person's value; resamples of people and images together; resamples of the images
with every person held) and choose by :func:`humanalign.measures.people_images_interval`: a
percentile interval with at least 10 people in every panel involved, a t interval on
Satterthwaite's degrees of freedom otherwise. The images are drawn once per resample for
both data sets, so contrasts between them are paired over images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import measures
from ..config import Settings
from .scores import two_way_resamples

__all__ = [
    "Resampled",
    "across_models",
    "contrast",
    "effect_word",
    "nan_interval",
    "margin_word",
    "network_weights",
    "probe_effects",
    "rsa_rows",
    "subset",
    "top_model",
]

# Kinds of the rows of the score table.
NETWORK, CONTROL, HUMAN = "network", "untrained network", "other human data"


def effect_word(low: float, high: float, up: str = "higher", down: str = "lower",
                neither: str = "no detectable difference") -> str:
    """The word an interval of an effect allows: ``up`` when it lies above 0, ``down`` below,
    ``neither`` (with "the interval covers 0") when it covers 0 or is undefined."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{neither} (no interval)"
    if low > 0:
        return up
    if high < 0:
        return down
    return f"{neither} (the interval covers 0)"


def nan_interval(samples: np.ndarray) -> tuple[float, float]:
    """95 % percentile interval of resamples, NaN resamples left out; (NaN, NaN) when none is finite."""
    finite = np.asarray(samples, dtype=np.float64)
    if not np.isfinite(finite).any():
        return float("nan"), float("nan")
    return measures.interval(finite)


# --------------------------------------------------------------------------- RSA with intervals


@dataclass(frozen=True, eq=False)
class Resampled:
    """k rows scored against one data set's people, with what their intervals need.

    Attributes:
        per_person: (p, k) each person's correlation with each row, on the images as sampled.
        boot: (B, k) mean over people on resamples of people and images together.
        images: (B, k) mean over people on resamples of the images, every person held.
        n_images: How many images the resamples draw.
    """

    per_person: np.ndarray
    boot: np.ndarray
    images: np.ndarray
    n_images: int

    @property
    def n_people(self) -> int:
        return int(self.per_person.shape[0])

    def term(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One panel's part of an effect that weighs the k rows by ``weights`` (k,)."""
        w = np.asarray(weights, dtype=np.float64)
        return self.per_person @ w, self.boot @ w, self.images @ w

    def interval(self, weights: np.ndarray) -> tuple[float, float, float, str]:
        """``(estimate, low, high, how)`` of the rows weighted by ``weights`` on this data set."""
        return contrast([self.term(weights)], self.n_images)


def contrast(terms: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_images: int
             ) -> tuple[float, float, float, str]:
    """An effect summed over panels (:meth:`Resampled.term`), with the interval the panels'
    sizes call for (:func:`humanalign.measures.people_images_interval`); NaN bounds when it
    is undefined."""
    try:
        return measures.people_images_interval(terms, n_images)
    except ValueError:
        estimate = float(sum(np.mean(per) for per, _, _ in terms))
        return estimate, float("nan"), float("nan"), "no interval"


def rsa_rows(models: pd.DataFrame, people: np.ndarray, target: str, n_boot: int, seed: int,
             cfg: Settings | None = None) -> tuple[pd.DataFrame, Resampled]:
    """RSA of every model with each person of one data set, with intervals.

    Args:
        models: Rows with ``model, label, kind, representation`` and ``rdm`` ((n, n) each).
        people: (p, n, n) one matrix per person.
        target: The data set's name in the table (``behaviour`` or ``IT``).

    Returns:
        The tidy rows (``value`` = mean over people of each person's Spearman, ``ci_low``,
        ``ci_high`` and ``interval``, the kind of interval; ``n`` = people) and the
        :class:`Resampled` scores, in the order of ``models``.
    """
    stack = np.stack(list(models["rdm"]))
    res = Resampled(per_person=measures.rsa_per_person(stack, people).T,
                    boot=two_way_resamples(stack, people, n_boot, seed, cfg),
                    images=two_way_resamples(stack, people, n_boot, seed, cfg, resample_people=False),
                    n_images=people.shape[1])
    bounds = [res.interval(np.eye(len(stack))[j]) for j in range(len(stack))]
    rows = models.drop(columns="rdm").assign(target=target, value=[b[0] for b in bounds],
                                             ci_low=[b[1] for b in bounds], ci_high=[b[2] for b in bounds],
                                             interval=[b[3] for b in bounds], n=len(people))
    return rows.reset_index(drop=True), res


def top_model(rows: pd.DataFrame, res: Resampled) -> dict[str, object]:
    """The model with the highest score and whether it is separated from every other one.

    Args:
        rows: The rows of :func:`rsa_rows` (or a subset, with the matching columns of ``res``).
        res: Their :class:`Resampled` scores.

    Returns:
        ``model``, ``label``, ``value``, ``runner_up`` (the next model's label) and
        ``separated``: True when the interval of its paired difference with every other
        model lies above 0.
    """
    order = np.argsort(-rows["value"].to_numpy(float))
    first = order[0]
    eye = np.eye(len(rows))
    lows = [res.interval(eye[first] - eye[j])[1] for j in order[1:]]
    return {"model": rows["model"].iloc[first], "label": rows["label"].iloc[first],
            "value": float(rows["value"].iloc[first]),
            "runner_up": rows["label"].iloc[order[1]] if len(order) > 1 else "",
            "separated": bool(len(lows) > 0 and min(lows) > 0)}


def subset(res: Resampled, columns: np.ndarray) -> Resampled:
    """The :class:`Resampled` scores of some of the rows (a bool mask or indices)."""
    return Resampled(res.per_person[:, columns], res.boot[:, columns], res.images[:, columns], res.n_images)


def across_models(x: np.ndarray, y: np.ndarray, x_boot: np.ndarray, y_boot: np.ndarray,
                  seed: int = 0) -> dict[str, float]:
    """Correlation across models of two alignments (e.g. with behaviour and with IT).

    The interval comes from resamples that each draw the models with replacement and take
    row ``b`` of both resample tables: so it covers which models were chosen as well as the
    people and images of each data set. Resamples whose drawn models are all the same are
    left out.

    Args:
        x, y: (k,) the models' scores on the two data sets.
        x_boot, y_boot: (n_boot, k) their resamples (e.g. from :func:`rsa_rows`).

    Returns:
        ``n_models``, ``pearson`` with ``pearson_low``, ``pearson_high``, and ``spearman``
        with ``spearman_low``, ``spearman_high`` (NaN with fewer than three models).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape or x_boot.shape != y_boot.shape or x_boot.shape[1] != len(x):
        raise ValueError(f"across_models: scores {x.shape}, {y.shape} and resamples {x_boot.shape}, "
                         f"{y_boot.shape} do not match (k models, n_boot x k resamples).")
    out = {"n_models": float(len(x))}
    keys = [f"{m}{s}" for m in ("pearson", "spearman") for s in ("", "_low", "_high")]
    out.update({k: float("nan") for k in keys})
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(x), size=(len(x_boot), len(x)))
    a = np.take_along_axis(x_boot, draws, axis=1)
    b = np.take_along_axis(y_boot, draws, axis=1)
    for method in ("pearson", "spearman"):
        ok = (np.ptp(a, axis=1) > 0) & (np.ptp(b, axis=1) > 0)
        rs = np.full(len(a), np.nan)
        rs[ok] = measures.rsa_vectors(a[ok], b[ok], method) if ok.any() else rs[ok]
        out[method] = float(measures.rsa_vectors(x, y, method)[0])
        out[f"{method}_low"], out[f"{method}_high"] = nan_interval(rs)
    return out


def probe_effects(rows: pd.DataFrame, res: Resampled, target: str) -> pd.DataFrame:
    """Probed minus cosine RSA per network, and averaged over the trained ones.

    Args:
        rows: The rows of :func:`rsa_rows` on one data set, with networks under both
            ``representation`` values ``cosine`` and ``probed`` and a ``kind`` column.
        res: Their :class:`Resampled` scores (before and after share every draw: paired).
        target: The data set's name.

    Returns:
        Rows ``model, label, kind, target, cosine, probed, gain, gain_low, gain_high,
        interval, effect``; the last row is ``model = "mean of trained networks"``.
    """
    rows = rows.reset_index(drop=True)
    nets = rows["kind"].isin([NETWORK, CONTROL]).to_numpy()
    i = np.flatnonzero(nets & (rows["representation"] == "cosine").to_numpy())
    probed = {rows["model"].iloc[k]: k for k in np.flatnonzero(nets & (rows["representation"] == "probed").to_numpy())}
    missing = [m for m in rows["model"].iloc[i] if m not in probed]
    if len(i) == 0 or missing:
        raise ValueError(f"probe_effects: on {target!r} every network needs a 'cosine' and a 'probed' row; "
                         f"networks without both: {missing or 'all'}.")
    j = np.array([probed[m] for m in rows["model"].iloc[i]])
    before, after = rows.iloc[i].reset_index(drop=True), rows.iloc[j].reset_index(drop=True)
    out = before[["model", "label", "kind"]].assign(target=target, cosine=before["value"].to_numpy(),
                                                     probed=after["value"].to_numpy())
    weights = np.zeros((len(i), len(rows)))
    weights[np.arange(len(i)), j] += 1
    weights[np.arange(len(i)), i] -= 1
    keep = (out["kind"] == NETWORK).to_numpy()
    parts = [res.interval(w) for w in weights]
    if keep.any():
        parts.append(res.interval(weights[keep].mean(axis=0)))
        out.loc[len(out)] = {"model": "mean of trained networks", "label": "mean of trained networks",
                             "kind": "mean", "target": target, "cosine": out["cosine"][keep].mean(),
                             "probed": out["probed"][keep].mean()}
    out["gain"] = [p[0] for p in parts]
    out["gain_low"], out["gain_high"], out["interval"] = [p[1] for p in parts], [p[2] for p in parts], [p[3] for p in parts]
    out["effect"] = [effect_word(lo, hi, "raised", "lowered") for lo, hi in zip(out["gain_low"], out["gain_high"])]
    return out


def network_weights(rows: pd.DataFrame, representation: str) -> np.ndarray:
    """(k,) weights that average the trained networks' rows of one representation."""
    pick = ((rows["kind"] == NETWORK) & (rows["representation"] == representation)).to_numpy(float)
    return pick / pick.sum() if pick.sum() else pick


def margin_word(low: float, high: float, up: str, down: str) -> str:
    """A direction word with the margin the interval guarantees: ``"larger on behaviour, by at
    least +0.012"``; ``"no detectable difference"`` when the interval covers 0."""
    if np.isfinite(low) and low > 0:
        return f"{up}, by at least {low:+.3f}"
    if np.isfinite(high) and high < 0:
        return f"{down}, by at least {-high:+.3f}"
    return effect_word(low, high)
