"""RSA and transfer, against plain loops."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from humanalign.datasets import HumanMatrix
from humanalign.measures import ProbeTransform, rsa, similarity_matrix, transfer_rsa, upper_triangle


def test_similarity_matrix_matches_loop(rng):
    x = rng.normal(size=(12, 6))
    cos = similarity_matrix(x, "cosine")
    cor = similarity_matrix(x, "pearson")
    for i in range(12):
        for j in range(12):
            u, v = x[i], x[j]
            assert cos[i, j] == pytest.approx(u @ v / np.linalg.norm(u) / np.linalg.norm(v))
            assert cor[i, j] == pytest.approx(np.corrcoef(u, v)[0, 1])


def test_rsa_matches_loop_over_upper_triangle(rng):
    a = rng.normal(size=(15, 15))
    b = a + rng.normal(size=(15, 15))
    a, b = (a + a.T) / 2, (b + b.T) / 2
    pairs_a = [a[i, j] for i in range(15) for j in range(i + 1, 15)]
    pairs_b = [b[i, j] for i in range(15) for j in range(i + 1, 15)]
    np.testing.assert_array_equal(upper_triangle(a), pairs_a)
    assert rsa(a, b) == pytest.approx(stats.spearmanr(pairs_a, pairs_b)[0])
    assert rsa(a, b, method="pearson") == pytest.approx(stats.pearsonr(pairs_a, pairs_b)[0])
    # The diagonal is ignored.
    c = b.copy()
    np.fill_diagonal(c, 1e6)
    assert rsa(a, c) == rsa(a, b)


def test_kind_of_human_matrix_is_honoured(rng):
    x = rng.normal(size=(10, 4))
    sim = similarity_matrix(x)
    ids = tuple(str(i) for i in range(10))
    as_sim = HumanMatrix(sim, ids, "similarity", "test")
    as_dis = HumanMatrix(1 - sim, ids, "dissimilarity", "test")
    assert rsa(sim, as_sim) == pytest.approx(1.0)
    assert rsa(sim, as_dis) == pytest.approx(1.0)
    assert rsa(1 - sim, as_dis, model_kind="dissimilarity") == pytest.approx(1.0)
    assert rsa(sim, 1 - sim) == pytest.approx(-1.0)


def test_rsa_bad_input(rng):
    a = rng.normal(size=(5, 5))
    a = a + a.T
    with pytest.raises(ValueError, match="5 x 5 but the human matrix is 6 x 6"):
        rsa(a, np.ones((6, 6)))
    with pytest.raises(ValueError, match="square"):
        rsa(a, rng.normal(size=(5, 4)))
    lower_ignored = a.copy()
    lower_ignored[3, 1] += 1.0  # a hand-made matrix with a typo below the diagonal
    with pytest.raises(ValueError, match=r"human_matrix is not symmetric \(\[1, 3\]"):
        rsa(a, lower_ignored)
    with pytest.raises(ValueError, match="constant"):
        rsa(a, np.ones((5, 5)))
    with pytest.raises(ValueError, match="method"):
        rsa(a, a, method="kendall")
    with pytest.raises(ValueError, match="metric"):
        similarity_matrix(a, "euclidean")
    with pytest.raises(ValueError, match="row 1 is constant"):
        similarity_matrix(np.array([[1.0, 2.0], [3.0, 3.0]]), "pearson")
    nan = a.copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rsa(nan, a)


def test_transfer_uses_things_statistics_and_recovers_planted_transform(rng):
    # Human similarity lives in the first two of eight dimensions; the probe picks them.
    x = rng.normal(size=(40, 8)) * 3 + 1
    mean, std = 0.5, 2.0
    z = (x - mean) / std
    human = HumanMatrix(similarity_matrix(z[:, :2]), tuple(map(str, range(40))), "similarity", "planted")
    w = np.zeros((8, 8))
    w[0, 0] = w[1, 1] = 1.0
    probe = ProbeTransform(weights=w, bias=None, mean=mean, std=std)
    out = transfer_rsa(x, probe, human)
    assert out["transformed"] == pytest.approx(1.0)
    assert out["zero_shot"] < 0.8
    with pytest.raises(ValueError, match="covers 40 stimuli"):
        transfer_rsa(x[:30], probe, human)
