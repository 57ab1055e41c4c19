"""The analyses of the brain chapter on plain arrays and tables (see :mod:`.brain`).

Each function takes the models' dissimilarity matrices or their resamples and returns
numbers or a tidy table; :func:`.brain.evaluate_brain` wires them to a profile. Every
verdict word follows an interval (:func:`effect_word`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import measures
from ..config import Settings
from ..datasets import Stimuli
from .scores import two_way_resamples

__all__ = [
    "across_models",
    "brain_ceilings",
    "category_divisions",
    "category_structure",
    "effect_word",
    "nan_interval",
    "probe_effects",
    "rsa_rows",
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


def category_divisions(stimuli: Stimuli) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The category divisions Mur et al. (2013) compared, each on the images it divides.

    Returns:
        Division name -> ``(images, group)``: the (m,) indices of the images it concerns
        and their (m,) 0/1 group. ``animate / inanimate`` divides all images; ``face /
        body`` and ``human / non-human`` the animate ones; ``natural / artificial`` the
        inanimate ones.

    Raises:
        KeyError: the stimuli lack the flags ``animal``, ``face``, ``human`` or ``natural``.
    """
    missing = [k for k in ("animal", "face", "human", "natural") if k not in stimuli.labels]
    if missing:
        raise KeyError(f"Stimuli {stimuli.name!r} lack the labels {missing}; category divisions need the "
                       "0/1 flags of the 92 images (datasets.load_rsa92().stimuli).")
    flag = {k: np.asarray(stimuli.labels[k]).astype(int) for k in ("animal", "face", "human", "natural")}
    animate, inanimate = np.flatnonzero(flag["animal"] == 1), np.flatnonzero(flag["animal"] == 0)
    return {
        "animate / inanimate": (np.arange(len(flag["animal"])), flag["animal"]),
        "face / body (animate images)": (animate, flag["face"][animate]),
        "human / non-human (animate images)": (animate, flag["human"][animate]),
        "natural / artificial (inanimate images)": (inanimate, flag["natural"][inanimate]),
    }


# --------------------------------------------------------------------------- RSA with intervals


def rsa_rows(models: pd.DataFrame, people: np.ndarray, target: str, n_boot: int, seed: int,
             cfg: Settings | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """RSA of every model with each person of one data set, with two-way intervals.

    Args:
        models: Rows with ``model, label, kind, representation`` and ``rdm`` ((n, n) each).
        people: (p, n, n) one matrix per person.
        target: The data set's name in the table (``behaviour`` or ``IT``).

    Returns:
        The tidy rows (``value`` = mean over people of each person's Spearman, ``ci_low``,
        ``ci_high`` from :func:`~humanalign.measures.rsa_two_way_bootstrap`, ``n`` = people)
        and the (n_boot, k) resamples, in the order of ``models``.
    """
    stack = np.stack(list(models["rdm"]))
    point = measures.rsa_per_person(stack, people).mean(axis=1)
    boot = two_way_resamples(stack, people, n_boot, seed, cfg)
    bounds = np.array([nan_interval(boot[:, j]) for j in range(len(stack))])
    rows = models.drop(columns="rdm").assign(target=target, value=point, ci_low=bounds[:, 0],
                                             ci_high=bounds[:, 1], n=len(people))
    return rows.reset_index(drop=True), boot


def top_model(rows: pd.DataFrame, boot: np.ndarray) -> dict[str, object]:
    """The model with the highest score and whether it is separated from every other one.

    Args:
        rows: The rows of :func:`rsa_rows` (or a subset, with the matching columns of ``boot``).
        boot: (n_boot, k) paired resamples of those rows.

    Returns:
        ``model``, ``label``, ``value``, ``runner_up`` (the next model's label) and
        ``separated``: True when the paired interval of its difference with every other
        model lies above 0.
    """
    order = np.argsort(-rows["value"].to_numpy(float))
    first = order[0]
    lows = [nan_interval(boot[:, first] - boot[:, j])[0] for j in order[1:]]
    return {"model": rows["model"].iloc[first], "label": rows["label"].iloc[first],
            "value": float(rows["value"].iloc[first]),
            "runner_up": rows["label"].iloc[order[1]] if len(order) > 1 else "",
            "separated": bool(len(lows) > 0 and min(lows) > 0)}


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


def probe_effects(rows: pd.DataFrame, boot: np.ndarray, target: str) -> pd.DataFrame:
    """Probed minus cosine RSA per network, and averaged over the trained ones.

    Args:
        rows: The rows of :func:`rsa_rows` on one data set, with networks under both
            ``representation`` values ``cosine`` and ``probed`` and a ``kind`` column.
        boot: Their (n_boot, k) resamples (one draw of people and images for every model).
        target: The data set's name.

    Returns:
        Rows ``model, label, kind, target, cosine, probed, gain, gain_low, gain_high, effect``;
        the last row is ``model = "mean of trained networks"``.
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
    diffs = boot[:, j] - boot[:, i]
    out = before[["model", "label", "kind"]].assign(target=target, cosine=before["value"].to_numpy(),
                                                     probed=after["value"].to_numpy())
    out["gain"] = out["probed"] - out["cosine"]
    bounds = np.array([nan_interval(diffs[:, c]) for c in range(diffs.shape[1])])
    out["gain_low"], out["gain_high"] = bounds[:, 0], bounds[:, 1]
    keep = (out["kind"] == NETWORK).to_numpy()
    if keep.any():
        mean = diffs[:, keep].mean(axis=1)
        low, high = nan_interval(mean)
        out.loc[len(out)] = {"model": "mean of trained networks", "label": "mean of trained networks",
                             "kind": "mean", "target": target, "cosine": out["cosine"][keep].mean(),
                             "probed": out["probed"][keep].mean(), "gain": out["gain"][keep].mean(),
                             "gain_low": low, "gain_high": high}
    out["effect"] = [effect_word(lo, hi, "raised", "lowered") for lo, hi in zip(out["gain_low"], out["gain_high"])]
    return out


# --------------------------------------------------------------------------- categories and ceilings


def _category_draw(people: np.ndarray, control: np.ndarray, images: np.ndarray, group: np.ndarray,
                   idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p,) plain and partial rank correlations of each person with one division, on the
    pairs of two different drawn images (``idx`` indexes ``images``)."""
    rows, cols = np.triu_indices(len(idx), k=1)
    keep = idx[rows] != idx[cols]
    a, b = idx[rows][keep], idx[cols][keep]
    model = (group[a] != group[b]).astype(float)
    if np.ptp(model) == 0:
        return np.full(len(people), np.nan), np.full(len(people), np.nan)
    ia, ib = images[a], images[b]
    vectors = people[:, ia, ib]
    plain = measures.rsa_vectors(vectors, model)
    partial = np.atleast_1d(measures.partial_spearman(vectors, model, control[ia, ib]))
    return plain, partial


def category_structure(people: dict[str, np.ndarray], divisions: dict[str, tuple[np.ndarray, np.ndarray]],
                       n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """How strongly each data set shows each category division, and beyond the other data set.

    For every division and data set: the mean over people of each person's Spearman
    correlation with the binary division model (``plain``), and of the partial rank
    correlation with the other data set's mean matrix held fixed (``beyond <other>``). Both
    use only the pairs of images the division concerns. Intervals: each resample draws the
    people and the division's images with replacement.

    Args:
        people: Exactly two data sets, name -> (p, n, n) per-person matrices (same images).
        divisions: :func:`category_divisions`.

    Returns:
        Rows ``division, target, measure, value, ci_low, ci_high, n, finding``.
    """
    if len(people) != 2:
        raise ValueError(f"category_structure compares two data sets; got {list(people)}.")
    rng = np.random.default_rng(seed)
    names = list(people)
    rows = []
    for division, (images, group) in divisions.items():
        for name, other in (names, names[::-1]):
            stack, control = people[name], people[other].mean(axis=0)
            plain, partial = _category_draw(stack, control, images, group, np.arange(len(images)))
            boot = _category_boot(stack, control, images, group, int(n_boot), rng)
            for k, (measure, values) in enumerate((("plain", plain), (f"beyond {other}", partial))):
                low, high = nan_interval(boot[:, k])
                rows.append({"division": division, "target": name, "measure": measure, "value": float(values.mean()),
                             "ci_low": low, "ci_high": high, "n": len(stack),
                             "finding": effect_word(low, high, "present", "reversed", "not detected")})
    return pd.DataFrame(rows)


def _category_boot(people: np.ndarray, control: np.ndarray, images: np.ndarray, group: np.ndarray, n_boot: int,
                   rng: np.random.Generator) -> np.ndarray:
    """(n_boot, 2) mean plain and partial rank correlations over resampled people and images.

    A resample repeats each pair of two different images as often as the product of their
    draws; ranks and correlations are computed with those weights
    (:class:`humanalign.measures.WeightedRanks`), the same numbers as ranking the expanded
    vectors (what :func:`_category_draw` does on one draw) without sorting them again.
    """
    p, m = len(people), len(images)
    r, c = np.triu_indices(m, k=1)
    model = (group[r] != group[c]).astype(float)
    ia, ib = images[r], images[c]
    ranker = measures.WeightedRanks(np.vstack([people[:, ia, ib], model[None], control[ia, ib][None]]))
    out = np.empty((n_boot, 2))
    for b in range(n_boot):
        who = np.bincount(rng.integers(0, p, size=p), minlength=p) / p
        times = np.bincount(rng.integers(0, m, size=m), minlength=m).astype(np.float64)
        w = times[r] * times[c]
        ranks = ranker.ranks(w)
        corr = measures.weighted_correlations(ranks, ranks[p:], w)  # (p + 2, 2): with the model and the control
        r_xy, r_xz, r_yz = corr[:p, 0], corr[:p, 1], corr[p, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            partial = (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz ** 2) * (1 - r_yz ** 2))
        out[b] = who @ r_xy, who @ partial
    return out


def brain_ceilings(behaviour: np.ndarray, sessions: np.ndarray) -> pd.DataFrame:
    """The noise ceiling of each data set (Nili et al. 2014) and IT's session reliability.

    Args:
        behaviour: (p, n, n) one matrix per person.
        sessions: (s, r, n, n) IT matrices per person and session; each person's matrix is
            the mean of the sessions.

    Returns:
        Rows ``target, lower, upper, n, reliability`` (the mean Spearman between a
        person's sessions; NaN for behaviour, measured once).
    """
    judged = measures.noise_ceiling_rsa(behaviour)
    it = measures.brain_noise_ceiling(sessions)
    reliability = float(measures.session_reliability(sessions).mean())
    return pd.DataFrame([
        {"target": "behaviour", "lower": judged["lower"], "upper": judged["upper"], "n": len(behaviour),
         "reliability": float("nan")},
        {"target": "IT", "lower": it["lower"], "upper": it["upper"], "n": len(sessions), "reliability": reliability},
    ])
