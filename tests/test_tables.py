"""Tests of humanalign.tables: a wide table as a journal prints it, in HTML and Markdown."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pandas as pd
import pytest

from humanalign import tables


def _wide() -> pd.DataFrame:
    return pd.DataFrame({
        "model": ["a/x.1", "b/y.2", "c/z.3", "d/<b>.4"],
        "params": pd.array([25_557_032, 11_689_512, 3_000_000, 5], dtype="Int64"),
        "zero_shot": [0.29134, 0.41, np.nan, np.nan],
        "ci_low": [0.25871, 0.40, np.nan, np.nan],
        "ci_high": [0.32049, 0.42, np.nan, np.nan],
        "probed": [0.5, np.nan, 0.61, np.nan],
        "trained": [True, False, True, False],
    }, index=[10, 11, 12, 13])


COLUMNS = {"model": "Model", "params": "Parameters", "zero_shot": "Zero-shot accuracy (95 % CI)",
           "probed": "Probed accuracy", "trained": "Trained"}


def test_cells_merge_intervals_round_and_show_a_dash_for_missing_values():
    table = tables.journal_table(_wide(), COLUMNS, intervals={"zero_shot": ("ci_low", "ci_high")},
                                 values=["zero_shot", "probed"])
    cells = table.cells
    assert list(cells.columns) == list(COLUMNS.values())
    # The last row has no value at all and is left out; the index is not shown.
    assert cells["Model"].tolist() == ["a/x.1", "b/y.2", "c/z.3"]
    assert cells["Zero-shot accuracy (95 % CI)"].tolist() == ["0.291 [0.259, 0.320]", "0.410 [0.400, 0.420]", "—"]
    assert cells["Probed accuracy"].tolist() == ["0.500", "—", "0.610"]
    assert cells["Parameters"].tolist() == ["25,557,032", "11,689,512", "3,000,000"]
    assert cells["Trained"].tolist() == ["yes", "no", "yes"]
    assert table.numeric == {"Parameters", "Zero-shot accuracy (95 % CI)", "Probed accuracy"}
    # By default every numeric column counts: the parameter count keeps the last row.
    assert len(tables.journal_table(_wide(), COLUMNS).cells) == 4


def test_cells_match_a_plain_loop_on_random_values():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"v": rng.normal(size=40), "lo": rng.normal(size=40), "hi": rng.normal(size=40)})
    df.loc[rng.random(40) < 0.3, "v"] = np.nan
    df.loc[rng.random(40) < 0.2, "lo"] = np.nan
    table = tables.journal_table(df, {"v": "Value"}, intervals={"v": ("lo", "hi")}, digits=2)
    expected = []
    for v, lo, hi in zip(df["v"], df["lo"], df["hi"]):
        if np.isnan(v):
            continue  # a row without its value is left out
        text = f"{v:.2f}" if f"{v:.2f}" != "-0.00" else "0.00"
        if not (np.isnan(lo) or np.isnan(hi)):
            ends = [f"{b:.2f}" if f"{b:.2f}" != "-0.00" else "0.00" for b in (lo, hi)]
            text += f" [{ends[0]}, {ends[1]}]"
        expected.append(text)
    assert table.cells["Value"].tolist() == expected


def test_digits_per_column_and_no_negative_zero():
    df = pd.DataFrame({"a": [1.23456, -0.0004], "b": [12.5, 3.25]})
    cells = tables.journal_table(df, {"a": "A", "b": "B (count)"}, digits={"b": 0}).cells
    assert cells["A"].tolist() == ["1.235", "0.000"]
    assert cells["B (count)"].tolist() == ["12", "3"]
    text = pd.DataFrame({"t": ["x", None, None], "u": ["y", "z", None]})
    cells = tables.journal_table(text, {"t": "T", "u": "U"}, missing="n/a").cells
    assert cells.to_dict("list") == {"T": ["x", "n/a"], "U": ["y", "z"]}  # the empty row is left out


def test_html_has_no_index_column_and_aligns_numbers_right():
    html = tables.journal_table(_wide(), COLUMNS, intervals={"zero_shot": ("ci_low", "ci_high")},
                                caption="Accuracy of each model")._repr_html_()
    assert "<th" not in html.split("<tbody>", 1)[1]  # no header cell in the body: no index
    assert re.findall(r'<th class="(ha-\w+)" scope="col">', html) == ["ha-text", "ha-num", "ha-num", "ha-num", "ha-text"]
    assert '<td class="ha-num">0.291 [0.259, 0.320]</td>' in html
    assert "Zero-shot accuracy (95&nbsp;% CI)" in html
    assert "<caption>Accuracy of each model</caption>" in html
    assert "d/<wbr>&lt;b&gt;<wbr>.4" in html and "<b>" not in html  # escaped, breakable between its parts
    assert 'class="ha-table-scroll"' in html and "overflow-x: auto" in html
    assert not re.search(r">\s*(nan|NaN|None|<NA>)\s*<", html)


def test_csv_download_holds_the_unrounded_rows_shown():
    table = tables.journal_table(_wide(), COLUMNS, intervals={"zero_shot": ("ci_low", "ci_high")},
                                 values=["zero_shot", "probed"], csv_name="scale")
    link = table.csv_link()
    assert 'download="scale.csv"' in link and "Download the full-precision table (CSV)" in link
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', link).group(1)
    data = pd.read_csv(io.StringIO(base64.b64decode(payload).decode("utf-8")))
    assert list(data.columns) == ["model", "params", "zero_shot", "probed", "trained", "ci_low", "ci_high"]
    assert data["zero_shot"].iloc[0] == 0.29134 and data["ci_high"].iloc[0] == 0.32049
    assert len(data) == 3


def test_markdown_is_a_pipe_table_with_numbers_right_aligned():
    text = tables.journal_table(pd.DataFrame({"m": ["a|b"], "v": [0.5]}), {"m": "Model", "v": "Value"},
                                caption="Cap").to_markdown()
    assert text.splitlines() == ["**Cap**", "", "| Model | Value |", "| :--- | ---: |", "| a\\|b | 0.500 |"]
    assert repr(tables.journal_table(pd.DataFrame({"v": [1.0]}), {"v": "V"})) == "| V |\n| ---: |\n| 1.000 |"


def test_bad_input_is_named():
    df = _wide()
    with pytest.raises(KeyError, match="lacks columns \\['nope'\\]"):
        tables.journal_table(df, {"nope": "Nope"})
    with pytest.raises(KeyError, match="lacks columns \\['lo'\\]"):
        tables.journal_table(df, {"zero_shot": "Z"}, intervals={"zero_shot": ("lo", "ci_high")})
    with pytest.raises(ValueError, match="not shown"):
        tables.journal_table(df, {"model": "M"}, intervals={"zero_shot": ("ci_low", "ci_high")})
    with pytest.raises(ValueError, match="\\(low, high\\) pair"):
        tables.journal_table(df, {"zero_shot": "Z"}, intervals={"zero_shot": ("ci_low",)})
    with pytest.raises(ValueError, match="hold no numbers"):
        tables.journal_table(df, {"zero_shot": "Z"}, intervals={"zero_shot": ("model", "ci_high")})
    with pytest.raises(ValueError, match="share a header"):
        tables.journal_table(df, {"zero_shot": "Z", "probed": "Z"})
    with pytest.raises(ValueError, match="plain file name"):
        tables.journal_table(df, {"zero_shot": "Z"}, csv_name="../x.csv")
    with pytest.raises(KeyError, match="not shown columns"):
        tables.journal_table(df, {"zero_shot": "Z"}, values=["probed"])
