"""The evidence for naming each dimension of the VICE embedding, printed for a person to read.

    python tools/vice_dimensions.py                      # print the evidence of all 42 dimensions
    python tools/vice_dimensions.py --dims 4 38          # only some dimensions
    python tools/vice_dimensions.py --write draft.csv    # a CSV draft with empty name/term columns

For every dimension of ``things/vice_embedding_42d.npy`` (rows in THINGS concept order) it
shows the 15 heaviest objects, the THINGS high-level categories most over-represented among
the top 20 and top 50 objects (count, enrichment = observed share / share among all 1854
concepts, ranked by the hypergeometric tail probability so that one stray hit in a small
category does not win), the share of the dimension's total weight carried by its top 20
objects, and how many concepts load on it above a small threshold.

The reviewed table ``lib/humanalign/resources/vice_dimensions.csv`` was written by hand from
this output; ``--write`` gives its automatic columns as a starting point. The data are read
through the package, so set ``HUMANALIGN_MIRRORS`` (or ``HUMANALIGN_DATA``) as for the book.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from humanalign.datasets import load_category_matrix, load_concepts, load_vice

TOP_WORDS = 15
TOP_SMALL, TOP_LARGE = 20, 50
N_CATEGORIES = 3
TABLE_OBJECTS = 8


def top_order(vice: np.ndarray, dim: int, top: int) -> np.ndarray:
    """Indices of the ``top`` heaviest objects on ``dim``, heaviest first (ties: object order)."""
    return np.argsort(-vice[:, dim], kind="stable")[:top]


def enriched(order: np.ndarray, categories: pd.DataFrame, best: int = N_CATEGORIES) -> list[dict]:
    """The ``best`` categories most over-represented among the objects ``order``.

    Returns:
        Dicts with ``category``, ``count`` (objects of ``order`` in it), ``enrichment``
        (count / len(order) over the category's share of all objects) and ``p`` (probability
        of at least that count among as many random objects), smallest ``p`` first; only
        categories with a count of at least 2.
    """
    cat = categories.to_numpy(dtype=np.int64)
    n, size, top = cat.shape[0], cat.sum(axis=0), len(order)
    hits = cat[order].sum(axis=0)
    p = hypergeom.sf(hits - 1, n, size, top)
    rows = [{"category": str(categories.columns[c]), "count": int(hits[c]),
             "enrichment": float(hits[c] / top / (size[c] / n)), "p": float(p[c])}
            for c in np.argsort(p, kind="stable") if hits[c] >= 2]
    return rows[:best]


def evidence(vice: np.ndarray, concepts: pd.DataFrame, categories: pd.DataFrame,
             threshold: float) -> pd.DataFrame:
    """One row of automatic evidence per dimension: the columns of the reviewed table (name,
    term and evidence left empty for a person to fill in), then the evidence behind them."""
    words = concepts["Word"].astype(str).to_numpy()
    total = vice.sum(axis=0)
    rows = []
    for d in range(vice.shape[1]):
        small, large = top_order(vice, d, TOP_SMALL), top_order(vice, d, TOP_LARGE)
        rows.append({
            "dimension": d, "name": "", "term": "",
            "top_objects": ";".join(words[small[:TABLE_OBJECTS]]),
            "top_categories": _format(enriched(small, categories)),
            "evidence": "", "reviewed": "no",
            "top15": ";".join(words[small[:TOP_WORDS]]),
            "top50_categories": _format(enriched(large, categories)),
            "top20_weight_share": round(float(vice[small, d].sum() / total[d]), 3),
            "n_loading": int((vice[:, d] > threshold).sum()),
            "max_weight": round(float(vice[small[0], d]), 3),
        })
    return pd.DataFrame(rows)


def _format(found: list[dict]) -> str:
    return "; ".join(f"{r['category']} {r['count']} (x{r['enrichment']:.1f})" for r in found)


def report(row: pd.Series, top: int, threshold: float) -> str:
    """The evidence of one dimension as a few readable lines."""
    return "\n".join([
        f"dimension {row['dimension']}: max weight {row['max_weight']}, top {top} carry "
        f"{row['top20_weight_share']:.1%} of its weight, {row['n_loading']} concepts above {threshold}",
        f"  top {TOP_WORDS}: {row['top15'].replace(';', ', ')}",
        f"  categories, top {TOP_SMALL}: {row['top_categories'] or '-'}",
        f"  categories, top {TOP_LARGE}: {row['top50_categories'] or '-'}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, nargs="*", help="dimensions to show (default: all)")
    parser.add_argument("--threshold", type=float, default=0.1,
                        help="weight above which a concept counts as loading on a dimension")
    parser.add_argument("--write", metavar="PATH", help="write a CSV draft with empty name/term columns")
    args = parser.parse_args(argv)
    vice, concepts, categories = load_vice(), load_concepts(), load_category_matrix()
    table = evidence(vice, concepts, categories, args.threshold)
    dims = args.dims if args.dims else range(len(table))
    bad = [d for d in dims if not 0 <= d < len(table)]
    if bad:
        parser.error(f"dimensions {bad} do not exist; choose from 0 .. {len(table) - 1}.")
    print("\n\n".join(report(table.iloc[d], TOP_SMALL, args.threshold) for d in dims))
    if args.write:
        table.to_csv(args.write, index=False)
        print(f"\nwrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
