"""The book's own words, in one place: the paper's claims, the verdict statuses and the rule
of each claim.

Everything here is plain data written in this package (no computation, no import of the
study), so the pages that state the rules (the methods page's table, written when the book is
built) and the code that applies them read the same text and cannot disagree.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CLAIMS", "RULES", "STATUSES", "rules_markdown", "rules_table"]

#: What a verdict can say: the claim holds, fails, the data allow both readings, or the
#: profile lacks the models the claim is about.
STATUSES = ("reproduced", "not reproduced", "undecided", "not testable with this profile's models")

#: key -> (chapter, the paper's claim in a few words), in the paper's order.
CLAIMS = {
    "scale": ("01_scale", "Model size and architecture have essentially no effect"),
    "objective": ("02_objective", "Image/text contrastive models align better than softmax classifiers"),
    "dataset": ("03_dataset", "Larger, more diverse training data align better"),
    "transfer": ("04_transfer", "A probe learned from THINGS improves alignment on other human data"),
    "concepts": ("05_concepts", "Food and animals are represented well; royal and sports objects are not"),
}

#: The rule of each claim, as the methods page prints it: what is resampled, how the
#: interval is read, the margin and why.
RULES = (
    ("Scale: size and architecture have essentially no effect", "the distinct triplets and the people of the real "
     "THINGS answers; the models within each family", "equivalence: reproduced when every interval lies within the "
     "margin, not reproduced when one lies wholly beyond it, otherwise undecided", "the gap between two precisions of "
     "one network (same architecture, objective and data): a difference that says nothing about size or "
     "architecture, and one that does not shrink as more families are compared"),
    ("Objective: image/text contrastive models align better than softmax classifiers", "the distinct triplets and "
     "the people of the real THINGS answers; the models within each group", "direction: reproduced when the "
     "interval of the difference lies above 0, not reproduced when below, otherwise undecided",
     "none (0), at matched precision"),
    ("Training data: broader data align better", "triplets and people (THINGS answers); people and images together "
     "(92 images)", "direction, for every controlled pair (same architecture, objective and precision) on both real "
     "data sets", "none (0); the precision gap is shown beside it"),
    ("Transfer: the THINGS probe improves alignment with other human data", "people and images together, the same "
     "draws before and after the probe", "direction, on the gain averaged over trained models", "none (0); the gain "
     "is also given as a share of the distance to the noise ceiling"),
    ("Concepts: food and animals among the best represented, sports and royal among the worst", "the distinct "
     "triplets and the people of the real THINGS answers", "direction, per term, on accuracy relative to VICE's own "
     "accuracy on the same answers", "none (0); dimensions assigned to terms in a reviewed table"),
)


def rules_table() -> pd.DataFrame:
    """The rules of :data:`RULES` as a table: ``claim, resampled, rule, margin``."""
    return pd.DataFrame(RULES, columns=["claim", "resampled", "rule", "margin"])


def rules_markdown() -> str:
    """The rules of :data:`RULES` as a Markdown table, for the methods page."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    lines = ["| claim | what is resampled | rule | margin, and why |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(cell(c) for c in row)} |" for row in RULES]
    return "\n".join(lines) + "\n"
