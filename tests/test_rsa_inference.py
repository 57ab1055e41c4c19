"""Per-person RSA, the noise ceiling and the image bootstrap: plain references, rsatoolbox,
planted structure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr

from conftest import needs_mirror
from humanalign import measures


def _people(rng, truth: np.ndarray, p: int, noise: float) -> np.ndarray:
    out = []
    for _ in range(p):
        x = truth + noise * rng.normal(size=truth.shape)
        x = (x + x.T) / 2
        np.fill_diagonal(x, 0)
        out.append(x)
    return np.stack(out)


@pytest.fixture
def planted(rng):
    feats = rng.normal(size=(20, 8))
    truth = measures.model_rdm(feats)
    return feats, truth, _people(rng, truth, 6, 0.3)


def _upper(m):
    i, j = np.triu_indices(len(m), 1)
    return m[i, j]


def _ceiling_loop(rdms, method):
    def pool(vs):
        if method == "spearman":
            vs = [np.argsort(np.argsort(v)) + 1.0 for v in vs]  # no ties in random data
        else:
            vs = [(v - v.mean()) / v.std() for v in vs]
        return np.mean(vs, axis=0)

    corr = spearmanr if method == "spearman" else pearsonr
    vectors = [_upper(m) for m in rdms]
    lower = [corr(vectors[i], pool(vectors[:i] + vectors[i + 1:]))[0] for i in range(len(vectors))]
    upper = [corr(v, pool(vectors))[0] for v in vectors]
    return np.mean(lower), np.mean(upper)


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_noise_ceiling_matches_a_plain_loop(planted, method):
    _, _, rdms = planted
    got = measures.noise_ceiling_rsa(rdms, method)
    low, high = _ceiling_loop(rdms, method)
    assert got["lower"] == pytest.approx(low, abs=1e-10)
    assert got["upper"] == pytest.approx(high, abs=1e-10)
    assert got["lower"] < got["upper"]


@pytest.mark.parametrize("method, theirs", [("spearman", "spearman"), ("pearson", "corr")])
def test_noise_ceiling_agrees_with_rsatoolbox(planted, method, theirs):
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.inference import boot_noise_ceiling

    _, _, rdms = planted
    data = rsatoolbox.rdm.RDMs(np.stack([_upper(m) for m in rdms]))
    low, high = boot_noise_ceiling(data, method=theirs)
    got = measures.noise_ceiling_rsa(rdms, method)
    assert got["lower"] == pytest.approx(low, abs=1e-6)
    assert got["upper"] == pytest.approx(high, abs=1e-6)


@needs_mirror
def test_real_92_image_ceiling_agrees_with_rsatoolbox(isolated_folders):
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.inference import boot_noise_ceiling

    from humanalign.datasets import load_rsa92

    rdms = load_rsa92().rdms
    low, high = boot_noise_ceiling(rsatoolbox.rdm.RDMs(np.stack([_upper(m) for m in rdms])), method="spearman")
    got = measures.noise_ceiling_rsa(rdms)
    assert (got["lower"], got["upper"]) == pytest.approx((low, high), abs=1e-6)
    assert 0.3 < got["lower"] < got["upper"] < 0.8


def test_per_person_scores_match_scipy_and_rsatoolbox(planted, rng):
    feats, _, rdms = planted
    model = measures.model_rdm(feats + 0.5 * rng.normal(size=feats.shape))
    got = measures.rsa_per_person(model, rdms)
    want = [spearmanr(_upper(model), _upper(m))[0] for m in rdms]
    np.testing.assert_allclose(got, want, atol=1e-12)
    rsatoolbox = pytest.importorskip("rsatoolbox")
    theirs = rsatoolbox.rdm.compare_spearman(
        rsatoolbox.rdm.RDMs(_upper(model)[None]), rsatoolbox.rdm.RDMs(np.stack([_upper(m) for m in rdms])))
    np.testing.assert_allclose(got, theirs.ravel(), atol=1e-6)
    both = measures.rsa_per_person(np.stack([model, model]), rdms)
    assert both.shape == (2, len(rdms))


def test_planted_structure_scores_above_noise_and_near_the_ceiling(planted, rng):
    feats, truth, rdms = planted
    right = measures.rsa_per_person(truth, rdms).mean()
    wrong = measures.rsa_per_person(measures.model_rdm(rng.normal(size=feats.shape)), rdms).mean()
    bounds = measures.noise_ceiling_rsa(rdms)
    assert wrong < 0.2 < right
    # The true structure reaches at least the lower bound of the ceiling.
    assert right >= bounds["lower"] - 0.02


def test_image_bootstrap_matches_a_plain_loop(planted, rng):
    feats, truth, rdms = planted
    models = np.stack([truth, measures.model_rdm(rng.normal(size=feats.shape))])
    human = rdms.mean(axis=0)
    got = measures.rsa_image_bootstrap(models, human, n_boot=5, seed=3)
    draw = np.random.default_rng(3)
    n = len(human)
    for b in range(5):
        idx = draw.integers(0, n, size=n)
        a_vals, h_vals = [[], []], []
        for i in range(n):
            for j in range(i + 1, n):
                if idx[i] != idx[j]:
                    h_vals.append(human[idx[i], idx[j]])
                    for k in range(2):
                        a_vals[k].append(models[k][idx[i], idx[j]])
        for k in range(2):
            assert got[b, k] == pytest.approx(spearmanr(a_vals[k], h_vals)[0], abs=1e-12)


def test_bootstrap_means_matches_a_loop_and_pairs_columns(rng):
    values = rng.normal(size=(30, 2))
    got = measures.bootstrap_means(values, n_boot=4, seed=1)
    draw = np.random.default_rng(1)
    for b in range(4):
        counts = draw.multinomial(30, np.full(30, 1 / 30))
        np.testing.assert_allclose(got[b], (counts[:, None] * values).sum(0) / 30)
    low, high = measures.percentile_interval(measures.bootstrap_means(values[:, 0], n_boot=2000))
    assert low < values[:, 0].mean() < high


@pytest.mark.parametrize("bad", ["nonsquare", "asymmetric", "nan", "one"])
def test_bad_inputs_are_refused(planted, bad):
    _, truth, rdms = planted
    if bad == "nonsquare":
        rdms = rdms[:, :, :-1]
    elif bad == "asymmetric":
        rdms = rdms.copy()
        rdms[0, 0, 1] += 1
    elif bad == "nan":
        rdms = rdms.copy()
        rdms[0, 0, 1] = rdms[0, 1, 0] = np.nan
    elif bad == "one":
        rdms = rdms[:1]
    with pytest.raises(ValueError):
        measures.noise_ceiling_rsa(rdms)
    with pytest.raises(ValueError):
        measures.rsa_vectors(np.ones(5), np.arange(5.0))
    with pytest.raises(ValueError, match="n_boot"):
        measures.bootstrap_means(np.ones(3), n_boot=0)


def test_bootstrap_means_in_blocks_gives_the_same_numbers(rng, monkeypatch):
    from humanalign.measures import bootstrap

    values = rng.normal(size=(50, 3))
    whole = measures.bootstrap_means(values, n_boot=30, seed=2)
    monkeypatch.setattr(bootstrap, "_MAX_DRAWS", 50 * 7)  # blocks of 7 resamples
    np.testing.assert_allclose(measures.bootstrap_means(values, n_boot=30, seed=2), whole)


def test_euclidean_model_rdm_against_a_plain_loop():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 4))
    plain = np.array([[np.sqrt(((a - b) ** 2).sum()) for b in x] for a in x])
    out = measures.model_rdm(x, "euclidean")
    assert out == pytest.approx(plain, abs=1e-9) and np.all(np.diag(out) == 0) and np.array_equal(out, out.T)
