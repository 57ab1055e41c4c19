"""The claims at a glance: the landing page's table and each chapter's verdict box.

One row per claim: what the paper says, this book's verdict (each half of a claim of two
halves on its own), the effect that decides it with its unit and interval, what was
resampled, whether the verdict survives other defensible analysis choices (its
robustness mark), what the human side rests on (real people; where the probe matters, the
simulated triplets it was fitted on), and what the profile could test, on which measure.
The same words make each chapter's verdict box. The brain chapter asks questions the paper
did not: :func:`brain_answers` reads its results into :class:`Answer` rows and boxes of the
same shape, listed under "beyond the paper".

A verdict's reason and labels are plain text that may quote data (a family, a precision, a
model id); they are escaped (:mod:`humanalign.escape`) where they enter MyST.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import escape, pages
from ..profiles import Profile
from ..vocabulary import CLAIMS, EFFECT_UNITS
from .verdicts import Verdict

__all__ = ["CLAIMS", "Answer", "EFFECT_UNITS", "answer_box", "brain_answers", "claims_csv",
           "claims_markdown", "claims_table", "verdict_box", "verdict_halves",
           "verdict_words"]

#: The sphinx-design badge of each status (the first words of a status or a half's status).
_BADGES = {"reproduced": "bdg-success", "not reproduced": "bdg-danger", "undecided": "bdg-warning",
           "not testable": "bdg-muted", "answered": "bdg-primary"}

#: Label of a verdict -> the half of the claim whose status it holds, in the order shown.
_HALVES = {"size_status": "size", "architecture_status": "architecture",
           "things_status": "THINGS odd-one-out", "rsa92_status": "92 images"}

#: The columns of :func:`claims_table`.
COLUMNS = ["part", "claim", "chapter", "verdict", "status", "halves", "deciding", "effect_unit", "robustness",
           "resampled", "data", "caveat"]


def _short(status: str) -> str:
    return "not testable" if str(status).startswith("not testable") else str(status)


def verdict_halves(verdict: Verdict) -> list[tuple[str, str]]:
    """The halves of a claim that has two and each one's status (``[]`` for a claim of one
    part): ``[("size", "undecided"), ("architecture", "not testable")]``."""
    return [(name, _short(verdict.labels[key])) for key, name in _HALVES.items() if key in verdict.labels]


def verdict_words(verdict: Verdict) -> str:
    """The verdict in words, each half on its own: ``"size: undecided; architecture: not
    testable"``, or the status of a claim of one part (``"reproduced"``)."""
    halves = verdict_halves(verdict)
    return "; ".join(f"{name}: {status}" for name, status in halves) if halves else _short(verdict.status)


def _badge(text: str, status: str) -> str:
    key = next((k for k in sorted(_BADGES, key=len, reverse=True) if _short(status).startswith(k)), None)
    return f"{{{_BADGES.get(key, 'bdg-muted')}}}`{_role_text(text)}`"


def _role_text(text: str) -> str:
    """Text inside a role (a badge, a link's title), which is not parsed as Markdown: on one
    line, with nothing that could end the role or start a link target."""
    return escape.one_line(text).replace("`", "'").replace("<", "(").replace(">", ")")


def _evidence(numbers: dict) -> str:
    if not all(k in numbers and np.isfinite(numbers[k]) for k in ("estimate", "ci_low", "ci_high")):
        return "—"
    return f"{numbers['estimate']:+.3f} [{numbers['ci_low']:+.3f}, {numbers['ci_high']:+.3f}]"


#: The claims whose deciding effect rests on the probe (fitted on THINGS triplets).
_PROBED = ("transfer",)


def _robustness(verdict: Verdict) -> str:
    """The short form of a verdict's robustness mark: ``robust``, ``fragile``, ``not
    testable``, ``not assessed`` or ``—`` (none computed)."""
    mark = verdict.labels.get("robustness", "")
    return mark.split(":")[0].split(" (")[0] if mark else "—"


def _data(verdict: Verdict, profile: Profile | None, key: str | None = None) -> str:
    data = verdict.labels.get("data", "") or ("—" if profile is None else "real people (THINGS)")
    if key in _PROBED and profile is not None and profile.simulated:
        data += "; the probe's training triplets simulated from VICE"
    return data


@dataclass(frozen=True)
class Answer:
    """A question beyond the paper and the answer its interval allows (the brain chapter).

    Attributes:
        key: Short name (``relation``, ``probe``, ``categories``).
        chapter: The chapter that asks it (``06_brain``).
        question: The question in words.
        answer: The answer in words, e.g. ``"positive"`` or ``"undecided (the interval covers 0)"``.
        decided: Whether an interval decided it (else the data allow both readings).
        summary: One or two sentences with the numbers (Markdown; data in it escaped).
        numbers: The deciding effect (``estimate``, ``ci_low``, ``ci_high``), where there is one.
        labels: ``effect_unit``, ``unit`` (what was resampled), ``data`` (the human side)
            and ``caveat`` (what the profile could test).
    """

    key: str
    chapter: str
    question: str
    answer: str
    decided: bool
    summary: str
    numbers: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def claims_table(verdicts: dict[str, Verdict], profile: Profile | None = None,
                 caveats: dict[str, str] | None = None, beyond: dict[str, Answer] | None = None) -> pd.DataFrame:
    """One row per claim, then one per question beyond the paper.

    Args:
        verdicts: Claim key of :data:`CLAIMS` -> its verdict (missing claims are left out).
        profile: The profile (says what the human side rests on when a verdict does not).
        caveats: Claim key -> what the profile could test and on which measure
            (:func:`~.caveats.claim_caveats`); missing keys get a dash.
        beyond: Questions beyond the paper (:func:`brain_answers`), shown after the claims.

    Returns:
        Columns ``part`` (``the paper's claims`` or ``beyond the paper``), ``claim``,
        ``chapter``, ``verdict`` (in words, halves spelled out: :func:`verdict_words`),
        ``status`` (the overall status), ``halves`` (a list of ``(half, status)``),
        ``deciding`` (effect and 95 % interval as text), ``effect_unit``, ``robustness``
        (``robust``, ``fragile``, ``not testable``, ``not assessed`` or ``—``: whether the
        status survives other defensible analysis choices), ``resampled``, ``data``,
        ``caveat``.
    """
    caveats = caveats or {}
    rows = []
    for key, (chapter, claim) in CLAIMS.items():
        if key not in verdicts:
            continue
        v = verdicts[key]
        deciding = _evidence(v.numbers)
        unit = v.labels.get("effect_unit", EFFECT_UNITS.get(key, "—"))
        rows.append({"part": "the paper's claims", "claim": claim, "chapter": chapter, "verdict": verdict_words(v),
                     "status": v.status, "halves": verdict_halves(v), "deciding": deciding,
                     "effect_unit": unit if deciding != "—" else "—", "robustness": _robustness(v),
                     "resampled": v.labels.get("unit", "—"), "data": _data(v, profile, key),
                     "caveat": caveats.get(key, "—")})
    for answer in (beyond or {}).values():
        deciding = _evidence(answer.numbers)
        unit = answer.labels.get("effect_unit", "—")
        rows.append({"part": "beyond the paper", "claim": answer.question, "chapter": answer.chapter,
                     "verdict": answer.answer, "status": "answered" if answer.decided else "undecided", "halves": [],
                     "deciding": deciding, "effect_unit": unit if deciding != "—" else "—", "robustness": "—",
                     "resampled": answer.labels.get("unit", "—"), "data": answer.labels.get("data", "—"),
                     "caveat": answer.labels.get("caveat", "—")})
    return pd.DataFrame(rows, columns=COLUMNS)


#: The landing table's headers (the CSV's too).
#: Their shares of the column's width (the table keeps to the text column; cells wrap).
_WIDTHS = (16, 15, 16, 16, 14, 23)
HEADERS = ["Claim", "Verdict", "Effect (95 % CI)", "Resampled", "Human data", "What could be tested"]


#: How a robustness mark reads under a verdict's label on the landing table.
_ROBUST_WORDS = {"robust": "robust to other analysis choices", "fragile": "fragile under other analysis choices"}


def _verdict_cell(row) -> str:
    if row.halves:
        cell = " ".join(_badge(f"{half}: {status}", status) for half, status in row.halves)
    else:
        # An answer's reason in brackets ("undecided (the interval covers 0)") is in its chapter.
        cell = _badge(_short(row.verdict) if row.part != "beyond the paper" else row.verdict.split(" (")[0],
                      row.status)
    words = _ROBUST_WORDS.get(row.robustness)
    return cell + (f" *({words})*" if words else "")


def claims_markdown(table: pd.DataFrame, caption: str | None = None, name: str = "tbl-claims",
                    csv_name: str | None = None) -> str:
    """The claims table as MyST: a numbered table (a ``list-table`` with ``caption``) whose
    claims link to their chapters, each verdict (each half) a coloured label, the effect
    with its unit; the questions beyond the paper follow under a row of their own. The table
    carries the class ``ha-stack``: on a phone its rows become stacked cards, each cell
    under its header (``book/_static/humanalign.css`` and ``humanalign.js``).

    Args:
        table: :func:`claims_table`.
        caption: The table's caption (default: a sentence on what it holds).
        name: The table's label, for references.
        csv_name: With a file name, a link below the table downloads it as CSV
            (:func:`claims_csv`).
    """
    caption = caption or "The paper's claims, this book's verdicts and what they rest on"
    lines = [f"````{{list-table}} {escape.markdown(caption)}", ":header-rows: 1", ":class: ha-stack ha-claims",
             f":widths: {' '.join(map(str, _WIDTHS))}", f":name: {name}", "", *_list_row(HEADERS)]
    shown_part = "the paper's claims"
    for row in table.itertuples():
        if row.part != shown_part:
            shown_part = row.part
            lines += _list_row([f"**{escape.markdown(row.part[:1].upper() + row.part[1:])}**", "", "", "", "", ""])
        effect = row.deciding if row.deciding == "—" else f"{row.deciding} in {escape.markdown(row.effect_unit)}"
        # The effect is our own formatting of numbers; the labels may quote data.
        lines += _list_row([f"{{doc}}`{_role_text(row.claim)} <{row.chapter}>`", _verdict_cell(row), effect,
                            escape.markdown(row.resampled), escape.markdown(row.data), escape.markdown(row.caveat)])
    lines += ["````", ""]
    if csv_name:
        lines += ["```{raw} html", claims_csv(table, csv_name), "```", ""]
    return "\n".join(lines)


def _list_row(cells: list[str]) -> list[str]:
    out = []
    for i, cell in enumerate(cells):
        text = " ".join(str(cell).split())
        out.append(("* - " if i == 0 else "  - ") + (text or " "))
    return out


def claims_csv(table: pd.DataFrame, csv_name: str = "claims.csv") -> str:
    """An HTML line with a link that downloads the claims table as CSV (a ``data:`` link,
    offline), every text cell safe to open in a spreadsheet (:func:`humanalign.escape.csv_cell`).

    Raises:
        ValueError: ``csv_name`` is not a plain file name (``.csv`` is added when missing).
    """
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", csv_name):
        raise ValueError(f"claims_csv: {csv_name!r} is not a plain file name (letters, digits, '.', '_', '-').")
    csv_name = csv_name if csv_name.lower().endswith(".csv") else csv_name + ".csv"
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(["part", "claim", "chapter", "verdict", "effect", "ci_low", "ci_high", "effect_unit", "robustness",
                     "resampled", "human_data", "caveat"])
    for row in table.itertuples():
        effect, low, high = _numbers(row.deciding)
        writer.writerow([escape.csv_cell(str(v)) for v in (row.part, row.claim, row.chapter, row.verdict)] +
                        [effect, low, high] +
                        [escape.csv_cell(str(v)) for v in (row.effect_unit, row.robustness, row.resampled, row.data,
                                                          row.caveat)])
    payload = base64.b64encode(out.getvalue().encode("utf-8")).decode("ascii")
    return (f'<p class="ha-table-links"><a class="ha-table-download" download="{html.escape(csv_name)}" '
            f'href="data:text/csv;base64,{payload}">Download this table (CSV)</a></p>')


def _numbers(deciding: str) -> tuple[str | float, str | float, str | float]:
    """``"+0.097 [+0.057, +0.137]"`` -> (0.097, 0.057, 0.137); empty strings without an effect."""
    if deciding == "—":
        return "", "", ""
    value, rest = deciding.split(" [")
    low, high = rest.rstrip("]").split(", ")
    return float(value), float(low), float(high)


def verdict_box(verdict: Verdict, profile: Profile | None = None, effect_unit: str | None = None) -> str:
    """A chapter's verdict as one admonition: the verdict (each half of a two-part claim on
    its own) and its deciding number with its unit shown, the full reasoning folded below
    (:func:`humanalign.pages.verdict_admonition`).

    Args:
        effect_unit: The unit of the deciding effect (default: the verdict's label
            ``effect_unit``, else none is named), e.g. a value of :data:`EFFECT_UNITS`.
    """
    deciding = _evidence(verdict.numbers)
    unit = escape.markdown(verdict.labels.get("unit", ""))
    effect_unit = verdict.labels.get("effect_unit") or effect_unit or ""
    reason = escape.markdown(verdict.reason[:1].upper() + verdict.reason[1:])
    mark = verdict.labels.get("robustness", "")
    robustness = f" Under other analysis choices: {escape.markdown(mark)}." if mark else ""
    summary = (f"Deciding effect {deciding}" + (f" in {escape.markdown(effect_unit)}" if effect_unit else "")
               + " (95 % interval" + (f", {unit} resampled" if unit else "")
               + f"). Human data: {escape.markdown(_data(verdict, profile))}." + robustness
               if deciding != "—" else reason + ".")
    details = reason if deciding != "—" else ""
    words = verdict_words(verdict)
    title = words[:1].upper() + words[1:] if verdict_halves(verdict) else None
    return pages.verdict_admonition(verdict.status, summary, details, title=title)


def answer_box(answer: Answer) -> str:
    """A question beyond the paper as a verdict-like box: the answer as its title (blue when
    an interval decided it, amber when not), the numbers below (the chapter's heading asks
    the question)."""
    title = answer.answer[:1].upper() + answer.answer[1:]
    return pages.verdict_admonition("answered" if answer.decided else "undecided", answer.summary, "",
                                    title=_role_text(title))


def _mean_row(probe: pd.DataFrame, target: str) -> pd.Series | None:
    rows = probe[(probe["model"] == "mean of trained networks") & (probe["target"] == target)]
    return rows.iloc[0] if len(rows) else None


def brain_answers(result, chapter: str = "06_brain") -> dict[str, Answer]:
    """The brain chapter's three questions and their answers, read from its results.

    Args:
        result: :class:`~humanalign.study.BrainStudy` (:func:`~humanalign.study.evaluate_brain`).

    Returns:
        ``relation`` (do the networks that match the judgements also match IT: Pearson r
        across trained networks), ``probe`` (does the THINGS probe move IT as it moves the
        judgements: the mean gain on each) and ``categories`` (which category divisions the
        judgements show beyond IT), each an :class:`Answer`; a question whose results are
        missing is left out.
    """
    ceilings = result.ceilings.set_index("target")
    n_judges, n_scanned = int(ceilings.loc["behaviour", "n"]), int(ceilings.loc["IT", "n"])
    data = (f"real people: {n_judges} judging the 92 images, {n_scanned} in an fMRI scanner (IT)")
    answers: dict[str, Answer] = {}
    relation = result.relation.set_index("models")
    if "trained networks" in relation.index:
        rel = relation.loc["trained networks"]
        low, high, r = float(rel["pearson_low"]), float(rel["pearson_high"]), float(rel["pearson"])
        decided = bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))
        word = ("positive" if low > 0 else "negative") if decided else "undecided (the interval covers 0)"
        n = int(rel["n_models"])
        answers["relation"] = Answer(
            "relation", chapter, "Do the networks that match people's judgements also match human IT?", word, decided,
            f"Across the {n} trained networks, the Pearson correlation between alignment with the judgements and "
            f"alignment with IT is {_ci_text(r, low, high, '.2f')} (95 % interval; networks, and each data set's "
            "people and images, resampled).",
            {"estimate": r, "ci_low": low, "ci_high": high},
            {"effect_unit": "Pearson r across trained networks", "unit": "networks; people and images of each data set",
             "data": data, "caveat": f"Beyond the paper: the 92 images only, {n} small trained networks; IT "
             f"by fMRI in {n_scanned} people (noisy)."})
    judged, it = _mean_row(result.probe, "behaviour"), _mean_row(result.probe, "IT")
    if judged is not None and it is not None:
        contrast = _mean_row(result.probe, "behaviour minus IT")
        words = {t: _raised(row) for t, row in (("judgements", judged), ("IT", it))}
        decided = all(not w.startswith("no detectable") for w in words.values())
        summary = (f"Averaged over the trained networks, the probe changes the alignment with the judgements by "
                   f"{_gain_text(judged)} ({words['judgements']}) and with IT by {_gain_text(it)} ({words['IT']})")
        if contrast is not None:
            summary += (f"; the gain on the judgements minus the gain on IT is {_gain_text(contrast)} "
                        f"({escape.markdown(str(contrast['effect']))})")
        answers["probe"] = Answer(
            "probe", chapter, "Does the THINGS probe move IT as it moves the judgements?",
            f"judgements: {words['judgements']}; IT: {words['IT']}", decided,
            summary + " (95 % intervals, people and images resampled, paired before and after).",
            {"estimate": float(it["gain"]), "ci_low": float(it["gain_low"]), "ci_high": float(it["gain_high"])},
            {"effect_unit": "Spearman ρ with IT, after minus before the probe", "unit": "people and images",
             "data": data + "; the probe's THINGS triplets simulated from VICE"})
    if len(result.categories):
        answers["categories"] = _category_answer(result.categories, chapter, data)
    return answers


def _category_answer(categories: pd.DataFrame, chapter: str, data: str) -> Answer:
    """Which category divisions the judgements show beyond IT (the brain chapter's third question)."""
    cats = categories.set_index(["division", "target", "measure"])
    beyond = [d for d in dict.fromkeys(categories["division"])
              if cats["finding"].get((d, "behaviour", "beyond IT")) == "present"]
    names = [d.split(" (")[0] for d in beyond]
    bounds = ["value", "ci_low", "ci_high"]
    parts = []
    for d in beyond:
        alone = str(cats["finding"].get((d, "IT", "plain"), ""))
        note = (" (present in IT alone too)" if alone == "present" else
                " (not detected in IT alone)" if alone.startswith("not detected") else "")
        parts.append(f"{d.split(' (')[0]} {_ci_text(*cats.loc[(d, 'behaviour', 'beyond IT'), bounds], '.3f')}"
                     + note)
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
    return Answer(
        "categories", chapter, "Do the judgements divide categories that IT does not account for?",
        f"yes: {listed}" if names else "no division detected beyond IT", bool(names),
        (f"Partial rank correlation of the judgements with each division, the IT mean held fixed: "
         f"{'; '.join(parts)} (95 % intervals; people and the division's images resampled)." if names else
         "No division's partial rank correlation with the judgements, the IT mean held fixed, has its 95 % "
         "interval above 0."),
        {}, {"unit": "people and images", "data": data})


def _raised(row: pd.Series) -> str:
    low, high = float(row["gain_low"]), float(row["gain_high"])
    if np.isfinite(low) and low > 0:
        return "raised"
    if np.isfinite(high) and high < 0:
        return "lowered"
    return "no detectable change"


def _gain_text(row: pd.Series) -> str:
    return _ci_text(row["gain"], row["gain_low"], row["gain_high"], "+.3f")


def _ci_text(value: float, low: float, high: float, fmt: str) -> str:
    return f"{float(value):{fmt}} [{float(low):{fmt}}, {float(high):{fmt}}]"
