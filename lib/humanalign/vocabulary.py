"""The book's own words, in one place: the paper's claims, the verdict statuses and the rule
of each claim.

Everything here is plain data written in this package (no computation, no import of the
study), so the pages that state the rules (the methods page's table, written when the book is
built) and the code that applies them read the same text and cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["AGREES", "ALTERNATIVES", "BEYOND", "CLAIMS", "CLAIM_ROWS", "COVERS_ZERO", "CROSSES", "EFFECT_UNITS",
           "INTERVALS", "NOT_RUN", "OPPOSITE", "OUTCOME_STATUS", "RULES", "STATUSES", "WITHIN", "Claim",
           "rules_markdown", "rules_table"]

#: What a verdict can say: the claim holds, fails, the data allow both readings, or the
#: profile lacks the models the claim is about.
STATUSES = ("reproduced", "not reproduced", "undecided", "not testable with this profile's models")

#: How one comparison's 95 % interval reads: against zero (a direction) or against a margin
#: (an equivalence test).
AGREES, OPPOSITE, COVERS_ZERO = "as the paper says", "the opposite", "undecided (the interval covers 0)"
WITHIN, BEYOND, CROSSES = ("within the margin, as the paper says", "beyond the margin",
                           "undecided (the interval crosses the margin)")
#: The status each reading gives a claim (a claim is reproduced when all its comparisons
#: agree, not reproduced when one is wholly against it).
OUTCOME_STATUS = {AGREES: "reproduced", WITHIN: "reproduced", OPPOSITE: "not reproduced", BEYOND: "not reproduced",
                  COVERS_ZERO: "undecided", CROSSES: "undecided"}

@dataclass(frozen=True)
class Claim:
    """One claim of the paper as this book decides it.

    Attributes:
        key: Short name (``scale``), which the verdict of the claim is filed under.
        chapter: The chapter that decides it.
        paper: The paper's claim in a few words (the landing table).
        title: The claim as the methods page's rules table names it.
        resampled: What its interval resamples.
        rule: How the interval is read.
        margin: The margin, and why.
        effect_unit: The unit of its deciding effect, where the verdict does not name it.
    """

    key: str
    chapter: str
    paper: str
    title: str
    resampled: str
    rule: str
    margin: str
    effect_unit: str


#: The paper's claims, in its order: one row each, everything the pages say of a claim.
CLAIM_ROWS: tuple[Claim, ...] = (
    Claim(key="scale", chapter="01_scale",
          paper="Model size and architecture have essentially no effect",
          title="Scale: size and architecture have essentially no effect",
          resampled="the distinct triplets and the people of the real THINGS answers; for the architecture "
          "half also the models within each family",
          rule="equivalence: reproduced when every interval lies within the margin, not reproduced "
          "when one lies wholly beyond it, otherwise undecided; the size effect is the accuracy "
          "gained from the smallest to the largest model of a series (least-squares line on log10 "
          "parameters), the architecture effect the mean absolute difference between two families",
          margin="±0.0339 accuracy, a tenth of the distance from chance (1/3) to the human noise ceiling "
          "(0.6722), fixed before looking at any model; the gap between two precisions of one "
          "network is shown beside it as a reference",
          effect_unit="accuracy per tenfold parameters"),
    Claim(key="objective", chapter="02_objective",
          paper="Image/text contrastive models align better than softmax classifiers",
          title="Objective: image/text contrastive models align better than softmax classifiers",
          resampled="the distinct triplets and the people of the real THINGS answers; the models of each "
          "group (with fewer than 10 models in a group, as a source of a t interval)",
          rule="direction: reproduced when the interval of the difference lies above 0, not reproduced "
          "when below, otherwise undecided",
          margin="none (0), at matched precision",
          effect_unit="accuracy, contrastive minus softmax models"),
    Claim(key="dataset", chapter="03_dataset",
          paper="Larger, more diverse training data align better",
          title="Training data: broader data align better",
          resampled="the distinct triplets and the people (THINGS answers); the people and the images "
          "together (92 images)",
          rule="direction, for every controlled pair (same architecture, objective and precision) on "
          "both real data sets",
          margin="none (0); the precision gap is shown beside it",
          effect_unit="accuracy, broader minus narrower data"),
    Claim(key="transfer", chapter="04_transfer",
          paper="A probe learned from THINGS improves alignment on other human data",
          title="Transfer: the THINGS probe improves alignment with other human data",
          resampled="the people and the images together, the same draws before and after the probe",
          rule="direction, on the gain averaged over trained models",
          margin="none (0); the gain is also given as a share of the distance to the noise ceiling",
          effect_unit="Spearman ρ, after minus before the probe"),
    Claim(key="concepts", chapter="05_concepts",
          paper="Food and animals are represented well; royal and sports objects are not",
          title="Concepts: food and animals among the best represented, sports and royal among the "
          "worst",
          resampled="the distinct triplets and the people of the real THINGS answers",
          rule="direction, per term, on accuracy relative to VICE's own accuracy on the same answers",
          margin="none (0); dimensions assigned to terms in a reviewed table",
          effect_unit="accuracy relative to VICE's own, the term's dimensions minus the others"),
)

#: key -> (chapter, the paper's claim in a few words), from :data:`CLAIM_ROWS`.
CLAIMS = {c.key: (c.chapter, c.paper) for c in CLAIM_ROWS}
#: The rule of each claim as the methods page prints it (claim, what is resampled, rule,
#: margin), from :data:`CLAIM_ROWS`.
RULES = tuple((c.title, c.resampled, c.rule, c.margin) for c in CLAIM_ROWS)
#: key -> the unit of the claim's deciding effect, from :data:`CLAIM_ROWS`.
EFFECT_UNITS = {c.key: c.effect_unit for c in CLAIM_ROWS}

INTERVALS = ("95 % percentile interval of a bootstrap that draws every sampled unit with replacement in every "
             "resample (crossed: triplets and people on THINGS; people and images on the 92 images), shared by "
             "every model, so differences are paired; the images are drawn once per resample for every data set "
             "of the same images. Where a resampled unit has fewer than 10 members (the 4 people of the IT data; the "
             "models of a group), a t interval instead: its variance sums that unit's (each member's value, the other "
             "units held as sampled) and the other units' (their resamples, every member held), on "
             "Welch-Satterthwaite degrees of freedom.")

#: The analysis choices every verdict is recomputed under, one changed at a time: label ->
#: (setting, its other value, the data set it changes). ``layer`` changes both.
ALTERNATIVES = (
    ("correlation instead of cosine similarity (THINGS)", "similarity", "correlation", "THINGS"),
    ("Euclidean instead of cosine similarity (THINGS)", "similarity", "euclidean", "THINGS"),
    ("correlation instead of cosine distance (92 images)", "distance", "correlation", "92 images"),
    ("Euclidean instead of cosine distance (92 images)", "distance", "euclidean", "92 images"),
    ("Pearson instead of Spearman RSA (92 images)", "statistic", "pearson", "92 images"),
    ("plain resize instead of centre crop (92 images)", "framing", "plain resize", "92 images"),
    ("logits instead of the penultimate layer", "layer", "logits", "both"),
)

#: Alternatives no profile runs, and why.
NOT_RUN = {
    "Kendall's tau-a RSA (92 images)": "its two-way bootstrap compares every pair of image pairs in every resample "
    "(about 9 million per model, person and resample): hours of computing for one build",
    "plain resize instead of centre crop (THINGS)": "it would extract every model's features of the THINGS photos a "
    "second time, which a build's time does not allow",
}


def rules_table() -> pd.DataFrame:
    """The rules of :data:`RULES` as a table: ``claim, resampled, rule, margin``."""
    return pd.DataFrame(RULES, columns=["claim", "resampled", "rule", "margin"])


def _list_table(caption: str, name: str, headers: list[str], rows: list[list[str]]) -> list[str]:
    """A numbered MyST list-table of class ``ha-stack`` (on a phone each row becomes a card,
    each cell under its header, rather than columns beyond the screen's edge)."""
    lines = [f"````{{list-table}} {caption}", ":header-rows: 1", ":class: ha-stack", f":name: {name}", ""]
    for row in [headers, *rows]:
        lines += [("* - " if i == 0 else "  - ") + (" ".join(str(cell).split()) or " ") for i, cell in enumerate(row)]
    return lines + ["````"]


def rules_markdown() -> str:
    """The rules of :data:`RULES` as a table, for the methods page, followed by how
    intervals are formed (:data:`INTERVALS`) and the alternatives every verdict is
    recomputed under (:data:`ALTERNATIVES`, :data:`NOT_RUN`)."""
    lines = _list_table("How each claim is decided", "tbl-rules",
                        ["claim", "what is resampled", "rule", "margin, and why"], [list(row) for row in RULES])
    lines += ["", f"**Intervals.** {INTERVALS}", "",
              "**Robustness.** Each verdict is recomputed with one of these choices changed (the others as in "
              "the book), with the same rule and resamples; it is marked *robust* when its status is the same under "
              "every alternative run, *fragile* otherwise, naming the choices that change it.", ""]
    rows = [[label, data, "only in a profile that scores logits" if setting == "layer" else "yes"]
            for label, setting, _, data in ALTERNATIVES]
    rows += [[label, label.rsplit("(", 1)[-1].rstrip(")"), f"no: {why}"] for label, why in NOT_RUN.items()]
    lines += _list_table("The other analysis choices each verdict is recomputed under", "tbl-alternatives",
                         ["alternative", "data set", "run"], rows)
    return "\n".join(lines) + "\n"
