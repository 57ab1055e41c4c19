"""The landing page's claims table, the chapters' verdict boxes and the reader's tables."""

from __future__ import annotations

import pandas as pd
import pytest

from humanalign import study, tables
from humanalign.study import Verdict


def _verdicts():
    return {
        "scale": Verdict("reproduced", "all within", {"estimate": -0.007, "ci_low": -0.022, "ci_high": 0.007},
                         {"unit": "triplets and people", "robustness": "fragile: Euclidean gives undecided"}),
        "objective": Verdict("not testable with this profile's models", "no contrastive models", {}),
        "transfer": Verdict("undecided", "covers 0", {"estimate": 0.024, "ci_low": -0.017, "ci_high": 0.061},
                            {"unit": "people and images", "data": "real people (16, 92 images)"}),
    }


def test_claims_table_has_one_row_per_claim_given_in_the_papers_order():
    profile = study.make_profile(models=["x/y.z"], check_models=False, check_data=False)
    table = study.claims_table(_verdicts(), profile)
    assert list(table["chapter"]) == ["01_scale", "02_objective", "04_transfer"]
    assert table.loc[0, "deciding"] == "-0.007 [-0.022, +0.007]" and table.loc[1, "deciding"] == "—"
    # The data column says where the human side comes from: a label, or people's real
    # answers to THINGS triplets (the same in every profile).
    assert table.loc[2, "data"] == "real people (16, 92 images)"
    assert table.loc[0, "data"] == "real people (THINGS)"
    text = study.claims_markdown(table)
    assert "{doc}`Model size and architecture have essentially no effect <01_scale>`" in text
    assert "{bdg-warning}`undecided`" in text and "{bdg-success}`reproduced`" in text
    assert text.count("\n") == 2 + len(table)
    # The robustness mark in short: the chapter's table says which choices change it.
    assert list(table["robustness"]) == ["fragile", "—", "—"]


def test_verdict_box_shows_the_deciding_effect_and_folds_the_reason():
    box = study.verdict_box(_verdicts()["transfer"])
    assert box.startswith("`````{admonition} Undecided") and "ha-verdict-undecided" in box
    assert "+0.024 [-0.017, +0.061]" in box and "people and images resampled" in box
    assert "{dropdown}" in box and "Covers 0" in box
    assert "Under other analysis choices: fragile: Euclidean gives undecided." in study.verdict_box(
        _verdicts()["scale"])
    plain = study.verdict_box(_verdicts()["objective"])
    assert "No contrastive models." in plain and "{dropdown}" not in plain


def test_reader_table_names_headers_and_merges_intervals():
    df = pd.DataFrame({"human_data": ["92 images"], "comparison": ["a - b"], "difference": [0.1234],
                       "ci_low": [0.01], "ci_high": [0.2], "outcome": ["as the paper says"],
                       "gain": [0.05], "gain_low": [0.0], "gain_high": [0.1], "dimensions": [[3, 41]]})
    out = tables.reader_table(df, caption="c", csv_name="x")
    assert list(out.cells.columns) == ["Human data", "Comparison", "Difference (95 % CI)", "Reading of the interval",
                                       "Gain (95 % CI)", "Dimensions"]
    row = out.cells.iloc[0]
    assert row["Difference (95 % CI)"].replace("\u2212", "-").startswith("0.123 [0.010, 0.200]")
    assert row["Dimensions"] == "3, 41"
    assert "ci_low" in out.data.columns  # the bounds stay in the download
    with pytest.raises(KeyError):
        tables.reader_table(df, ["nope"])


def test_reader_table_aligns_text_that_holds_only_figures_as_numbers():
    df = pd.DataFrame({"name": ["food", "sports"], "cell": ["0.512 [0.489, 0.534] (120)", "—"],
                       "dimensions": [[41], [36, 2]]})
    out = tables.reader_table(df)
    assert {"Cell", "Dimensions"} <= out.numeric and "Dimension" not in out.numeric
