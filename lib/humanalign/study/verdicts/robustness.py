"""Does a verdict survive the choices an analyst could defensibly have made otherwise?

A verdict is computed the book's way (:data:`~..choices.BOOK`) and again under every
alternative of :func:`~..choices.alternatives` that touches the data it rests on, one
choice changed at a time, with the same rule, the same resamples and the same units. Its
**robustness table** lists the status and the deciding effect under each; the verdict is
marked **robust** when its status is the same under all of them and **fragile** otherwise,
naming the choices that change it. Alternatives that were not run are listed with why
(:func:`~..choices.not_run`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
import pandas as pd

from ...profiles import Profile
from ..choices import BOOK, Choice, alternatives, not_run
from .rules import Verdict

__all__ = ["ROBUSTNESS_COLUMNS", "ROBUSTNESS_HEADERS", "robust", "robustness_caption", "robustness_mark",
           "robustness_table"]

ROBUSTNESS_COLUMNS = ["choice", "status", "estimate", "ci_low", "ci_high", "same_status"]
#: Headers of the robustness table on the pages.
ROBUSTNESS_HEADERS = {"choice": "Analysis choice", "status": "Verdict", "estimate": "Deciding effect",
                      "same_status": "Same verdict as the book's way"}


def _row(label: str, verdict: Verdict, book_status: str) -> dict:
    n = verdict.numbers
    return {"choice": label, "status": verdict.status, "estimate": n.get("estimate", np.nan),
            "ci_low": n.get("ci_low", np.nan), "ci_high": n.get("ci_high", np.nan),
            "same_status": "yes" if verdict.status == book_status else "no"}


def robustness_table(book: Verdict, others: list[tuple[Choice, Verdict]],
                     left_out: dict[str, str] | None = None) -> pd.DataFrame:
    """The verdict's status and deciding effect (``estimate`` with its interval) the book's
    way and under each alternative, then the alternatives not run (status ``not run: why``).

    Returns:
        Rows ``choice, status, estimate, ci_low, ci_high, same_status`` (without the effect's
        columns when no verdict has a deciding effect, e.g. one that cannot be tested).
    """
    rows = [_row(BOOK.label, book, book.status)] + [_row(c.label, v, book.status) for c, v in others]
    rows += [{"choice": label, "status": f"not run: {why}", "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
              "same_status": ""} for label, why in (left_out or {}).items()]
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    if table["estimate"].isna().all():
        table = table.drop(columns=["estimate", "ci_low", "ci_high"])
    return table


def robustness_mark(table: pd.DataFrame) -> str:
    """``robust`` when every alternative run keeps the book's status; ``fragile: <choice>
    gives <status>; ...`` otherwise; ``not testable`` for a verdict the profile cannot test;
    ``not assessed`` when no alternative applies."""
    book = str(table["status"].iloc[0])
    if book.startswith("not testable"):
        return "not testable"
    ran = table.iloc[1:][~table["status"].iloc[1:].str.startswith("not run")]
    if ran.empty:
        return "not assessed (no alternative applies)"
    changed = ran[ran["same_status"] == "no"]
    if changed.empty:
        return "robust"
    return "fragile: " + "; ".join(f"{c} gives {s}" for c, s in zip(changed["choice"], changed["status"]))


def robust(compute: Callable[[Choice], object], profile: Profile, on: tuple[str, ...]):
    """A verdict the book's way with its robustness table and mark.

    Args:
        compute: The verdict under a choice: a :class:`Verdict`, or a tuple whose first item
            is one (the other items, tables of the book's way, are passed through).
        on: The data sets the verdict rests on (``things``, ``rsa92``).

    Returns:
        What ``compute(BOOK)`` returns, its verdict with ``labels["robustness"]`` (the mark)
        and ``robustness`` (the table) set.
    """
    def verdict_of(result) -> Verdict:
        return result[0] if isinstance(result, tuple) else result

    result = compute(BOOK)
    book = verdict_of(result)
    others = ([] if book.status.startswith("not testable") else
              [(choice, verdict_of(compute(choice))) for choice in alternatives(profile, on)])
    table = robustness_table(book, others, not_run(profile, on))
    marked = replace(book, labels={**book.labels, "robustness": robustness_mark(table)}, robustness=table)
    return (marked, *result[1:]) if isinstance(result, tuple) else marked


def robustness_caption(verdict: Verdict) -> str:
    """The caption of a verdict's robustness table: its mark, how the table was made and the
    alternatives not run, with why (a table on the page shows only the verdicts computed)."""
    mark = verdict.labels.get("robustness", "not assessed")
    table = verdict.robustness
    left = ([] if table is None else
            [f"{c} ({s.removeprefix('not run: ')})" for c, s in zip(table["choice"], table["status"])
             if s.startswith("not run")])
    return (f"Robustness of the verdict: {mark}. The verdict recomputed with one analysis choice changed at a "
            "time (the same rule, units and resamples); the deciding effect with its 95 % interval"
            + (f". Not run: {'; '.join(left)}" if left else ""))
