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


def _csv(table) -> pd.DataFrame:
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', table.csv_link()).group(1)
    return pd.read_csv(io.StringIO(base64.b64decode(payload).decode("utf-8")))


def test_reader_table_shows_models_by_name_and_keeps_their_ids_in_the_csv():
    ids = ["litert/mobilenet_v1_025_128.quant_in1k", "pypi/efficientnet_lite0.in1k", "reference/monkey_IT"]
    df = pd.DataFrame({"model": ids, "training_data": ["ImageNet-1k", "ImageNet-1k", "reference"],
                       "zero_shot": [0.41, 0.43, 0.60], "ci_low": [0.40, 0.42, 0.58], "ci_high": [0.42, 0.44, 0.62]})
    table = tables.reader_table(df, caption="Accuracy", csv_name="acc")
    assert table.cells["Model"].tolist() == ["MobileNet v1 0.25 (128 px, uint8)", "EfficientNet-Lite0",
                                             "reference/monkey_IT"]
    data = _csv(table)
    assert data["model"].tolist() == ids and data["model_name"].tolist() == table.cells["Model"].tolist()
    html = table._repr_html_()
    # A name in words wraps at its spaces: no break points inside "0.25"; an id keeps them.
    assert ">MobileNet v1 0.25 (128 px, uint8)</td>" in html
    assert "reference/<wbr>monkey_<wbr>IT" in html
    # A human embedding is named by the data registry's label.
    named = tables.reader_table(df.assign(model=[*ids[:2], "human/vice_42d"]), caption="Accuracy")
    assert named.cells["Model"].tolist()[2] == "VICE 42-d (human embedding)"


def test_reader_table_names_pivoted_model_columns_and_writes_headers_in_words():
    df = pd.DataFrame({"name": ["animal", "food"], "pypi/efficientnet_lite0.in1k": [0.5, 0.6],
                       "src/unknown.tag": [0.1, 0.2], "probed, COCO + Active": [0.3, 0.4], "my_column": [1.0, 2.0]})
    table = tables.reader_table(df, headers={"name": "Dimension"}, csv_name="pivot")
    assert list(table.cells.columns) == ["Dimension", "EfficientNet-Lite0", "Src/unknown.tag",
                                         "Probed, COCO + Active", "My column"]
    assert list(_csv(table).columns) == list(df.columns)  # the CSV keeps the ids and names as computed
    # A column of labels the registry does not know stays as it is, under its header.
    plain = tables.reader_table(pd.DataFrame({"model": ["a/b.c"], "zero_shot": [0.5]}))
    assert list(plain.cells.columns) == ["Model", "Zero-shot accuracy"] and "model_name" not in plain.data


def test_journal_table_carries_extra_columns_into_the_csv_only():
    df = _wide()
    table = tables.journal_table(df, {"zero_shot": "Z"}, extra=["model"])
    assert list(table.cells.columns) == ["Z"] and list(_csv(table).columns) == ["zero_shot", "model"]
    with pytest.raises(KeyError, match="extra names columns \\['nope'\\]"):
        tables.journal_table(df, {"zero_shot": "Z"}, extra=["nope"])


def test_a_long_text_cell_gets_a_wider_column_and_short_ones_do_not():
    objects = ", ".join(["crown", "centerpiece", "chandelier", "throne", "urn", "candelabra", "chalice", "vase"])
    df = pd.DataFrame({"name": ["royal", "tools"], "objects": [objects, "saw, axe"], "n": [4, 7]})
    html = tables.journal_table(df, {"name": "Dimension", "objects": "Top objects", "n": "Count"})._repr_html_()
    assert len(objects) > tables.LONG_TEXT
    assert f'<td class="ha-text ha-long">{objects}</td>' in html
    assert '<td class="ha-text">saw, axe</td>' in html and '<td class="ha-text">royal</td>' in html
    assert "ha-long" not in html.split("<tbody>")[0]  # headers keep their own class
