"""The reviewed VICE dimension table: its loader, its checks and the tool that derives it."""

from __future__ import annotations

import importlib.util
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from conftest import ROOT, needs_mirror
from humanalign.datasets import (
    VICE_TERMS,
    check_against_embedding,
    load_concepts,
    load_vice,
    load_vice_dimensions,
    term_dimensions,
)
from humanalign.errors import DataError

_spec = importlib.util.spec_from_file_location("vice_dimensions_tool", ROOT / "tools" / "vice_dimensions.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

SHIPPED = (resources.files("humanalign") / "resources" / "vice_dimensions.csv").read_text(encoding="utf-8")


def test_shipped_table_validates_and_is_reviewed():
    table = load_vice_dimensions()
    assert table["dimension"].tolist() == list(range(42))
    assert (table["reviewed"] == "yes").all()
    assert table["name"].is_unique and (table["name"].str.len() > 0).all()
    assert (table["evidence"].str.len() > 0).all()
    assert set(table["term"]) <= set(VICE_TERMS) | {""}
    assert all(len(objects.split(";")) == 8 for objects in table["top_objects"])
    # The provenance travels with the file.
    header = " ".join(line[1:].strip() for line in SHIPPED.splitlines() if line.startswith("#"))
    assert "written by hand" in header and "not the human labels" in header


def test_shipped_terms_follow_the_evidence():
    terms = term_dimensions(load_vice_dimensions())
    assert all(terms[t] for t in VICE_TERMS), terms
    # Sharks and whales share dimension 38 with tugboats and cruise ships: water, not animals.
    assert 38 not in terms["animals"]
    # Crown, throne and chalice: the dimension THINGS has no category for.
    assert 4 in terms["royal"]
    assert terms == {"food": [41], "animals": [12], "royal": [4], "sports": [36]}


def _edited(tmp_path, old: str, new: str):
    assert old in SHIPPED
    path = tmp_path / "copy.csv"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(prefix: str) -> int:
    return next(i for i, line in enumerate(SHIPPED.splitlines(), start=1) if line.startswith(prefix))


def _dimension_line(d: int) -> str:
    return next(line for line in SHIPPED.splitlines() if line.startswith(f"{d},"))


@pytest.mark.parametrize("old, new, message", [
    (_dimension_line(7) + "\n", "", "no row for dimensions [7]"),
    ("\n7,fire", "\n8,fire", f"line {_line_of('8,')}: dimension 8 is listed twice (also on line {_line_of('7,')})"),
    ("\n4,royal / precious / ornate,royal,", "\n4,royal / precious / ornate,regal,",
     f"line {_line_of('4,')}: term 'regal' of dimension 4 is not one of food, animals, royal, sports"),
    ("\n6,babies / toys,", "\n6, ,", f"line {_line_of('6,')}: dimension 6 has an empty name"),
    ("\n6,babies / toys,", "\nsix,babies / toys,", "dimension 'six' is not an integer in 0 .. 41"),
    ("\n41,food", "\n42,food", "dimension '42' is not an integer in 0 .. 41"),
    (",yes\n", ",maybe\n", "reviewed 'maybe' of dimension 0 must be 'yes' or 'no'"),
    ("\n3,small hard pieces,,", "\n3,small hard pieces,,a,b,", "does not have the 7 fields of the header"),
    ("dimension,name,term,", "dimension,label,term,", "columns ['name'] are missing"),
])
def test_malformed_copies_are_refused_with_file_line_and_value(tmp_path, old, new, message):
    path = _edited(tmp_path, old, new)
    with pytest.raises(DataError) as err:
        load_vice_dimensions(path=path)
    assert str(path) in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_unreadable_file_is_named(tmp_path):
    with pytest.raises(DataError, match="missing.csv: cannot read"):
        load_vice_dimensions(path=tmp_path / "missing.csv")


def test_a_copy_without_comments_reads_the_same(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(line for line in SHIPPED.splitlines() if not line.startswith("#")) + "\n")
    pd.testing.assert_frame_equal(load_vice_dimensions(path=path), load_vice_dimensions())


def test_term_dimensions_on_a_small_table():
    table = pd.DataFrame({"dimension": [3, 0, 2, 1, 5], "term": ["food", "", "food", "sports", "animals"]})
    assert term_dimensions(table) == {"food": [2, 3], "animals": [5], "royal": [], "sports": [1]}
    with pytest.raises(ValueError, match=r"terms \['regal'\]"):
        term_dimensions(table.assign(term=["regal", "", "", "", ""]))


def _toy():
    emb = np.array([[0.9, 0.0], [0.5, 0.7], [0.5, 0.1], [0.0, 0.8]])
    concepts = pd.DataFrame({"Word": ["cat", "dog", "cow", "hat"]})
    return emb, concepts


def test_cross_check_on_a_small_embedding():
    emb, concepts = _toy()
    # Dimension 0: dog and cow tie at 0.5; the earlier concept comes first.
    good = pd.DataFrame({"dimension": [0, 1], "top_objects": ["cat;dog;cow", "hat;dog"]})
    assert check_against_embedding(good, emb, concepts) == []
    swapped = good.assign(top_objects=["cat;cow;dog", "hat;dog"])
    assert check_against_embedding(swapped, emb, concepts) == [0]
    # Many ties (THINGS has concepts of equal weight): the order is the concepts' order.
    ties = np.r_[np.full(40, 0.5), 0.9][:, None]
    words = pd.DataFrame({"Word": [f"w{i}" for i in range(41)]})
    listed = pd.DataFrame({"dimension": [0], "top_objects": ["w40;w0;w1;w2;w3;w4"]})
    assert check_against_embedding(listed, ties, words) == []
    with pytest.raises(ValueError, match="dimension 2 but vice has only 2 columns"):
        check_against_embedding(pd.DataFrame({"dimension": [2], "top_objects": ["cat"]}), emb, concepts)
    with pytest.raises(ValueError, match="concepts 3 rows"):
        check_against_embedding(good, emb, concepts.iloc[:3])


@needs_mirror
def test_cross_check_passes_on_the_real_embedding_and_catches_an_edit():
    table, vice, concepts = load_vice_dimensions(), load_vice(), load_concepts()
    assert check_against_embedding(table, vice, concepts) == []
    altered = table.copy()
    altered.loc[38, "top_objects"] = altered.loc[38, "top_objects"].replace("shark;whale", "whale;shark")
    altered.loc[4, "top_objects"] = altered.loc[4, "top_objects"].replace("crown", "tiara")
    assert check_against_embedding(altered, vice, concepts) == [4, 38]
    # The same check on a shuffled embedding: the table cannot drift silently.
    shuffled = vice[:, np.random.default_rng(0).permutation(vice.shape[1])]
    assert len(check_against_embedding(table, shuffled, concepts)) > 35


def enriched_by_loop(order, categories):
    cat = categories.to_numpy()
    n, top, rows = len(cat), len(order), []
    for c, name in enumerate(categories.columns):
        hits = sum(int(cat[i, c]) for i in order)
        size = int(cat[:, c].sum())
        if hits >= 2:
            rows.append((hypergeom.sf(hits - 1, n, size, top), c, name, hits, hits / top / (size / n)))
    return [{"category": name, "count": hits, "enrichment": e, "p": p} for p, _, name, hits, e in sorted(rows)]


def test_tool_enrichment_matches_a_plain_loop(rng):
    categories = pd.DataFrame(rng.integers(0, 2, (60, 6)), columns=[f"c{i}" for i in range(6)])
    categories["rare"] = 0
    categories.loc[[1, 2, 3], "rare"] = 1
    order = np.array([1, 2, 3, 7, 9, 11, 20, 33])
    got = tool.enriched(order, categories, best=10)
    want = enriched_by_loop(order, categories)
    assert [r["category"] for r in got] == [r["category"] for r in want]
    assert got[0]["category"] == "rare" and got[0]["count"] == 3
    for g, w in zip(got, want):
        assert g["count"] == w["count"] and g["enrichment"] == pytest.approx(w["enrichment"])
        assert g["p"] == pytest.approx(w["p"])


@needs_mirror
def test_tool_draft_gives_the_shipped_automatic_columns(tmp_path, capsys):
    draft = tmp_path / "draft.csv"
    assert tool.main(["--write", str(draft), "--dims", "4", "38"]) == 0
    out = capsys.readouterr().out
    assert "dimension 38:" in out and "shark, whale, dolphin" in out and "dimension 5:" not in out
    written = pd.read_csv(draft, dtype=str, keep_default_na=False)
    shipped = load_vice_dimensions()
    assert list(written.columns[:7]) == list(shipped.columns)
    assert (written["name"] == "").all() and (written["reviewed"] == "no").all()
    for column in ("top_objects", "top_categories"):
        assert written[column].tolist() == shipped[column].tolist()
