"""Reviewed names of the 42 VICE dimensions and the paper's concept terms they carry.

The table ``resources/vice_dimensions.csv`` ships with the package: one row per dimension
of the VICE embedding (:func:`humanalign.datasets.load_vice`, 1854 x 42). Its names were
written by hand from the evidence that ``tools/vice_dimensions.py`` prints (top-weighted
objects, enriched THINGS categories); they are not the human labels of the VICE or SPoSE
papers. Columns:

``dimension``       0-based column of the embedding, each of 0 .. 41 once
``name``            a short human label, e.g. ``"water / sea"``
``term``            the paper's concept term the dimension carries, one of :data:`VICE_TERMS`,
                    or empty
``top_objects``     the embedding's 8 heaviest objects (THINGS ``Word``), ``;``-separated,
                    heaviest first: :func:`check_against_embedding` compares them with the file
``top_categories``  the THINGS categories most enriched among the top 20 objects, with counts
``evidence``        one sentence on why this name and term
``reviewed``        ``yes`` once a person has checked the row (``no`` in a fresh draft)

Lines at the top that start with ``#`` are comments.
"""

from __future__ import annotations

import csv
from importlib import resources as _res
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Settings
from ..errors import DataError

__all__ = ["VICE_DIMENSIONS", "VICE_TERMS", "check_against_embedding", "load_vice_dimensions", "term_dimensions"]

VICE_DIMENSIONS = 42
#: The concept terms of the paper's claim that a dimension may carry (at most one each).
VICE_TERMS = ("food", "animals", "royal", "sports")
COLUMNS = ("dimension", "name", "term", "top_objects", "top_categories", "evidence", "reviewed")
_FILE = "vice_dimensions.csv"


def load_vice_dimensions(cfg: Settings | None = None, path: str | Path | None = None) -> pd.DataFrame:
    """The reviewed table of the VICE dimensions, validated.

    Args:
        cfg: Accepted so that every loader of :mod:`humanalign.datasets` is called alike; the
            table ships with the package, so no setting changes it.
        path: A table in the same format to read instead of the packaged one (say, names
            of your own).

    Returns:
        42 rows ordered by ``dimension`` (int), the other columns (see the module) as text.

    Raises:
        DataError: The file cannot be read, or a row is malformed; the message names the
            file, the line and the value.
    """
    if path is None:
        text, origin = (_res.files("humanalign") / "resources" / _FILE).read_text(encoding="utf-8"), _FILE
    else:
        origin = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"{origin}: cannot read the VICE dimension table ({err}).") from err
    return _parse(text, origin)


def _parse(text: str, origin: str) -> pd.DataFrame:
    lines = text.splitlines()
    skip = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    reader = csv.DictReader(lines[skip:])
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{origin}: columns {missing} are missing; the header must read {','.join(COLUMNS)}.")
    rows, seen = [], {}
    for row in reader:
        where = f"{origin} line {skip + reader.line_num}"
        checked = _checked_row(row, where)
        d = checked["dimension"]
        if d in seen:
            raise DataError(f"{where}: dimension {d} is listed twice (also on line {seen[d]}); keep one row per dimension.")
        seen[d] = skip + reader.line_num
        rows.append(checked)
    absent = sorted(set(range(VICE_DIMENSIONS)) - set(seen))
    if absent:
        raise DataError(f"{origin}: no row for dimensions {absent}; the table needs one row for each of "
                        f"0 .. {VICE_DIMENSIONS - 1}.")
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("dimension", ignore_index=True)


def _checked_row(row: dict, where: str) -> dict:
    """One row's values, stripped, with the dimension as int; DataError naming ``where`` otherwise."""
    if None in row or any(value is None for value in row.values()):
        raise DataError(f"{where}: the row does not have the {len(COLUMNS)} fields of the header; "
                        "quote values that hold a comma.")
    out = {c: row[c].strip() for c in COLUMNS}
    text = out["dimension"]
    if not (text.isascii() and text.isdigit() and int(text) < VICE_DIMENSIONS):
        raise DataError(f"{where}: dimension {text!r} is not an integer in 0 .. {VICE_DIMENSIONS - 1}.")
    out["dimension"] = int(text)
    if not out["name"]:
        raise DataError(f"{where}: dimension {text} has an empty name; give it a short label.")
    if out["term"] and out["term"] not in VICE_TERMS:
        raise DataError(f"{where}: term {out['term']!r} of dimension {text} is not one of "
                        f"{', '.join(VICE_TERMS)}; use one of them or leave it empty.")
    if not out["top_objects"]:
        raise DataError(f"{where}: dimension {text} lists no top_objects; copy them from tools/vice_dimensions.py.")
    if out["reviewed"] not in ("yes", "no"):
        raise DataError(f"{where}: reviewed {out['reviewed']!r} of dimension {text} must be 'yes' or 'no'.")
    return out


def term_dimensions(table: pd.DataFrame) -> dict[str, list[int]]:
    """The dimensions that carry each concept term.

    Args:
        table: A table like :func:`load_vice_dimensions` returns (columns ``dimension`` and
            ``term``; an empty term carries none).

    Returns:
        Every term of :data:`VICE_TERMS` -> its dimensions, ascending (empty list if none).
    """
    unknown = sorted(set(table["term"]) - set(VICE_TERMS) - {""})
    if unknown:
        raise ValueError(f"terms {unknown} are not among {', '.join(VICE_TERMS)} (or empty).")
    return {term: sorted(int(d) for d in table.loc[table["term"] == term, "dimension"]) for term in VICE_TERMS}


def check_against_embedding(table: pd.DataFrame, vice: np.ndarray, concepts: pd.DataFrame) -> list[int]:
    """The dimensions whose ``top_objects`` are not the embedding's heaviest objects.

    For each row the objects of ``vice[:, dimension]`` are sorted by weight, heaviest
    first (ties in concept order), and their words compared with ``top_objects`` in
    order, as many as the row lists. An empty result means the table matches the
    embedding; a changed embedding file or a hand edit of the table shows up here.

    Args:
        table: A table like :func:`load_vice_dimensions` returns.
        vice: (n, k) embedding, rows in THINGS concept order, k > every ``dimension``.
        concepts: The THINGS concepts table (column ``Word``), n rows.

    Returns:
        The mismatching dimensions, ascending.
    """
    emb = np.asarray(vice)
    if emb.ndim != 2 or emb.shape[0] != len(concepts):
        raise ValueError(f"vice has shape {emb.shape}, concepts {len(concepts)} rows; need (n, k) with n = "
                         "the number of concepts.")
    if len(table) and table["dimension"].max() >= emb.shape[1]:
        raise ValueError(f"the table names dimension {table['dimension'].max()} but vice has only "
                         f"{emb.shape[1]} columns; use the embedding the table was written for.")
    words = concepts["Word"].astype(str).to_numpy()
    wrong = []
    for d, listed in zip(table["dimension"], table["top_objects"]):
        expected = [w.strip() for w in listed.split(";")]
        order = np.argsort(-emb[:, d], kind="stable")[: len(expected)]
        if words[order].tolist() != expected:
            wrong.append(int(d))
    return sorted(wrong)
