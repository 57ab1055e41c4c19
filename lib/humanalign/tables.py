"""Tables for people: what a chapter shows where a notebook would show a data frame.

:func:`journal_table` turns a wide table into one a journal would print: headers in words
with their units, no index column, every number to the same decimals (an interval in the
same cell as its value, ``0.291 [0.259, 0.320]``), a dash where a value is missing, numbers
right-aligned in tabular figures and text left-aligned. In a page the table sits in a box
that scrolls sideways inside itself when it is wider than the text column (so the page
never does), with a link that downloads the unrounded values as CSV (a ``data:`` link: it
works offline, in a built page or a notebook). The book's style sheet
(``book/_static/humanalign.css``) gives the classes used here their look.

Example::

    journal_table(wide, {"model": "Model", "zero_shot": "Zero-shot accuracy (95 % CI)",
                         "params": "Parameters (millions)"},
                  intervals={"zero_shot": ("ci_low", "ci_high")}, csv_name="scale.csv")
"""

from __future__ import annotations

import base64
import csv
import html
import re
from dataclasses import dataclass, replace

import pandas as pd

from . import escape
from .names import display_names

__all__ = ["HEADERS", "MISSING", "JournalTable", "journal_table", "reader_table"]

#: What a cell without a value shows.
MISSING = "—"
#: A text cell longer than this many characters (a list, a sentence) gets a wider column.
LONG_TEXT = 60
_FIGURES = re.compile(r"^[\u2212+-]?\d[\d,. ]*(\s*\[[^\]]*\])?(\s*\(\d[\d,]*\))?$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Where a text cell may break: after "/" or "_", before ".".
_BREAKS = re.compile(r"[/_.]")


@dataclass(frozen=True)
class JournalTable:
    """A table ready to be shown: its cells as text and its values at full precision.

    Attributes:
        cells: One row per shown row, one column per header, every cell a string.
        numeric: The headers whose column holds numbers (right-aligned).
        data: The shown rows with their source columns (interval bounds included),
            unrounded: the content of the CSV download.
        caption: Text above the table, or ``None``.
        csv_name: File name the CSV download is saved under.
    """

    cells: pd.DataFrame
    numeric: frozenset[str]
    data: pd.DataFrame
    caption: str | None = None
    csv_name: str = "table.csv"

    def csv_text(self) -> str:
        """:attr:`data` as CSV, every text cell safe to open in a spreadsheet: one that would
        start a formula (``=``, ``+``, ``-``, ``@``, a tab or a line break) is written with a
        leading apostrophe (:func:`humanalign.escape.csv_cell`), and every text cell is quoted,
        so that no separator or line break in it starts a cell of its own; numbers stay numbers."""
        data = self.data.copy()
        for column in data.columns:
            if not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(data[column]):
                data[column] = data[column].map(escape.csv_cell)
        data.columns = [escape.csv_cell(str(c)) for c in data.columns]
        return data.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)

    def csv_link(self) -> str:
        """A ``data:text/csv;base64`` link that downloads :attr:`data` as ``csv_name`` (:meth:`csv_text`)."""
        payload = base64.b64encode(self.csv_text().encode("utf-8")).decode("ascii")
        return (f'<a class="ha-table-download" download="{html.escape(self.csv_name)}" '
                f'href="data:text/csv;base64,{payload}">Download the full-precision table (CSV)</a>')

    def _cell(self, tag: str, header: str, text: str) -> str:
        kind = "ha-num" if header in self.numeric else "ha-text"
        if kind == "ha-text" and tag == "td" and len(text) > LONG_TEXT:
            # A list or a sentence gets a wider column, rather than a narrow one many lines tall.
            kind += " ha-long"
        scope = ' scope="col"' if tag == "th" else ""
        # "95 %" stays on one line.
        shown = html.escape(text).replace(" %", "&nbsp;%")
        if kind == "ha-text" and tag == "td" and " " not in text:
            # A long model id may break between its parts on a narrow screen (nowhere else;
            # a name in words wraps at its spaces).
            shown = _BREAKS.sub(lambda m: "<wbr>" + m.group(0) if m.group(0) == "." else m.group(0) + "<wbr>", shown)
        return f'<{tag} class="{kind}"{scope}>{shown}</{tag}>'

    def _repr_html_(self) -> str:
        headers = list(self.cells.columns)
        head = "".join(self._cell("th", h, h) for h in headers)
        rows = "".join("<tr>" + "".join(self._cell("td", h, row[h]) for h in headers) + "</tr>\n"
                       for _, row in self.cells.iterrows())
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        label = html.escape(self.caption or "table", quote=True)
        # The scrolling box is styled inline too, so that a notebook without the book's
        # style sheet never scrolls sideways either.
        return (
            '<div class="ha-table">\n'
            f'<div class="ha-table-scroll" role="region" aria-label="{label}" tabindex="0" style="overflow-x: auto">\n'
            f'<table class="ha-journal">{caption}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody></table>\n'
            f"</div>\n<p class=\"ha-table-links\">{self.csv_link()}</p>\n</div>"
        )

    def to_markdown(self) -> str:
        """The table as Markdown (a pipe table, numbers right-aligned); text is escaped, so
        that a cell shows what it holds (:func:`humanalign.escape.markdown`)."""
        def line(values, kinds):
            return "| " + " | ".join(str(v).replace("|", "\\|") if numeric else escape.markdown(v)
                                     for v, numeric in zip(values, kinds)) + " |"

        headers = list(self.cells.columns)
        figures = [h in self.numeric for h in headers]
        rule = ["---:" if h in self.numeric else ":---" for h in headers]
        body = [line(row, figures) for row in self.cells.itertuples(index=False)]
        caption = [f"**{escape.markdown(self.caption)}**", ""] if self.caption else []
        return "\n".join(caption + [line(headers, [False] * len(headers)), line(rule, [True] * len(rule)), *body])

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return self.to_markdown()


def _check(df: pd.DataFrame, columns: dict[str, str], intervals: dict[str, tuple[str, str]]) -> None:
    needed = list(columns) + [c for bounds in intervals.values() for c in bounds]
    missing = [c for c in dict.fromkeys(needed) if c not in df.columns]
    if missing:
        raise KeyError(f"journal_table: the table lacks columns {missing}; it has {list(df.columns)}.")
    stray = [c for c in intervals if c not in columns]
    if stray:
        raise ValueError(f"journal_table: intervals name columns {stray} that are not shown; add them to columns.")
    for name, bounds in intervals.items():
        if not (isinstance(bounds, tuple) and len(bounds) == 2):
            raise ValueError(f"journal_table: the interval of {name!r} must be a (low, high) pair of columns, "
                             f"not {bounds!r}.")
        not_numbers = [c for c in (name, *bounds) if not pd.api.types.is_numeric_dtype(df[c])]
        if not_numbers:
            raise ValueError(f"journal_table: the interval columns {not_numbers} of {name!r} hold no numbers.")
    if len(set(columns.values())) != len(columns):
        raise ValueError(f"journal_table: two columns share a header: {list(columns.values())}.")


def _number(value, decimals: int | None, missing: str) -> str:
    """One number as text: ``decimals`` places (``None``: a whole number), or ``missing``."""
    if value is None or pd.isna(value):
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if decimals is None:
        return f"{int(value):,}"
    # No "-0.000": a value that rounds to zero has no sign.
    text = f"{float(value):,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def _format_column(df: pd.DataFrame, name: str, decimals: int | None, bounds: tuple[str, str] | None,
                   missing: str) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(df[name]) or pd.api.types.is_bool_dtype(df[name]):
        return df[name].map(lambda v: missing if v is None or (not isinstance(v, str) and pd.isna(v))
                            else ("yes" if v is True else "no" if v is False else str(v)))
    values = df[name].map(lambda v: _number(v, decimals, missing))
    if bounds is None:
        return values
    low = df[bounds[0]].map(lambda v: _number(v, decimals, missing))
    high = df[bounds[1]].map(lambda v: _number(v, decimals, missing))
    # An interval is shown only with its value and both its ends.
    whole = df[name].notna() & df[bounds[0]].notna() & df[bounds[1]].notna()
    return values.where(~whole, values + " [" + low + ", " + high + "]")


def _decimals(df: pd.DataFrame, name: str, digits: int | dict[str, int]) -> int | None:
    if isinstance(digits, dict):
        if name in digits:
            return digits[name]
        digits = 3
    return None if pd.api.types.is_integer_dtype(df[name]) else digits


def journal_table(df: pd.DataFrame, columns: dict[str, str], intervals: dict[str, tuple[str, str]] | None = None,
                  digits: int | dict[str, int] = 3, caption: str | None = None, csv_name: str | None = None,
                  missing: str = MISSING, values: list[str] | None = None,
                  extra: list[str] | None = None) -> JournalTable:
    """A table as a journal would print it (shown in a notebook or a page as HTML).

    Args:
        df: A wide table (one row per model, or model x layer); its index is not shown.
        columns: Source column -> header, in the order shown; headers in words with their
            units, e.g. ``{"zero_shot": "Zero-shot accuracy (95 % CI)"}``.
        intervals: Shown column -> its ``(low, high)`` columns, merged into the value's
            cell as ``0.291 [0.259, 0.320]``; the bounds need not be in ``columns``.
        digits: Decimals of the numbers (default 3), or source column -> decimals (the
            others 3; 0 shows a whole number). Integer columns show whole numbers.
        caption: Text above the table (its accessible name too).
        csv_name: File name of the full-precision CSV download (``.csv`` is added when
            missing); default ``table.csv``.
        missing: What an empty cell shows (default an em dash; e.g. ``"n/a"``).
        values: The shown columns whose values count: a row with none of them is left out
            (default: the numeric shown columns, or all shown columns when none is
            numeric). Say ``["zero_shot"]`` when a numeric column such as the parameter
            count is a label rather than a result.
        extra: Columns of ``df`` carried into the CSV download without being shown (e.g.
            the model id beside the name shown).

    Returns:
        A :class:`JournalTable` without the rows that have no value.

    Raises:
        KeyError: a named column is not in ``df`` (``extra`` included), or ``values`` names
            one not shown.
        ValueError: an interval names a column that is not shown, or columns without
            numbers; two columns share a header; or ``csv_name`` is not a plain file name.
    """
    intervals = dict(intervals or {})
    _check(df, columns, intervals)
    hidden = [c for c in (extra or []) if c not in columns]
    if [c for c in hidden if c not in df.columns]:
        raise KeyError(f"journal_table: extra names columns {[c for c in hidden if c not in df.columns]} "
                       f"that the table lacks; it has {list(df.columns)}.")
    name = csv_name or "table.csv"
    if not _FILE_NAME.match(name):
        raise ValueError(f"journal_table: csv_name {name!r} must be a plain file name (letters, digits, '.', '_', '-').")
    name = name if name.lower().endswith(".csv") else name + ".csv"
    numbers = [c for c in columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    if values is not None and not set(values) <= set(columns):
        raise KeyError(f"journal_table: values {sorted(set(values) - set(columns))} are not shown columns; "
                       f"choose among {list(columns)}.")
    counted = list(values) if values else (numbers or list(columns))
    kept = df[df[counted].notna().any(axis=1)].reset_index(drop=True)
    cells = pd.DataFrame({header: _format_column(kept, source, _decimals(kept, source, digits), intervals.get(source),
                                                 missing)
                          for source, header in columns.items()})
    sources = list(dict.fromkeys([*columns, *(c for bounds in intervals.values() for c in bounds), *hidden]))
    return JournalTable(cells=cells, numeric=frozenset(columns[c] for c in numbers), data=kept[sources],
                        caption=caption, csv_name=name)


#: Headers in words (with units) for the columns the study's tables share.
HEADERS = {
    "model": "Model", "label": "Model", "layer": "Layer", "family": "Family", "params": "Parameters",
    "training_data": "Training data", "objective": "Objective", "precision": "Precision",
    "human_data": "Human data", "comparison": "Comparison", "difference": "Difference (95 % CI)",
    "outcome": "Reading of the interval", "zero_shot": "Zero-shot accuracy", "probed": "Probed accuracy",
    "half": "Half of the claim", "n_models": "Models", "estimate": "Effect (95 % CI)", "margin": "Margin",
    "term": "Term", "paper_side": "Where the paper puts it", "dimensions": "Dimensions", "rank": "Rank",
    "accuracy": "Accuracy (95 % CI)", "r2": "Held-out R²", "name": "Dimension", "dimension": "Dimension no.",
    "category": "Most enriched THINGS category", "in_top": "Of its top 10 objects", "enrichment": "Enrichment",
    "top_objects": "Top objects", "n": "n", "value": "Value (95 % CI)", "kind": "Kind", "target": "Compared with",
    "measure": "Measure", "finding": "Reading of the interval", "imagenet_top1": "ImageNet top-1",
    "gain": "Gain (95 % CI)", "share_all": "Share of all objects", "held_fixed": "Held fixed",
}
#: The columns an unlabelled ``ci_low`` / ``ci_high`` pair belongs to, in order of preference.
_INTERVAL_OWNERS = ("difference", "estimate", "value", "accuracy", "zero_shot", "gain")


def _interval_bounds(df: pd.DataFrame, wanted: list[str]) -> set[str]:
    """The columns that bound a shown column's interval: ``X_low`` and ``X_high`` of a shown
    ``X`` with both present and numeric, and ``ci_low``/``ci_high`` when a column of
    :data:`_INTERVAL_OWNERS` is shown."""
    present = set(df.columns)

    def pair(low: str, high: str) -> set[str]:
        both = {low, high} <= present and all(pd.api.types.is_numeric_dtype(df[c]) for c in (low, high))
        return {low, high} if both else set()

    def numeric(c: str) -> bool:
        return c in present and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])

    found = set()
    owner = next((c for c in _INTERVAL_OWNERS if c in wanted), None)
    if owner is not None and numeric(owner):
        found |= pair("ci_low", "ci_high")
    for c in wanted:
        if c not in ("ci_low", "ci_high") and numeric(c):
            found |= pair(f"{c}_low", f"{c}_high")
    return found


def _words(column: str) -> str:
    """A column name as a header: underscores to spaces, the first letter capital and the
    rest as written (``"probed, COCO + Active"`` keeps its capitals)."""
    text = " ".join(str(column).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _named_models(plain: pd.DataFrame, shown: list[str]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Model ids shown as the registry's display names: a ``model`` (or ``label``) column of
    ids becomes ``<column>_name`` in the table, the ids themselves stay in the CSV."""
    carried = []
    for column in ("model", "label"):
        name = f"{column}_name"
        if column not in shown or name in plain.columns:
            continue
        ids = plain[column].map(lambda v: v if isinstance(v, str) else None)
        names = display_names(ids.dropna())
        if all(names[i] == i for i in ids.dropna()):
            continue  # nothing the registry knows: shown as it is
        plain[name] = [names.get(i, v) if i is not None else v for i, v in zip(ids, plain[column])]
        shown = [name if c == column else c for c in shown]
        carried.append(column)
    return plain, shown, carried


def reader_table(df: pd.DataFrame, columns: list[str] | None = None, caption: str | None = None,
                 csv_name: str | None = None, headers: dict[str, str] | None = None,
                 digits: int | dict[str, int] = 3) -> JournalTable:
    """:func:`journal_table` with headers from :data:`HEADERS`, models by name and intervals
    found by name.

    ``ci_low``/``ci_high`` go with the first of ``difference, estimate, value, accuracy,
    zero_shot, gain`` shown; ``X_low``/``X_high`` go with ``X``. The bounds are not shown as
    columns of their own (they stay in the CSV download); a column that ends in ``_low`` or
    ``_high`` but bounds nothing shown (no ``X``, or only one of the pair) is shown as it is.
    Model ids, in a ``model`` or ``label`` column or as column names (a table pivoted by
    model), are shown as the registry's display names
    (:func:`humanalign.names.display_name`); the CSV keeps the ids. Other column names
    become headers in words.

    Args:
        df: The table.
        columns: The columns to show, in order (default: all but interval bounds).
        headers: Headers that replace or extend :data:`HEADERS` for this table.
    """
    names = {**HEADERS, **(headers or {})}
    wanted = list(columns or df.columns)
    bounds = _interval_bounds(df, wanted)
    shown = [c for c in wanted if c not in bounds]
    intervals = {}
    owner = next((c for c in _INTERVAL_OWNERS if c in shown), None)
    if owner and {"ci_low", "ci_high"} <= bounds:
        intervals[owner] = ("ci_low", "ci_high")
    for c in shown:
        if {f"{c}_low", f"{c}_high"} <= bounds:
            intervals[c] = (f"{c}_low", f"{c}_high")
    plain = df.copy()
    for c in shown:  # lists (e.g. dimensions) as text
        if plain[c].map(lambda v: isinstance(v, (list, tuple))).any():
            plain[c] = plain[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    plain, shown, carried = _named_models(plain, shown)
    by_model = display_names(map(str, shown))  # a table pivoted by model has ids as column names

    def header(c) -> str:
        if str(c).removesuffix("_name") in carried:
            return names[str(c).removesuffix("_name")]
        if c in names:
            return names[c]
        return by_model[str(c)] if by_model[str(c)] != str(c) else _words(c)

    labels = {c: header(c) for c in shown}
    for c in intervals:
        if "CI" not in labels[c]:
            labels[c] += " (95 % CI)"
    table = journal_table(plain, labels, intervals=intervals, digits=digits, caption=caption, csv_name=csv_name,
                          extra=carried)
    # Text columns that hold only figures (a list of dimensions, "0.512 [0.489, 0.534] (120)")
    # are aligned as numbers.
    figures = [h for h in table.cells.columns if h not in table.numeric and len(table.cells) and
               table.cells[h].map(lambda v: v in (MISSING, "-") or bool(_FIGURES.match(str(v)))).all()]
    return replace(table, numeric=table.numeric | frozenset(figures)) if figures else table
