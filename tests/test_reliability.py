"""Session reliability, the brain noise ceiling, category fit and partial rank correlation:
plain loops, rsatoolbox, hand computation, planted structure and the real IT data."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.stats import pearsonr, rankdata, spearmanr

from conftest import needs_mirror
from humanalign import measures


def _upper(m: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(len(m), 1)
    return m[i, j]


def _symmetric(x: np.ndarray) -> np.ndarray:
    x = (x + np.swapaxes(x, -1, -2)) / 2
    idx = np.arange(x.shape[-1])
    x[..., idx, idx] = 0
    return x


def _sessions(rng, truth: np.ndarray, noise: list[float], sessions: int = 2) -> np.ndarray:
    """(subjects, sessions, n, n): the true matrix plus each subject's own noise level."""
    n = len(truth)
    return np.stack([[_symmetric(truth + s * rng.normal(size=(n, n))) for _ in range(sessions)] for s in noise])


@pytest.fixture
def truth(rng):
    return measures.model_rdm(rng.normal(size=(16, 6)))


# --- session reliability ----------------------------------------------------------------


@pytest.mark.parametrize("sessions", [2, 3])
def test_session_reliability_matches_a_plain_loop(rng, truth, sessions):
    rdms = _sessions(rng, truth, [0.2, 0.5, 1.0, 2.0], sessions)
    want = [np.mean([spearmanr(_upper(s[a]), _upper(s[b]))[0] for a, b in combinations(range(sessions), 2)])
            for s in rdms]
    np.testing.assert_allclose(measures.session_reliability(rdms), want, atol=1e-12)
    pear = [np.mean([pearsonr(_upper(s[a]), _upper(s[b]))[0] for a, b in combinations(range(sessions), 2)])
            for s in rdms]
    np.testing.assert_allclose(measures.session_reliability(rdms, method="pearson"), pear, atol=1e-12)


def test_session_reliability_falls_with_planted_noise_and_agrees_with_rsatoolbox(rng, truth):
    rdms = _sessions(rng, truth, [0.0, 0.1, 0.4, 3.0])
    got = measures.session_reliability(rdms)
    assert got[0] == pytest.approx(1.0) and got[0] > got[1] > got[2] > got[3] and abs(got[3]) < 0.3
    rsatoolbox = pytest.importorskip("rsatoolbox")
    theirs = [rsatoolbox.rdm.compare_spearman(rsatoolbox.rdm.RDMs(_upper(s[0])[None]),
                                              rsatoolbox.rdm.RDMs(_upper(s[1])[None]))[0, 0] for s in rdms]
    np.testing.assert_allclose(got, theirs, atol=1e-6)


@pytest.mark.parametrize("fault, message", [
    ("three axes", r"shape \(subjects, sessions, n, n\), got \(3, 16, 16\)"),
    ("one session", "1 session\\(s\\) per person; this needs at least 2"),
    ("nan", "NaN"),
    ("asymmetric", "not symmetric"),
    ("method", "Unknown RSA method 'kendall'"),
])
def test_session_reliability_refuses_bad_input(rng, truth, fault, message):
    rdms = _sessions(rng, truth, [0.5, 0.5, 0.5])
    method = "spearman"
    if fault == "three axes":
        rdms = rdms[:, 0]
    elif fault == "one session":
        rdms = rdms[:, :1]
    elif fault == "nan":
        rdms[1, 0, 2, 3] = np.nan
    elif fault == "asymmetric":
        rdms[2, 1, 0, 4] += 1
    elif fault == "method":
        method = "kendall"
    with pytest.raises(ValueError, match=message):
        measures.session_reliability(rdms, method=method)


# --- the brain noise ceiling ------------------------------------------------------------


def _ceiling_loop(rdms: np.ndarray) -> tuple[float, float]:
    """Each subject's session mean against the mean rank of the others' (lower) and of all (upper)."""
    means = [_upper(s.mean(axis=0)) for s in rdms]
    lower = [spearmanr(means[i], np.mean([rankdata(v) for k, v in enumerate(means) if k != i], axis=0))[0]
             for i in range(len(means))]
    upper = [spearmanr(v, np.mean([rankdata(w) for w in means], axis=0))[0] for v in means]
    return float(np.mean(lower)), float(np.mean(upper))


def test_brain_noise_ceiling_matches_a_plain_loop_and_rsatoolbox(rng, truth):
    rdms = _sessions(rng, truth, [0.3, 0.6, 0.9, 1.2, 0.5])
    got = measures.brain_noise_ceiling(rdms)
    assert set(got) == {"lower", "upper", "lower_each", "upper_each"} and got["lower_each"].shape == (5,)
    assert (got["lower"], got["upper"]) == pytest.approx(_ceiling_loop(rdms), abs=1e-12)
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.inference import boot_noise_ceiling

    means = rsatoolbox.rdm.RDMs(np.stack([_upper(s.mean(axis=0)) for s in rdms]))
    assert (got["lower"], got["upper"]) == pytest.approx(boot_noise_ceiling(means, method="spearman"), abs=1e-6)


def test_brain_noise_ceiling_rises_as_planted_noise_falls(rng, truth):
    quiet = measures.brain_noise_ceiling(_sessions(rng, truth, [0.1] * 4))
    loud = measures.brain_noise_ceiling(_sessions(rng, truth, [1.5] * 4))
    assert 0.9 < quiet["lower"] < quiet["upper"] and loud["lower"] < loud["upper"] < quiet["lower"]
    with pytest.raises(ValueError, match="at least 2"):
        measures.brain_noise_ceiling(_sessions(rng, truth, [0.1]))


# --- category model fit -----------------------------------------------------------------


def test_category_model_fit_matches_a_loop_for_any_leading_shape(rng, truth):
    labels = np.repeat([0, 1, 2, 3], 4)
    model = (labels[:, None] != labels[None, :]).astype(float)
    rdms = _sessions(rng, truth + model, [0.3, 0.8, 1.5])
    got = measures.category_model_fit(rdms, model)
    assert got.shape == (3, 2)
    want = [[spearmanr(_upper(m), _upper(model))[0] for m in s] for s in rdms]
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(measures.category_model_fit(rdms[:, 0], model), got[:, 0], atol=1e-12)
    rsatoolbox = pytest.importorskip("rsatoolbox")
    theirs = rsatoolbox.rdm.compare_spearman(rsatoolbox.rdm.RDMs(_upper(model)[None]),
                                             rsatoolbox.rdm.RDMs(np.stack([_upper(m) for m in rdms[:, 0]])))
    np.testing.assert_allclose(got[:, 0], theirs.ravel(), atol=1e-6)


def test_category_model_fit_finds_planted_categories(rng, truth):
    labels = np.repeat([0, 1], 8)
    model = (labels[:, None] != labels[None, :]).astype(float)
    rdms = _sessions(rng, 3 * model, [0.3, 0.3])
    other = rng.permutation(16)
    assert measures.category_model_fit(rdms, model).min() > 0.7
    assert abs(measures.category_model_fit(rdms, model[other][:, other]).mean()) < 0.3
    with pytest.raises(ValueError, match="at least one leading axis"):
        measures.category_model_fit(rdms[0, 0], model)
    with pytest.raises(ValueError, match=r"model matrices are \(15, 15\) but people's are \(16, 16\)"):
        measures.category_model_fit(rdms, model[:15, :15])


# --- partial rank correlation -----------------------------------------------------------


def _partial_by_regression(x, y, z) -> float:
    """Plain reference: regress each rank vector on [1, ranks of z] and correlate the residuals."""
    design = np.column_stack([np.ones(len(x))] + [rankdata(c) for c in np.atleast_2d(z)])
    rx, ry = rankdata(x), rankdata(y)
    res_x = rx - design @ np.linalg.lstsq(design, rx, rcond=None)[0]
    res_y = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
    return float(pearsonr(res_x, res_y)[0])


def test_partial_spearman_on_a_small_example_worked_by_hand():
    x = np.array([1.0, 2, 3, 4, 5])
    y = np.array([2.0, 1, 4, 3, 5])
    z = np.array([1.0, 3, 2, 5, 4])
    # Spearman by rank differences, 1 - 6 sum d^2 / (n (n^2 - 1)) with n (n^2 - 1) = 120:
    # x, y: d^2 sums to 4, r = 0.8; x, z: 4, r = 0.8; y, z: 14, r = 0.3. Then
    # (0.8 - 0.8 * 0.3) / sqrt((1 - 0.64) (1 - 0.09)) = 0.56 / sqrt(0.3276).
    assert measures.partial_spearman(x, y, z) == pytest.approx(0.56 / np.sqrt(0.36 * 0.91), abs=1e-12)


def test_partial_spearman_matches_the_regression_and_the_formula(rng):
    x, y, z = rng.normal(size=(3, 200)) + rng.normal(size=200)  # three correlated vectors
    got = measures.partial_spearman(x, y, z)
    assert isinstance(got, float) and got == pytest.approx(_partial_by_regression(x, y, z), abs=1e-12)
    rxy, rxz, ryz = spearmanr(x, y)[0], spearmanr(x, z)[0], spearmanr(y, z)[0]
    assert got == pytest.approx((rxy - rxz * ryz) / np.sqrt((1 - rxz**2) * (1 - ryz**2)), abs=1e-12)
    # Vectorised over a stack of x, and with two controls at once, against the same loop.
    xs = rng.normal(size=(5, 200)) + y
    np.testing.assert_allclose(measures.partial_spearman(xs, y, z), [_partial_by_regression(r, y, z) for r in xs],
                               atol=1e-12)
    zz = np.stack([z, rng.normal(size=200) + x])
    assert measures.partial_spearman(x, y, zz) == pytest.approx(_partial_by_regression(x, y, zz), abs=1e-12)
    # A constant or repeated control adds nothing.
    assert measures.partial_spearman(x, y, np.stack([z, z, np.ones(200)])) == pytest.approx(got, abs=1e-10)
    # Ties (a category model) get mean ranks, as in the regression on rankdata.
    cat = (rng.random(200) > 0.5).astype(float)
    assert measures.partial_spearman(x, cat, z) == pytest.approx(_partial_by_regression(x, cat, z), abs=1e-12)


def test_partial_spearman_removes_planted_shared_structure(rng):
    z, w = rng.normal(size=(2, 500))
    x = z + 0.3 * rng.normal(size=500)
    y = z + 0.3 * rng.normal(size=500)
    assert spearmanr(x, y)[0] > 0.8 and abs(measures.partial_spearman(x, y, z)) < 0.15
    x2, y2 = x + 2 * w, y + 2 * w  # something shared beyond z
    assert measures.partial_spearman(x2, y2, z) > 0.5


@pytest.mark.parametrize("args, message", [
    ((np.arange(10.0), np.arange(9.0), np.arange(10.0)), "lengths 10, 9, 10; they must match"),
    ((np.ones(10), np.arange(10.0), np.arange(10.0) ** 2), "x is constant or fully explained by z"),
    ((np.array([3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3]), np.arange(10.0) ** 3, np.arange(10.0)),
     "y is constant or fully explained"),  # y's ranks are z's
    ((np.r_[np.nan, np.arange(9.0)], np.arange(10.0), np.arange(10.0)), "x holds NaN"),
    ((np.arange(3.0), np.arange(3.0), np.arange(3.0)), "P >= 4"),
    ((np.ones((2, 10)), np.ones((3, 10)), np.arange(10.0)), "x has 2 rows and y 3"),
])
def test_partial_spearman_refuses_bad_input(args, message):
    x, y, z = args
    with pytest.raises(ValueError, match=message):
        measures.partial_spearman(x, y, z)


# --- the real human IT data --------------------------------------------------------------


@needs_mirror
def test_real_it_reliability_and_ceiling(isolated_folders):
    from humanalign.datasets import load_rsa92_brain

    brain = load_rsa92_brain()
    # Single people's fMRI matrices are noisy: their two sessions agree weakly.
    np.testing.assert_allclose(measures.session_reliability(brain.rdms), [0.277, 0.095, 0.383, 0.120], atol=1e-3)
    got = measures.brain_noise_ceiling(brain.rdms)
    assert (got["lower"], got["upper"]) == pytest.approx((0.372, 0.666), abs=1e-3)
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.inference import boot_noise_ceiling

    means = rsatoolbox.rdm.RDMs(np.stack([_upper(m) for m in brain.per_subject()]))
    assert (got["lower"], got["upper"]) == pytest.approx(boot_noise_ceiling(means, method="spearman"), abs=1e-6)
