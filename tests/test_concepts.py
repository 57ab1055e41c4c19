"""Concept labels, per-concept accuracy, dimension names and ridge R^2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import needs_mirror

from humanalign.datasets import load_category_matrix, load_concepts, load_vice
from humanalign.measures import accuracy_by_concept, concept_labels, describe_dimensions, name_dimensions, ridge_r2


def test_concept_labels_match_loop(rng):
    emb = rng.random((20, 5))
    t = np.array([rng.choice(20, 3, replace=False) for _ in range(100)])
    expected = [int(np.argmax((emb[a] + emb[b]) / 2)) for a, b, _ in t]
    np.testing.assert_array_equal(concept_labels(emb, t), expected)
    with pytest.raises(ValueError, match="outside"):
        concept_labels(emb, np.array([[0, 1, 20]]))


def test_accuracy_by_concept_matches_loop(rng):
    labels = rng.integers(0, 4, 200)
    labels[labels == 3] = 2  # dimension 3 has no triplets
    correct = rng.random(200) < 0.5
    table = accuracy_by_concept(correct, labels, 4)
    assert table.columns.tolist() == ["dimension", "n", "accuracy"]
    for d in range(3):
        assert table.loc[d, "n"] == np.sum(labels == d)
        assert table.loc[d, "accuracy"] == pytest.approx(correct[labels == d].mean())
    assert table.loc[3, "n"] == 0 and np.isnan(table.loc[3, "accuracy"])
    with pytest.raises(ValueError, match="labels must lie"):
        accuracy_by_concept(correct, labels + 3, 4)


def test_name_dimensions_uses_categories_and_words():
    concepts = pd.DataFrame({"Word": ["apple", "pear", "bread", "dog", "cat", "car"]})
    categories = pd.DataFrame(
        {"food": [1, 1, 1, 0, 0, 0], "animal": [0, 0, 0, 1, 1, 0], "vehicle": [0, 0, 0, 0, 0, 1]}
    )
    emb = np.array(
        [[3, 0, 1], [2, 0, 0], [1, 0, 0], [0, 3, 1], [0, 2, 0], [0, 0, 1.0]]
    )
    names = name_dimensions(emb, concepts, categories, top=3, words=2)
    assert names[0] == "food (apple, pear)"
    assert names[1].startswith("animal (dog, cat")
    assert names[2] == "apple, dog"  # no category holds half of the top weight
    with pytest.raises(ValueError, match="same objects"):
        name_dimensions(emb[:4], concepts, categories)


def test_ridge_r2_recovers_linear_targets(rng):
    x = rng.normal(size=(150, 10))
    y = np.stack([x @ rng.normal(size=10), rng.normal(size=150)], axis=1)
    table = ridge_r2(x, y, n_folds=3, seed=0)
    assert table.columns.tolist() == ["dimension", "r2"]
    assert table.loc[0, "r2"] > 0.95
    assert table.loc[1, "r2"] < 0.1
    with pytest.raises(ValueError, match="rows"):
        ridge_r2(x, y[:100])
    with pytest.raises(ValueError, match="too few"):
        ridge_r2(x[:5], y[:5])


@needs_mirror
def test_vice_dimensions_get_data_driven_names():
    names = name_dimensions(load_vice(), load_concepts(), load_category_matrix())
    assert len(names) == 42 and len(set(names)) == 42
    # Categories that the paper's concept chapter talks about show up as names.
    heads = {n.split(" (")[0] for n in names}
    assert {"food", "animal"} <= heads


def test_describe_dimensions_names_by_enrichment_and_shows_it():
    words = [f"w{i}" for i in range(40)]
    concepts = pd.DataFrame({"Word": words})
    food = np.zeros(40, int)
    food[:6] = 1
    animal = np.zeros(40, int)
    animal[6:30] = 1  # a common category: many objects, little enrichment
    categories = pd.DataFrame({"food": food, "animal": animal})
    emb = np.zeros((40, 2))
    emb[[0, 1, 2, 3, 6], 0] = [5, 4, 3, 2, 1]        # top 5: four food, one animal
    emb[[6, 30, 31, 32, 33], 1] = [5, 4, 3, 2, 1]    # top 5: one animal, four uncategorised
    table = describe_dimensions(emb, concepts, categories, top=5, words=2)
    first = table.iloc[0]
    assert first["category"] == "food" and first["in_top"] == 4 and first["share_all"] == pytest.approx(6 / 40)
    assert first["enrichment"] == pytest.approx(4 / 5 / (6 / 40)) and first["name"] == "food (w0, w1)"
    assert first["top_objects"] == "w0, w1, w2, w3, w6"
    # One animal in the top objects is not enough to name a dimension.
    assert table.iloc[1]["category"] == "" and table.iloc[1]["name"] == "w6, w30"


@needs_mirror
def test_vice_dimensions_for_the_papers_concepts():
    from humanalign.study import term_dimensions

    table = describe_dimensions(load_vice(), load_concepts(), load_category_matrix())
    assert table["name"].is_unique
    # The terms come from the reviewed table, not from the computed category names.
    from humanalign.study import dimension_table

    terms = term_dimensions(dimension_table())
    assert terms["food"] and terms["animals"] and terms["sports"] and terms["royal"]


def test_term_r2_averages_over_models_then_dimensions():
    import pandas as pd

    from humanalign.study import term_r2

    r2 = pd.DataFrame({"model": ["a", "a", "a", "b", "b", "b"], "dimension": [0, 1, 2] * 2,
                       "name": ["x"] * 6, "term": ["food", "food", ""] * 2, "r2": [0.2, 0.4, 0.1, 0.4, 0.6, 0.3]})
    out = term_r2(r2).set_index("term")
    assert out.loc["food", "r2"] == pytest.approx(0.4) and out.loc["food", "dimensions"] == 2
    assert out.loc["(no term)", "r2"] == pytest.approx(0.2)
