"""The brain chapter's category divisions, noise ceilings and ceiling-normalised comparison.

Like :mod:`.brain_analysis`, on plain arrays and tables. Every interval follows the
book's small-sample rule (:func:`humanalign.measures.people_images_interval`): with fewer
than 10 people in a panel (IT has 4) it is a t interval whose sources are the people (the
images held as sampled) and the images (every person held), on Satterthwaite's degrees of
freedom; otherwise a percentile interval of resamples of people and images together. The
images are drawn once per resample for both data sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import measures
from ..config import Settings
from ..datasets import Stimuli
from .brain_analysis import Resampled, contrast, effect_word, margin_word
from .scores import ceiling_resamples

__all__ = ["brain_ceilings", "category_divisions", "category_structure", "ceiling_normalised"]

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


def _term(per: np.ndarray, resamples: np.ndarray, two_way: bool) -> tuple:
    """A panel's term for :func:`.brain_analysis.contrast` when only one kind of resample was drawn."""
    missing = np.full(len(resamples), np.nan)
    return (per, resamples, missing) if two_way else (per, missing, resamples)


def _category_draw(people: np.ndarray, control: np.ndarray, images: np.ndarray, group: np.ndarray,
                   idx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(p,) each person's plain and partial rank correlation with one division, on the pairs
    of two different images it divides (``idx``: a draw of positions in ``images``; all of
    them once by default)."""
    idx = np.arange(len(images)) if idx is None else np.asarray(idx)
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


def _category_boot(people: np.ndarray, control: np.ndarray, images: np.ndarray, group: np.ndarray, n_boot: int,
                   seed: int, resample_people: bool) -> np.ndarray:
    """(n_boot, 2) mean plain and partial rank correlations over resampled images (and people).

    The division's images are drawn with :func:`humanalign.measures.image_draws` (the same
    draws for both data sets), the people with the data set's own stream. A resample repeats
    each pair of two different images as often as the product of their draws; ranks and
    correlations are computed with those weights (:class:`humanalign.measures.WeightedRanks`).
    """
    p, m = len(people), len(images)
    r, c = np.triu_indices(m, k=1)
    model = (group[r] != group[c]).astype(float)
    ia, ib = images[r], images[c]
    ranker = measures.WeightedRanks(np.vstack([people[:, ia, ib], model[None], control[ia, ib][None]]))
    drawn = measures.image_draws(m, n_boot, seed)
    whom = measures.people_draws(p, n_boot, seed, measures.data_key(people)) if resample_people else None
    out = np.empty((n_boot, 2))
    for b in range(n_boot):
        who = np.bincount(whom[b], minlength=p) / p if resample_people else np.full(p, 1 / p)
        times = np.bincount(drawn[b], minlength=m).astype(np.float64)
        w = times[r] * times[c]
        ranks = ranker.ranks(w)
        corr = measures.weighted_correlations(ranks, ranks[p:], w)  # (p + 2, 2): with the model and the control
        r_xy, r_xz, r_yz = corr[:p, 0], corr[:p, 1], corr[p, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            partial = (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz ** 2) * (1 - r_yz ** 2))
        out[b] = who @ r_xy, who @ partial
    return out


def _finding(low: float, high: float, values: np.ndarray, measure: str, other: str) -> str:
    """The reading of a division's interval, with how many people are positive when it is
    not detected; a negative partial correlation is named as what it is (the other data set
    shares the division, so holding it fixed pushes the rest below zero)."""
    down = "negative" if measure == "plain" else f"negative once {other} is held fixed (suppression, not a reversal)"
    word = effect_word(low, high, "present", down, "not detected")
    if word.startswith("not detected"):
        word += f"; {int(np.sum(values > 0))} of {len(values)} people positive"
    return word


def category_structure(people: dict[str, np.ndarray], divisions: dict[str, tuple[np.ndarray, np.ndarray]],
                       n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """How strongly each data set shows each category division, and beyond the other data set.

    For every division and data set: the mean over people of each person's Spearman
    correlation with the binary division model (``plain``), and of the partial rank
    correlation with the other data set's mean matrix held fixed (``beyond <other>``). Both
    use only the pairs of images the division concerns. Intervals follow the small-sample
    rule (the division's images are the resampled images).

    Args:
        people: Exactly two data sets, name -> (p, n, n) per-person matrices (same images).
        divisions: :func:`category_divisions`.

    Returns:
        Rows ``division, target, measure, value, ci_low, ci_high, interval, n,
        people_positive, finding``.
    """
    if len(people) != 2:
        raise ValueError(f"category_structure compares two data sets; got {list(people)}.")
    names = list(people)
    rows = []
    for division, (images, group) in divisions.items():
        for name, other in (names, names[::-1]):
            stack, control = people[name], people[other].mean(axis=0)
            each = _category_draw(stack, control, images, group)
            two_way = len(stack) >= measures.SMALL_SAMPLE
            boot = _category_boot(stack, control, images, group, int(n_boot), seed, two_way)
            for k, measure in enumerate(("plain", f"beyond {other}")):
                value, low, high, how = contrast([_term(each[k], boot[:, k], two_way)], len(images))
                rows.append({"division": division, "target": name, "measure": measure, "value": value,
                             "ci_low": low, "ci_high": high, "interval": how, "n": len(stack),
                             "people_positive": int(np.sum(each[k] > 0)),
                             "finding": _finding(low, high, each[k], measure.split()[0], other)})
    return pd.DataFrame(rows)


def brain_ceilings(behaviour: np.ndarray, sessions: np.ndarray, n_boot: int = 1000, seed: int = 0,
                   cfg: Settings | None = None) -> pd.DataFrame:
    """The noise ceiling of each data set (Nili et al. 2014) with intervals on both bounds,
    and IT's session reliability.

    Args:
        behaviour: (p, n, n) one matrix per person.
        sessions: (s, r, n, n) IT matrices per person and session; each person's matrix is
            the mean of the sessions.

    Returns:
        Rows ``target, lower, lower_low, lower_high, upper, upper_low, upper_high, interval,
        n, reliability`` (the mean Spearman between a person's sessions; NaN for behaviour,
        measured once).
    """
    rows = []
    for target, stack in (("behaviour", np.asarray(behaviour, float)), ("IT", np.asarray(sessions, float).mean(axis=1))):
        point = measures.noise_ceiling_rsa(stack)
        two_way = len(stack) >= measures.SMALL_SAMPLE
        boot = ceiling_resamples(stack, n_boot, seed, cfg, resample_people=two_way)
        row = {"target": target, "n": len(stack)}
        for k, bound in enumerate(("lower", "upper")):
            value, low, high, how = contrast([_term(point[f"{bound}_each"], boot[:, k], two_way)], stack.shape[1])
            row.update({bound: float(point[bound]), f"{bound}_low": low, f"{bound}_high": high, "interval": how})
        row["reliability"] = (float(measures.session_reliability(sessions).mean()) if target == "IT"
                              else float("nan"))
        rows.append(row)
    columns = ["target", "lower", "lower_low", "lower_high", "upper", "upper_low", "upper_high", "interval", "n",
               "reliability"]
    return pd.DataFrame(rows, columns=columns)


def _jackknife(per: np.ndarray, people: np.ndarray) -> tuple[float, float]:
    """``(variance, df)`` over people of (mean score) / (lower ceiling), each person left out
    in turn (the ceiling recomputed from the others)."""
    p = len(per)
    shares = np.array([np.delete(per, i).mean() / measures.noise_ceiling_rsa(np.delete(people, i, axis=0))["lower"]
                       for i in range(p)])
    return float((p - 1) / p * np.sum((shares - shares.mean()) ** 2)), float(p - 1)


def ceiling_normalised(scored: dict[str, tuple[Resampled, np.ndarray]], people: dict[str, np.ndarray],
                       n_boot: int, seed: int, cfg: Settings | None = None) -> pd.DataFrame:
    """A score as a share of each data set's lower noise ceiling, and behaviour against IT.

    A raw correlation with IT and one with the judgements are not comparable: IT's matrices
    are far noisier. Divided by the lower bound of each data set's ceiling, each says how
    much of what the group predicts about a new person the score reaches. Intervals: with
    at least 10 people, the percentile interval of the ratio on resamples of people and
    images; otherwise (and for the difference, which involves IT's 4 people) a t interval
    whose sources are each panel's people (a jackknife: each person left out in turn, the
    ceiling recomputed from the rest) and the images (the ratio on image resamples shared by
    both data sets, every person held), on Satterthwaite's degrees of freedom. (A percentile
    interval of two-way ratios is computed only for panels of 10 or more people.)

    Args:
        scored: Data set -> (its :class:`Resampled` scores, (k,) weights of the rows that
            make the score, e.g. the mean of the trained networks).
        people: Data set -> (p, n, n) per-person matrices (two data sets, same images).

    Returns:
        One row per data set and a row ``"behaviour minus IT"`` (first minus second):
        ``target, score, ceiling, share, share_low, share_high, interval, reading``.
    """
    if len(scored) != 2:
        raise ValueError(f"ceiling_normalised compares two data sets; got {list(scored)}.")
    rows, parts = [], []
    for target, (res, weights) in scored.items():
        stack = np.asarray(people[target], dtype=np.float64)
        per, two, img = res.term(weights)
        lower = measures.noise_ceiling_rsa(stack)["lower"]
        share = float(per.mean() / lower)
        img_share = img / ceiling_resamples(stack, n_boot, seed, cfg, resample_people=False)[:, 0]
        jack = _jackknife(per, stack)
        two_share = (two / ceiling_resamples(stack, n_boot, seed, cfg)[:, 0] if len(stack) >= measures.SMALL_SAMPLE
                     else None)
        if two_share is not None:
            low, high = measures.interval(two_share)
            how = "percentile, people and images resampled"
        else:
            low, high, df = measures.satterthwaite_interval(share, [jack, measures.resample_variance(img_share, stack.shape[1])])
            how = f"t on {df:.1f} df ({len(stack)} people, {stack.shape[1]} images)"
        rows.append({"target": target, "score": float(per.mean()), "ceiling": float(lower), "share": share,
                     "share_low": low, "share_high": high, "interval": how, "reading": ""})
        parts.append((share, jack, img_share, stack.shape[1], two_share))
    (a, jack_a, img_a, n, two_a), (b, jack_b, img_b, _, two_b) = parts
    if min(len(people[t]) for t in scored) >= measures.SMALL_SAMPLE:
        (low, high), how = measures.interval(two_a - two_b), "percentile, people and images resampled"
    else:
        low, high, df = measures.satterthwaite_interval(a - b, [jack_a, jack_b,
                                                                measures.resample_variance(img_a - img_b, n)])
        how = f"t on {df:.1f} df"
    first, second = list(scored)
    rows.append({"target": f"{first} minus {second}", "score": float("nan"), "ceiling": float("nan"), "share": a - b,
                 "share_low": low, "share_high": high, "interval": how,
                 "reading": margin_word(low, high, f"a larger share on {first}", f"a larger share on {second}")})
    return pd.DataFrame(rows)
