"""The five claims of the paper at a glance: the landing page's table and each chapter's box.

One row per claim: what the paper says, this book's verdict, the number and interval that
decide it, whether the verdict survives other defensible analysis choices (its robustness
mark), what was resampled, and what the human side rests on (real people, or choices
simulated from a human embedding). The same words make each chapter's verdict box.

A verdict's reason and labels are plain text that may quote data (a family, a precision, a
model id); they are escaped (:mod:`humanalign.escape`) where they enter MyST.
"""

from __future__ import annotations

import pandas as pd

from .. import escape, pages
from ..profiles import Profile
from ..vocabulary import CLAIMS
from .verdicts import Verdict

__all__ = ["CLAIMS", "claims_markdown", "claims_table", "verdict_box"]

#: The coloured label of each verdict in the table (sphinx-design badges).
_BADGES = {"reproduced": "bdg-success", "not reproduced": "bdg-danger", "undecided": "bdg-warning"}


def _evidence(verdict: Verdict) -> str:
    n = verdict.numbers
    if not all(k in n for k in ("estimate", "ci_low", "ci_high")):
        return "—"
    return f"{n['estimate']:+.3f} [{n['ci_low']:+.3f}, {n['ci_high']:+.3f}]"


def _data(verdict: Verdict, profile: Profile | None) -> str:
    data = verdict.labels.get("data", "")
    if data:
        return data
    if profile is None:
        return "—"
    return "real people (THINGS)"


def _robustness(verdict: Verdict) -> str:
    """The short form of a verdict's robustness mark: ``robust``, ``fragile``, ``not
    testable``, ``not assessed`` or ``—`` (none computed)."""
    mark = verdict.labels.get("robustness", "")
    return mark.split(":")[0].split(" (")[0] if mark else "—"


def claims_table(verdicts: dict[str, Verdict], profile: Profile | None = None) -> pd.DataFrame:
    """One row per claim: ``claim, chapter, verdict, deciding, robustness, resampled, data``.

    Args:
        verdicts: Claim key of :data:`CLAIMS` -> its verdict (missing claims are left out).
    """
    rows = []
    for key, (chapter, claim) in CLAIMS.items():
        if key not in verdicts:
            continue
        v = verdicts[key]
        rows.append({"claim": claim, "chapter": chapter, "verdict": v.status, "deciding": _evidence(v),
                     "robustness": _robustness(v), "resampled": v.labels.get("unit", "—"), "data": _data(v, profile)})
    return pd.DataFrame(rows, columns=["claim", "chapter", "verdict", "deciding", "robustness", "resampled", "data"])


def claims_markdown(table: pd.DataFrame) -> str:
    """The claims table as MyST: each claim links to its chapter, each verdict is a coloured label."""
    lines = ["| The paper's claim | Verdict | Effect (95 % CI) | Under other choices | Resampled | Human data |",
             "|:--|:--|--:|:--|:--|:--|"]
    for row in table.itertuples():
        short = "not testable" if row.verdict.startswith("not testable") else row.verdict
        label = f"{{{_BADGES.get(row.verdict, 'bdg-secondary')}}}`{short}`"
        # The deciding effect is our own formatting of numbers; the labels may quote data.
        lines.append(f"| {{doc}}`{row.claim} <{row.chapter}>` | {label} | {row.deciding} | "
                     f"{escape.markdown(row.robustness)} | {escape.markdown(row.resampled)} | "
                     f"{escape.markdown(row.data)} |")
    return "\n".join(lines) + "\n"


def verdict_box(verdict: Verdict, profile: Profile | None = None) -> str:
    """A chapter's verdict as one admonition: the verdict and its deciding number shown, the
    full reasoning folded below (:func:`humanalign.pages.verdict_admonition`)."""
    deciding = _evidence(verdict)
    unit = escape.markdown(verdict.labels.get("unit", ""))
    reason = escape.markdown(verdict.reason[:1].upper() + verdict.reason[1:])
    mark = verdict.labels.get("robustness", "")
    robustness = f" Under other analysis choices: {escape.markdown(mark)}." if mark else ""
    summary = (f"Deciding effect {deciding} (95 % interval"
               + (f", {unit} resampled" if unit else "") + f"). Human data: {escape.markdown(_data(verdict, profile))}."
               + robustness if deciding != "—" else reason + ".")
    details = reason if deciding != "—" else ""
    return pages.verdict_admonition(verdict.status, summary, details)
