"""Which human concepts a representation captures, through the VICE embedding.

Each triplet gets the VICE dimension that best explains its similar pair; accuracies are
then broken down by dimension. Dimensions are named from their top-weighted concepts and
the THINGS high-level categories, so no names are typed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets.types import Triplets
from ._checks import as_features, as_triplets
from .probing import object_folds

__all__ = ["accuracy_by_concept", "concept_labels", "describe_dimensions", "name_dimensions", "ridge_r2"]


def concept_labels(embedding: np.ndarray, triplets: np.ndarray | Triplets) -> np.ndarray:
    """The concept dimension of each triplet: ``argmax_d (e_a + e_b)_d / 2`` over its similar pair.

    Args:
        embedding: (n, k) non-negative concept embedding (e.g. VICE), one row per object.
        triplets: (N, 3) indices, similar pair first, odd one out last.

    Returns:
        (N,) int64 dimension indices in ``0 .. k - 1``.
    """
    emb = as_features(embedding, name="embedding")
    idx = as_triplets(triplets, emb.shape[0])
    return np.argmax(emb[idx[:, 0]] + emb[idx[:, 1]], axis=1).astype(np.int64)


def accuracy_by_concept(correct: np.ndarray, labels: np.ndarray, n_dims: int) -> pd.DataFrame:
    """Accuracy within each concept dimension.

    Args:
        correct: (N,) bool per-triplet correctness.
        labels: (N,) dimension of each triplet (from :func:`concept_labels`).
        n_dims: Number of dimensions k; dimensions without triplets get ``n = 0`` and NaN.

    Returns:
        DataFrame with columns ``dimension, n, accuracy``, one row per dimension.
    """
    ok = np.asarray(correct)
    lab = np.asarray(labels)
    if ok.shape != lab.shape or ok.ndim != 1:
        raise ValueError(f"correct {ok.shape} and labels {lab.shape} must be (N,) arrays of equal length.")
    if len(lab) and (lab.min() < 0 or lab.max() >= n_dims):
        raise ValueError(f"labels must lie in 0 .. {n_dims - 1}; found {lab.min()} .. {lab.max()}.")
    count = np.bincount(lab, minlength=n_dims)
    hits = np.bincount(lab, weights=ok.astype(np.float64), minlength=n_dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.where(count > 0, hits / np.maximum(count, 1), np.nan)
    return pd.DataFrame({"dimension": np.arange(n_dims), "n": count, "accuracy": acc})


def _checked_embedding(embedding: np.ndarray, concepts: pd.DataFrame, categories: pd.DataFrame,
                       top: int, words: int) -> np.ndarray:
    """The embedding as a float array, after checking that the three tables list the same objects."""
    emb = as_features(embedding, name="embedding", min_rows=1)
    if "Word" not in concepts.columns:
        raise ValueError("concepts needs a 'Word' column (the THINGS concepts table).")
    if len(concepts) != emb.shape[0] or len(categories) != emb.shape[0]:
        raise ValueError(
            f"embedding has {emb.shape[0]} rows, concepts {len(concepts)}, categories "
            f"{len(categories)}; all must list the same objects."
        )
    if not 1 <= words <= top <= emb.shape[0]:
        raise ValueError(f"need 1 <= words ({words}) <= top ({top}) <= number of objects ({emb.shape[0]}).")
    return emb


def name_dimensions(
    embedding: np.ndarray, concepts: pd.DataFrame, categories: pd.DataFrame,
    top: int = 10, words: int = 3, min_share: float = 0.5,
) -> list[str]:
    """A readable name for each dimension from its top concepts and the THINGS categories.

    The ``top`` concepts with the highest weight on a dimension vote with their weights for
    the high-level THINGS categories they belong to. If one category holds at least
    ``min_share`` of that weight, it names the dimension; the ``words`` heaviest concepts
    follow in parentheses. Otherwise the concepts alone name it.

    Args:
        embedding: (n, k) non-negative embedding, rows in THINGS concept order.
        concepts: The THINGS concepts table (column ``Word``), n rows.
        categories: (n, C) 0/1 table of categories, column names = category names.
        top: Concepts per dimension that vote on the category.
        words: Concept words quoted in each name.
        min_share: Weight share a category needs to name a dimension.

    Returns:
        k names, e.g. ``"food (pizza, cake, bread)"``, made unique by a ``#d`` suffix where
        two dimensions would share a name.
    """
    emb = _checked_embedding(embedding, concepts, categories, top, words)
    cat = categories.to_numpy(dtype=np.float64)
    cat_names = [str(c) for c in categories.columns]
    names = []
    for d, (order, objects) in enumerate(_top_objects(emb, concepts, top)):
        weight = emb[order, d]
        votes = weight @ cat[order]
        label = ", ".join(objects[:words])
        if weight.sum() > 0 and votes.max() >= min_share * weight.sum():
            label = f"{cat_names[int(np.argmax(votes))]} ({label})"
        names.append(label)
    return _unique(names)


def describe_dimensions(
    embedding: np.ndarray, concepts: pd.DataFrame, categories: pd.DataFrame,
    top: int = 10, words: int = 3, alpha: float = 0.01,
) -> pd.DataFrame:
    """Name each dimension by the THINGS category most enriched among its top objects.

    For every dimension the ``top`` objects with the highest weight are counted per
    high-level category and compared with the category's share of all objects. The
    category whose count is least likely under random draws (hypergeometric upper tail)
    names the dimension if that probability is below ``alpha`` and at least two top objects
    belong to it; otherwise the dimension gets no category. Everything a reader needs to
    check the name is returned beside it.

    Args:
        embedding: (n, k) non-negative embedding, rows in THINGS concept order.
        concepts: The THINGS concepts table (column ``Word``), n rows.
        categories: (n, C) 0/1 table of categories, column names = category names.
        top: Top-weighted objects per dimension.
        words: Object words quoted in the name.
        alpha: Largest tail probability that still names a dimension by its category.

    Returns:
        One row per dimension: ``dimension, category`` (``""`` when none is enriched),
        ``in_top`` (top objects in that category), ``top``, ``share_all`` (the category's
        share of all objects), ``enrichment`` (``in_top / top / share_all``), ``p_value``,
        ``top_objects`` (the ``top`` words, heaviest first) and ``name`` (e.g.
        ``"food (pizza, cake, bread)"``; unique, with a ``#d`` suffix where needed).
    """
    from scipy.stats import hypergeom

    emb = _checked_embedding(embedding, concepts, categories, top, words)
    cat = categories.to_numpy(dtype=np.int64)
    cat_names = [str(c) for c in categories.columns]
    n, size = emb.shape[0], cat.sum(axis=0)
    rows = []
    for d, (order, objects) in enumerate(_top_objects(emb, concepts, top)):
        hits = cat[order].sum(axis=0)
        p = np.where(hits >= 2, hypergeom.sf(hits - 1, n, size, top), 1.0)
        best = int(np.argmin(p))
        named = p[best] < alpha
        label = ", ".join(objects[:words])
        share = size[best] / n
        rows.append({
            "dimension": d, "category": cat_names[best] if named else "",
            "in_top": int(hits[best]) if named else 0, "top": top,
            "share_all": float(share) if named else np.nan,
            "enrichment": float(hits[best] / top / share) if named and share > 0 else np.nan,
            "p_value": float(p[best]), "top_objects": ", ".join(objects),
            "name": f"{cat_names[best]} ({label})" if named else label,
        })
    table = pd.DataFrame(rows)
    table["name"] = _unique(table["name"].tolist())
    return table


def _top_objects(emb: np.ndarray, concepts: pd.DataFrame, top: int):
    """Per dimension: the ``top`` heaviest objects (indices) and their words, each word once.

    Ties keep the object order (stable sort). THINGS has homonyms (two concepts "baton"),
    so a word can stand for two top objects; it is quoted once.
    """
    word_list = concepts["Word"].astype(str).tolist()
    for d in range(emb.shape[1]):
        order = np.argsort(-emb[:, d], kind="stable")[:top]
        yield order, list(dict.fromkeys(word_list[i] for i in order))


def _unique(names: list[str]) -> list[str]:
    """Names made unique by a ``#d`` suffix (d = position) on every name that occurs twice."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [f"{name} #{d}" if seen[name] > 1 else name for d, name in enumerate(names)]


def ridge_r2(
    features: np.ndarray,
    embedding: np.ndarray,
    n_folds: int = 3,
    seed: int = 0,
    alphas: tuple[float, ...] = tuple(np.logspace(-2, 6, 17)),
) -> pd.DataFrame:
    """Held-out R^2 of a ridge regression from features to each embedding dimension.

    Objects are split into ``n_folds`` folds; within each training split the features are
    centred and the ridge penalty is chosen per dimension by efficient leave-one-out
    (``RidgeCV``). R^2 is computed per dimension on the pooled held-out predictions.

    Args:
        features: (n, p) model features, one row per object.
        embedding: (n, k) target embedding (e.g. VICE), same object order.
        n_folds: Number of object-wise folds.
        seed: Seed of the split.
        alphas: Ridge penalties to choose from.

    Returns:
        DataFrame with columns ``dimension, r2``, one row per dimension.
    """
    from sklearn.linear_model import RidgeCV


    x = as_features(features)
    y = as_features(embedding, name="embedding")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"features have {x.shape[0]} rows but the embedding {y.shape[0]}; they must match.")
    folds = object_folds(x.shape[0], n_folds, seed)
    pred = np.empty_like(y)
    for f in range(n_folds):
        tr, te = folds != f, folds == f
        mu = x[tr].mean(axis=0)
        model = RidgeCV(alphas=alphas, alpha_per_target=True).fit(x[tr] - mu, y[tr])
        pred[te] = model.predict(x[te] - mu)
    resid = ((y - pred) ** 2).sum(axis=0)
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(total > 0, 1 - resid / np.where(total > 0, total, 1), np.nan)
    return pd.DataFrame({"dimension": np.arange(y.shape[1]), "r2": r2})
